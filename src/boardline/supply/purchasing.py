"""Purchase orders: draft → approved → sent → partially received → closed, or cancelled.

A buyer drafts an order to one supplier (for a customer when the material is bought for
that customer, turnkey), adds lines while it is a draft, a supervisor approves the spend,
the buyer sends it. Stores receive packages against its lines (``packages.do_receive_many``
books them here through :func:`do_book_receipt`); the order is closed when every line is
fully received, or short-closed with a reason. It can be cancelled until something arrives.

The state machine is the pure table :data:`TRANSITIONS` with :func:`next_state`; the rest
are the use cases, which take the session of a unit of work and never commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boardline.catalog import services as catalog
from boardline.catalog.tables import ItemPart
from boardline.core import clock
from boardline.core.audit_trail import audit_reason
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import Conflict, InvalidInput, NotFound
from boardline.core.numbering import next_number
from boardline.core.services import access_customer, check_reason, check_version
from boardline.core.tables import Customer
from boardline.supply import purchase_pdf
from boardline.supply import services as supply
from boardline.supply.offers import Terms, unit_price_at
from boardline.supply.tables import MaterialPackage, Offer, PurchaseOrder, PurchaseOrderLine

# --- rules --------------------------------------------------------------------------------


class PoState(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    SENT = "sent"
    PARTIALLY_RECEIVED = "partially_received"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @property
    def tone(self) -> str:
        """The pill colour a page shows the state in."""
        return _TONES[self]


_TONES: Final = {
    PoState.DRAFT: "",
    PoState.APPROVED: "warn",
    PoState.SENT: "warn",
    PoState.PARTIALLY_RECEIVED: "warn",
    PoState.CLOSED: "ok",
    PoState.CANCELLED: "bad",
}


class PoAction(StrEnum):
    EDIT = "edit"
    APPROVE = "approve"
    SEND = "send"
    RECEIVE = "receive"
    CANCEL = "cancel"
    CLOSE = "close"

    @property
    def past(self) -> str:
        return _PAST[self]


_PAST: Final = {
    PoAction.EDIT: "edited",
    PoAction.APPROVE: "approved",
    PoAction.SEND: "sent",
    PoAction.RECEIVE: "received against",
    PoAction.CANCEL: "cancelled",
    PoAction.CLOSE: "short-closed",
}

TRANSITIONS: Final[Mapping[PoState, Mapping[PoAction, PoState]]] = {
    PoState.DRAFT: {
        PoAction.EDIT: PoState.DRAFT,
        PoAction.APPROVE: PoState.APPROVED,
        PoAction.CANCEL: PoState.CANCELLED,
    },
    PoState.APPROVED: {PoAction.SEND: PoState.SENT, PoAction.CANCEL: PoState.CANCELLED},
    # Receiving the last open quantity closes the order instead (see next_state).
    PoState.SENT: {
        PoAction.RECEIVE: PoState.PARTIALLY_RECEIVED,
        PoAction.CANCEL: PoState.CANCELLED,
    },
    PoState.PARTIALLY_RECEIVED: {
        PoAction.RECEIVE: PoState.PARTIALLY_RECEIVED,
        PoAction.CLOSE: PoState.CLOSED,
    },
    PoState.CLOSED: {},
    PoState.CANCELLED: {},
}
"""What each action does in each state; a missing entry is an illegal move."""

OPEN_STATES: Final = (PoState.APPROVED, PoState.SENT, PoState.PARTIALLY_RECEIVED)
"""States in which an order's unreceived quantities are still expected (MRP supply)."""


def allowed_actions(state: PoState) -> frozenset[PoAction]:
    return frozenset(TRANSITIONS[state])


def next_state(
    state: PoState, action: PoAction, *, complete: bool = False, what: str = "the order"
) -> PoState:
    """The state after ``action``; ``complete`` says a receipt left nothing open.

    Raises ``Conflict`` naming the current state and the states the action is allowed in.
    """
    target = TRANSITIONS[state].get(action)
    if target is None:
        allowed = [s.label for s in PoState if action in TRANSITIONS[s]]
        raise Conflict(
            f"{what} is {state.label}: only {' or '.join(allowed)} orders can be {action.past}",
            state=state.value,
        )
    if action is PoAction.RECEIVE and complete:
        return PoState.CLOSED
    return target


def default_terms(quantity: int, offers: Sequence[Terms]) -> Terms | None:
    """The offer a line of ``quantity`` is priced from: the lowest unit price at that
    quantity among offers whose MOQ it meets (any offer when it meets none), ties to the
    shorter lead time."""
    if not offers:
        return None
    meeting = [t for t in offers if t.moq <= quantity] or list(offers)
    return min(
        meeting,
        key=lambda t: (unit_price_at(quantity, t), t.lead_time_days or 0, t.sku),
    )


def parse_price(value: str | Decimal) -> Decimal:
    """A unit price: a finite, non-negative decimal (zero for free samples)."""
    try:
        price = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(f"unit price {value!r} is not a number", field="unit_price") from None
    if not price.is_finite() or price < 0:
        raise InvalidInput(f"unit price {value!r} must be zero or more", field="unit_price")
    return price


def line_total(quantity: int, unit_price: str | Decimal) -> Decimal:
    """A line's value, to the cent, halves rounded up as on an invoice (not to even)."""
    return (Decimal(str(unit_price)) * quantity).quantize(Decimal("0.01"), ROUND_HALF_UP)


def order_total(po: PurchaseOrder) -> Decimal:
    return sum((line_total(x.quantity, x.unit_price) for x in po.lines), Decimal("0.00"))


# --- orders -------------------------------------------------------------------------------


def _state(po: PurchaseOrder) -> PoState:
    return PoState(po.state)


def _po_for(
    session: Session, actor: Actor, po_id: int, action: PoAction, expected_version: int | None
) -> PurchaseOrder:
    """The order, if ``action`` is allowed in its state and it is the version the actor saw."""
    po = access_po(session, actor, po_id)
    next_state(_state(po), action, what=po.number)
    check_version(po, expected_version, f"purchase order {po.number}")
    return po


def do_create_po(
    session: Session,
    actor: Actor,
    *,
    supplier_id: int,
    customer_id: int | None = None,
    notes: str = "",
) -> PurchaseOrder:
    """A draft order to the supplier, in its currency, for ``customer_id`` when the
    material is bought for that customer."""
    check_permission(actor, Perm.PURCHASE_MANAGE)
    supplier = supply.access_supplier(session, actor, supplier_id)
    if customer_id is not None:
        access_customer(session, actor, customer_id)
    po = PurchaseOrder(
        number=next_number(session, PurchaseOrder.number, "PO"),
        supplier_id=supplier.id,
        customer_id=customer_id,
        state=PoState.DRAFT.value,
        currency=supplier.currency,
        notes=notes.strip(),
        created_by=actor.label,
        created_at=clock.now(),
    )
    session.add(po)
    session.flush()
    return po


def access_po(session: Session, actor: Actor, po_id: int) -> PurchaseOrder:
    check_permission(actor, Perm.CATALOG_VIEW)
    po = session.get(PurchaseOrder, po_id)
    if po is None:
        raise NotFound(f"purchase order {po_id} not found")
    return po


def find_po(session: Session, actor: Actor, number: str) -> PurchaseOrder:
    check_permission(actor, Perm.CATALOG_VIEW)
    po = session.scalar(select(PurchaseOrder).where(PurchaseOrder.number == number.strip().upper()))
    if po is None:
        raise NotFound(f"purchase order {number} not found")
    return po


def list_pos(
    session: Session, actor: Actor, *, state: str | None = None, limit: int = 200
) -> Sequence[PurchaseOrder]:
    """Newest first, optionally of one state."""
    check_permission(actor, Perm.CATALOG_VIEW)
    stmt = select(PurchaseOrder).order_by(PurchaseOrder.id.desc()).limit(limit)
    if state:
        try:
            stmt = stmt.where(PurchaseOrder.state == PoState(state).value)
        except ValueError:
            raise InvalidInput(
                f"state {state!r}: one of {', '.join(s.value for s in PoState)}", field="state"
            ) from None
    return session.scalars(stmt).all()


def access_line(session: Session, actor: Actor, line_id: int) -> PurchaseOrderLine:
    check_permission(actor, Perm.CATALOG_VIEW)
    line = session.get(PurchaseOrderLine, line_id)
    if line is None:
        raise NotFound(f"purchase order line {line_id} not found")
    return line


def _offers(session: Session, supplier_id: int, item_part_id: int) -> list[Terms]:
    return [
        supply.terms_of(o)
        for o in session.scalars(
            select(Offer).where(
                Offer.supplier_id == supplier_id, Offer.item_part_id == item_part_id
            )
        )
    ]


def _check_quantity(quantity: int) -> int:
    if quantity < 1:
        raise InvalidInput(f"quantity {quantity}: must be at least 1", field="quantity")
    return quantity


def _check_due(due: date) -> date:
    if due < clock.today():
        raise InvalidInput(f"due date {due.isoformat()} is in the past", field="due_date")
    return due


def do_add_line(
    session: Session,
    actor: Actor,
    po_id: int,
    *,
    manufacturer: str,
    mpn: str,
    quantity: int,
    unit_price: str | Decimal | None = None,
    due_date: date | None = None,
    expected_version: int | None = None,
) -> PurchaseOrderLine:
    """A new line on a draft order. Without a unit price or due date they come from the
    supplier's offer for the MPN: its price at ``quantity`` and today plus its lead time;
    with no offer (or one without a lead time) they must be given."""
    check_permission(actor, Perm.PURCHASE_MANAGE)
    po = _po_for(session, actor, po_id, PoAction.EDIT, expected_version)
    part = catalog.require_part(session, manufacturer, mpn)
    _check_quantity(quantity)
    terms = default_terms(quantity, _offers(session, po.supplier_id, part.id))
    if unit_price is None or not str(unit_price).strip():
        if terms is None:
            raise InvalidInput(
                f"{po.supplier.code} has no offer for {part.mpn}: give a unit price",
                field="unit_price",
            )
        price = unit_price_at(quantity, terms)
    else:
        price = parse_price(unit_price)
    if due_date is None:
        if terms is None or terms.lead_time_days is None:
            raise InvalidInput(
                f"no lead time known for {part.mpn} from {po.supplier.code}: give a due date",
                field="due_date",
            )
        due_date = clock.today() + timedelta(days=terms.lead_time_days)
    line = PurchaseOrderLine(
        order=po,
        position=max((x.position for x in po.lines), default=0) + 1,
        item_part=part,
        quantity=quantity,
        unit_price=str(price),
        due_date=_check_due(due_date),
        received_quantity=0,
    )
    session.add(line)
    session.flush()
    return line


def _draft_line(
    session: Session, actor: Actor, line_id: int, expected_version: int | None
) -> PurchaseOrderLine:
    check_permission(actor, Perm.PURCHASE_MANAGE)
    line = access_line(session, actor, line_id)
    po = line.order
    next_state(_state(po), PoAction.EDIT, what=po.number)
    check_version(line, expected_version, f"{po.number} line {line.position}")
    return line


def do_change_line(
    session: Session,
    actor: Actor,
    line_id: int,
    *,
    expected_version: int | None,
    quantity: int | None = None,
    unit_price: str | Decimal | None = None,
    due_date: date | None = None,
) -> PurchaseOrderLine:
    """Change a draft order's line; what is not given stays."""
    line = _draft_line(session, actor, line_id, expected_version)
    if quantity is not None:
        line.quantity = _check_quantity(quantity)
    if unit_price is not None and str(unit_price).strip():
        line.unit_price = str(parse_price(unit_price))
    if due_date is not None:
        line.due_date = _check_due(due_date)
    session.flush()
    return line


def do_remove_line(
    session: Session, actor: Actor, line_id: int, *, expected_version: int | None = None
) -> None:
    """Remove a draft order's line (the others keep their positions)."""
    line = _draft_line(session, actor, line_id, expected_version)
    po = line.order
    session.delete(line)
    session.flush()
    session.refresh(po, ["lines"])


def _move(session: Session, po: PurchaseOrder, action: PoAction, reason: str | None = None) -> None:
    po.state = next_state(_state(po), action, what=po.number).value
    with audit_reason(session, reason):
        session.flush()


def do_approve(
    session: Session, actor: Actor, po_id: int, *, expected_version: int | None = None
) -> PurchaseOrder:
    """Approve the spend of a draft order with at least one line; records who and when."""
    check_permission(actor, Perm.PURCHASE_APPROVE)
    po = _po_for(session, actor, po_id, PoAction.APPROVE, expected_version)
    if not po.lines:
        raise InvalidInput(f"{po.number} has no lines: nothing to approve", field="lines")
    po.approved_by = actor.label
    po.approved_at = clock.now()
    _move(session, po, PoAction.APPROVE)
    return po


def do_send(
    session: Session, actor: Actor, po_id: int, *, expected_version: int | None = None
) -> PurchaseOrder:
    """Mark an approved order as sent to the supplier: from now on it can be received."""
    check_permission(actor, Perm.PURCHASE_MANAGE)
    po = _po_for(session, actor, po_id, PoAction.SEND, expected_version)
    po.sent_at = clock.now()
    _move(session, po, PoAction.SEND)
    return po


def do_cancel(
    session: Session,
    actor: Actor,
    po_id: int,
    *,
    reason: str,
    expected_version: int | None = None,
) -> PurchaseOrder:
    """Cancel an order nothing has been received against, with a reason."""
    check_permission(actor, Perm.PURCHASE_MANAGE)
    po = _po_for(session, actor, po_id, PoAction.CANCEL, expected_version)
    reason = check_reason(reason, f"cancelling {po.number}")
    po.closed_at = clock.now()
    _move(session, po, PoAction.CANCEL, reason)
    return po


def do_close(
    session: Session,
    actor: Actor,
    po_id: int,
    *,
    reason: str,
    expected_version: int | None = None,
) -> PurchaseOrder:
    """Short-close a partially received order: the rest will not come (or is not wanted)."""
    check_permission(actor, Perm.PURCHASE_MANAGE)
    po = _po_for(session, actor, po_id, PoAction.CLOSE, expected_version)
    reason = check_reason(reason, f"short-closing {po.number}")
    po.closed_at = clock.now()
    _move(session, po, PoAction.CLOSE, reason)
    return po


# --- receiving ----------------------------------------------------------------------------


def open_quantity(line: PurchaseOrderLine) -> int:
    return max(line.quantity - line.received_quantity, 0)


def do_book_receipt(
    session: Session,
    actor: Actor,
    line: PurchaseOrderLine,
    quantity: int,
    *,
    reason: str | None = None,
) -> bool:
    """Count ``quantity`` parts received against ``line``; True if that was more than open.

    Only a sent or partially received order takes receipts. More than the open quantity
    needs :attr:`Perm.RECEIVE_OVER` and a reason (audited on the line). The order becomes
    partially received, or closed when no line has anything open any more. Flushes, so a
    concurrent receipt on the same line fails here (stale version) and stores nothing.
    """
    check_permission(actor, Perm.STORES)
    po = line.order
    next_state(_state(po), PoAction.RECEIVE, what=po.number)
    _check_quantity(quantity)
    open_now = open_quantity(line)
    over = quantity > open_now
    if over:
        facts = (
            f"{po.number} line {line.position} ordered {line.quantity:,}, received "
            f"{line.received_quantity:,}, open {open_now:,}: {quantity:,} is too many"
        )
        if not actor.can(Perm.RECEIVE_OVER):
            raise Conflict(f"{facts}; a supervisor may accept the excess", field="quantity")
        reason = check_reason(reason, f"{facts}; accepting them")
    # Inside the block: loading the other lines may autoflush this one's change.
    with audit_reason(session, reason if over else None):
        line.received_quantity += quantity
        complete = all(x.received_quantity >= x.quantity for x in po.lines)
        po.state = next_state(_state(po), PoAction.RECEIVE, complete=complete, what=po.number).value
        if complete:
            po.closed_at = clock.now()
        session.flush()
    return over


def receivable_lines(session: Session, actor: Actor) -> Sequence[PurchaseOrderLine]:
    """Lines stores can receive against now: on sent or partially received orders, with
    something still open; by order number and position."""
    check_permission(actor, Perm.CATALOG_VIEW)
    line = PurchaseOrderLine
    return session.scalars(
        select(line)
        .join(PurchaseOrder, PurchaseOrder.id == line.po_id)
        .where(
            PurchaseOrder.state.in_([PoState.SENT.value, PoState.PARTIALLY_RECEIVED.value]),
            line.quantity > line.received_quantity,
        )
        .order_by(PurchaseOrder.number, line.position)
    ).all()


def open_po_lines(
    session: Session, *, include_drafts: bool = False
) -> list[tuple[int, int, int, date]]:
    """``(line id, item id, open quantity, due date)`` of every line still expected: on
    approved, sent or partially received orders, with something left to receive. One query.

    ``include_drafts`` adds lines of draft orders: MRP counts them so that a buyer who
    turned planned purchases into drafts is not asked to buy the same parts again.
    """
    line = PurchaseOrderLine
    open_qty = line.quantity - line.received_quantity
    states = [s.value for s in OPEN_STATES]
    if include_drafts:
        states.append(PoState.DRAFT.value)
    rows = session.execute(
        select(line.id, ItemPart.item_id, open_qty, line.due_date)
        .join(PurchaseOrder, PurchaseOrder.id == line.po_id)
        .join(ItemPart, ItemPart.id == line.item_part_id)
        .where(PurchaseOrder.state.in_(states), open_qty > 0)
        .order_by(line.due_date, line.id)
    ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


@dataclass(frozen=True, slots=True)
class ReceiptGroup:
    """Packages received against one line in one go (same receive time)."""

    line_id: int
    received_at: datetime
    packages: int
    quantity: int


def receipts_of(session: Session, actor: Actor, po: PurchaseOrder) -> list[ReceiptGroup]:
    """The order's receipts, newest first, in one query."""
    check_permission(actor, Perm.CATALOG_VIEW)
    ids = [x.id for x in po.lines]
    if not ids:
        return []
    p = MaterialPackage
    rows = session.execute(
        select(p.po_line_id, p.received_at, func.count(), func.sum(p.quantity))
        .where(p.po_line_id.in_(ids))
        .group_by(p.po_line_id, p.received_at)
        .order_by(p.received_at.desc(), p.po_line_id)
    )
    return [
        ReceiptGroup(line_id, at, n, int(total))
        for line_id, at, n, total in rows
        if line_id is not None  # never: the filter names lines; this tells the type checker
    ]


def packages_of_receipt(
    session: Session, actor: Actor, line_id: int, received_at: datetime
) -> Sequence[MaterialPackage]:
    """The packages received against a line at one time (for their labels)."""
    check_permission(actor, Perm.CATALOG_VIEW)
    found = session.scalars(
        select(MaterialPackage)
        .where(MaterialPackage.po_line_id == line_id, MaterialPackage.received_at == received_at)
        .order_by(MaterialPackage.id)
    ).all()
    if not found:
        raise NotFound(f"no packages received against line {line_id} at {received_at}")
    return found


# --- document -----------------------------------------------------------------------------


def po_pdf(session: Session, actor: Actor, po_id: int, *, compress: bool = True) -> bytes:
    """The order as a PDF for the supplier."""
    po = access_po(session, actor, po_id)
    customer = session.get(Customer, po.customer_id) if po.customer_id else None
    document = purchase_pdf.PoDocument(
        number=po.number,
        state=_state(po).label,
        supplier=f"{po.supplier.name} ({po.supplier.code})",
        currency=po.currency,
        created_at=po.created_at,
        approved_by=po.approved_by,
        approved_at=po.approved_at,
        sent_at=po.sent_at,
        customer=f"{customer.name} ({customer.code})" if customer else None,
        notes=po.notes,
        lines=[
            purchase_pdf.PoDocumentLine(
                position=x.position,
                item_number=x.item_part.item.number,
                manufacturer=x.item_part.manufacturer.name,
                mpn=x.item_part.mpn,
                quantity=x.quantity,
                unit_price=Decimal(x.unit_price),
                due_date=x.due_date,
                total=line_total(x.quantity, x.unit_price),
            )
            for x in po.lines
        ],
    )
    return purchase_pdf.purchase_order_pdf(document, compress=compress)
