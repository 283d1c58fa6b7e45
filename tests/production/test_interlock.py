"""Route enforcement over the database: every refusal answers its reason code and changes
nothing; the happy path with a repair loop; two stations finishing one unit at once
(both databases)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select, update

from boardline.core import clock
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from boardline.npi.tables import Revision
from boardline.production import factory, interlock, units, work_orders
from boardline.production.enforcement import ReasonCode
from boardline.production.tables import (
    RoutingOperationRow,
    RoutingRow,
    Unit,
    UnitEvent,
    WorkOrder,
)
from boardline.production.work_orders import NewWorkOrder
from tests.supply.test_sales import PLANNER, make_world

SYSTEM = Actor.system("test")
OPERATOR = Actor("user", "olga", Role.OPERATOR, user_id=3)
PATTERN = "{CUST}{YY}{WW}-{SEQ:6}{CHECK}"
# step, name, station type, test step, max retests
ROUTE = [
    (10, "Print paste", "printer", False, 0),
    (20, "AOI", "aoi", True, 1),
    (30, "FCT", "fct", True, 2),
    (40, "Pack", "pack", False, 0),
]
STATIONS = {"PRINT": "printer", "AOI": "aoi", "FCT": "fct", "PACK": "pack", "REP": "repair"}


@dataclass(frozen=True)
class Floor:
    """A released 4-step routing, its stations, and a work order of 10 with units."""

    work_order: int
    number: str
    product: int
    customer: int
    serials: tuple[str, ...]


def add_routing(db: Database, revision_id: int) -> int:
    """A released routing inserted directly (the routing services are tested elsewhere)."""
    with db.unit_of_work(SYSTEM) as s:
        row = RoutingRow(
            revision_id=revision_id,
            number=1,
            released=True,
            released_at=clock.now(),
            facts={},
        )
        s.add(row)
        s.flush()
        for step, name, kind, test, retests in ROUTE:
            s.add(
                RoutingOperationRow(
                    routing_id=row.id,
                    step=step,
                    name=name,
                    station_type=kind,
                    is_test=test,
                    max_retests=retests,
                )
            )
        return row.id


def build_floor(db: Database, *, units_count: int = 3, routed: bool = True) -> Floor:
    world = make_world(db)
    with db.unit_of_work(SYSTEM) as s:
        factory.do_create_site(s, SYSTEM, code="S1", name="Site")
        factory.do_create_line(s, SYSTEM, site_code="S1", code="L1", name="Line", kind="smt")
        for code, kind in STATIONS.items():
            factory.do_create_station(
                s, SYSTEM, code=code, name=code, station_type=kind, line_code="L1"
            )
        revision = s.get(Revision, world.acme_rev)
        assert revision is not None
        product = revision.product_id
    routing = add_routing(db, world.acme_rev) if routed else None
    with db.unit_of_work(PLANNER) as s:
        order = work_orders.do_create_work_order(
            s, PLANNER, NewWorkOrder(world.acme_rev, 10, date(2026, 5, 4), date(2026, 5, 8))
        )
        order.state, order.routing_id = "released", routing  # release rules tested elsewhere
        units.do_set_serial_scheme(s, PLANNER, product, PATTERN)
        created = units.do_create_units(s, PLANNER, order.id, units_count)
        return Floor(order.id, order.number, product, world.acme, created.serials)


def event_count(db: Database) -> int:
    with db.unit_of_work(SYSTEM, write=False) as s:
        return s.scalar(select(func.count()).select_from(UnitEvent)) or 0


def check(db: Database, serial: str, station: str, **kw: str) -> ReasonCode:
    with db.unit_of_work(OPERATOR, write=False) as s:
        return interlock.check_unit(s, OPERATOR, serial, station, **kw).reason


def finish(db: Database, serial: str, station: str, result: str = "passed") -> interlock.Recorded:
    with db.unit_of_work(OPERATOR) as s:
        return interlock.do_finish(s, OPERATOR, serial, station, result)


def refused(db: Database, serial: str, station: str, code: ReasonCode, **kw: str) -> None:
    """The check answers ``code``, and start and finish are refused with it, writing nothing."""
    before = event_count(db)
    assert check(db, serial, station, **kw) is code
    if kw:
        return  # the work order given is the caller's context, start/finish take none
    with pytest.raises(Conflict) as started, db.unit_of_work(OPERATOR) as s:
        interlock.do_start(s, OPERATOR, serial, station)
    with pytest.raises(Conflict) as finished, db.unit_of_work(OPERATOR) as s:
        interlock.do_finish(s, OPERATOR, serial, station, "passed")
    assert started.value.extra["reason"] == finished.value.extra["reason"] == code.value
    assert event_count(db) == before


def wo(db: Database, wo_id: int) -> WorkOrder:
    with db.unit_of_work(SYSTEM, write=False) as s:
        order = s.get(WorkOrder, wo_id)
        assert order is not None
        return order


def unit(db: Database, serial: str) -> Unit:
    with db.unit_of_work(SYSTEM, write=False) as s:
        return units.find_unit(s, SYSTEM, serial)


# --- the happy path -------------------------------------------------------------------


def test_a_unit_goes_through_its_route_with_a_fail_repair_and_retest(db: Database) -> None:
    """Print, AOI fails, repair, AOI retest passes, FCT, pack: the unit is completed, the
    work order in progress with one started and one completed unit."""
    floor = build_floor(db)
    serial = floor.serials[0]
    assert wo(db, floor.work_order).state == "released"
    with db.unit_of_work(OPERATOR) as s:
        started = interlock.do_start(s, OPERATOR, f" {serial.lower()}\r\n", "PRINT")
    assert (started.step, started.kind) == (10, "started")
    assert wo(db, floor.work_order).state == "in_progress"
    assert finish(db, serial, "PRINT").next_step == 20
    failed = finish(db, serial, "AOI", "failed")
    assert (failed.step, failed.next_step) == (20, 20)
    refused(db, serial, "FCT", ReasonCode.FAILED_NEEDS_REPAIR)
    assert finish(db, serial, "REP", "repaired").step == 20
    assert finish(db, serial, "AOI").next_step == 30
    assert finish(db, serial, "FCT").next_step == 40
    last = finish(db, serial, "PACK")
    assert (last.unit_state, last.next_step) == ("completed", None)
    done = unit(db, serial)
    assert (done.state, done.last_step, done.completed_at is not None) == ("completed", 40, True)
    order = wo(db, floor.work_order)
    assert (order.started_quantity, order.completed_quantity) == (1, 1)
    with db.unit_of_work(OPERATOR, write=False) as s:
        kinds = [e.kind for e in units.unit_history(s, OPERATOR, done.id)]
    assert kinds == [
        "created",
        "started",
        "passed",
        "failed",
        "repaired",
        "passed",
        "passed",
        "passed",
    ]
    refused(db, serial, "PACK", ReasonCode.UNIT_COMPLETED)


# --- every refusal answers its code and changes nothing -------------------------------


def test_an_unknown_serial_is_an_answer_not_an_error(db: Database) -> None:
    build_floor(db)
    refused(db, "NOPE-000001X", "PRINT", ReasonCode.UNKNOWN_UNIT)
    assert check(db, "bad serial!", "PRINT") is ReasonCode.UNKNOWN_UNIT
    with pytest.raises(NotFound), db.unit_of_work(OPERATOR, write=False) as s:
        interlock.check_unit(s, OPERATOR, "X", "NO-SUCH-STATION")


def test_a_unit_of_another_work_order(db: Database) -> None:
    floor = build_floor(db)
    serial = floor.serials[0]
    assert check(db, serial, "PRINT", work_order_number=floor.number) is ReasonCode.OK
    refused(db, serial, "PRINT", ReasonCode.WRONG_WORK_ORDER, work_order_number="WO-999999")


def test_a_unit_at_the_wrong_station(db: Database) -> None:
    floor = build_floor(db)
    refused(db, floor.serials[0], "AOI", ReasonCode.WRONG_STATION)
    refused(db, floor.serials[0], "REP", ReasonCode.NOTHING_TO_REPAIR)


def test_a_double_scan_of_a_passed_step(db: Database) -> None:
    floor = build_floor(db)
    finish(db, floor.serials[0], "PRINT")
    version = unit(db, floor.serials[0]).version
    refused(db, floor.serials[0], "PRINT", ReasonCode.STEP_ALREADY_DONE)
    assert unit(db, floor.serials[0]).version == version


def test_a_failed_unit_must_be_repaired_first(db: Database) -> None:
    floor = build_floor(db)
    serial = floor.serials[0]
    finish(db, serial, "PRINT")
    finish(db, serial, "AOI", "failed")
    refused(db, serial, "AOI", ReasonCode.FAILED_NEEDS_REPAIR)
    with pytest.raises(InvalidInput), db.unit_of_work(OPERATOR) as s:
        interlock.do_finish(s, OPERATOR, serial, "REP", "passed")


def test_the_retest_limit(db: Database) -> None:
    """AOI allows one retest: a second fail leaves the unit to an engineer."""
    floor = build_floor(db)
    serial = floor.serials[0]
    finish(db, serial, "PRINT")
    finish(db, serial, "AOI", "failed")
    finish(db, serial, "REP", "repaired")
    finish(db, serial, "AOI", "failed")
    refused(db, serial, "REP", ReasonCode.RETEST_LIMIT_EXCEEDED)
    refused(db, serial, "AOI", ReasonCode.RETEST_LIMIT_EXCEEDED)


def test_a_unit_on_hold(db: Database) -> None:
    floor = build_floor(db)
    serial = floor.serials[0]
    with db.unit_of_work(OPERATOR) as s:
        units.do_hold_unit(s, OPERATOR, units.find_unit(s, OPERATOR, serial).id, "dropped")
    refused(db, serial, "PRINT", ReasonCode.UNIT_ON_HOLD)
    with db.unit_of_work(OPERATOR) as s:
        units.do_release_unit_hold(s, OPERATOR, units.find_unit(s, OPERATOR, serial).id, "ok")
    assert check(db, serial, "PRINT") is ReasonCode.OK


def test_a_work_order_on_hold(db: Database) -> None:
    floor = build_floor(db)
    with db.unit_of_work(PLANNER) as s:
        units.do_hold_work_order(s, PLANNER, floor.work_order, "wrong paste")
    refused(db, floor.serials[0], "PRINT", ReasonCode.WORK_ORDER_ON_HOLD)
    with db.unit_of_work(PLANNER) as s:
        units.do_release_work_order_hold(s, PLANNER, floor.work_order, "paste replaced")
    assert check(db, floor.serials[0], "PRINT") is ReasonCode.OK


def test_a_work_order_without_a_routing_is_not_released(db: Database) -> None:
    floor = build_floor(db, routed=False)
    refused(db, floor.serials[0], "PRINT", ReasonCode.WORK_ORDER_NOT_RELEASED)


def test_a_draft_work_order_is_not_released(db: Database) -> None:
    floor = build_floor(db)
    with db.unit_of_work(SYSTEM) as s:
        order = s.get(WorkOrder, floor.work_order)
        assert order is not None
        order.state = "draft"
    refused(db, floor.serials[0], "PRINT", ReasonCode.WORK_ORDER_NOT_RELEASED)


def test_customers_may_not_record_and_do_not_see_other_customers_units(db: Database) -> None:
    floor = build_floor(db)
    other = Actor("user", "bob", Role.CUSTOMER, user_id=9, customer_id=floor.customer + 1)
    assert check_as(db, other, floor.serials[0]) is ReasonCode.UNKNOWN_UNIT
    with pytest.raises(PermissionDenied), db.unit_of_work(other) as s:
        interlock.do_finish(s, other, floor.serials[0], "PRINT", "passed")


def check_as(db: Database, actor: Actor, serial: str) -> ReasonCode:
    with db.unit_of_work(actor, write=False) as s:
        return interlock.check_unit(s, actor, serial, "PRINT").reason


def test_the_routing_cache_does_not_mix_up_routings(db: Database) -> None:
    """Two floors one after the other (ids may be reused): each reads its own routing."""
    floor = build_floor(db)
    assert check(db, floor.serials[0], "PRINT") is ReasonCode.OK
    with db.unit_of_work(SYSTEM) as s:
        s.execute(
            update(RoutingOperationRow)
            .where(RoutingOperationRow.step == 10)
            .values(station_type="aoi")
            .execution_options(synchronize_session=False)
        )
        row = s.scalar(select(RoutingRow))
        assert row is not None
        row.released_at = clock.now()  # what a new routing row would carry
    assert check(db, floor.serials[0], "PRINT") is ReasonCode.WRONG_STATION


# --- two stations at once -------------------------------------------------------------


def test_two_stations_finishing_one_unit_at_once_exactly_one_wins(db: Database) -> None:
    """Each thread has its own unit of work. On PostgreSQL both pass the check and the unit's
    version lets one update win; on SQLite write transactions queue, so the second sees the
    first's result and is refused as a double scan. Either way: one event, one error."""
    floor = build_floor(db)
    serial = floor.serials[0]
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def station() -> None:
        try:
            with db.unit_of_work(OPERATOR) as s:
                if db.dialect == "postgresql":
                    interlock.check_unit(s, OPERATOR, serial, "PRINT")  # both read first
                barrier.wait(timeout=10)
                interlock.do_finish(s, OPERATOR, serial, "PRINT", "passed")
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=station) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(map(str, outcomes)).count("ok") == 1
    [error] = [o for o in outcomes if isinstance(o, Conflict)]
    assert error.code == "stale_record" or error.extra.get("reason") == "step_already_done"
    with db.unit_of_work(SYSTEM, write=False) as s:
        passed = s.scalar(
            select(func.count()).select_from(UnitEvent).where(UnitEvent.kind == "passed")
        )
    assert passed == 1
    assert unit(db, serial).last_step == 10
