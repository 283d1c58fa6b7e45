"""Sales orders, the work orders made from them and shipments (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from boardline.core import clock
from boardline.core.audit_trail import AuditFilter, list_entries
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import (
    AlreadyExists,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleRecord,
)
from boardline.npi import services as npi
from boardline.production import work_orders
from boardline.production.tables import WorkOrder
from boardline.supply import sales
from boardline.supply.packing_list import packing_list_pdf
from boardline.supply.tables import SalesOrder, Shipment, ShippedUnit
from tests.conftest import add_customer
from tests.npi.test_reports import page_text

PLANNER = Actor("user", "pat", Role.PLANNER, user_id=1)
ENGINEER = Actor("user", "erin", Role.ENGINEER, user_id=2)
T0 = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
DUE = date(2026, 5, 15)


@dataclass(frozen=True)
class World:
    acme: int
    beta: int
    acme_rev: int
    beta_rev: int

    def customer(self, customer_id: int) -> Actor:
        return Actor("user", f"c{customer_id}", Role.CUSTOMER, user_id=50, customer_id=customer_id)


def make_world(db: Database) -> World:
    """Two customers, each with one product in revision A."""
    acme, beta = add_customer(db, "ACME"), add_customer(db, "BETA")
    system = Actor.system("test")
    with db.unit_of_work(system) as s:
        ctrl = npi.do_create_product(s, system, customer_id=acme, code="CTRL-100", name="Ctrl")
        psu = npi.do_create_product(s, system, customer_id=beta, code="PSU-9", name="Supply")
        acme_rev = npi.do_create_revision(s, system, ctrl.id, label="A").id
        beta_rev = npi.do_create_revision(s, system, psu.id, label="A").id
    return World(acme, beta, acme_rev, beta_rev)


def new_order(
    db: Database, world: World, quantity: int = 10, *, beta: bool = False, po: str = "PO-77"
) -> int:
    customer, revision = (world.beta, world.beta_rev) if beta else (world.acme, world.acme_rev)
    with db.unit_of_work(PLANNER) as s:
        return sales.do_create_sales_order(
            s, PLANNER, sales.NewSalesOrder(customer, revision, quantity, DUE, po)
        ).id


def counts(db: Database) -> tuple[int, int, int, int]:
    """Sales orders, shipments, shipped units, and units shipped on orders."""
    with db.unit_of_work(PLANNER, write=False) as s:
        return (
            s.scalar(select(func.count()).select_from(SalesOrder)) or 0,
            s.scalar(select(func.count()).select_from(Shipment)) or 0,
            s.scalar(select(func.count()).select_from(ShippedUnit)) or 0,
            s.scalar(select(func.coalesce(func.sum(SalesOrder.shipped_quantity), 0))) or 0,
        )


@pytest.fixture
def fixed_clock() -> Iterator[clock.FixedClock]:
    fixed = clock.FixedClock(T0)
    previous = clock.install(fixed)
    yield fixed
    clock.install(previous)


# --- sales orders ---------------------------------------------------------------------


def test_a_sales_order_is_numbered_open_and_owned_by_the_revisions_customer(
    db: Database,
) -> None:
    world = make_world(db)
    first, second = new_order(db, world), new_order(db, world, 4, beta=True, po="")
    with db.unit_of_work(PLANNER, write=False) as s:
        a = sales.access_sales_order(s, PLANNER, first)
        b = sales.access_sales_order(s, PLANNER, second)
    assert (a.number, a.state, a.customer_id, a.quantity, a.due_date, a.customer_po) == (
        "SO-000001",
        "open",
        world.acme,
        10,
        DUE,
        "PO-77",
    )
    assert (b.number, b.customer_id, b.shipped_quantity) == ("SO-000002", world.beta, 0)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"quantity": 0}, "quantity", "quantity 0: must be at least 1"),
        ({"quantity": -5}, "quantity", "quantity -5: must be at least 1"),
        ({"revision": "beta"}, "revision", "PSU-9 rev A is a product of BETA, not of ACME"),
        ({"revision": 999_999}, "revision", "revision 999999 does not exist"),
        ({"customer": 999_999}, "customer", "customer 999999 does not exist"),
        ({"customer_po": "P" * 65}, "customer_po", "at most 64"),
        ({"due_date": date(206, 5, 1)}, "due_date", "a date from 2000 to 2099"),
    ],
)
def test_bad_sales_orders_are_refused_naming_the_field_and_store_nothing(
    db: Database, change: dict[str, object], field: str, message: str
) -> None:
    world = make_world(db)
    values: dict[str, object] = {
        "customer_id": world.acme,
        "revision_id": world.acme_rev,
        "quantity": 5,
        "due_date": DUE,
        "customer_po": "",
    }
    for key, value in change.items():
        name = key if key in ("quantity", "due_date", "customer_po") else f"{key}_id"
        values[name] = world.beta_rev if value == "beta" else value
    with pytest.raises(InvalidInput, match=message) as caught, db.unit_of_work(PLANNER) as s:
        sales.do_create_sales_order(s, PLANNER, sales.NewSalesOrder(**values))  # type: ignore[arg-type]
    assert caught.value.extra["field"] == field
    assert counts(db) == (0, 0, 0, 0)


def test_only_sales_roles_enter_orders(db: Database) -> None:
    world = make_world(db)
    order = sales.NewSalesOrder(world.acme, world.acme_rev, 5, DUE)
    for actor in (ENGINEER, world.customer(world.acme)):
        with pytest.raises(PermissionDenied), db.unit_of_work(actor) as s:
            sales.do_create_sales_order(s, actor, order)
    assert counts(db) == (0, 0, 0, 0)


def test_a_customer_sees_its_own_orders_and_shipments_only(db: Database) -> None:
    world = make_world(db)
    mine, theirs = new_order(db, world), new_order(db, world, beta=True)
    with db.unit_of_work(PLANNER) as s:
        sales.do_ship(s, PLANNER, mine, ["A-1"])
        their_shipment = sales.do_ship(s, PLANNER, theirs, ["B-1"]).id
    acme = world.customer(world.acme)
    with db.unit_of_work(acme, write=False) as s:
        assert [o.id for o in sales.list_sales_orders(s, acme, state="all")] == [mine]
        assert sales.access_sales_order(s, acme, mine).number == "SO-000001"
        assert sales.where_shipped(s, acme, "A-1").sales_order.id == mine
        with pytest.raises(NotFound, match=f"sales order {theirs} not found"):
            sales.access_sales_order(s, acme, theirs)
        with pytest.raises(NotFound):
            sales.shipments_of(s, acme, theirs)
        with pytest.raises(NotFound, match=f"shipment {their_shipment} not found"):
            sales.access_shipment(s, acme, their_shipment)
        with pytest.raises(NotFound, match="serial B-1 not found"):
            sales.where_shipped(s, acme, "B-1")
        with pytest.raises(NotFound):
            sales.packing_list_of(s, acme, their_shipment)


def test_list_filters_by_state(db: Database) -> None:
    world = make_world(db)
    first, second = new_order(db, world, 1), new_order(db, world, 1)
    with db.unit_of_work(PLANNER) as s:
        sales.do_ship(s, PLANNER, first, ["S-1"])
        sales.do_cancel_sales_order(s, PLANNER, second, reason="duplicate entry")
    with db.unit_of_work(PLANNER, write=False) as s:
        assert sales.list_sales_orders(s, PLANNER) == []
        assert [o.id for o in sales.list_sales_orders(s, PLANNER, state="shipped")] == [first]
        assert len(sales.list_sales_orders(s, PLANNER, state="all")) == 2
        with pytest.raises(InvalidInput, match="state 'late'"):
            sales.list_sales_orders(s, PLANNER, state="late")


def test_cancel_needs_a_reason_is_audited_and_is_refused_once_shipped(db: Database) -> None:
    world = make_world(db)
    untouched, shipped = new_order(db, world), new_order(db, world)
    with pytest.raises(InvalidInput, match="needs a reason"), db.unit_of_work(PLANNER) as s:
        sales.do_cancel_sales_order(s, PLANNER, untouched, reason=" ")
    with db.unit_of_work(PLANNER) as s:
        sales.do_ship(s, PLANNER, shipped, ["S-1"])
    with (
        pytest.raises(Conflict, match="shipped 1 units and cannot be cancelled"),
        db.unit_of_work(PLANNER) as s,
    ):
        sales.do_cancel_sales_order(s, PLANNER, shipped, reason="customer cancelled")
    with db.unit_of_work(PLANNER) as s:
        order = sales.do_cancel_sales_order(s, PLANNER, untouched, reason="customer cancelled")
    assert order.state == "cancelled"
    system = Actor.system()
    with db.unit_of_work(system, write=False) as s:
        entries = list_entries(
            s, system, AuditFilter(table="supply_sales_order", record_id=str(untouched))
        )
    assert entries[0].reason == "customer cancelled"
    assert entries[0].changes["state"] == ["open", "cancelled"]


def test_a_stale_copy_cannot_cancel(db: Database) -> None:
    world = make_world(db)
    order = new_order(db, world)
    with pytest.raises(StaleRecord), db.unit_of_work(PLANNER) as s:
        sales.do_cancel_sales_order(s, PLANNER, order, reason="x", expected_version=7)


def test_close_after_shipping_everything_or_short_with_a_reason(db: Database) -> None:
    world = make_world(db)
    full, short, nothing = new_order(db, world, 2), new_order(db, world, 5), new_order(db, world)
    with db.unit_of_work(PLANNER) as s:
        sales.do_ship(s, PLANNER, full, ["F-1", "F-2"])
        sales.do_ship(s, PLANNER, short, ["S-1"])
    with (
        pytest.raises(Conflict, match="shipped nothing; cancel it instead"),
        db.unit_of_work(PLANNER) as s,
    ):
        sales.do_close_sales_order(s, PLANNER, nothing)
    with pytest.raises(InvalidInput, match="short"), db.unit_of_work(PLANNER) as s:
        sales.do_close_sales_order(s, PLANNER, short)
    with db.unit_of_work(PLANNER) as s:
        assert sales.do_close_sales_order(s, PLANNER, full).state == "closed"
        closed = sales.do_close_sales_order(s, PLANNER, short, reason="rest not needed")
    assert (closed.state, closed.shipped_quantity) == ("closed", 1)
    with (
        pytest.raises(Conflict, match="is closed; it cannot become closed"),
        db.unit_of_work(PLANNER) as s,
    ):
        sales.do_close_sales_order(s, PLANNER, full)


# --- demand for MRP -------------------------------------------------------------------


def test_open_sales_demand_is_what_is_left_of_open_orders_in_one_query(db: Database) -> None:
    world = make_world(db)
    partly, done = new_order(db, world, 10), new_order(db, world, 1)
    cancelled = new_order(db, world)
    other = new_order(db, world, 3, beta=True)
    with db.unit_of_work(PLANNER) as s:
        sales.do_ship(s, PLANNER, partly, ["P-1", "P-2", "P-3"])
        sales.do_ship(s, PLANNER, done, ["D-1"])
        sales.do_cancel_sales_order(s, PLANNER, cancelled, reason="x")
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.unit_of_work(PLANNER, write=False) as s:
            demand = sales.open_sales_demand(s)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len([q for q in statements if q.lstrip().upper().startswith("SELECT")]) == 1
    assert demand == [
        sales.SalesDemand(partly, "SO-000001", world.acme_rev, 7, DUE, world.acme),
        sales.SalesDemand(other, "SO-000004", world.beta_rev, 3, DUE, world.beta),
    ]


# --- work orders from sales orders ----------------------------------------------------


def test_work_orders_cover_what_is_neither_shipped_nor_being_built(
    db: Database, fixed_clock: clock.FixedClock
) -> None:
    world = make_world(db)
    order = new_order(db, world, 10)
    with db.unit_of_work(PLANNER) as s:
        sales.do_ship(s, PLANNER, order, ["S-1", "S-2"])
        first = sales.do_create_work_order_for(s, PLANNER, order, quantity=5)
        rest = sales.do_create_work_order_for(s, PLANNER, order)
    assert (first.quantity, rest.quantity) == (5, 3)
    assert (rest.sales_order_id, rest.customer_id, rest.revision_id) == (
        order,
        world.acme,
        world.acme_rev,
    )
    # Due two days before the customer's date, started a week before that; a draft
    # revision builds prototypes.
    assert (rest.start_date, rest.due_date, rest.stage, rest.state) == (
        DUE - timedelta(days=9),
        DUE - timedelta(days=2),
        "prototype",
        "draft",
    )
    with (
        pytest.raises(Conflict, match="is covered: 2 of 10 shipped, 8 on open work orders"),
        db.unit_of_work(PLANNER) as s,
    ):
        sales.do_create_work_order_for(s, PLANNER, order)
    with db.unit_of_work(PLANNER) as s:
        work_orders.do_cancel_work_order(s, PLANNER, first.id, reason="line down")
        again = sales.do_create_work_order_for(s, PLANNER, order)
        extra = sales.do_create_work_order_for(s, PLANNER, order, quantity=1, notes="yield loss")
    assert (again.quantity, extra.quantity, extra.notes) == (5, 1, "yield loss")
    with db.unit_of_work(PLANNER, write=False) as s:
        listed = work_orders.list_work_orders(s, PLANNER, sales_order_id=order)
        assert work_orders.open_quantity_for_sales_order(s, order) == 9
    assert [w.number for w in listed] == ["WO-000001", "WO-000002", "WO-000003", "WO-000004"]


def test_a_late_order_gets_a_work_order_starting_today(
    db: Database, fixed_clock: clock.FixedClock
) -> None:
    world = make_world(db)
    with db.unit_of_work(PLANNER) as s:
        order = sales.do_create_sales_order(
            s, PLANNER, sales.NewSalesOrder(world.acme, world.acme_rev, 2, T0.date())
        )
        wo = sales.do_create_work_order_for(s, PLANNER, order.id)
    assert (wo.start_date, wo.due_date) == (T0.date(), T0.date())


def test_work_orders_only_for_open_orders_and_by_planners(db: Database) -> None:
    world = make_world(db)
    order = new_order(db, world)
    with pytest.raises(PermissionDenied), db.unit_of_work(ENGINEER) as s:
        sales.do_create_work_order_for(s, ENGINEER, order)
    with db.unit_of_work(PLANNER) as s:
        sales.do_cancel_sales_order(s, PLANNER, order, reason="x")
    with (
        pytest.raises(Conflict, match="is cancelled; work orders are made for open orders"),
        db.unit_of_work(PLANNER) as s,
    ):
        sales.do_create_work_order_for(s, PLANNER, order)
    with db.unit_of_work(PLANNER, write=False) as s:
        assert s.scalar(select(func.count()).select_from(WorkOrder)) == 0


# --- shipments ------------------------------------------------------------------------


def test_shipping_records_each_serial_and_ships_the_order_when_all_have_left(
    db: Database,
) -> None:
    world = make_world(db)
    order = new_order(db, world, 3)
    with db.unit_of_work(PLANNER) as s:
        first = sales.do_ship(s, PLANNER, order, [" SN-1 ", "SN-2"], carrier="DHL", tracking="1Z")
        assert sales.access_sales_order(s, PLANNER, order).state == "open"
        second = sales.do_ship(s, PLANNER, order, ["SN-3"])
    with db.unit_of_work(PLANNER, write=False) as s:
        so = sales.access_sales_order(s, PLANNER, order)
        summary = sales.shipments_of(s, PLANNER, order)
        serials = sales.shipment_serials(s, PLANNER, first.id)
        where = sales.where_shipped(s, PLANNER, " SN-2")
    assert (so.state, so.shipped_quantity) == ("shipped", 3)
    assert [(r.shipment.number, r.units) for r in summary] == [("SH-000001", 2), ("SH-000002", 1)]
    assert (first.carrier, first.tracking, first.shipped_by) == ("DHL", "1Z", "user:pat")
    assert serials == ["SN-1", "SN-2"]
    assert (where.shipment.id, where.sales_order.id, where.customer.code) == (
        first.id,
        order,
        "ACME",
    )
    assert second.number == "SH-000002"
    with (
        pytest.raises(Conflict, match="is shipped; only open orders ship"),
        db.unit_of_work(PLANNER) as s,
    ):
        sales.do_ship(s, PLANNER, order, ["SN-4"])


@pytest.mark.parametrize(
    ("serials", "error", "message"),
    [
        (["N-1", "N-2", "N-3", "N-4"], InvalidInput, "ordered 5, shipped 2, this shipment 4"),
        (["N-1", "OLD-2"], AlreadyExists, "serial OLD-2 already shipped in SH-000001"),
        (["N-1", "N-1"], InvalidInput, "N-1 is listed twice"),
        (["N-1", ""], InvalidInput, "serial 2 is empty"),
        ([], InvalidInput, "no serials"),
        (["X" * 65], InvalidInput, "at most 64"),
    ],
)
def test_a_refused_shipment_changes_nothing(
    db: Database, serials: list[str], error: type[Exception], message: str
) -> None:
    world = make_world(db)
    order = new_order(db, world, 5)
    with db.unit_of_work(PLANNER) as s:
        sales.do_ship(s, PLANNER, order, ["OLD-1", "OLD-2"])
    before = counts(db)
    with pytest.raises(error, match=message), db.unit_of_work(PLANNER) as s:
        sales.do_ship(s, PLANNER, order, serials)
    assert counts(db) == before == (1, 1, 2, 2)


def test_a_serial_ships_once_across_all_orders_and_the_error_names_the_shipment(
    db: Database,
) -> None:
    world = make_world(db)
    acme, beta = new_order(db, world), new_order(db, world, beta=True)
    with db.unit_of_work(PLANNER) as s:
        sales.do_ship(s, PLANNER, acme, ["DUP-1", "DUP-2"])
    with pytest.raises(AlreadyExists) as caught, db.unit_of_work(PLANNER) as s:
        sales.do_ship(s, PLANNER, beta, ["NEW-1", "DUP-2", "DUP-1"])
    assert caught.value.detail == (
        "serial DUP-2 already shipped in SH-000001 (1 more of these serials shipped before)"
    )
    assert caught.value.extra == {"field": "serials", "serial": "DUP-2", "shipment": "SH-000001"}
    assert counts(db)[1:3] == (1, 2)


def test_carrier_and_tracking_must_fit(db: Database) -> None:
    world = make_world(db)
    order = new_order(db, world)
    with (
        pytest.raises(InvalidInput, match="tracking number has 65") as caught,
        db.unit_of_work(PLANNER) as s,
    ):
        sales.do_ship(s, PLANNER, order, ["A"], tracking="9" * 65)
    assert caught.value.extra["field"] == "tracking"


def test_only_sales_roles_ship(db: Database) -> None:
    world = make_world(db)
    order = new_order(db, world)
    for actor in (ENGINEER, world.customer(world.acme)):
        with pytest.raises(PermissionDenied), db.unit_of_work(actor) as s:
            sales.do_ship(s, actor, order, ["A"])
    assert counts(db)[1:] == (0, 0, 0)


def test_an_unshipped_serial_is_not_found(db: Database) -> None:
    make_world(db)
    with (
        pytest.raises(NotFound, match="serial NOPE has not shipped"),
        db.unit_of_work(PLANNER, write=False) as s,
    ):
        sales.where_shipped(s, PLANNER, "NOPE")


def test_the_packing_list_carries_the_shipment_order_and_serials(
    db: Database, fixed_clock: clock.FixedClock
) -> None:
    world = make_world(db)
    order = new_order(db, world, 3, po="ACME-PO-4711")
    with db.unit_of_work(PLANNER) as s:
        shipment = sales.do_ship(s, PLANNER, order, ["PL-1", "PL-2"], carrier="UPS", tracking="1Z9")
    with db.unit_of_work(PLANNER, write=False) as s:
        doc = sales.packing_list_of(s, PLANNER, shipment.id)
    assert (doc.shipment, doc.sales_order, doc.customer_po, doc.customer) == (
        "SH-000001",
        "SO-000001",
        "ACME-PO-4711",
        "ACME Inc",
    )
    assert (doc.product_code, doc.revision, doc.quantity, doc.shipped_on) == (
        "CTRL-100",
        "A",
        2,
        T0.date(),
    )
    text = page_text(packing_list_pdf(doc))
    for expected in ("Packing list SH-000001", "SO-000001", "ACME-PO-4711", "1Z9", "PL-2"):
        assert expected in text
