"""JSON API of sales: sales orders, shipments of serials, packing lists, forward trace."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from boardline.supply import sales
from boardline.supply.packing_list import packing_list_pdf
from boardline.supply.tables import SalesOrder
from boardline.web.deps import ApiCtx

router = APIRouter(tags=["sales"])


class SalesOrderIn(BaseModel):
    customer_id: int
    revision_id: int
    quantity: int
    due_date: date
    customer_po: str = ""


class SalesOrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    customer_id: int
    revision_id: int
    quantity: int
    shipped_quantity: int
    due_date: date
    customer_po: str
    state: str
    created_at: datetime
    version: int


class ShipIn(BaseModel):
    serials: list[str] = Field(description="The serials shipped, as scanned")
    carrier: str = ""
    tracking: str = ""


class ShipmentOut(BaseModel):
    id: int
    number: str
    sales_order_id: int
    shipped_at: datetime
    shipped_by: str
    carrier: str
    tracking: str
    units: int


class ReasonIn(BaseModel):
    reason: str = ""
    expected_version: int | None = None


class ShippedWhereOut(BaseModel):
    serial: str
    shipment: ShipmentOut
    sales_order: SalesOrderOut
    customer_code: str
    customer_name: str


def _order(order: SalesOrder) -> SalesOrderOut:
    return SalesOrderOut.model_validate(order)


def _shipment(row: sales.ShipmentSummary) -> ShipmentOut:
    sh = row.shipment
    return ShipmentOut(
        id=sh.id,
        number=sh.number,
        sales_order_id=sh.sales_order_id,
        shipped_at=sh.shipped_at,
        shipped_by=sh.shipped_by,
        carrier=sh.carrier,
        tracking=sh.tracking,
        units=row.units,
    )


@router.get("/api/sales-orders")
def get_sales_orders(ctx: ApiCtx, state: str = "open") -> list[SalesOrderOut]:
    with ctx.read() as s:
        return [_order(o) for o in sales.list_sales_orders(s, ctx.actor, state=state)]


@router.post("/api/sales-orders", status_code=201)
def post_sales_order(ctx: ApiCtx, body: SalesOrderIn) -> SalesOrderOut:
    with ctx.write() as s:
        order = sales.do_create_sales_order(
            s,
            ctx.actor,
            sales.NewSalesOrder(
                customer_id=body.customer_id,
                revision_id=body.revision_id,
                quantity=body.quantity,
                due_date=body.due_date,
                customer_po=body.customer_po,
            ),
        )
        return _order(order)


@router.get("/api/sales-orders/{sales_order_id}")
def get_sales_order(ctx: ApiCtx, sales_order_id: int) -> SalesOrderOut:
    with ctx.read() as s:
        return _order(sales.access_sales_order(s, ctx.actor, sales_order_id))


@router.post("/api/sales-orders/{sales_order_id}/cancel")
def cancel_sales_order(ctx: ApiCtx, sales_order_id: int, body: ReasonIn) -> SalesOrderOut:
    with ctx.write() as s:
        order = sales.do_cancel_sales_order(
            s,
            ctx.actor,
            sales_order_id,
            reason=body.reason,
            expected_version=body.expected_version,
        )
        return _order(order)


@router.post("/api/sales-orders/{sales_order_id}/close")
def close_sales_order(ctx: ApiCtx, sales_order_id: int, body: ReasonIn) -> SalesOrderOut:
    with ctx.write() as s:
        order = sales.do_close_sales_order(
            s,
            ctx.actor,
            sales_order_id,
            reason=body.reason,
            expected_version=body.expected_version,
        )
        return _order(order)


@router.get("/api/sales-orders/{sales_order_id}/shipments")
def get_shipments(ctx: ApiCtx, sales_order_id: int) -> list[ShipmentOut]:
    with ctx.read() as s:
        return [_shipment(r) for r in sales.shipments_of(s, ctx.actor, sales_order_id)]


@router.post("/api/sales-orders/{sales_order_id}/shipments", status_code=201)
def ship(ctx: ApiCtx, sales_order_id: int, body: ShipIn) -> ShipmentOut:
    with ctx.write() as s:
        shipment = sales.do_ship(
            s, ctx.actor, sales_order_id, body.serials, carrier=body.carrier, tracking=body.tracking
        )
        return _shipment(sales.ShipmentSummary(shipment, len(body.serials)))


@router.get("/api/shipments/{shipment_id}/serials")
def get_serials(ctx: ApiCtx, shipment_id: int) -> list[str]:
    with ctx.read() as s:
        return sales.shipment_serials(s, ctx.actor, shipment_id)


@router.get(
    "/api/shipments/{shipment_id}/packing-list.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def get_packing_list(ctx: ApiCtx, shipment_id: int) -> Response:
    with ctx.read() as s:
        doc = sales.packing_list_of(s, ctx.actor, shipment_id, tz=ctx.settings.tz)
    return Response(
        packing_list_pdf(doc),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="packing-list-{doc.shipment}.pdf"'},
    )


@router.get("/api/shipped-units/{serial}")
def get_where_shipped(ctx: ApiCtx, serial: str) -> ShippedWhereOut:
    """Forward trace: the shipment, sales order and customer a serial went to."""
    with ctx.read() as s:
        found = sales.where_shipped(s, ctx.actor, serial)
        units = len(sales.shipment_serials(s, ctx.actor, found.shipment.id))
        return ShippedWhereOut(
            serial=found.serial,
            shipment=_shipment(sales.ShipmentSummary(found.shipment, units)),
            sales_order=_order(found.sales_order),
            customer_code=found.customer.code,
            customer_name=found.customer.name,
        )
