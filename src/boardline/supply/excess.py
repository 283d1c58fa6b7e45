"""Excess and obsolete (E&O) material per customer: bought for them, needed by nothing open.

EMS contracts usually make the customer liable for turnkey material bought for its
forecast and orders that no open order will use any more, and for consigned material
still sitting in the stores. The report answers, per item, for one customer:

- **held**: parts in packages bought for the customer (turnkey) or owned by it
  (consigned), blocked and expired ones included: they are still the customer's problem;
- **on order**: open purchase order lines placed for the customer;
- **needed**: the gross requirement of the customer's open sales orders and work orders,
  exploded through every BOM level with attrition (no netting: anything the open orders
  may consume counts as needed);
- **excess** = held + on order − needed, when positive, valued at the price paid (the
  PO line) or else the cheapest offer's first price break;
- **obsolete** when the item's lifecycle says so, or no revision of the customer's uses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from boardline.catalog.rules import Lifecycle
from boardline.catalog.tables import Item, ItemPart
from boardline.core.auth import Actor, Perm, check_customer_scope, check_permission
from boardline.core.services import access_customer
from boardline.core.tables import Customer
from boardline.npi.tables import BomLineRow, Product, Revision
from boardline.production.tables import WorkOrder
from boardline.supply import mrp, planning
from boardline.supply.purchasing import OPEN_STATES as OPEN_PO_STATES
from boardline.supply.tables import (
    MaterialPackage,
    Offer,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
)


@dataclass(frozen=True, slots=True)
class ExcessLine:
    item_id: int
    item: str
    description: str
    lifecycle: str
    held: int
    consigned: int  # of held, owned by the customer
    on_order: int
    needed: int
    unit_price: Decimal | None
    obsolete: bool

    @property
    def excess(self) -> int:
        return max(self.held + self.on_order - self.needed, 0)

    @property
    def value(self) -> Decimal | None:
        return None if self.unit_price is None else self.unit_price * self.excess

    @property
    def reason(self) -> str:
        if self.obsolete:
            return "obsolete" if self.lifecycle == Lifecycle.OBSOLETE.value else "no longer used"
        if self.needed == 0:
            return "no open demand"
        return "more than open demand needs"


@dataclass(frozen=True, slots=True)
class ExcessReport:
    customer: Customer
    today: date
    lines: list[ExcessLine]  # only items with excess, largest value first

    @property
    def total_value(self) -> Decimal:
        return sum((line.value or Decimal(0) for line in self.lines), Decimal(0))


def excess_report(session: Session, actor: Actor, customer_id: int, today: date) -> ExcessReport:
    check_permission(actor, Perm.SALES_VIEW)
    check_customer_scope(actor, customer_id, f"customer {customer_id}")
    customer = access_customer(session, actor, customer_id)
    held, consigned, paid = _held(session, customer_id)
    on_order, ordered_price = _on_order(session, customer_id)
    needed = _needed(session, customer_id, today)
    used = _used_by_customer(session, customer_id)
    item_ids = {i for i, q in held.items() if q} | {i for i, q in on_order.items() if q}
    if not item_ids:
        return ExcessReport(customer, today, [])
    offer_price = _offer_prices(session, item_ids)
    lines = []
    for item_id, number, description, lifecycle in session.execute(
        select(Item.id, Item.number, Item.description, Item.lifecycle).where(Item.id.in_(item_ids))
    ):
        lifecycle_value = getattr(lifecycle, "value", str(lifecycle))
        line = ExcessLine(
            item_id=item_id,
            item=number,
            description=description,
            lifecycle=lifecycle_value,
            held=held.get(item_id, 0),
            consigned=consigned.get(item_id, 0),
            on_order=on_order.get(item_id, 0),
            needed=needed.get(item_id, 0),
            unit_price=paid.get(item_id) or ordered_price.get(item_id) or offer_price.get(item_id),
            obsolete=lifecycle_value == Lifecycle.OBSOLETE.value or item_id not in used,
        )
        if line.excess:
            lines.append(line)
    lines.sort(key=lambda line: (-(line.value or Decimal(0)), line.item))
    return ExcessReport(customer, today, lines)


def _held(
    session: Session, customer_id: int
) -> tuple[dict[int, int], dict[int, int], dict[int, Decimal]]:
    held: dict[int, int] = {}
    consigned: dict[int, int] = {}
    for item_id, qty, owned in session.execute(
        select(
            ItemPart.item_id,
            func.sum(MaterialPackage.quantity),
            func.sum(
                case((MaterialPackage.consigned.is_(True), MaterialPackage.quantity), else_=0)
            ),
        )
        .join(ItemPart, ItemPart.id == MaterialPackage.item_part_id)
        .where(MaterialPackage.customer_id == customer_id, MaterialPackage.quantity > 0)
        .group_by(ItemPart.item_id)
    ):
        held[item_id] = int(qty)
        consigned[item_id] = int(owned or 0)
    # The price paid: the highest unit price of the PO lines the held packages came on.
    paid: dict[int, Decimal] = {}
    for item_id, price in session.execute(
        select(ItemPart.item_id, PurchaseOrderLine.unit_price)
        .join(MaterialPackage, MaterialPackage.po_line_id == PurchaseOrderLine.id)
        .join(ItemPart, ItemPart.id == MaterialPackage.item_part_id)
        .where(MaterialPackage.customer_id == customer_id, MaterialPackage.quantity > 0)
    ):
        value = Decimal(price)
        if value > paid.get(item_id, Decimal(0)):
            paid[item_id] = value
    return held, consigned, paid


def _on_order(session: Session, customer_id: int) -> tuple[dict[int, int], dict[int, Decimal]]:
    qty: dict[int, int] = {}
    price: dict[int, Decimal] = {}
    for item_id, open_qty, unit_price in session.execute(
        select(
            ItemPart.item_id,
            PurchaseOrderLine.quantity - PurchaseOrderLine.received_quantity,
            PurchaseOrderLine.unit_price,
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.po_id)
        .join(ItemPart, ItemPart.id == PurchaseOrderLine.item_part_id)
        .where(
            PurchaseOrder.customer_id == customer_id,
            PurchaseOrder.state.in_([s.value for s in OPEN_PO_STATES]),
        )
    ):
        if open_qty > 0:
            qty[item_id] = qty.get(item_id, 0) + open_qty
            price[item_id] = max(price.get(item_id, Decimal(0)), Decimal(unit_price))
    return qty, price


def _needed(session: Session, customer_id: int, today: date) -> dict[int, int]:
    """Gross requirement per item of the customer's open orders, through every BOM level."""
    inputs = planning.load_inputs(session, today)
    numbers = set(
        session.scalars(
            select(SalesOrder.number).where(
                SalesOrder.customer_id == customer_id, SalesOrder.state == "open"
            )
        )
    ) | set(session.scalars(select(WorkOrder.number).where(WorkOrder.customer_id == customer_id)))
    children: dict[str, list[tuple[str, int]]] = {}
    for line in inputs.bom:
        children.setdefault(line.parent, []).append((line.child, line.quantity))
    factor = {i.id: 1 + Fraction(str(i.attrition)) for i in inputs.items}
    gross: dict[str, int] = {}

    def explode(node: str, quantity: int, issued: dict[str, int]) -> None:
        for child, per in children.get(node, ()):
            need = -(-quantity * per * factor[child] // 1) - issued.get(child, 0)
            if need <= 0:
                continue
            gross[child] = gross.get(child, 0) + int(need)
            explode(child, int(need), {})

    # A sales order covered by work orders is needed once: count the work orders' builds,
    # and of the sales order only what no work order covers.
    covered = _covered_by_work_orders(session, customer_id)
    for d in inputs.demands:
        if d.id not in numbers or d.quantity <= 0:
            continue
        quantity = d.quantity
        if d.kind is mrp.DemandKind.SALES_ORDER:
            quantity = max(quantity - covered.get(d.id, 0), 0)
        explode(d.item, quantity, dict(d.issued))
    return {inputs.nodes[n].item_id or 0: q for n, q in gross.items() if n in inputs.nodes}


def _covered_by_work_orders(session: Session, customer_id: int) -> dict[str, int]:
    from boardline.production.work_orders import OPEN_STATES

    return {
        number: int(qty)
        for number, qty in session.execute(
            select(SalesOrder.number, func.sum(WorkOrder.quantity))
            .join(WorkOrder, WorkOrder.sales_order_id == SalesOrder.id)
            .where(SalesOrder.customer_id == customer_id, WorkOrder.state.in_(OPEN_STATES))
            .group_by(SalesOrder.number)
        )
    }


def _used_by_customer(session: Session, customer_id: int) -> set[int]:
    """Items on any BOM of any of the customer's revisions (a draft counts: it may go on)."""
    return set(
        session.scalars(
            select(BomLineRow.item_id)
            .join(Revision, Revision.id == BomLineRow.revision_id)
            .join(Product, Product.id == Revision.product_id)
            .where(Product.customer_id == customer_id, BomLineRow.item_id.is_not(None))
            .distinct()
        )
    )


def _offer_prices(session: Session, item_ids: Iterable[int]) -> dict[int, Decimal]:
    prices: dict[int, Decimal] = {}
    for item_id, breaks in session.execute(
        select(ItemPart.item_id, Offer.breaks)
        .join(ItemPart, ItemPart.id == Offer.item_part_id)
        .where(ItemPart.item_id.in_(list(item_ids)))
    ):
        first = Decimal(str(breaks[0][1])) if breaks else None
        if first is not None and (item_id not in prices or first < prices[item_id]):
            prices[item_id] = first
    return prices
