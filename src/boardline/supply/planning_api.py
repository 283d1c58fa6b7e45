"""JSON API of MRP (run it, read the latest plan, a work order's clear-to-build) and of
the excess and obsolete report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi import APIRouter
from pydantic import BaseModel

from boardline.core import clock
from boardline.core.errors import NotFound
from boardline.production import work_orders
from boardline.supply import excess, planning
from boardline.supply.tables import MrpRun
from boardline.web.deps import ApiCtx

router = APIRouter()
mrp_router = APIRouter(prefix="/api/mrp", tags=["mrp"])
excess_router = APIRouter(prefix="/api/excess", tags=["mrp"])


class RunOut(BaseModel):
    id: int
    today: date
    actor: str
    seconds: float
    counts: dict[str, int]
    warnings: list[str]


class PlannedOut(BaseModel):
    item: str
    item_id: int | None
    quantity: int
    need_date: date
    release_date: date
    late: bool
    purchase: bool
    pegging: list[str]
    supplier: str | None = None
    purchase_quantity: int | None = None
    unit_price: Decimal | None = None


class ShortageOut(BaseModel):
    item: str
    need_date: date
    quantity: int
    covered_on: date
    pegging: list[str]


class ComponentOut(BaseModel):
    item: str
    required: int
    available: int
    short: int
    covered_on: date | None


class ReadinessOut(BaseModel):
    work_order: str
    start: date
    clear: bool
    clear_on: date
    components: list[ComponentOut]


def _run_out(run: MrpRun) -> RunOut:
    return RunOut(
        id=run.id,
        today=run.today,
        actor=run.actor,
        seconds=run.seconds,
        counts=run.counts,
        warnings=run.warnings,
    )


@mrp_router.post("/run", status_code=201)
def run_mrp(ctx: ApiCtx) -> RunOut:
    """Replan everything from scratch as of today (site time zone) and store the plan."""
    with ctx.write() as s:
        outcome = planning.do_run_mrp(s, ctx.actor, today=clock.today(ctx.settings.tz))
        return _run_out(outcome.run)


@mrp_router.get("")
def latest(ctx: ApiCtx) -> RunOut:
    with ctx.read() as s:
        return _run_out(planning.require_latest_run(s, ctx.actor))


@mrp_router.get("/planned-orders")
def planned_orders(
    ctx: ApiCtx,
    item: str = "",
    purchases_only: bool = False,
    late_only: bool = False,
    limit: int = 5000,
) -> list[PlannedOut]:
    """Planned orders of the latest run, earliest release first, with the best offer."""
    with ctx.read() as s:
        planning.require_latest_run(s, ctx.actor)
        rows = planning.planned_orders(
            s,
            ctx.actor,
            purchases_only=purchases_only,
            late_only=late_only,
            node=item,
            limit=min(max(limit, 1), 100_000),
        )
        advice = planning.purchase_advice(s, rows)
        out = []
        for r in rows:
            a = advice.get(r.id)
            out.append(
                PlannedOut(
                    item=r.node,
                    item_id=r.item_id,
                    quantity=r.quantity,
                    need_date=r.need_date,
                    release_date=r.release_date,
                    late=r.late,
                    purchase=r.is_purchase,
                    pegging=r.pegging.split(),
                    supplier=a.supplier if a else None,
                    purchase_quantity=a.quantity if a else None,
                    unit_price=a.unit_price if a else None,
                )
            )
        return out


@mrp_router.get("/shortages")
def shortages(ctx: ApiCtx, item: str = "", limit: int = 5000) -> list[ShortageOut]:
    with ctx.read() as s:
        planning.require_latest_run(s, ctx.actor)
        return [
            ShortageOut(
                item=r.node,
                need_date=r.need_date,
                quantity=r.quantity,
                covered_on=r.covered_on,
                pegging=r.pegging.split(),
            )
            for r in planning.shortages(s, ctx.actor, node=item, limit=min(max(limit, 1), 100_000))
        ]


def _readiness_out(r: planning.WorkOrderReadiness) -> ReadinessOut:
    return ReadinessOut(
        work_order=r.number,
        start=r.start,
        clear=r.clear,
        clear_on=r.clear_on,
        components=[
            ComponentOut(
                item=c.node,
                required=c.required,
                available=c.available,
                short=c.short,
                covered_on=c.covered_on,
            )
            for c in r.components
        ],
    )


@mrp_router.get("/clear-to-build")
def clear_to_build(ctx: ApiCtx) -> list[ReadinessOut]:
    with ctx.read() as s:
        planning.require_latest_run(s, ctx.actor)
        return [_readiness_out(r) for r in planning.clear_to_build(s, ctx.actor)]


@mrp_router.get("/clear-to-build/{work_order}")
def work_order_clear_to_build(ctx: ApiCtx, work_order: str) -> ReadinessOut:
    """One work order's answer from the latest run: what is short, by how much, and when."""
    with ctx.read() as s:
        planning.require_latest_run(s, ctx.actor)
        order = work_orders.find_work_order(s, ctx.actor, work_order)
        answers = planning.clear_to_build(s, ctx.actor, order.id)
        if not answers:
            raise NotFound(
                f"work order {order.number} was not in the latest MRP run; run MRP again"
            )
        return _readiness_out(answers[0])


class ExcessLineOut(BaseModel):
    item: str
    description: str
    lifecycle: str
    held: int
    consigned: int
    on_order: int
    needed: int
    excess: int
    unit_price: Decimal | None
    value: Decimal | None
    reason: str


class ExcessOut(BaseModel):
    customer: str
    today: date
    total_value: Decimal
    lines: list[ExcessLineOut]


@excess_router.get("/{customer_id}")
def excess_report(ctx: ApiCtx, customer_id: int) -> ExcessOut:
    """Excess and obsolete material of one customer (a customer token sees only its own)."""
    with ctx.read() as s:
        report = excess.excess_report(s, ctx.actor, customer_id, clock.today(ctx.settings.tz))
        return ExcessOut(
            customer=report.customer.code,
            today=report.today,
            total_value=report.total_value,
            lines=[
                ExcessLineOut(
                    item=line.item,
                    description=line.description,
                    lifecycle=line.lifecycle,
                    held=line.held,
                    consigned=line.consigned,
                    on_order=line.on_order,
                    needed=line.needed,
                    excess=line.excess,
                    unit_price=line.unit_price,
                    value=line.value,
                    reason=line.reason,
                )
                for line in report.lines
            ],
        )


router.include_router(mrp_router)
router.include_router(excess_router)
