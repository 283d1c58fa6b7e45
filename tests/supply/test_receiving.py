"""Receiving packages against PO lines, consigned and with their own IDs (SQLite, PostgreSQL).

Every refused receipt leaves the packages and the PO lines exactly as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, func, select

from boardline.core import clock
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import BoardlineError, Conflict, InvalidInput, PermissionDenied
from boardline.core.tables import AuditEntry
from boardline.supply import gs1, packages, purchasing
from boardline.supply.packages import Receipt
from boardline.supply.tables import MaterialPackage, MsdEventRow, PurchaseOrderLine
from tests.conftest import add_customer
from tests.supply.test_purchasing import (
    BUYER,
    OPERATOR,
    SUPERVISOR,
    sent_po,
    setup_supply,
    state_of,
)

T0 = datetime(2026, 3, 27, 8, 0, tzinfo=UTC)


@pytest.fixture
def fixed_clock() -> Iterator[clock.FixedClock]:
    fixed = clock.FixedClock(T0)
    previous = clock.install(fixed)
    yield fixed
    clock.install(previous)


def first_line(db: Database, po_id: int) -> int:
    with db.unit_of_work(BUYER, write=False) as s:
        return purchasing.access_po(s, BUYER, po_id).lines[0].id


def package_count(db: Database) -> int:
    with db.unit_of_work(BUYER, write=False) as s:
        return s.scalar(select(func.count()).select_from(MaterialPackage)) or 0


def test_a_reel_delivery_becomes_packages_with_ids_expiry_and_po_booking(
    db: Database, fixed_clock: clock.FixedClock
) -> None:
    supplier_id = setup_supply(db)
    po_id = sent_po(db, supplier_id, 20000)
    line_id = first_line(db, po_id)
    with db.unit_of_work(OPERATOR) as s:
        made = packages.do_receive_many(
            s,
            OPERATOR,
            Receipt("", "", 5000, lot=" L7 ", date_code="2612", po_line_id=line_id),
            3,
        )
        uids = [p.uid for p in made]
        assert {p.received_at for p in made} == {T0}
        assert {(p.quantity, p.lot, p.state, p.po_line_id, p.supplier_id) for p in made} == {
            (5000, "L7", "hold", line_id, supplier_id)
        }
        assert {p.expires_on for p in made} == {date(2028, 3, 26)}  # 730 days of shelf life
        labels = [packages.label_of(p) for p in made]
    assert len(set(uids)) == 3
    assert all(gs1.check_package_id(u) == u for u in uids)
    assert [label.package_id for label in labels] == uids
    assert state_of(db, po_id) == ("partially_received", [15000])
    with db.unit_of_work(BUYER, write=False) as s:
        po = purchasing.access_po(s, BUYER, po_id)
        (receipt,) = purchasing.receipts_of(s, BUYER, po)
        assert (receipt.line_id, receipt.received_at, receipt.packages, receipt.quantity) == (
            line_id,
            T0,
            3,
            15000,
        )
        together = purchasing.packages_of_receipt(s, BUYER, line_id, T0)
        assert [p.uid for p in together] == uids


def test_msd_packages_arrive_sealed(db: Database) -> None:
    setup_supply(db)
    with db.unit_of_work(OPERATOR) as s:
        made = packages.do_receive_many(
            s, OPERATOR, Receipt("ST", "STM32F103C8T6", 250, packaging="tray"), 4
        )
        ids = {p.id for p in made}
        assert {p.msl for p in made} == {"3"}
        assert {p.expires_on for p in made} == {None}
    with db.unit_of_work(OPERATOR, write=False) as s:
        events = s.scalars(select(MsdEventRow)).all()
        assert {(e.package_id, e.kind) for e in events} == {(i, "sealed") for i in ids}


def test_receiving_many_costs_the_same_queries_as_receiving_two(db: Database) -> None:
    """No query per package: the packages go in one flush and their MSD events in another.

    Only the INSERTs themselves may be one per row, and only on SQLite: SQLAlchemy cannot
    match the ids a multi-row INSERT returns to their rows there (no guaranteed order), so
    it sends the rows one by one within the flush. PostgreSQL gets one INSERT per batch.
    """
    supplier_id = setup_supply(db)

    def statements_for(count: int) -> list[str]:
        seen: list[str] = []

        def record(*args: object) -> None:
            seen.append(str(args[2]).lstrip().upper())

        with db.unit_of_work(OPERATOR) as s:
            event.listen(db.engine, "before_cursor_execute", record)
            try:
                packages.do_receive_many(
                    s,
                    OPERATOR,
                    Receipt("ST", "STM32F103C8T6", 250, packaging="tray", supplier_id=supplier_id),
                    count,
                )
            finally:
                event.remove(db.engine, "before_cursor_execute", record)
        if db.dialect == "sqlite":
            return [x for x in seen if not x.startswith(("INSERT INTO SUPPLY_", "BEGIN"))]
        return seen

    few, many = statements_for(2), statements_for(40)
    assert len(few) == len(many)


def test_consigned_material_belongs_to_its_customer(db: Database) -> None:
    setup_supply(db)
    customer_id = add_customer(db, "ACME")
    with db.unit_of_work(OPERATOR) as s:
        package = packages.do_receive(
            s,
            OPERATOR,
            Receipt("ST", "STM32F103C8T6", 100, customer_id=customer_id, consigned=True),
        )
        assert (package.customer_id, package.consigned, package.po_line_id) == (
            customer_id,
            True,
            None,
        )


def test_a_package_keeps_the_id_already_on_it(db: Database) -> None:
    setup_supply(db)
    ours = gs1.new_package_id(4242)
    with db.unit_of_work(OPERATOR) as s:
        a = packages.do_receive(s, OPERATOR, Receipt("ST", "STM32F103C8T6", 10, uid=ours.lower()))
        b = packages.do_receive(s, OPERATOR, Receipt("ST", "STM32F103C8T6", 10, uid=" DK-REEL-77 "))
        assert (a.uid, b.uid) == (ours, "DK-REEL-77")
        assert packages.label_of(b).gs1_fields()[gs1.SERIAL] == "DK-REEL-77"


def test_a_supervisor_accepts_an_over_delivery_with_a_reason(db: Database) -> None:
    supplier_id = setup_supply(db)
    po_id = sent_po(db, supplier_id, 10000)
    line_id = first_line(db, po_id)
    with db.unit_of_work(SUPERVISOR) as s:
        packages.do_receive_many(
            s,
            SUPERVISOR,
            Receipt("", "", 5500, po_line_id=line_id, reason="supplier ships full reels"),
            2,
        )
    assert state_of(db, po_id) == ("closed", [11000])
    with db.unit_of_work(BUYER, write=False) as s:
        entry = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.table_name == "supply_po_line", AuditEntry.action == "update")
            .order_by(AuditEntry.seq.desc())
        ).first()
        assert entry is not None
        assert entry.reason == "supplier ships full reels"
        assert entry.changes["received_quantity"] == [0, 11000]


def _draft_line(db: Database, supplier_id: int) -> int:
    with db.unit_of_work(BUYER) as s:
        po = purchasing.do_create_po(s, BUYER, supplier_id=supplier_id)
        return purchasing.do_add_line(
            s, BUYER, po.id, manufacturer="Yageo", mpn="RC0402FR-0710KL", quantity=10
        ).id


def _cancelled_line(db: Database, supplier_id: int) -> int:
    po_id = sent_po(db, supplier_id, 10)
    with db.unit_of_work(BUYER) as s:
        purchasing.do_cancel(s, BUYER, po_id, reason="not needed")
    return first_line(db, po_id)


def _taken_uid(db: Database) -> str:
    with db.unit_of_work(OPERATOR) as s:
        return packages.do_receive(s, OPERATOR, Receipt("ST", "STM32F103C8T6", 1)).uid


# (name, actor, receipt maker (db, supplier id, line id of a sent PO of 10 000), count,
# error, field, message part)
CUSTOMER_USER = Actor("user", "cy", Role.CUSTOMER, customer_id=1)
BAD: list[tuple[str, Actor, Callable[[Database, int, int], Receipt], int, type, str, str]] = [
    ("zero", OPERATOR, lambda db, sid, lid: Receipt("", "", 0, po_line_id=lid), 1,
     InvalidInput, "quantity", "at least 1"),
    ("negative", OPERATOR, lambda db, sid, lid: Receipt("", "", -5, po_line_id=lid), 1,
     InvalidInput, "quantity", "at least 1"),
    ("no packages", OPERATOR, lambda db, sid, lid: Receipt("", "", 5, po_line_id=lid), 0,
     InvalidInput, "count", "1 to"),
    ("unknown MPN", OPERATOR, lambda db, sid, lid: Receipt("Nobody", "NOPE-1", 5), 1,
     InvalidInput, "mpn", "unknown MPN"),
    ("wrong MPN for the line", OPERATOR,
     lambda db, sid, lid: Receipt("ST", "STM32F103C8T6", 5, po_line_id=lid), 1,
     InvalidInput, "mpn", "is not what PO-000001 line 1 orders"),
    ("over the open quantity", OPERATOR,
     lambda db, sid, lid: Receipt("", "", 6000, po_line_id=lid), 2,
     Conflict, "quantity", "ordered 10,000, received 0, open 10,000: 12,000 is too many"),
    ("over without a reason", SUPERVISOR,
     lambda db, sid, lid: Receipt("", "", 6000, po_line_id=lid), 2,
     InvalidInput, "reason", "needs a reason"),
    ("duplicate package ID", OPERATOR,
     lambda db, sid, lid: Receipt("", "", 5, po_line_id=lid, uid=_taken_uid(db)), 1,
     Conflict, "uid", "is already on a package: MCU-1 STM32F103C8T6, 1 pcs"),
    ("one ID for many", OPERATOR,
     lambda db, sid, lid: Receipt("", "", 5, po_line_id=lid, uid="DK-1"), 2,
     InvalidInput, "uid", "cannot name 2 packages"),
    ("ID unfit for a label", OPERATOR,
     lambda db, sid, lid: Receipt("", "", 5, po_line_id=lid, uid="REEL#1 ÄÖ"), 1,
     InvalidInput, "uid", "package ID"),
    ("our ID mistyped", OPERATOR,
     lambda db, sid, lid: Receipt("", "", 5, po_line_id=lid, uid="PKG-0000AAX"), 1,
     InvalidInput, "uid", "package ID"),
    ("draft PO", OPERATOR,
     lambda db, sid, lid: Receipt("", "", 5, po_line_id=_draft_line(db, sid)), 1,
     Conflict, "", "is draft: only sent or partially received orders can be received"),
    ("cancelled PO", OPERATOR,
     lambda db, sid, lid: Receipt("", "", 5, po_line_id=_cancelled_line(db, sid)), 1,
     Conflict, "", "is cancelled: only sent or partially received"),
    ("consigned with a PO", OPERATOR,
     lambda db, sid, lid: Receipt("", "", 5, po_line_id=lid, consigned=True), 1,
     InvalidInput, "consigned", "without a PO"),
    ("consigned without a customer", OPERATOR,
     lambda db, sid, lid: Receipt("ST", "STM32F103C8T6", 5, consigned=True), 1,
     InvalidInput, "customer", "needs the customer"),
    ("another supplier", OPERATOR,
     lambda db, sid, lid: Receipt("", "", 5, po_line_id=lid, supplier_id=sid + 1000), 1,
     InvalidInput, "supplier", "is ordered from DIST"),
    ("unknown packaging", OPERATOR,
     lambda db, sid, lid: Receipt("", "", 5, po_line_id=lid, packaging="crate"), 1,
     InvalidInput, "packaging", "crate"),
    ("no stores permission", CUSTOMER_USER,
     lambda db, sid, lid: Receipt("", "", 5, po_line_id=lid), 1,
     PermissionDenied, "", "may not"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("actor", "make", "count", "error", "field", "message"),
    [case[1:] for case in BAD],
    ids=[case[0] for case in BAD],
)
def test_bad_receipts_are_refused_and_change_nothing(
    db: Database,
    actor: Actor,
    make: Callable[[Database, int, int], Receipt],
    count: int,
    error: type[BoardlineError],
    field: str,
    message: str,
) -> None:
    supplier_id = setup_supply(db)
    po_id = sent_po(db, supplier_id, 10000)
    line_id = first_line(db, po_id)
    receipt = make(db, supplier_id, line_id)
    before_packages = package_count(db)
    with db.unit_of_work(BUYER, write=False) as s:
        before_lines = {x.id: x.received_quantity for x in s.scalars(select(PurchaseOrderLine))}
    with pytest.raises(error) as caught, db.unit_of_work(actor) as s:
        packages.do_receive_many(s, actor, receipt, count)
    assert message in caught.value.detail
    if field:
        assert caught.value.extra["field"] == field
    assert package_count(db) == before_packages
    with db.unit_of_work(BUYER, write=False) as s:
        after_lines = {x.id: x.received_quantity for x in s.scalars(select(PurchaseOrderLine))}
    assert after_lines == before_lines
    assert state_of(db, po_id) == ("sent", [0])
