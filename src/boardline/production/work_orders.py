"""Work orders: create (from a sales order or by hand), find, list.

Only what materials need so far: MRP plans open work orders and kitting picks for them.
Release rules (revision stage, clear-to-build, override with e-signature), units and the
route come with the production issue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import InvalidInput
from boardline.core.numbering import next_number
from boardline.core.scoping import access_scoped, scoped
from boardline.npi import services as npi
from boardline.npi.rules import Stage
from boardline.production.tables import WorkOrder

STATES = ("draft", "released", "in_progress", "completed", "closed", "cancelled")
# Work orders whose material is still to be planned, kitted or used.
OPEN_STATES = ("draft", "released", "in_progress")
BUILD_STAGES = (Stage.PROTOTYPE.value, Stage.PILOT.value, Stage.MASS_PRODUCTION.value)


@dataclass(frozen=True, slots=True)
class NewWorkOrder:
    revision_id: int
    quantity: int
    start_date: date
    due_date: date
    stage: str = Stage.PROTOTYPE.value
    sales_order_id: int | None = None
    notes: str = ""


def do_create_work_order(session: Session, actor: Actor, new: NewWorkOrder) -> WorkOrder:
    """A draft work order for ``quantity`` of a revision, dated ``start_date`` → ``due_date``."""
    check_permission(actor, Perm.PLANNING)
    if new.quantity <= 0:
        raise InvalidInput(f"quantity {new.quantity}: must be at least 1", field="quantity")
    if new.stage not in BUILD_STAGES:
        raise InvalidInput(f"stage {new.stage!r}: one of {', '.join(BUILD_STAGES)}", field="stage")
    if new.due_date < new.start_date:
        raise InvalidInput(
            f"due date {new.due_date} is before the start date {new.start_date}", field="due_date"
        )
    revision = npi.access_revision(session, actor, new.revision_id)
    order = WorkOrder(
        number=next_number(session, WorkOrder.number, "WO"),
        customer_id=revision.product.customer_id,
        revision_id=revision.id,
        sales_order_id=new.sales_order_id,
        stage=new.stage,
        quantity=new.quantity,
        start_date=new.start_date,
        due_date=new.due_date,
        notes=new.notes.strip(),
    )
    session.add(order)
    session.flush()
    return order


def access_work_order(session: Session, actor: Actor, work_order_id: int) -> WorkOrder:
    check_permission(actor, Perm.PRODUCTION_VIEW)
    return access_scoped(
        session, actor, WorkOrder, work_order_id, owner_attr="customer_id", what="work order"
    )


def find_work_order(session: Session, actor: Actor, number: str) -> WorkOrder:
    check_permission(actor, Perm.PRODUCTION_VIEW)
    order_id = session.scalar(select(WorkOrder.id).where(WorkOrder.number == number.strip()))
    return access_work_order(session, actor, order_id if order_id is not None else -1)


def list_work_orders(
    session: Session, actor: Actor, *, open_only: bool = False, limit: int = 500
) -> Sequence[WorkOrder]:
    check_permission(actor, Perm.PRODUCTION_VIEW)
    stmt = scoped(select(WorkOrder), actor, WorkOrder.customer_id)
    if open_only:
        stmt = stmt.where(WorkOrder.state.in_(OPEN_STATES))
    return session.scalars(stmt.order_by(WorkOrder.due_date, WorkOrder.id).limit(limit)).all()
