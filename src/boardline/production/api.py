"""JSON API of production: work orders (list, get, create by hand or for a sales order)."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from boardline.core.errors import InvalidInput
from boardline.production import work_orders
from boardline.production.tables import WorkOrder
from boardline.supply import sales
from boardline.web.deps import ApiCtx

router = APIRouter(prefix="/api/work-orders", tags=["production"])


class WorkOrderIn(BaseModel):
    """By hand: ``revision_id``, ``quantity`` and both dates. For a sales order:
    ``sales_order_id``; the rest defaults from the order (see the sales order rules)."""

    sales_order_id: int | None = None
    revision_id: int | None = None
    quantity: int | None = None
    start_date: date | None = None
    due_date: date | None = None
    stage: str | None = None
    notes: str = ""


class WorkOrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    customer_id: int
    revision_id: int
    sales_order_id: int | None
    stage: str
    quantity: int
    completed_quantity: int
    scrapped_quantity: int
    start_date: date
    due_date: date
    state: str
    notes: str
    created_at: datetime
    version: int


class VersionIn(BaseModel):
    reason: str = ""
    expected_version: int | None = None
    # Releasing despite the checks: a person's reason and signature (tokens cannot sign).
    override_reason: str | None = None
    password: str | None = None


def _out(order: WorkOrder) -> WorkOrderOut:
    return WorkOrderOut.model_validate(order)


@router.get("")
def get_work_orders(
    ctx: ApiCtx, state: str = "open", sales_order_id: int | None = None
) -> list[WorkOrderOut]:
    """``state``: open (draft, released, in progress), all, or one state."""
    with ctx.read() as s:
        orders = work_orders.list_work_orders(
            s,
            ctx.actor,
            open_only=state == "open",
            state=None if state in ("open", "all") else state,
            sales_order_id=sales_order_id,
        )
        return [_out(o) for o in orders]


@router.post("", status_code=201)
def post_work_order(ctx: ApiCtx, body: WorkOrderIn) -> WorkOrderOut:
    with ctx.write() as s:
        if body.sales_order_id is not None:
            if body.revision_id is not None:
                raise InvalidInput(
                    "give sales_order_id or revision_id, not both: a sales order names its "
                    "revision",
                    field="revision_id",
                )
            order = sales.do_create_work_order_for(
                s,
                ctx.actor,
                body.sales_order_id,
                quantity=body.quantity,
                start_date=body.start_date,
                due_date=body.due_date,
                stage=body.stage,
                notes=body.notes,
            )
            return _out(order)
        if (
            body.revision_id is None
            or body.quantity is None
            or body.start_date is None
            or body.due_date is None
        ):
            missing = [
                name
                for name in ("revision_id", "quantity", "start_date", "due_date")
                if getattr(body, name) is None
            ]
            raise InvalidInput(f"a work order by hand needs {', '.join(missing)}", field=missing[0])
        order = work_orders.do_create_work_order(
            s,
            ctx.actor,
            work_orders.NewWorkOrder(
                revision_id=body.revision_id,
                quantity=body.quantity,
                start_date=body.start_date,
                due_date=body.due_date,
                stage=body.stage or work_orders.BUILD_STAGES[0],
                notes=body.notes,
            ),
        )
        return _out(order)


@router.get("/{work_order_id}")
def get_work_order(ctx: ApiCtx, work_order_id: int) -> WorkOrderOut:
    with ctx.read() as s:
        return _out(work_orders.access_work_order(s, ctx.actor, work_order_id))


@router.post("/{work_order_id}/release")
def release_work_order(ctx: ApiCtx, work_order_id: int, body: VersionIn) -> WorkOrderOut:
    with ctx.write() as s:
        order = work_orders.do_release_work_order(
            s,
            ctx.actor,
            work_order_id,
            expected_version=body.expected_version,
            override_reason=body.override_reason,
            password=body.password,
        )
        return _out(order)


@router.post("/{work_order_id}/cancel")
def cancel_work_order(ctx: ApiCtx, work_order_id: int, body: VersionIn) -> WorkOrderOut:
    with ctx.write() as s:
        order = work_orders.do_cancel_work_order(
            s, ctx.actor, work_order_id, reason=body.reason, expected_version=body.expected_version
        )
        return _out(order)
