"""Purchase orders: the state table (pure) and the use cases on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, select

from boardline.catalog import services as catalog
from boardline.core import clock
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import Conflict, InvalidInput, PermissionDenied, StaleRecord
from boardline.core.tables import AuditEntry
from boardline.supply import packages, purchasing
from boardline.supply import services as supply
from boardline.supply.offers import Terms
from boardline.supply.packages import Receipt
from boardline.supply.purchasing import TRANSITIONS, PoAction, PoState, next_state
from tests.conftest import add_customer

BUYER = Actor("user", "bo", Role.BUYER, user_id=1)
SUPERVISOR = Actor("user", "sue", Role.SUPERVISOR, user_id=2)
OPERATOR = Actor("user", "otto", Role.OPERATOR, user_id=3)
T0 = datetime(2026, 3, 27, 8, 0, tzinfo=UTC)
TODAY = T0.date()


@pytest.fixture
def fixed_clock() -> Iterator[clock.FixedClock]:
    fixed = clock.FixedClock(T0)
    previous = clock.install(fixed)
    yield fixed
    clock.install(previous)


# --- rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", list(PoState))
@pytest.mark.parametrize("action", list(PoAction))
def test_every_move_is_in_the_table_or_refused_naming_the_state(
    state: PoState, action: PoAction
) -> None:
    expected = TRANSITIONS[state].get(action)
    if expected is None:
        with pytest.raises(Conflict) as caught:
            next_state(state, action, what="PO-000007")
        assert caught.value.detail.startswith(f"PO-000007 is {state.label}:")
        assert caught.value.extra["state"] == state.value
    else:
        assert next_state(state, action) is expected


def test_the_happy_path_and_its_ends() -> None:
    state = PoState.DRAFT
    for action in (PoAction.EDIT, PoAction.APPROVE, PoAction.SEND, PoAction.RECEIVE):
        state = next_state(state, action)
    assert state is PoState.PARTIALLY_RECEIVED
    assert next_state(state, PoAction.RECEIVE, complete=True) is PoState.CLOSED
    assert next_state(PoState.SENT, PoAction.RECEIVE, complete=True) is PoState.CLOSED
    assert next_state(state, PoAction.CLOSE) is PoState.CLOSED
    assert purchasing.allowed_actions(PoState.CLOSED) == frozenset()
    assert purchasing.allowed_actions(PoState.CANCELLED) == frozenset()


def test_nothing_received_can_be_cancelled_something_received_cannot() -> None:
    for state in (PoState.DRAFT, PoState.APPROVED, PoState.SENT):
        assert next_state(state, PoAction.CANCEL) is PoState.CANCELLED
    with pytest.raises(Conflict, match="partially received: only draft or approved or sent"):
        next_state(PoState.PARTIALLY_RECEIVED, PoAction.CANCEL)


@given(st.lists(st.tuples(st.sampled_from(list(PoAction)), st.booleans()), max_size=30))
def test_whatever_happens_a_received_order_is_never_cancelled(
    moves: list[tuple[PoAction, bool]],
) -> None:
    state, received = PoState.DRAFT, False
    for action, complete in moves:
        try:
            after = next_state(state, action, complete=complete)
        except Conflict:
            continue
        assert state not in (PoState.CLOSED, PoState.CANCELLED)  # the ends have no way out
        received = received or action is PoAction.RECEIVE
        state = after
        assert not (received and state is PoState.CANCELLED)
        assert received or state not in (PoState.PARTIALLY_RECEIVED, PoState.CLOSED)


def _terms(sku: str, breaks: list[tuple[int, str]], moq: int = 1, lead: int | None = 10) -> Terms:
    return Terms("D", sku, tuple((q, Decimal(p)) for q, p in breaks), moq, 1, lead)


def test_default_terms_take_the_cheapest_offer_whose_moq_is_met() -> None:
    reel = _terms("reel", [(5000, "0.001")], moq=5000, lead=30)
    cut = _terms("cut", [(1, "0.01"), (100, "0.004")], lead=3)
    assert purchasing.default_terms(200, [reel, cut]) is cut
    assert purchasing.default_terms(5000, [reel, cut]) is reel
    assert purchasing.default_terms(10, [reel]) is reel  # no offer's MOQ met: any offer
    assert purchasing.default_terms(10, []) is None


@pytest.mark.parametrize("bad", ["abc", "-1", "NaN", "Infinity", ""])
def test_unit_prices_are_non_negative_numbers(bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        purchasing.parse_price(bad)
    assert caught.value.extra["field"] == "unit_price"
    assert purchasing.parse_price(" 0.0012 ") == Decimal("0.0012")
    assert purchasing.line_total(3, "0.335") == Decimal("1.01")


# --- services -------------------------------------------------------------------------------


def setup_supply(db: Database) -> int:
    """Two items with MPNs, a supplier with offers for one of them; the supplier's id."""
    with db.unit_of_work(BUYER) as s:
        res = catalog.do_create_item(s, BUYER, number="RES-1", msl="1", shelf_life_days=730)
        catalog.do_add_part(s, BUYER, res.id, manufacturer="Yageo", mpn="RC0402FR-0710KL")
        mcu = catalog.do_create_item(s, BUYER, number="MCU-1", msl="3")
        catalog.do_add_part(s, BUYER, mcu.id, manufacturer="ST", mpn="STM32F103C8T6")
        dist = supply.do_create_supplier(s, BUYER, code="DIST", name="Distributor")
        supply.do_add_offer(
            s,
            BUYER,
            dist.id,
            manufacturer="Yageo",
            mpn="RC0402FR-0710KL",
            packaging="reel",
            breaks=[(1, "0.002"), (10000, "0.0011")],
            lead_time_days=21,
        )
        return dist.id


def sent_po(
    db: Database, supplier_id: int, *quantities: int, customer_id: int | None = None
) -> int:
    """A sent order with one RES-1 line per quantity; its id."""
    with db.unit_of_work(BUYER) as s:
        po = purchasing.do_create_po(s, BUYER, supplier_id=supplier_id, customer_id=customer_id)
        for quantity in quantities:
            purchasing.do_add_line(
                s, BUYER, po.id, manufacturer="Yageo", mpn="RC0402FR-0710KL", quantity=quantity
            )
        po_id = po.id
    with db.unit_of_work(SUPERVISOR) as s:
        purchasing.do_approve(s, SUPERVISOR, po_id)
    with db.unit_of_work(BUYER) as s:
        purchasing.do_send(s, BUYER, po_id)
    return po_id


def state_of(db: Database, po_id: int) -> tuple[str, list[int]]:
    with db.unit_of_work(BUYER, write=False) as s:
        po = purchasing.access_po(s, BUYER, po_id)
        return po.state, [x.received_quantity for x in po.lines]


def test_a_po_from_draft_to_closed(db: Database, fixed_clock: clock.FixedClock) -> None:
    """A buyer drafts, a supervisor approves, the buyer sends, stores receive it all."""
    supplier_id = setup_supply(db)
    with db.unit_of_work(BUYER) as s:
        po = purchasing.do_create_po(s, BUYER, supplier_id=supplier_id, notes=" urgent ")
        line = purchasing.do_add_line(
            s, BUYER, po.id, manufacturer="yageo", mpn="rc0402fr-0710kl", quantity=20000
        )
        other = purchasing.do_add_line(
            s,
            BUYER,
            po.id,
            manufacturer="ST",
            mpn="STM32F103C8T6",
            quantity=50,
            unit_price="3.10",
            due_date=TODAY + timedelta(days=5),
        )
        po_id, number, line_id, other_id = po.id, po.number, line.id, other.id
        assert (po.state, po.currency, po.notes, po.created_by) == (
            "draft",
            "EUR",
            "urgent",
            "user:bo",
        )
        # offer terms: the 10 000 break's price, today plus 21 days lead time
        assert (line.position, line.unit_price, line.due_date) == (1, "0.0011", date(2026, 4, 17))
        assert (other.position, other.unit_price) == (2, "3.10")
    assert number == "PO-000001"
    with pytest.raises(PermissionDenied), db.unit_of_work(BUYER) as s:
        purchasing.do_approve(s, BUYER, po_id)
    with db.unit_of_work(SUPERVISOR) as s:
        po = purchasing.do_approve(s, SUPERVISOR, po_id)
        assert (po.state, po.approved_by, po.approved_at) == ("approved", "user:sue", T0)
    with (
        pytest.raises(Conflict, match="PO-000001 is approved: only draft orders can be edited"),
        db.unit_of_work(BUYER) as s,
    ):
        purchasing.do_add_line(s, BUYER, po_id, manufacturer="ST", mpn="STM32F103C8T6", quantity=1)
    with db.unit_of_work(BUYER) as s:
        assert purchasing.do_send(s, BUYER, po_id).sent_at == T0
    with db.unit_of_work(OPERATOR) as s:
        packages.do_receive_many(s, OPERATOR, Receipt("", "", 5000, po_line_id=line_id), 2)
    assert state_of(db, po_id) == ("partially_received", [10000, 0])
    with db.unit_of_work(OPERATOR) as s:
        packages.do_receive_many(s, OPERATOR, Receipt("", "", 5000, po_line_id=line_id), 2)
        packages.do_receive(s, OPERATOR, Receipt("", "", 50, packaging="tray", po_line_id=other_id))
    assert state_of(db, po_id) == ("closed", [20000, 50])
    with db.unit_of_work(BUYER, write=False) as s:
        po = purchasing.access_po(s, BUYER, po_id)
        assert po.closed_at == T0
        assert purchasing.order_total(po) == Decimal("22.00") + Decimal("155.00")
        assert purchasing.open_po_lines(s) == []


def test_lines_change_and_go_while_draft_with_version_checks(db: Database) -> None:
    supplier_id = setup_supply(db)
    with db.unit_of_work(BUYER) as s:
        po = purchasing.do_create_po(s, BUYER, supplier_id=supplier_id)
        a = purchasing.do_add_line(
            s, BUYER, po.id, manufacturer="Yageo", mpn="RC0402FR-0710KL", quantity=100
        )
        b = purchasing.do_add_line(
            s, BUYER, po.id, manufacturer="Yageo", mpn="RC0402FR-0710KL", quantity=200
        )
        po_id, a_id, b_id, a_version = po.id, a.id, b.id, a.version
    with db.unit_of_work(BUYER) as s:
        changed = purchasing.do_change_line(
            s, BUYER, a_id, expected_version=a_version, quantity=15000, unit_price="0.001"
        )
        assert (changed.quantity, changed.unit_price) == (15000, "0.001")
    with pytest.raises(StaleRecord), db.unit_of_work(BUYER) as s:
        purchasing.do_change_line(s, BUYER, a_id, expected_version=a_version, quantity=1)
    with pytest.raises(InvalidInput, match="at least 1"), db.unit_of_work(BUYER) as s:
        purchasing.do_change_line(s, BUYER, a_id, expected_version=None, quantity=0)
    with db.unit_of_work(BUYER) as s:
        purchasing.do_remove_line(s, BUYER, a_id)
        c = purchasing.do_add_line(
            s, BUYER, po_id, manufacturer="Yageo", mpn="RC0402FR-0710KL", quantity=1
        )
        assert c.position == 3  # positions are never reused: the supplier may have quoted them
    with db.unit_of_work(BUYER, write=False) as s:
        po = purchasing.access_po(s, BUYER, po_id)
        assert [(x.id, x.position) for x in po.lines] == [(b_id, 2), (c.id, 3)]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"manufacturer": "Nobody", "mpn": "X-1", "quantity": 1}, "mpn"),
        ({"manufacturer": "Yageo", "mpn": "RC0402FR-0710KL", "quantity": 0}, "quantity"),
        ({"manufacturer": "ST", "mpn": "STM32F103C8T6", "quantity": 5}, "unit_price"),
        (
            {"manufacturer": "ST", "mpn": "STM32F103C8T6", "quantity": 5, "unit_price": "1"},
            "due_date",
        ),
        (
            {
                "manufacturer": "Yageo",
                "mpn": "RC0402FR-0710KL",
                "quantity": 5,
                "due_date": date(2000, 1, 1),
            },
            "due_date",
        ),
        (
            {"manufacturer": "Yageo", "mpn": "RC0402FR-0710KL", "quantity": 5, "unit_price": "-1"},
            "unit_price",
        ),
    ],
)
def test_bad_lines_are_refused(db: Database, kwargs: dict[str, object], field: str) -> None:
    supplier_id = setup_supply(db)
    with db.unit_of_work(BUYER) as s:
        po_id = purchasing.do_create_po(s, BUYER, supplier_id=supplier_id).id
    with pytest.raises(InvalidInput) as caught, db.unit_of_work(BUYER) as s:
        purchasing.do_add_line(s, BUYER, po_id, **kwargs)  # type: ignore[arg-type]
    assert caught.value.extra["field"] == field
    assert state_of(db, po_id) == ("draft", [])


def test_an_empty_po_is_not_approved(db: Database) -> None:
    supplier_id = setup_supply(db)
    with db.unit_of_work(BUYER) as s:
        po_id = purchasing.do_create_po(s, BUYER, supplier_id=supplier_id).id
    with pytest.raises(InvalidInput, match="no lines"), db.unit_of_work(SUPERVISOR) as s:
        purchasing.do_approve(s, SUPERVISOR, po_id)
    with (
        pytest.raises(Conflict, match="is draft: only approved orders can be sent"),
        db.unit_of_work(BUYER) as s,
    ):
        purchasing.do_send(s, BUYER, po_id)


def test_cancel_needs_a_reason_and_nothing_received(db: Database) -> None:
    supplier_id = setup_supply(db)
    po_id = sent_po(db, supplier_id, 10000)
    with pytest.raises(InvalidInput, match="needs a reason"), db.unit_of_work(BUYER) as s:
        purchasing.do_cancel(s, BUYER, po_id, reason=" ")
    with db.unit_of_work(BUYER) as s:
        version = purchasing.access_po(s, BUYER, po_id).version
    with pytest.raises(StaleRecord), db.unit_of_work(BUYER) as s:
        purchasing.do_cancel(s, BUYER, po_id, reason="dup", expected_version=version - 1)
    with db.unit_of_work(BUYER) as s:
        po = purchasing.do_cancel(s, BUYER, po_id, reason="ordered twice", expected_version=version)
        assert po.state == "cancelled"
    with db.unit_of_work(BUYER, write=False) as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.table_name == "supply_po").order_by(AuditEntry.seq)
        ).all()[-1]
        assert entry.reason == "ordered twice"
        assert entry.changes["state"] == ["sent", "cancelled"]

    received = sent_po(db, supplier_id, 10000)
    with db.unit_of_work(OPERATOR) as s:
        line_id = purchasing.access_po(s, OPERATOR, received).lines[0].id
        packages.do_receive(s, OPERATOR, Receipt("", "", 4000, po_line_id=line_id))
    with pytest.raises(Conflict, match="is partially received"), db.unit_of_work(BUYER) as s:
        purchasing.do_cancel(s, BUYER, received, reason="too late")
    with pytest.raises(InvalidInput, match="needs a reason"), db.unit_of_work(BUYER) as s:
        purchasing.do_close(s, BUYER, received, reason="")
    with db.unit_of_work(BUYER) as s:
        assert purchasing.do_close(s, BUYER, received, reason="rest obsolete").state == "closed"
    with (
        pytest.raises(Conflict, match="is closed: only sent or partially received"),
        db.unit_of_work(OPERATOR) as s,
    ):
        packages.do_receive(s, OPERATOR, Receipt("", "", 1, po_line_id=line_id))


def test_close_needs_something_received(db: Database) -> None:
    supplier_id = setup_supply(db)
    po_id = sent_po(db, supplier_id, 10)
    with (
        pytest.raises(Conflict, match="is sent: only partially received orders"),
        db.unit_of_work(BUYER) as s,
    ):
        purchasing.do_close(s, BUYER, po_id, reason="not needed")


def test_a_turnkey_po_names_its_customer_and_its_packages_are_the_customers(
    db: Database,
) -> None:
    supplier_id = setup_supply(db)
    customer_id = add_customer(db, "ACME")
    po_id = sent_po(db, supplier_id, 10, customer_id=customer_id)
    with db.unit_of_work(OPERATOR) as s:
        line_id = purchasing.access_po(s, OPERATOR, po_id).lines[0].id
        package = packages.do_receive(s, OPERATOR, Receipt("", "", 10, po_line_id=line_id))
        assert (package.customer_id, package.supplier_id, package.consigned) == (
            customer_id,
            supplier_id,
            False,
        )


def test_open_po_lines_for_mrp_in_one_query(db: Database, fixed_clock: clock.FixedClock) -> None:
    supplier_id = setup_supply(db)
    sent = sent_po(db, supplier_id, 10000, 300)
    with db.unit_of_work(BUYER) as s:  # a draft and a cancelled order don't count
        draft = purchasing.do_create_po(s, BUYER, supplier_id=supplier_id)
        purchasing.do_add_line(
            s, BUYER, draft.id, manufacturer="Yageo", mpn="RC0402FR-0710KL", quantity=7
        )
    cancelled = sent_po(db, supplier_id, 99)
    with db.unit_of_work(BUYER) as s:
        purchasing.do_cancel(s, BUYER, cancelled, reason="not needed")
    with db.unit_of_work(OPERATOR) as s:
        first, second = purchasing.access_po(s, OPERATOR, sent).lines
        packages.do_receive(s, OPERATOR, Receipt("", "", 4000, po_line_id=first.id))
        packages.do_receive(s, OPERATOR, Receipt("", "", 300, po_line_id=second.id))
        item_id = first.item_part.item_id
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    with db.unit_of_work(BUYER, write=False) as s:
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            found = purchasing.open_po_lines(s)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert found == [(first.id, item_id, 6000, date(2026, 4, 17))]
    assert len([x for x in statements if x.lstrip().upper().startswith("SELECT")]) == 1


def test_the_po_pdf_names_the_order(db: Database) -> None:
    supplier_id = setup_supply(db)
    customer_id = add_customer(db, "ACME")
    po_id = sent_po(db, supplier_id, 10000, customer_id=customer_id)
    with db.unit_of_work(BUYER, write=False) as s:
        pdf = purchasing.po_pdf(s, BUYER, po_id, compress=False)
        compressed = purchasing.po_pdf(s, BUYER, po_id)
    assert pdf.startswith(b"%PDF")
    assert compressed.startswith(b"%PDF")
    for text in (b"PO-000001", b"RC0402FR-0710KL", b"ACME Inc", b"RES-1", b"11.00", b"sent"):
        assert text in pdf, text


def test_po_numbers_count_up(db: Database) -> None:
    supplier_id = setup_supply(db)
    with db.unit_of_work(BUYER) as s:
        numbers = [
            purchasing.do_create_po(s, BUYER, supplier_id=supplier_id).number for _ in range(3)
        ]
        assert [p.number for p in purchasing.list_pos(s, BUYER, state="draft")] == numbers[::-1]
        assert purchasing.find_po(s, BUYER, "po-000002").number == "PO-000002"
    assert numbers == ["PO-000001", "PO-000002", "PO-000003"]
    with pytest.raises(InvalidInput) as caught, db.unit_of_work(BUYER) as s:
        purchasing.list_pos(s, BUYER, state="lost")
    assert caught.value.extra["field"] == "state"
