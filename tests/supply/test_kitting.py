"""Kitting a work order: pick list, reservations, issue to the line, return with a count.

Every test runs on SQLite and PostgreSQL. The clock stands still at T0 unless a test moves
it, so floor life and shelf life are exact.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from boardline.catalog import services as catalog
from boardline.core import clock
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import BoardlineError, Conflict, InvalidInput, NotFound
from boardline.core.tables import AuditEntry
from boardline.npi import services as npi
from boardline.npi.pipeline import InputFile
from boardline.production import work_orders
from boardline.supply import inventory, kitting, packages
from boardline.supply.packages import Receipt
from boardline.supply.tables import KitReservation, MaterialPackage
from tests.conftest import add_customer

SYSTEM = Actor.system("test")
# Operators take kits to the line: they hold the stores permission, nothing more.
STORES = Actor("user", "olga", Role.OPERATOR, user_id=7)
T0 = datetime(2026, 3, 27, 8, 0, tzinfo=UTC)
TODAY = T0.date()
BOM = (
    b"Designator,Qty,MPN,Manufacturer,DNP\n"
    b"R1 R2,2,RC0402FR-0710KL,Yageo,\n"
    b"U1,1,STM32F103C8T6,STMicroelectronics,\n"
    b"C1,1,GRM155R71C104KA88D,Murata,\n"
    b"R9,1,RC0402FR-0710KL,Yageo,DNP\n"
)
RES = ("Yageo", "RC0402FR-0710KL")
MCU = ("STMicroelectronics", "STM32F103C8T6")
LED = ("Lite-On", "LTST-C191KRKT")


@contextmanager
def frozen_at(start: datetime = T0) -> Iterator[clock.FixedClock]:
    """The process clock standing still at ``start`` (moved only by ``advance``)."""
    fixed = clock.FixedClock(start)
    previous = clock.install(fixed)
    try:
        yield fixed
    finally:
        clock.install(previous)


@pytest.fixture
def at_t0() -> Iterator[clock.FixedClock]:
    with frozen_at() as fixed:
        yield fixed


@dataclass(frozen=True)
class World:
    customer_id: int
    other_customer_id: int
    wo_id: int
    wo_number: str
    res_id: int
    mcu_id: int


def make_world(db: Database, *, boards: int = 10) -> World:
    """Two customers, three items (a 10 % attrition resistor, an MSL 3 MCU, an LED that no
    BOM uses), a revision whose BOM has the resistor twice per board (and once DNP), the MCU
    once and an unmatched capacitor, a work order for ``boards``, and four locations."""
    acme = add_customer(db, "ACME")
    other = add_customer(db, "OTHER")
    with db.unit_of_work(SYSTEM) as s:
        res = catalog.do_create_item(s, SYSTEM, number="RES-10K", msl="1")
        catalog.do_add_part(s, SYSTEM, res.id, manufacturer=RES[0], mpn=RES[1])
        res.attrition_pct = 10.0
        mcu = catalog.do_create_item(s, SYSTEM, number="MCU-1", msl="3")
        catalog.do_add_part(s, SYSTEM, mcu.id, manufacturer=MCU[0], mpn=MCU[1])
        led = catalog.do_create_item(s, SYSTEM, number="LED-RED", msl="1")
        catalog.do_add_part(s, SYSTEM, led.id, manufacturer=LED[0], mpn=LED[1])
        product = npi.do_create_product(s, SYSTEM, customer_id=acme, code="P1", name="Board")
        rid = npi.do_create_revision(s, SYSTEM, product.id, label="A").id
        npi.do_import(s, SYSTEM, rid, [InputFile("bom.csv", BOM)])
        order = work_orders.do_create_work_order(
            s,
            SYSTEM,
            work_orders.NewWorkOrder(
                revision_id=rid, quantity=boards, start_date=TODAY, due_date=TODAY
            ),
        )
        for code, kind in [
            ("A-01", "bin"),
            ("DRY-1", "dry_cabinet"),
            ("L1-SIDE", "line_side"),
            ("TR-1", "trolley"),
        ]:
            inventory.do_create_location(s, SYSTEM, code=code, kind=kind)
        return World(acme, other, order.id, order.number, res.id, mcu.id)


def receive(
    db: Database,
    part: tuple[str, str],
    quantity: int,
    *,
    state: str = "available",
    lot: str = "",
    date_code: str = "",
    expires_on: date | None = None,
    customer_id: int | None = None,
    consigned: bool = False,
    opened_hours_ago: float | None = None,
    received_at: datetime | None = None,
    location: str | None = "A-01",
) -> str:
    """A package through receiving, released (or set to ``state``) and put away."""
    with db.unit_of_work(SYSTEM) as s:
        package = packages.do_receive(s, SYSTEM, Receipt(*part, quantity, lot=lot))
        package.date_code = date_code
        package.expires_on = expires_on
        package.customer_id = customer_id
        package.consigned = consigned
        if received_at is not None:
            package.received_at = received_at
        s.flush()
        uid = package.uid
        if location:
            inventory.do_move(s, SYSTEM, uid, location)
        if opened_hours_ago is not None:
            at = clock.now() - timedelta(hours=opened_hours_ago)
            # The dry bag was sealed (and received) a day before it was opened.
            for sealed in packages.events_of(s, package):
                sealed.at = at - timedelta(days=1)
            packages.do_msd_event(s, SYSTEM, uid, "opened", at=at)
        if state != "hold":
            package.state = state
            s.flush()
        return uid


def snapshot(db: Database) -> tuple[object, ...]:
    """Everything a refused kitting action must leave as it was."""
    with db.unit_of_work(SYSTEM, write=False) as s:
        kits = s.execute(
            select(
                KitReservation.package_id, KitReservation.state, KitReservation.quantity
            ).order_by(KitReservation.id)
        ).all()
        stock = s.execute(
            select(
                MaterialPackage.uid,
                MaterialPackage.quantity,
                MaterialPackage.state,
                MaterialPackage.location_id,
            ).order_by(MaterialPackage.uid)
        ).all()
        audit = s.scalar(select(func.count()).select_from(AuditEntry))
    return tuple(kits), tuple(stock), audit


def line_of(pick: kitting.PickList, item_id: int) -> kitting.PickLine:
    return next(line for line in pick.lines if line.item_id == item_id)


def test_pick_list_follows_the_bom_with_attrition(db: Database, at_t0: object) -> None:
    """10 boards: the resistor twice per board at 10 % attrition is 22 (the DNP R9 does not
    count), the MCU 10; the capacitor's line has no catalog item and is listed as such."""
    w = make_world(db)
    reel = receive(db, RES, 5000)
    with db.unit_of_work(STORES, write=False) as s:
        pick = kitting.pick_list(s, STORES, w.wo_id)
    assert pick.source == "bom"
    res, mcu = line_of(pick, w.res_id), line_of(pick, w.mcu_id)
    assert (res.per_board, res.required, res.to_pick) == (2, 22, 22)
    assert res.refdes == ("R1", "R2")
    assert [c.package.uid for c in res.suggested] == [reel]
    assert (mcu.required, mcu.to_pick, mcu.suggested, mcu.short) == (10, 10, [], 10)
    assert [b.mpn for b in pick.unmatched] == ["GRM155R71C104KA88D"]
    assert not pick.complete


def test_required_quantity_rounds_up_in_decimals() -> None:
    assert kitting.required_quantity(100, 1, 10.0) == 110  # not 111 as binary floats have it
    assert kitting.required_quantity(10, 2, 0.0) == 20
    assert kitting.required_quantity(3, 1, 1.0) == 4


def test_suggestions_are_msd_aware_first_expiry_first_out(
    db: Database, at_t0: clock.FixedClock
) -> None:
    """MCUs: the opened tray with 20 h of floor life left goes first (its clock runs), then
    the sealed ones by shelf-life date; the opened one out of floor life is never offered.
    Resistors: earlier expiry first, no expiry last, then the oldest receipt."""
    w = make_world(db)
    late = receive(db, MCU, 4, expires_on=TODAY + timedelta(days=300))
    early = receive(db, MCU, 4, expires_on=TODAY + timedelta(days=100))
    opened = receive(db, MCU, 4, opened_hours_ago=148, expires_on=TODAY + timedelta(days=400))
    receive(db, MCU, 400, opened_hours_ago=200)  # 168 h used up: needs a bake
    newer = receive(db, RES, 5, received_at=T0 - timedelta(days=1))
    older = receive(db, RES, 5, received_at=T0 - timedelta(days=9))
    later = receive(db, RES, 5, expires_on=TODAY + timedelta(days=60))
    sooner = receive(db, RES, 5, expires_on=TODAY + timedelta(days=30))
    with db.unit_of_work(STORES, write=False) as s:
        pick = kitting.pick_list(s, STORES, w.wo_id)
    mcu = line_of(pick, w.mcu_id)
    assert [c.package.uid for c in mcu.suggested] == [opened, early, late]
    assert mcu.candidates == 12
    res = line_of(pick, w.res_id)
    assert [c.package.uid for c in res.suggested] == [sooner, later, older, newer]
    assert res.short == 2  # 22 needed, 20 on the shelf

    with db.unit_of_work(STORES) as s:
        made = kitting.do_auto_reserve(s, STORES, w.wo_id)
    assert len(made) == 7
    with db.unit_of_work(STORES, write=False) as s:
        pick = kitting.pick_list(s, STORES, w.wo_id)
    mcu = line_of(pick, w.mcu_id)
    assert [(k.package.uid, k.reservation.quantity) for k in mcu.kits] == [
        (opened, 4),
        (early, 4),
        (late, 2),
    ]
    assert (mcu.reserved, mcu.to_pick, mcu.suggested) == (10, 0, [])
    assert line_of(pick, w.res_id).to_pick == 2
    with db.unit_of_work(STORES) as s:  # nothing more to reserve: the shelf is empty
        assert kitting.do_auto_reserve(s, STORES, w.wo_id) == []


def test_consigned_parts_only_go_to_their_customer(db: Database, at_t0: object) -> None:
    w = make_world(db)
    ours = receive(db, RES, 10)
    theirs = receive(db, RES, 10, customer_id=w.customer_id, consigned=True)
    bought_for_us = receive(db, RES, 10, customer_id=w.customer_id)
    receive(db, RES, 10, customer_id=w.other_customer_id, consigned=True)
    receive(db, RES, 10, customer_id=w.other_customer_id)
    with db.unit_of_work(STORES, write=False) as s:
        pick = kitting.pick_list(s, STORES, w.wo_id)
    offered = {c.package.uid for c in line_of(pick, w.res_id).suggested}
    assert offered == {ours, theirs, bought_for_us}


REFUSALS = [
    # (what the package is like, error, rule)
    ("quarantined", Conflict, "quarantined"),
    ("hold", Conflict, "hold"),
    ("blocked", Conflict, "blocked"),
    ("expired", Conflict, "expired"),
    ("past_shelf_life", Conflict, "expired"),
    ("floor_life_gone", Conflict, "floor_life_expired"),
    ("other_customer", InvalidInput, "other_customer"),
    ("not_in_bom", InvalidInput, "not_in_bom"),
    ("reserved_elsewhere", Conflict, "already_kitted"),
]


def flawed_package(db: Database, w: World, flaw: str) -> str:
    if flaw in ("quarantined", "hold", "blocked", "expired"):
        return receive(db, RES, 100, state=flaw)
    if flaw == "past_shelf_life":  # not yet marked expired by the periodic check
        return receive(db, RES, 100, expires_on=TODAY - timedelta(days=1))
    if flaw == "floor_life_gone":
        return receive(db, MCU, 10, opened_hours_ago=170)
    if flaw == "other_customer":
        return receive(db, RES, 100, customer_id=w.other_customer_id, consigned=True)
    if flaw == "not_in_bom":
        return receive(db, LED, 100)
    assert flaw == "reserved_elsewhere"
    uid = receive(db, RES, 100)
    with db.unit_of_work(SYSTEM) as s:
        order = work_orders.access_work_order(s, SYSTEM, w.wo_id)
        second = work_orders.do_create_work_order(
            s,
            SYSTEM,
            work_orders.NewWorkOrder(order.revision_id, 5, start_date=TODAY, due_date=TODAY),
        )
        kitting.do_reserve(s, SYSTEM, second.id, uid)
    return uid


@pytest.mark.parametrize(("flaw", "error", "rule"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_package_that_cannot_be_used_is_not_kitted(
    db: Database, at_t0: object, flaw: str, error: type[BoardlineError], rule: str
) -> None:
    w = make_world(db)
    uid = flawed_package(db, w, flaw)
    before = snapshot(db)
    with pytest.raises(error) as caught, db.unit_of_work(STORES) as s:
        kitting.do_reserve(s, STORES, w.wo_id, uid)
    assert caught.value.extra["rule"] == rule
    assert uid in caught.value.detail
    with pytest.raises(error), db.unit_of_work(STORES) as s:  # nor issued straight away
        kitting.do_issue(s, STORES, w.wo_id, uid, "L1-SIDE")
    assert snapshot(db) == before
    with db.unit_of_work(STORES, write=False) as s:
        pick = kitting.pick_list(s, STORES, w.wo_id)
    assert uid not in {c.package.uid for line in pick.lines for c in line.suggested}


def test_a_covered_item_takes_no_more_reservations(db: Database, at_t0: object) -> None:
    w = make_world(db)
    first, second = receive(db, RES, 1000), receive(db, RES, 1000)
    with db.unit_of_work(STORES) as s:
        kit = kitting.do_reserve(s, STORES, w.wo_id, first)
        assert kit.quantity == 22  # what the work order needs, not the whole reel
    with pytest.raises(Conflict) as caught, db.unit_of_work(STORES) as s:
        kitting.do_reserve(s, STORES, w.wo_id, second)
    assert caught.value.extra["rule"] == "item_covered"
    with pytest.raises(Conflict) as caught, db.unit_of_work(STORES) as s:
        kitting.do_reserve(s, STORES, w.wo_id, first)
    assert caught.value.extra["rule"] == "already_kitted"
    with db.unit_of_work(STORES) as s:
        assert kitting.do_release_reservation(s, STORES, w.wo_id, first).state == "released"
        assert kitting.do_reserve(s, STORES, w.wo_id, second).quantity == 22
    with db.unit_of_work(STORES, write=False) as s:
        assert kitting.allocations(s) == [(w.res_id, w.wo_id, 22)]


def test_floor_life_running_out_between_reserve_and_issue(
    db: Database, at_t0: clock.FixedClock
) -> None:
    """Reserved with 5 h of floor life left; six hours later the tray may not go out."""
    w = make_world(db)
    tray = receive(db, MCU, 10, opened_hours_ago=163)
    with db.unit_of_work(STORES) as s:
        kitting.do_reserve(s, STORES, w.wo_id, tray)
    at_t0.advance(timedelta(hours=6))
    before = snapshot(db)
    with pytest.raises(Conflict, match="bake") as caught, db.unit_of_work(STORES) as s:
        kitting.do_issue(s, STORES, w.wo_id, tray, "L1-SIDE")
    assert caught.value.extra["rule"] == "floor_life_expired"
    assert snapshot(db) == before
    with db.unit_of_work(STORES, write=False) as s:
        (kit,) = line_of(kitting.pick_list(s, STORES, w.wo_id), w.mcu_id).kits
    assert kit.reservation.state == "reserved"
    assert "bake" in (kit.problem or "")


def test_shelf_life_ending_between_reserve_and_issue(db: Database, at_t0: clock.FixedClock) -> None:
    w = make_world(db)
    reel = receive(db, RES, 100, expires_on=TODAY)
    with db.unit_of_work(STORES) as s:
        kitting.do_reserve(s, STORES, w.wo_id, reel)
    at_t0.advance(timedelta(days=1))
    before = snapshot(db)
    with pytest.raises(Conflict, match="shelf life") as caught, db.unit_of_work(STORES) as s:
        kitting.do_issue(s, STORES, w.wo_id, reel, "L1-SIDE")
    assert caught.value.extra["rule"] == "expired"
    assert snapshot(db) == before
    with db.unit_of_work(STORES, write=False) as s:
        line = line_of(kitting.pick_list(s, STORES, w.wo_id), w.res_id)
        # The unusable reservation covers nothing any more, and MRP does not count it.
        assert (line.reserved, line.to_pick) == (0, 22)
        assert kitting.allocations(s) == []


def test_issue_moves_the_package_and_return_counts_what_is_left(
    db: Database, at_t0: object
) -> None:
    w = make_world(db)
    reel = receive(db, RES, 100)
    with db.unit_of_work(STORES) as s:
        kitting.do_reserve(s, STORES, w.wo_id, reel)
        assert kitting.allocations(s) == [(w.res_id, w.wo_id, 22)]
    with db.unit_of_work(STORES) as s:
        kit = kitting.do_issue(s, STORES, w.wo_id, reel, "l1-side")
        assert (kit.state, kit.quantity) == ("issued", 100)  # the whole reel went
    with db.unit_of_work(STORES, write=False) as s:
        package = packages.access_package(s, STORES, reel)
        assert package.location_id == inventory.find_location(s, "L1-SIDE").id
        assert kitting.allocations(s) == []
        assert kitting.issued_by_work_order(s) == {(w.wo_id, w.res_id): 100}
        assert line_of(kitting.pick_list(s, STORES, w.wo_id), w.res_id).at_line == 100

    before = snapshot(db)
    for counted, location, error in [
        (101, "A-01", InvalidInput),  # more than was issued
        (-1, "A-01", InvalidInput),
        (50, "TR-1", InvalidInput),  # not stores
        (50, "NOWHERE", NotFound),
    ]:
        with pytest.raises(error), db.unit_of_work(STORES) as s:
            kitting.do_return(s, STORES, w.wo_id, reel, counted, location)
    assert snapshot(db) == before

    with db.unit_of_work(STORES) as s:
        kit = kitting.do_return(s, STORES, w.wo_id, reel, 70, "A-01")
    assert (kit.state, kit.returned_quantity) == ("returned", 70)
    with db.unit_of_work(STORES, write=False) as s:
        package = packages.access_package(s, STORES, reel)
        assert package.quantity == 70
        assert kitting.issued_by_work_order(s) == {(w.wo_id, w.res_id): 30}
        line = line_of(kitting.pick_list(s, STORES, w.wo_id), w.res_id)
        assert (line.consumed, line.to_pick, line.kits[0].consumed) == (30, 0, 30)
        reasons = s.scalars(
            select(AuditEntry.reason).where(
                AuditEntry.table_name == "supply_package", AuditEntry.record_id == str(package.id)
            )
        ).all()
    assert "returned from " + w.wo_number + ": issued 100, counted 70, used 30" in reasons
    with pytest.raises(Conflict) as caught, db.unit_of_work(STORES) as s:
        kitting.do_return(s, STORES, w.wo_id, reel, 70, "A-01")
    assert caught.value.extra["rule"] == "not_issued"


def test_issue_only_to_the_line_side_or_a_trolley(db: Database, at_t0: object) -> None:
    w = make_world(db)
    reel = receive(db, RES, 100)
    before = snapshot(db)
    with pytest.raises(InvalidInput) as caught, db.unit_of_work(STORES) as s:
        kitting.do_issue(s, STORES, w.wo_id, reel, "DRY-1")
    assert caught.value.extra["field"] == "location"
    with pytest.raises(NotFound), db.unit_of_work(STORES) as s:
        kitting.do_issue(s, STORES, w.wo_id, reel, "NOWHERE")
    assert snapshot(db) == before
    with db.unit_of_work(STORES) as s:  # not reserved first: issuing reserves it
        assert kitting.do_issue(s, STORES, w.wo_id, reel, "TR-1").state == "issued"
    with pytest.raises(Conflict) as caught, db.unit_of_work(STORES) as s:
        kitting.do_release_reservation(s, STORES, w.wo_id, reel)
    assert caught.value.extra["rule"] == "issued"


def test_closed_work_orders_are_not_kitted(db: Database, at_t0: object) -> None:
    w = make_world(db)
    reel = receive(db, RES, 100)
    with db.unit_of_work(SYSTEM) as s:
        work_orders.access_work_order(s, SYSTEM, w.wo_id).state = "cancelled"
    with pytest.raises(Conflict) as caught, db.unit_of_work(STORES) as s:
        kitting.do_reserve(s, STORES, w.wo_id, reel)
    assert caught.value.extra["rule"] == "work_order_closed"


def test_kitting_needs_the_stores_permission(db: Database, at_t0: object) -> None:
    from boardline.core.errors import PermissionDenied

    w = make_world(db)
    reel = receive(db, RES, 100)
    engineer = Actor("user", "erin", Role.ENGINEER, user_id=3)
    with pytest.raises(PermissionDenied), db.unit_of_work(engineer) as s:
        kitting.do_reserve(s, engineer, w.wo_id, reel)
    with db.unit_of_work(engineer, write=False) as s:  # but may look at the pick list
        assert kitting.pick_list(s, engineer, w.wo_id).lines


@contextmanager
def count_queries(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def seen(*args: object) -> None:
        statement = str(args[2])
        if not statement.startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


def test_pick_list_reads_a_constant_number_of_queries(db: Database, at_t0: object) -> None:
    w = make_world(db)

    def queries() -> int:
        with db.unit_of_work(STORES, write=False) as s, count_queries(db) as statements:
            kitting.pick_list(s, STORES, w.wo_id)
        return len(statements)

    receive(db, RES, 10)
    receive(db, MCU, 2, opened_hours_ago=1)
    few = queries()
    for n in range(12):
        receive(db, RES, 10 + n)
        receive(db, MCU, 2, opened_hours_ago=n)
    with db.unit_of_work(STORES) as s:
        kitting.do_auto_reserve(s, STORES, w.wo_id)
    assert queries() == few
