"""JSON API of purchase orders: list, read, create with lines, approve, send, cancel,
close, and receive packages against a line."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from boardline.core.errors import NotFound
from boardline.supply import packages, purchasing
from boardline.supply.tables import PurchaseOrder
from boardline.web.deps import ApiCtx

router = APIRouter(prefix="/api/purchase-orders", tags=["purchasing"])


class LineIn(BaseModel):
    manufacturer: str
    mpn: str
    quantity: int
    unit_price: Decimal | None = Field(None, description="empty: the supplier's offer price")
    due_date: date | None = Field(None, description="empty: today plus the offer's lead time")


class PurchaseOrderIn(BaseModel):
    supplier_id: int
    customer_id: int | None = None
    notes: str = ""
    lines: list[LineIn] = []


class VersionIn(BaseModel):
    version: int | None = Field(None, description="the version you saw; refused if changed")


class ReasonIn(VersionIn):
    reason: str


class ReceiveIn(BaseModel):
    quantity: int = Field(description="parts in each package")
    count: int = Field(1, description="how many packages alike")
    packaging: str = "reel"
    lot: str = ""
    date_code: str = ""
    uid: str | None = Field(None, description="a package ID already on the package")
    sealed: bool = True
    reason: str | None = Field(None, description="needed to accept more than is open")
    tol_hours: float | None = Field(None, description="MSL 6 parts: the time on the label")


class LineOut(BaseModel):
    id: int
    position: int
    item_number: str
    manufacturer: str
    mpn: str
    quantity: int
    received_quantity: int
    open_quantity: int
    unit_price: str
    due_date: date
    version: int


class PurchaseOrderOut(BaseModel):
    id: int
    number: str
    state: str
    supplier_id: int
    supplier: str
    customer_id: int | None
    currency: str
    notes: str
    created_by: str
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    sent_at: datetime | None
    closed_at: datetime | None
    total: str
    version: int
    lines: list[LineOut]


class ReceivedOut(BaseModel):
    packages: list[str]
    order: PurchaseOrderOut


def _out(po: PurchaseOrder) -> PurchaseOrderOut:
    return PurchaseOrderOut(
        id=po.id,
        number=po.number,
        state=po.state,
        supplier_id=po.supplier_id,
        supplier=po.supplier.code,
        customer_id=po.customer_id,
        currency=po.currency,
        notes=po.notes,
        created_by=po.created_by,
        created_at=po.created_at,
        approved_by=po.approved_by,
        approved_at=po.approved_at,
        sent_at=po.sent_at,
        closed_at=po.closed_at,
        total=str(
            sum(
                (purchasing.line_total(x.quantity, x.unit_price) for x in po.lines), Decimal("0.00")
            )
        ),
        version=po.version,
        lines=[
            LineOut(
                id=x.id,
                position=x.position,
                item_number=x.item_part.item.number,
                manufacturer=x.item_part.manufacturer.name,
                mpn=x.item_part.mpn,
                quantity=x.quantity,
                received_quantity=x.received_quantity,
                open_quantity=purchasing.open_quantity(x),
                unit_price=x.unit_price,
                due_date=x.due_date,
                version=x.version,
            )
            for x in po.lines
        ],
    )


@router.get("")
def get_orders(ctx: ApiCtx, state: str | None = None) -> list[PurchaseOrderOut]:
    with ctx.read() as s:
        return [_out(po) for po in purchasing.list_pos(s, ctx.actor, state=state)]


@router.post("", status_code=201)
def post_order(ctx: ApiCtx, body: PurchaseOrderIn) -> PurchaseOrderOut:
    with ctx.write() as s:
        po = purchasing.do_create_po(
            s,
            ctx.actor,
            supplier_id=body.supplier_id,
            customer_id=body.customer_id,
            notes=body.notes,
        )
        for line in body.lines:
            purchasing.do_add_line(
                s,
                ctx.actor,
                po.id,
                manufacturer=line.manufacturer,
                mpn=line.mpn,
                quantity=line.quantity,
                unit_price=line.unit_price,
                due_date=line.due_date,
            )
        return _out(po)


@router.get("/{po_id}")
def get_order(ctx: ApiCtx, po_id: int) -> PurchaseOrderOut:
    with ctx.read() as s:
        return _out(purchasing.access_po(s, ctx.actor, po_id))


@router.post("/{po_id}/approve")
def approve(ctx: ApiCtx, po_id: int, body: VersionIn | None = None) -> PurchaseOrderOut:
    with ctx.write() as s:
        version = body.version if body else None
        return _out(purchasing.do_approve(s, ctx.actor, po_id, expected_version=version))


@router.post("/{po_id}/send")
def send(ctx: ApiCtx, po_id: int, body: VersionIn | None = None) -> PurchaseOrderOut:
    with ctx.write() as s:
        version = body.version if body else None
        return _out(purchasing.do_send(s, ctx.actor, po_id, expected_version=version))


@router.post("/{po_id}/cancel")
def cancel(ctx: ApiCtx, po_id: int, body: ReasonIn) -> PurchaseOrderOut:
    with ctx.write() as s:
        return _out(
            purchasing.do_cancel(
                s, ctx.actor, po_id, reason=body.reason, expected_version=body.version
            )
        )


@router.post("/{po_id}/close")
def close(ctx: ApiCtx, po_id: int, body: ReasonIn) -> PurchaseOrderOut:
    with ctx.write() as s:
        return _out(
            purchasing.do_close(
                s, ctx.actor, po_id, reason=body.reason, expected_version=body.version
            )
        )


@router.post("/{po_id}/lines/{line_id}/receive", status_code=201)
def receive(ctx: ApiCtx, po_id: int, line_id: int, body: ReceiveIn) -> ReceivedOut:
    """Receive ``count`` packages of ``quantity`` each against the line; answers their IDs."""
    with ctx.write() as s:
        po = purchasing.access_po(s, ctx.actor, po_id)
        if line_id not in {x.id for x in po.lines}:
            raise NotFound(f"line {line_id} is not on {po.number}")
        made = packages.do_receive_many(
            s,
            ctx.actor,
            packages.Receipt(
                manufacturer="",
                mpn="",
                quantity=body.quantity,
                packaging=body.packaging,
                lot=body.lot,
                date_code=body.date_code,
                sealed=body.sealed,
                po_line_id=line_id,
                uid=body.uid,
                reason=body.reason,
                tol_hours=body.tol_hours,
            ),
            body.count,
        )
        return ReceivedOut(packages=[p.uid for p in made], order=_out(po))
