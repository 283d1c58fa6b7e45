"""Work orders: create (from a sales order or by hand), find, list, release, cancel.

Only what materials and sales need so far: MRP plans open work orders, kitting picks for
them, sales orders are covered by them. Release here checks one thing, that the revision
has reached the stage the build is for; the full release rules (clear-to-build, override
with e-signature), units and the route come with the production issue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boardline.core.audit_trail import audit_reason
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import Conflict, InvalidInput
from boardline.core.numbering import next_number
from boardline.core.scoping import access_scoped, scoped
from boardline.core.services import check_reason, check_version, list_customers
from boardline.core.signatures import Meaning
from boardline.core.signing import do_sign
from boardline.core.tables import Customer
from boardline.npi import services as npi
from boardline.npi.rules import Stage
from boardline.npi.tables import Revision
from boardline.production.tables import RoutingRow, WorkOrder

STATES = ("draft", "released", "in_progress", "completed", "closed", "cancelled")
# Work orders whose material is still to be planned, kitted or used.
OPEN_STATES = ("draft", "released", "in_progress")
BUILD_STAGES = (Stage.PROTOTYPE.value, Stage.PILOT.value, Stage.MASS_PRODUCTION.value)
# Where each state may go. Starting, completing and closing come with units and the route.
MOVES: dict[str, frozenset[str]] = {
    "draft": frozenset({"released", "cancelled"}),
    "released": frozenset({"in_progress", "cancelled"}),
    "in_progress": frozenset({"completed"}),
    "completed": frozenset({"closed"}),
    "closed": frozenset(),
    "cancelled": frozenset(),
}
STATE_TONES = {"draft": "", "released": "ok", "in_progress": "warn", "cancelled": "bad"}


# --- pure rules -----------------------------------------------------------------------


def check_move(number: str, state: str, target: str) -> None:
    """Refuse a state change the work order's life does not allow, naming both states."""
    if target not in MOVES.get(state, frozenset()):
        raise Conflict(
            f"work order {number} is {state.replace('_', ' ')}; it cannot become "
            f"{target.replace('_', ' ')}",
            state=state,
        )


def check_stage_reached(number: str, revision_stage: Stage, build_stage: str) -> None:
    """A build for a stage needs a revision released at least to that stage.

    A prototype build of a revision released for pilot is fine; a pilot build of a revision
    still at prototype is not, nor is any build of a draft.
    """
    order = list(Stage)
    if order.index(revision_stage) < order.index(Stage(build_stage)):
        raise Conflict(
            f"work order {number} builds for {Stage(build_stage).label.lower()} but the "
            f"revision is at {revision_stage.label.lower()}; release the revision first",
            revision_stage=revision_stage.value,
        )


# --- use cases ------------------------------------------------------------------------


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
    """A draft work order for ``quantity`` of a revision, dated ``start_date`` → ``due_date``.

    The caller vouches for ``sales_order_id`` (see ``supply.sales.do_create_work_order_for``,
    which checks the order is open and of the same revision).
    """
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
    session: Session,
    actor: Actor,
    *,
    open_only: bool = False,
    state: str | None = None,
    sales_order_id: int | None = None,
    limit: int = 500,
) -> Sequence[WorkOrder]:
    """Work orders the actor may see, earliest due first; optionally only open ones, only
    those in one ``state``, or only those of one sales order."""
    check_permission(actor, Perm.PRODUCTION_VIEW)
    stmt = scoped(select(WorkOrder), actor, WorkOrder.customer_id)
    if open_only:
        stmt = stmt.where(WorkOrder.state.in_(OPEN_STATES))
    if state is not None:
        if state not in STATES:
            raise InvalidInput(f"state {state!r}: one of {', '.join(STATES)}", field="state")
        stmt = stmt.where(WorkOrder.state == state)
    if sales_order_id is not None:
        stmt = stmt.where(WorkOrder.sales_order_id == sales_order_id)
    return session.scalars(stmt.order_by(WorkOrder.due_date, WorkOrder.id).limit(limit)).all()


def open_quantity_for_sales_order(session: Session, sales_order_id: int) -> int:
    """How many units open work orders of a sales order are to build (planned, not scrapped)."""
    total = session.scalar(
        select(func.coalesce(func.sum(WorkOrder.quantity - WorkOrder.scrapped_quantity), 0)).where(
            WorkOrder.sales_order_id == sales_order_id, WorkOrder.state.in_(OPEN_STATES)
        )
    )
    return int(total or 0)


def do_release_work_order(
    session: Session,
    actor: Actor,
    work_order_id: int,
    *,
    expected_version: int | None = None,
    override_reason: str | None = None,
    password: str | None = None,
) -> WorkOrder:
    """Release a draft to the floor.

    It needs a released routing of the revision (the units follow it; it is fixed on the
    work order now), the revision released for the build's stage, and clear to build in
    the latest MRP run. When the stage or the material is not there yet, a planner may
    override with a reason and an electronic signature (password re-entered): the
    override and who signed it stay on the record. A missing routing cannot be overridden:
    without it no unit could be tracked.
    """
    check_permission(actor, Perm.PLANNING)
    order = access_work_order(session, actor, work_order_id)
    check_version(order, expected_version, f"work order {order.number}")
    check_move(order.number, order.state, "released")
    routing_id = session.scalar(
        select(RoutingRow.id)
        .where(RoutingRow.revision_id == order.revision_id, RoutingRow.released.is_(True))
        .order_by(RoutingRow.number.desc())
        .limit(1)
    )
    if routing_id is None:
        raise Conflict(
            f"work order {order.number}: its revision has no released routing; "
            "generate and release one first",
            reason="no_routing",
        )
    problems = release_problems(session, actor, order)
    if problems and not (override_reason and override_reason.strip()):
        raise Conflict(
            f"work order {order.number} cannot be released: {'; '.join(problems)}. "
            "Release anyway only with a reason and your signature",
            problems=problems,
        )
    order.routing_id = routing_id
    order.state = "released"
    if problems:
        reason = check_reason(override_reason, f"releasing {order.number} despite the checks")
        with audit_reason(session, f"released despite: {'; '.join(problems)}; {reason}"):
            session.flush()
        do_sign(
            session,
            actor,
            order,
            meaning=Meaning.APPROVED,
            password=password or "",
            comment=f"release override: {reason}",
        )
    else:
        session.flush()
    return order


def release_problems(session: Session, actor: Actor, order: WorkOrder) -> list[str]:
    """What stands between a work order and its release, in words (empty: none)."""
    from boardline.supply import planning  # planning reads work orders: import when used

    problems = []
    revision = npi.access_revision(session, actor, order.revision_id)
    try:
        check_stage_reached(order.number, revision.stage, order.stage)
    except Conflict as exc:
        problems.append(exc.detail)
    answers = planning.clear_to_build(session, actor, order.id)
    if not answers:
        problems.append("no clear-to-build answer for it in the latest MRP run; run MRP")
    elif not answers[0].clear:
        short = ", ".join(f"{c.node} ({c.short})" for c in answers[0].short)
        problems.append(f"not clear to build: short {short}, clear on {answers[0].clear_on}")
    return problems


def do_cancel_work_order(
    session: Session,
    actor: Actor,
    work_order_id: int,
    *,
    reason: str,
    expected_version: int | None = None,
) -> WorkOrder:
    """Cancel a work order that has not started; the reason goes to the audit trail."""
    check_permission(actor, Perm.PLANNING)
    order = access_work_order(session, actor, work_order_id)
    check_version(order, expected_version, f"work order {order.number}")
    reason = check_reason(reason, f"cancelling work order {order.number}")
    check_move(order.number, order.state, "cancelled")
    order.state = "cancelled"
    with audit_reason(session, reason):
        session.flush()
    return order


# --- what the forms and lists show about revisions ------------------------------------


@dataclass(frozen=True, slots=True)
class RevisionRef:
    """A revision as lists show it: product, label, stage and the customer that owns it."""

    revision_id: int
    product_code: str
    product_name: str
    label: str
    stage: Stage
    customer_id: int
    customer_code: str
    customer_name: str

    @property
    def title(self) -> str:
        return f"{self.product_code} rev {self.label}"


def revision_refs(
    session: Session, actor: Actor, revision_ids: Iterable[int]
) -> dict[int, RevisionRef]:
    """What a list of orders shows of their revisions, in one query."""
    return {
        rid: _ref(revision)
        for rid, revision in npi.revisions_by_id(session, actor, revision_ids).items()
    }


def revisions_of_customer(session: Session, actor: Actor, customer_id: int) -> list[RevisionRef]:
    """Every revision of every product of one customer, for choosing what to order or build."""
    return [_ref(r) for r in npi.customer_revisions(session, actor, customer_id)]


def revision_choice(
    session: Session, actor: Actor, customer: int | None
) -> tuple[list[Customer], int | None, list[RevisionRef]]:
    """For an order form: the active customers, the one chosen (the first by default) and
    its revisions."""
    customers = [c for c in list_customers(session, actor) if c.active]
    chosen = customer if customer is not None else (customers[0].id if customers else None)
    revisions = revisions_of_customer(session, actor, chosen) if chosen is not None else []
    return customers, chosen, revisions


def _ref(revision: Revision) -> RevisionRef:
    product = revision.product
    return RevisionRef(
        revision_id=revision.id,
        product_code=product.code,
        product_name=product.name,
        label=revision.label,
        stage=revision.stage,
        customer_id=product.customer_id,
        customer_code=product.customer.code,
        customer_name=product.customer.name,
    )
