"""Sales orders and shipments: what customers ordered, what builds it, what left the factory.

A sales order asks for ``quantity`` of one product revision by ``due_date``. Work orders are
made from it (:func:`do_create_work_order_for`); finished serials ship against it
(:func:`do_ship`), each recorded once as a ``ShippedUnit``. That record is the forward
trace: for any serial, :func:`where_shipped` names the shipment, the order and the customer.

The pure rules (the state table, serial, quantity and date rules) come first and touch no
database; the use cases follow. Every read is scoped: a customer's users see their own
orders and shipments, and another customer's are "not found".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from boardline.core import clock
from boardline.core.audit_trail import audit_reason
from boardline.core.auth import Actor, Perm, check_customer_scope, check_permission
from boardline.core.errors import AlreadyExists, Conflict, InvalidInput, NotFound
from boardline.core.numbering import next_number
from boardline.core.scoping import access_scoped, scoped
from boardline.core.services import access_customer, check_reason, check_version
from boardline.core.tables import Customer
from boardline.npi import services as npi
from boardline.production import work_orders
from boardline.production.tables import WorkOrder
from boardline.supply.packing_list import PackingList
from boardline.supply.tables import SalesOrder, Shipment, ShippedUnit

STATES = ("open", "shipped", "closed", "cancelled")
# open → shipped happens by shipping the last unit; closing an open order ships no more of
# it (a short close); cancelling is for orders nothing of which has shipped.
MOVES: dict[str, frozenset[str]] = {
    "open": frozenset({"shipped", "closed", "cancelled"}),
    "shipped": frozenset({"closed"}),
    "closed": frozenset(),
    "cancelled": frozenset(),
}
STATE_TONES = {"open": "", "shipped": "ok", "closed": "", "cancelled": "bad"}
MAX_TEXT = 64  # serials, customer PO, carrier and tracking: the width of their columns
# Finished boards still need final inspection, packing and the hand-over to a carrier
# before the customer's date: two days is the usual allowance for a batch.
SHIP_PREP_DAYS = 2
# A week from first placement to tested boards for a typical batch. A stand-in until the
# production issue brings routings with real run times to schedule from.
BUILD_DAYS = 7
# Due dates outside these are typos (a year 206 for 2026), not orders.
EARLIEST_DUE = date(2000, 1, 1)
LATEST_DUE = date(2099, 12, 31)
# Serials looked up per query: well under SQLite's limit on bound parameters.
SERIAL_CHUNK = 500


# --- pure rules -----------------------------------------------------------------------


def check_move(number: str, state: str, target: str) -> None:
    """Refuse a state change the sales order's life does not allow, naming both states."""
    if target not in MOVES.get(state, frozenset()):
        raise Conflict(f"sales order {number} is {state}; it cannot become {target}", state=state)


def state_after_shipping(ordered: int, shipped: int) -> str:
    """An open order becomes shipped when everything ordered has left."""
    return "shipped" if shipped >= ordered else "open"


def check_cancel(number: str, state: str, shipped: int) -> None:
    """Only an order nothing of which has shipped can be cancelled."""
    if shipped > 0:
        raise Conflict(
            f"sales order {number} has shipped {shipped} units and cannot be cancelled; "
            "close it to ship no more",
            state=state,
        )
    check_move(number, state, "cancelled")


def check_close(number: str, state: str, ordered: int, shipped: int, reason: str) -> str | None:
    """Close a shipped order, or an open one short (some shipped) with a reason.

    Returns the reason to record. An open order with nothing shipped is cancelled, not
    closed, so that "closed" always means goods went out.
    """
    check_move(number, state, "closed")
    if state != "open":
        return reason.strip() or None
    if shipped == 0:
        raise Conflict(f"sales order {number} has shipped nothing; cancel it instead", state=state)
    return check_reason(reason, f"closing sales order {number} short ({shipped} of {ordered})")


def check_serials(serials: Iterable[str]) -> list[str]:
    """Serials as scanned, stripped; each non-empty, printable, at most 64 characters, once."""
    clean: list[str] = []
    seen: dict[str, int] = {}
    for position, raw in enumerate(serials, start=1):
        serial = raw.strip()
        if not serial:
            raise InvalidInput(f"serial {position} is empty", field="serials")
        if len(serial) > MAX_TEXT:
            raise InvalidInput(
                f"serial {position} ({serial[:24]}...) has {len(serial)} characters; "
                f"at most {MAX_TEXT}",
                field="serials",
            )
        if not serial.isprintable():
            raise InvalidInput(
                f"serial {position} ({serial!r}) contains unprintable characters",
                field="serials",
            )
        if serial in seen:
            raise InvalidInput(
                f"serial {serial} is listed twice (lines {seen[serial]} and {position})",
                field="serials",
                serial=serial,
            )
        seen[serial] = position
        clean.append(serial)
    if not clean:
        raise InvalidInput("no serials to ship", field="serials")
    return clean


def check_shipment_quantity(number: str, ordered: int, shipped: int, shipping: int) -> None:
    """What has shipped plus this shipment never exceeds what was ordered."""
    if shipped + shipping > ordered:
        raise InvalidInput(
            f"sales order {number}: ordered {ordered}, shipped {shipped}, this shipment "
            f"{shipping}: {shipped + shipping - ordered} more than ordered",
            field="serials",
            ordered=ordered,
            shipped=shipped,
            shipment=shipping,
        )


def check_text(value: str, field: str, what: str) -> str:
    """A short reference (PO number, carrier, tracking): stripped, printable, fits its column."""
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{what} has {len(value)} characters; at most {MAX_TEXT}", field=field)
    if not value.isprintable():
        raise InvalidInput(f"{what} contains unprintable characters", field=field)
    return value


def uncovered_quantity(ordered: int, shipped: int, on_work_orders: int) -> int:
    """What is neither shipped nor being built by open work orders."""
    return max(0, ordered - shipped - on_work_orders)


def plan_dates(sales_due: date, today: date) -> tuple[date, date]:
    """Start and due date of a work order for a sales order due on ``sales_due``.

    Due ``SHIP_PREP_DAYS`` before the customer's date, started ``BUILD_DAYS`` before that.
    An order that is already late starts today, not in the past, and is then due no
    earlier than it starts: the lateness shows on the work order instead of being hidden.
    """
    due = sales_due - timedelta(days=SHIP_PREP_DAYS)
    start = max(due - timedelta(days=BUILD_DAYS), today)
    return start, max(due, start)


# --- sales orders ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewSalesOrder:
    customer_id: int
    revision_id: int
    quantity: int
    due_date: date
    customer_po: str = ""


def do_create_sales_order(session: Session, actor: Actor, new: NewSalesOrder) -> SalesOrder:
    """An open sales order of a customer for one revision of one of its own products."""
    check_permission(actor, Perm.SALES_MANAGE)
    if new.quantity < 1:
        raise InvalidInput(f"quantity {new.quantity}: must be at least 1", field="quantity")
    if not EARLIEST_DUE <= new.due_date <= LATEST_DUE:
        raise InvalidInput(
            f"due date {new.due_date}: a date from {EARLIEST_DUE.year} to {LATEST_DUE.year}",
            field="due_date",
        )
    customer_po = check_text(new.customer_po, "customer_po", "customer PO")
    try:
        customer = access_customer(session, actor, new.customer_id)
    except NotFound:
        raise InvalidInput(f"customer {new.customer_id} does not exist", field="customer") from None
    if not customer.active:
        raise InvalidInput(f"customer {customer.code} is inactive", field="customer")
    try:
        revision = npi.access_revision(session, actor, new.revision_id)
    except NotFound:
        raise InvalidInput(f"revision {new.revision_id} does not exist", field="revision") from None
    product = revision.product
    if product.customer_id != customer.id:
        raise InvalidInput(
            f"{product.code} rev {revision.label} is a product of {product.customer.code}, "
            f"not of {customer.code}",
            field="revision",
        )
    order = SalesOrder(
        number=next_number(session, SalesOrder.number, "SO"),
        customer_id=customer.id,
        revision_id=revision.id,
        quantity=new.quantity,
        due_date=new.due_date,
        customer_po=customer_po,
        shipped_quantity=0,
        state="open",
    )
    session.add(order)
    session.flush()
    return order


def access_sales_order(session: Session, actor: Actor, sales_order_id: int) -> SalesOrder:
    check_permission(actor, Perm.SALES_VIEW)
    return access_scoped(
        session, actor, SalesOrder, sales_order_id, owner_attr="customer_id", what="sales order"
    )


def list_sales_orders(
    session: Session, actor: Actor, *, state: str = "open", limit: int = 500
) -> Sequence[SalesOrder]:
    """Sales orders the actor may see, earliest due first: ``state`` one of STATES or "all"."""
    check_permission(actor, Perm.SALES_VIEW)
    if state != "all" and state not in STATES:
        raise InvalidInput(f"state {state!r}: all or one of {', '.join(STATES)}", field="state")
    stmt = scoped(select(SalesOrder), actor, SalesOrder.customer_id)
    if state != "all":
        stmt = stmt.where(SalesOrder.state == state)
    return session.scalars(stmt.order_by(SalesOrder.due_date, SalesOrder.id).limit(limit)).all()


def do_cancel_sales_order(
    session: Session,
    actor: Actor,
    sales_order_id: int,
    *,
    reason: str,
    expected_version: int | None = None,
) -> SalesOrder:
    """Cancel an order nothing of which has shipped. Its work orders stay as they are: the
    planner decides whether each is cancelled or built for stock."""
    check_permission(actor, Perm.SALES_MANAGE)
    order = access_sales_order(session, actor, sales_order_id)
    check_version(order, expected_version, f"sales order {order.number}")
    reason = check_reason(reason, f"cancelling sales order {order.number}")
    check_cancel(order.number, order.state, order.shipped_quantity)
    order.state = "cancelled"
    with audit_reason(session, reason):
        session.flush()
    return order


def do_close_sales_order(
    session: Session,
    actor: Actor,
    sales_order_id: int,
    *,
    reason: str = "",
    expected_version: int | None = None,
) -> SalesOrder:
    """Close a shipped order, or short-close a partly shipped one (reason needed)."""
    check_permission(actor, Perm.SALES_MANAGE)
    order = access_sales_order(session, actor, sales_order_id)
    check_version(order, expected_version, f"sales order {order.number}")
    recorded = check_close(
        order.number, order.state, order.quantity, order.shipped_quantity, reason
    )
    order.state = "closed"
    with audit_reason(session, recorded):
        session.flush()
    return order


@dataclass(frozen=True, slots=True)
class SalesDemand:
    """What an open sales order still asks for, as MRP reads it."""

    sales_order_id: int
    number: str
    revision_id: int
    remaining: int
    due_date: date
    customer_id: int


def open_sales_demand(session: Session) -> list[SalesDemand]:
    """Every open sales order with something left to ship, earliest due first, in one query.

    Not scoped to an actor: it feeds planning runs, whose callers check ``Perm.PLANNING``.
    """
    so = SalesOrder
    rows = session.execute(
        select(
            so.id,
            so.number,
            so.revision_id,
            so.quantity - so.shipped_quantity,
            so.due_date,
            so.customer_id,
        )
        .where(so.state == "open", so.quantity > so.shipped_quantity)
        .order_by(so.due_date, so.id)
    ).all()
    return [SalesDemand(*row) for row in rows]


def do_create_work_order_for(
    session: Session,
    actor: Actor,
    sales_order_id: int,
    *,
    quantity: int | None = None,
    start_date: date | None = None,
    due_date: date | None = None,
    stage: str | None = None,
    notes: str = "",
) -> WorkOrder:
    """A draft work order building an open sales order's revision for that order.

    ``quantity`` defaults to what is neither shipped nor on open work orders of the order
    (a Conflict when that is nothing: give a quantity to build more on purpose, for yield
    loss say). Dates default to :func:`plan_dates`; ``stage`` to the revision's stage (a
    draft revision builds prototypes).
    """
    check_permission(actor, Perm.PLANNING)
    order = access_sales_order(session, actor, sales_order_id)
    if order.state != "open":
        raise Conflict(
            f"sales order {order.number} is {order.state}; work orders are made for open orders",
            state=order.state,
        )
    if quantity is None:
        building = work_orders.open_quantity_for_sales_order(session, order.id)
        quantity = uncovered_quantity(order.quantity, order.shipped_quantity, building)
        if quantity == 0:
            raise Conflict(
                f"sales order {order.number} is covered: {order.shipped_quantity} of "
                f"{order.quantity} shipped, {building} on open work orders; give a quantity "
                "to build more",
                field="quantity",
            )
    revision = npi.access_revision(session, actor, order.revision_id)
    if stage is None:
        current = revision.stage.value
        stage = current if current in work_orders.BUILD_STAGES else work_orders.BUILD_STAGES[0]
    # The site's calendar day would be more exact; a day's difference at midnight UTC is
    # well inside the slack these defaults carry.
    planned_start, planned_due = plan_dates(order.due_date, clock.today())
    return work_orders.do_create_work_order(
        session,
        actor,
        work_orders.NewWorkOrder(
            revision_id=order.revision_id,
            quantity=quantity,
            start_date=start_date or planned_start,
            due_date=due_date or planned_due,
            stage=stage,
            sales_order_id=order.id,
            notes=notes,
        ),
    )


# --- shipments ------------------------------------------------------------------------


def do_ship(
    session: Session,
    actor: Actor,
    sales_order_id: int,
    serials: Sequence[str],
    *,
    carrier: str = "",
    tracking: str = "",
) -> Shipment:
    """Ship finished serials against an open sales order: a shipment, one record per serial.

    Every check runs before anything is written, so a refused shipment stores nothing.
    Serials are recorded as given for now: that a unit exists, completed its route and
    is of this revision is checked once units come with the production issue.
    """
    check_permission(actor, Perm.SALES_MANAGE)
    clean = check_serials(serials)
    carrier = check_text(carrier, "carrier", "carrier")
    tracking = check_text(tracking, "tracking", "tracking number")
    order = access_sales_order(session, actor, sales_order_id)
    if order.state != "open":
        raise Conflict(
            f"sales order {order.number} is {order.state}; only open orders ship",
            state=order.state,
        )
    check_shipment_quantity(order.number, order.quantity, order.shipped_quantity, len(clean))
    _check_not_shipped(session, clean)
    shipment = Shipment(
        number=next_number(session, Shipment.number, "SH"),
        sales_order_id=order.id,
        shipped_by=actor.label,
        carrier=carrier,
        tracking=tracking,
    )
    session.add(shipment)
    session.flush()
    session.execute(insert(ShippedUnit), [{"shipment_id": shipment.id, "serial": s} for s in clean])
    order.shipped_quantity += len(clean)
    state = state_after_shipping(order.quantity, order.shipped_quantity)
    if state != order.state:
        check_move(order.number, order.state, state)
        order.state = state
    session.flush()
    return shipment


def _check_not_shipped(session: Session, serials: list[str]) -> None:
    earlier: dict[str, str] = {}
    for i in range(0, len(serials), SERIAL_CHUNK):
        chunk = serials[i : i + SERIAL_CHUNK]
        rows = session.execute(
            select(ShippedUnit.serial, Shipment.number)
            .join(Shipment, Shipment.id == ShippedUnit.shipment_id)
            .where(ShippedUnit.serial.in_(chunk))
        )
        earlier.update(dict(rows.all()))
    if earlier:
        first = next(s for s in serials if s in earlier)
        more = (
            f" ({len(earlier) - 1} more of these serials shipped before)"
            if len(earlier) > 1
            else ""
        )
        raise AlreadyExists(
            f"serial {first} already shipped in {earlier[first]}{more}",
            field="serials",
            serial=first,
            shipment=earlier[first],
        )


def access_shipment(session: Session, actor: Actor, shipment_id: int) -> Shipment:
    """A shipment, if the actor may see its sales order (else NotFound, as if missing)."""
    check_permission(actor, Perm.SALES_VIEW)
    shipment = session.get(Shipment, shipment_id)
    if shipment is None:
        raise NotFound(f"shipment {shipment_id} not found")
    order = session.get(SalesOrder, shipment.sales_order_id)
    check_customer_scope(actor, order.customer_id if order else None, f"shipment {shipment_id}")
    return shipment


@dataclass(frozen=True, slots=True)
class ShipmentSummary:
    shipment: Shipment
    units: int


def shipments_of(session: Session, actor: Actor, sales_order_id: int) -> list[ShipmentSummary]:
    """The shipments of one sales order, oldest first, with how many serials each carried."""
    access_sales_order(session, actor, sales_order_id)
    units = (
        select(func.count(ShippedUnit.id))
        .where(ShippedUnit.shipment_id == Shipment.id)
        .correlate(Shipment)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Shipment, units)
        .where(Shipment.sales_order_id == sales_order_id)
        .order_by(Shipment.shipped_at, Shipment.id)
    )
    return [ShipmentSummary(shipment, int(n)) for shipment, n in rows]


def shipment_serials(session: Session, actor: Actor, shipment_id: int) -> list[str]:
    """The serials of a shipment in the order they were scanned."""
    access_shipment(session, actor, shipment_id)
    return list(
        session.scalars(
            select(ShippedUnit.serial)
            .where(ShippedUnit.shipment_id == shipment_id)
            .order_by(ShippedUnit.id)
        )
    )


@dataclass(frozen=True, slots=True)
class ShippedWhere:
    """Where one serial went: its shipment, the sales order and the customer."""

    serial: str
    shipment: Shipment
    sales_order: SalesOrder
    customer: Customer


def where_shipped(session: Session, actor: Actor, serial: str) -> ShippedWhere:
    """Forward trace of one serial; NotFound if it has not shipped (or not to the actor)."""
    check_permission(actor, Perm.SALES_VIEW)
    serial = serial.strip()
    row = session.execute(
        select(Shipment, SalesOrder)
        .join(ShippedUnit, ShippedUnit.shipment_id == Shipment.id)
        .join(SalesOrder, SalesOrder.id == Shipment.sales_order_id)
        .where(ShippedUnit.serial == serial)
    ).first()
    if row is None:
        raise NotFound(f"serial {serial} has not shipped")
    shipment, order = row
    check_customer_scope(actor, order.customer_id, f"serial {serial}")
    customer = access_customer(session, actor, order.customer_id)
    return ShippedWhere(serial, shipment, order, customer)


def packing_list_of(
    session: Session, actor: Actor, shipment_id: int, *, tz: tzinfo = UTC
) -> PackingList:
    """What the packing list of a shipment shows, dated in the site's time zone ``tz``."""
    shipment = access_shipment(session, actor, shipment_id)
    order = access_sales_order(session, actor, shipment.sales_order_id)
    customer = access_customer(session, actor, order.customer_id)
    revision = npi.access_revision(session, actor, order.revision_id)
    serials = shipment_serials(session, actor, shipment_id)
    shipped_at: datetime = shipment.shipped_at
    return PackingList(
        shipment=shipment.number,
        shipped_on=shipped_at.astimezone(tz).date(),
        customer=customer.name,
        ship_to=customer.name,
        sales_order=order.number,
        customer_po=order.customer_po,
        product_code=revision.product.code,
        product_name=revision.product.name,
        revision=revision.label,
        carrier=shipment.carrier,
        tracking=shipment.tracking,
        serials=tuple(serials),
    )
