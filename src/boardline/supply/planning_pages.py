"""MRP pages (run the plan; planned purchases with their best offer; shortages; clear to
build) and the excess and obsolete report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from boardline.core import clock
from boardline.core.auth import Perm
from boardline.core.services import list_customers
from boardline.supply import excess, planning
from boardline.web import nav
from boardline.web.deps import PageCtx
from boardline.web.templating import render, submit

router = APIRouter(include_in_schema=False)

nav.register(
    nav.NavSection(
        "Materials",
        [nav.NavItem("MRP and clear to build", "/supply/mrp", Perm.CATALOG_VIEW)],
        order=20,
    )
)

ROWS = 300  # a page a buyer reads; the API and ``boardline mrp run --json`` give all of it


@router.get("/supply/mrp", response_class=HTMLResponse)
def mrp_page(
    ctx: PageCtx,
    item: Annotated[str, Query()] = "",
    late: Annotated[str, Query()] = "",
) -> HTMLResponse:
    with ctx.read() as s:
        run = planning.latest_run(s, ctx.actor)
        planned = planning.planned_orders(
            s, ctx.actor, purchases_only=True, late_only=bool(late), node=item, limit=ROWS
        )
        advice = planning.purchase_advice(s, planned)
        made = planning.planned_orders(s, ctx.actor, node=item, limit=ROWS)
        short = planning.shortages(s, ctx.actor, node=item, limit=ROWS)
        readiness = planning.clear_to_build(s, ctx.actor)
    return render(
        ctx.request,
        "supply/mrp.html",
        ctx.actor,
        run=run,
        planned=planned,
        builds=[p for p in made if not p.is_purchase],
        advice=advice,
        shortages=short,
        readiness=readiness,
        item=item,
        late=late,
        rows=ROWS,
    )


@router.post("/supply/mrp/run")
def run_mrp(ctx: PageCtx) -> RedirectResponse:
    today = clock.today(ctx.settings.tz)

    def act(s: Session) -> str:
        outcome = planning.do_run_mrp(s, ctx.actor, today=today)
        counts = outcome.run.counts
        return (
            f"MRP run {outcome.run.id}: {counts['planned_purchases']} planned purchases, "
            f"{counts['shortages']} shortages, {counts['clear_to_build']} of "
            f"{counts['work_orders']} work orders clear to build."
        )

    return submit(ctx, act, back="/supply/mrp", failed="MRP did not run")


@router.post("/supply/mrp/order")
def order_planned(
    ctx: PageCtx, planned: Annotated[list[int] | None, Form()] = None
) -> RedirectResponse:
    """Ticked planned purchases become draft purchase orders, one per supplier."""
    today = clock.today(ctx.settings.tz)

    def act(s: Session) -> tuple[str, str]:
        orders = planning.do_order_planned(s, ctx.actor, planned or [], today=today)
        numbers = ", ".join(po.number for po in orders)
        target = (
            f"/supply/purchase-orders/{orders[0].id}"
            if len(orders) == 1
            else ("/supply/purchase-orders")
        )
        return f"Draft purchase orders {numbers} created: review, approve and send.", target

    return submit(ctx, act, back="/supply/mrp", failed="No purchase order created")


nav.register(
    nav.NavSection(
        "Materials",
        [nav.NavItem("Excess and obsolete", "/supply/excess", Perm.SALES_VIEW)],
        order=20,
    )
)


@router.get("/supply/excess", response_class=HTMLResponse)
def excess_page(ctx: PageCtx, customer: Annotated[int | None, Query()] = None) -> HTMLResponse:
    with ctx.read() as s:
        customers = list_customers(s, ctx.actor)
        if customer is None and ctx.actor.is_customer:
            customer = ctx.actor.customer_id
        report = (
            excess.excess_report(s, ctx.actor, customer, clock.today(ctx.settings.tz))
            if customer is not None
            else None
        )
    return render(ctx.request, "supply/excess.html", ctx.actor, customers=customers, report=report)
