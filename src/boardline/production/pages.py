"""Production pages: work orders (list, by hand, release, cancel).

The "Orders" navigation section, which lists work orders too, is registered by the sales
pages so its items come in the order work flows.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from boardline.core.auth import Perm, check_permission
from boardline.core.errors import InvalidInput
from boardline.production import work_orders
from boardline.supply import sales
from boardline.web.deps import PageCtx
from boardline.web.templating import render, submit

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form()]
STATE_FILTERS = ("open", "all", *work_orders.STATES)


def _version(value: str) -> int | None:
    try:
        return int(value) if value.strip() else None
    except ValueError:
        raise InvalidInput(f"{value!r} is not a record version", field="version") from None


@router.get("/production/work-orders", response_class=HTMLResponse)
def work_orders_page(ctx: PageCtx, state: str = "open") -> HTMLResponse:
    if state not in STATE_FILTERS:
        raise InvalidInput(f"state {state!r}: one of {', '.join(STATE_FILTERS)}", field="state")
    with ctx.read() as s:
        orders = work_orders.list_work_orders(
            s,
            ctx.actor,
            open_only=state == "open",
            state=state if state in work_orders.STATES else None,
        )
        refs = work_orders.revision_refs(s, ctx.actor, (o.revision_id for o in orders))
    return render(
        ctx.request,
        "production/wo_list.html",
        ctx.actor,
        orders=orders,
        refs=refs,
        state=state,
        states=STATE_FILTERS,
        tones=work_orders.STATE_TONES,
    )


@router.get("/production/work-orders/new", response_class=HTMLResponse)
def new_work_order_page(ctx: PageCtx, customer: int | None = None) -> HTMLResponse:
    check_permission(ctx.actor, Perm.PLANNING)
    with ctx.read() as s:
        customers, chosen, revisions = work_orders.revision_choice(s, ctx.actor, customer)
    return render(
        ctx.request,
        "production/wo_new.html",
        ctx.actor,
        customers=customers,
        chosen=chosen,
        revisions=revisions,
        stages=work_orders.BUILD_STAGES,
    )


@router.get("/production/work-orders/revision-options", response_class=HTMLResponse)
def revision_options(ctx: PageCtx, customer: int) -> HTMLResponse:
    with ctx.read() as s:
        revisions = work_orders.revisions_of_customer(s, ctx.actor, customer)
    return render(ctx.request, "production/revision_options.html", ctx.actor, revisions=revisions)


@router.post("/production/work-orders")
def create_work_order(
    ctx: PageCtx,
    revision: Annotated[int, Form()],
    quantity: Annotated[int, Form()],
    start_date: Annotated[date, Form()],
    due_date: Annotated[date, Form()],
    stage: Text,
    notes: Text = "",
) -> RedirectResponse:
    def act(s: Session) -> tuple[str, str]:
        order = work_orders.do_create_work_order(
            s,
            ctx.actor,
            work_orders.NewWorkOrder(
                revision_id=revision,
                quantity=quantity,
                start_date=start_date,
                due_date=due_date,
                stage=stage,
                notes=notes,
            ),
        )
        return f"Work order {order.number} created.", f"/production/work-orders/{order.id}"

    return submit(ctx, act, back="/production/work-orders/new", failed="Work order not created")


@router.get("/production/work-orders/{work_order_id}", response_class=HTMLResponse)
def work_order_page(ctx: PageCtx, work_order_id: int) -> HTMLResponse:
    with ctx.read() as s:
        order = work_orders.access_work_order(s, ctx.actor, work_order_id)
        ref = work_orders.revision_refs(s, ctx.actor, [order.revision_id])[order.revision_id]
        # Operators see work orders but not sales: they get the link without the number.
        sales_order = (
            sales.access_sales_order(s, ctx.actor, order.sales_order_id)
            if order.sales_order_id is not None and ctx.actor.can(Perm.SALES_VIEW)
            else None
        )
        checks = (
            work_orders.release_problems(s, ctx.actor, order)
            if "released" in work_orders.MOVES[order.state] and ctx.actor.can(Perm.PLANNING)
            else []
        )
    return render(
        ctx.request,
        "production/wo_page.html",
        ctx.actor,
        order=order,
        ref=ref,
        sales_order=sales_order,
        tones=work_orders.STATE_TONES,
        can_release="released" in work_orders.MOVES[order.state],
        checks=checks,
        can_cancel="cancelled" in work_orders.MOVES[order.state],
    )


@router.post("/production/work-orders/{work_order_id}/release")
def release(
    ctx: PageCtx,
    work_order_id: int,
    version: Text = "",
    override_reason: Text = "",
    password: Text = "",
) -> RedirectResponse:
    def act(s: Session) -> str:
        order = work_orders.do_release_work_order(
            s,
            ctx.actor,
            work_order_id,
            expected_version=_version(version),
            override_reason=override_reason or None,
            password=password or None,
        )
        signed = " (override signed)" if override_reason else ""
        return f"Work order {order.number} released{signed}."

    return submit(ctx, act, back=f"/production/work-orders/{work_order_id}", failed="Not released")


@router.post("/production/work-orders/{work_order_id}/cancel")
def cancel(
    ctx: PageCtx, work_order_id: int, reason: Text = "", version: Text = ""
) -> RedirectResponse:
    def act(s: Session) -> str:
        order = work_orders.do_cancel_work_order(
            s, ctx.actor, work_order_id, reason=reason, expected_version=_version(version)
        )
        return f"Work order {order.number} cancelled."

    return submit(ctx, act, back=f"/production/work-orders/{work_order_id}", failed="Not cancelled")
