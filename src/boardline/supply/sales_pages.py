"""Sales pages: sales orders, the work orders made from them, shipments and packing lists.

Customer users see their own orders and shipments; the forms are for staff who may use them.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from boardline.core import services as core_services
from boardline.core.auth import Perm, check_permission
from boardline.core.errors import BoardlineError, InvalidInput
from boardline.production import work_orders
from boardline.supply import sales
from boardline.supply.packing_list import packing_list_pdf
from boardline.web import nav
from boardline.web.deps import PageCtx
from boardline.web.templating import flash, render, submit

router = APIRouter(include_in_schema=False)

# Both items are registered here so the section reads in the order work flows (order, then
# build) whichever domain's pages load first.
nav.register(
    nav.NavSection(
        "Orders",
        [
            nav.NavItem("Sales orders", "/supply/sales-orders", Perm.SALES_VIEW),
            nav.NavItem("Work orders", "/production/work-orders", Perm.PRODUCTION_VIEW),
        ],
        order=25,
    )
)

Text = Annotated[str, Form()]
STATE_FILTERS = ("open", "all", *[s for s in sales.STATES if s != "open"])


def _day(value: str, field: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)", field=field) from None


def _count(value: str, field: str) -> int | None:
    if not value.strip():
        return None
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidInput(f"{value!r} is not a whole number", field=field) from None


@router.get("/supply/sales-orders", response_class=HTMLResponse)
def sales_orders_page(ctx: PageCtx, state: str = "open") -> HTMLResponse:
    with ctx.read() as s:
        orders = sales.list_sales_orders(s, ctx.actor, state=state)
        refs = work_orders.revision_refs(s, ctx.actor, (o.revision_id for o in orders))
    return render(
        ctx.request,
        "supply/so_list.html",
        ctx.actor,
        orders=orders,
        refs=refs,
        state=state,
        states=STATE_FILTERS,
        tones=sales.STATE_TONES,
    )


@router.get("/supply/sales-orders/new", response_class=HTMLResponse)
def new_sales_order_page(ctx: PageCtx, customer: int | None = None) -> HTMLResponse:
    check_permission(ctx.actor, Perm.SALES_MANAGE)
    with ctx.read() as s:
        customers, chosen, revisions = work_orders.revision_choice(s, ctx.actor, customer)
    return render(
        ctx.request,
        "supply/so_new.html",
        ctx.actor,
        customers=customers,
        chosen=chosen,
        revisions=revisions,
    )


@router.get("/supply/sales-orders/revision-options", response_class=HTMLResponse)
def revision_options(ctx: PageCtx, customer: int) -> HTMLResponse:
    """The revision choices of one customer, swapped into the form when the customer changes."""
    with ctx.read() as s:
        revisions = work_orders.revisions_of_customer(s, ctx.actor, customer)
    return render(ctx.request, "supply/so_revision_options.html", ctx.actor, revisions=revisions)


@router.post("/supply/sales-orders")
def create_sales_order(
    ctx: PageCtx,
    customer: Annotated[int, Form()],
    revision: Annotated[int, Form()],
    quantity: Annotated[int, Form()],
    due_date: Annotated[date, Form()],
    customer_po: Text = "",
) -> RedirectResponse:
    def act(s: Session) -> tuple[str, str]:
        order = sales.do_create_sales_order(
            s,
            ctx.actor,
            sales.NewSalesOrder(
                customer_id=customer,
                revision_id=revision,
                quantity=quantity,
                due_date=due_date,
                customer_po=customer_po,
            ),
        )
        return f"Sales order {order.number} created.", f"/supply/sales-orders/{order.id}"

    return submit(
        ctx,
        act,
        back=f"/supply/sales-orders/new?customer={customer}",
        failed="Sales order not created",
    )


@router.get("/supply/sales-orders/{sales_order_id}", response_class=HTMLResponse)
def sales_order_page(ctx: PageCtx, sales_order_id: int) -> HTMLResponse:
    with ctx.read() as s:
        order = sales.access_sales_order(s, ctx.actor, sales_order_id)
        customer = core_services.access_customer(s, ctx.actor, order.customer_id)
        ref = work_orders.revision_refs(s, ctx.actor, [order.revision_id])[order.revision_id]
        built = (
            work_orders.list_work_orders(s, ctx.actor, sales_order_id=order.id)
            if ctx.actor.can(Perm.PRODUCTION_VIEW)
            else []
        )
        building = work_orders.open_quantity_for_sales_order(s, order.id)
        shipments = sales.shipments_of(s, ctx.actor, order.id)
    return render(
        ctx.request,
        "supply/so_page.html",
        ctx.actor,
        order=order,
        customer=customer,
        ref=ref,
        work_orders=built,
        uncovered=sales.uncovered_quantity(order.quantity, order.shipped_quantity, building),
        shipments=shipments,
        stages=work_orders.BUILD_STAGES,
        tones=sales.STATE_TONES,
        wo_tones=work_orders.STATE_TONES,
    )


@router.post("/supply/sales-orders/{sales_order_id}/work-orders")
def create_work_order(
    ctx: PageCtx,
    sales_order_id: int,
    quantity: Text = "",
    start_date: Text = "",
    due_date: Text = "",
    stage: Text = "",
) -> RedirectResponse:
    def act(s: Session) -> str:
        order = sales.do_create_work_order_for(
            s,
            ctx.actor,
            sales_order_id,
            quantity=_count(quantity, "quantity"),
            start_date=_day(start_date, "start_date"),
            due_date=_day(due_date, "due_date"),
            stage=stage.strip() or None,
        )
        return f"Work order {order.number} created for {order.quantity} units."

    return submit(
        ctx, act, back=f"/supply/sales-orders/{sales_order_id}", failed="Work order not created"
    )


@router.post("/supply/sales-orders/{sales_order_id}/ship")
def ship(
    ctx: PageCtx,
    sales_order_id: int,
    serials: Text,
    carrier: Text = "",
    tracking: Text = "",
) -> RedirectResponse:
    # One serial a line as a scanner types them; blank lines (a trailing Enter) are no serial.
    scanned = [line for line in serials.splitlines() if line.strip()]

    def act(s: Session) -> str:
        shipment = sales.do_ship(
            s, ctx.actor, sales_order_id, scanned, carrier=carrier, tracking=tracking
        )
        return f"Shipment {shipment.number} recorded with {len(scanned)} serials."

    return submit(ctx, act, back=f"/supply/sales-orders/{sales_order_id}", failed="Not shipped")


@router.post("/supply/sales-orders/{sales_order_id}/cancel")
def cancel(
    ctx: PageCtx, sales_order_id: int, reason: Text = "", version: Text = ""
) -> RedirectResponse:
    def act(s: Session) -> str:
        order = sales.do_cancel_sales_order(
            s, ctx.actor, sales_order_id, reason=reason, expected_version=_count(version, "version")
        )
        still = work_orders.list_work_orders(s, ctx.actor, open_only=True, sales_order_id=order.id)
        if still:
            names = ", ".join(w.number for w in still)
            return f"Sales order {order.number} cancelled. Still open: {names}."
        return f"Sales order {order.number} cancelled."

    return submit(ctx, act, back=f"/supply/sales-orders/{sales_order_id}", failed="Not cancelled")


@router.post("/supply/sales-orders/{sales_order_id}/close")
def close(
    ctx: PageCtx, sales_order_id: int, reason: Text = "", version: Text = ""
) -> RedirectResponse:
    def act(s: Session) -> str:
        order = sales.do_close_sales_order(
            s, ctx.actor, sales_order_id, reason=reason, expected_version=_count(version, "version")
        )
        return f"Sales order {order.number} closed."

    return submit(ctx, act, back=f"/supply/sales-orders/{sales_order_id}", failed="Not closed")


@router.get("/supply/shipments/{shipment_id}", response_class=HTMLResponse)
def shipment_page(ctx: PageCtx, shipment_id: int, serial: str = "") -> HTMLResponse:
    with ctx.read() as s:
        shipment = sales.access_shipment(s, ctx.actor, shipment_id)
        order = sales.access_sales_order(s, ctx.actor, shipment.sales_order_id)
        serials = sales.shipment_serials(s, ctx.actor, shipment_id)
    return render(
        ctx.request,
        "supply/shipment_page.html",
        ctx.actor,
        shipment=shipment,
        order=order,
        serials=serials,
        wanted=serial.strip(),
    )


@router.get("/supply/shipments/{shipment_id}/packing-list.pdf")
def packing_list(ctx: PageCtx, shipment_id: int) -> Response:
    with ctx.read() as s:
        doc = sales.packing_list_of(s, ctx.actor, shipment_id, tz=ctx.settings.tz)
    return Response(
        packing_list_pdf(doc),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="packing-list-{doc.shipment}.pdf"'},
    )


@router.get("/supply/where-shipped")
def where_shipped(ctx: PageCtx, serial: str = "") -> RedirectResponse:
    """Forward trace from the search box: to the shipment that carried the serial."""
    try:
        with ctx.read() as s:
            found = sales.where_shipped(s, ctx.actor, serial)
    except BoardlineError as exc:
        flash(ctx.request, exc.detail, "error")
        return RedirectResponse("/supply/sales-orders?state=all", status_code=303)
    return RedirectResponse(
        f"/supply/shipments/{found.shipment.id}?serial={quote(found.serial)}", status_code=303
    )
