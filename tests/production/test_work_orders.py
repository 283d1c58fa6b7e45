"""Work orders: by hand, release against the revision's stage, cancel (both databases)."""

from __future__ import annotations

from datetime import date

import pytest

from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from boardline.npi.rules import Stage
from boardline.npi.tables import Revision
from boardline.production import work_orders
from boardline.production.work_orders import NewWorkOrder
from tests.supply.test_sales import PLANNER, World, make_world

START, DUE = date(2026, 5, 4), date(2026, 5, 8)
STAGES = list(Stage)


@pytest.mark.parametrize("state", work_orders.STATES)
@pytest.mark.parametrize("target", ["released", "cancelled"])
def test_release_and_cancel_only_from_draft_or_released(state: str, target: str) -> None:
    allowed = {("draft", "released"), ("draft", "cancelled"), ("released", "cancelled")}
    if (state, target) in allowed:
        work_orders.check_move("WO-1", state, target)
        return
    with pytest.raises(Conflict, match=f"WO-1 is {state.replace('_', ' ')}") as caught:
        work_orders.check_move("WO-1", state, target)
    assert caught.value.extra["state"] == state


@pytest.mark.parametrize("revision_stage", STAGES)
@pytest.mark.parametrize("build_stage", work_orders.BUILD_STAGES)
def test_a_build_needs_the_revision_at_least_at_its_stage(
    revision_stage: Stage, build_stage: str
) -> None:
    if STAGES.index(revision_stage) >= STAGES.index(Stage(build_stage)):
        work_orders.check_stage_reached("WO-1", revision_stage, build_stage)
        return
    with pytest.raises(Conflict, match=f"the revision is at {revision_stage.label.lower()}"):
        work_orders.check_stage_reached("WO-1", revision_stage, build_stage)


def set_stage(db: Database, revision_id: int, stage: Stage) -> None:
    """Put a revision at a stage directly: the gates that lead there are NPI's to test."""
    system = Actor.system("test")
    with db.unit_of_work(system) as s:
        revision = s.get(Revision, revision_id)
        assert revision is not None
        revision.stage = stage


def by_hand(db: Database, world: World, stage: str = "prototype", quantity: int = 20) -> int:
    with db.unit_of_work(PLANNER) as s:
        return work_orders.do_create_work_order(
            s, PLANNER, NewWorkOrder(world.acme_rev, quantity, START, DUE, stage=stage)
        ).id


def test_a_work_order_by_hand_is_a_draft_of_the_revisions_customer(db: Database) -> None:
    world = make_world(db)
    wo_id = by_hand(db, world, "pilot")
    with db.unit_of_work(PLANNER, write=False) as s:
        wo = work_orders.access_work_order(s, PLANNER, wo_id)
        assert work_orders.find_work_order(s, PLANNER, " WO-000001 ").id == wo_id
    assert (wo.number, wo.state, wo.customer_id, wo.stage, wo.sales_order_id) == (
        "WO-000001",
        "draft",
        world.acme,
        "pilot",
        None,
    )


@pytest.mark.parametrize(
    ("new", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"stage": "draft"}, "stage"),
        ({"due_date": date(2026, 5, 1)}, "due_date"),
    ],
)
def test_bad_work_orders_are_refused(db: Database, new: dict[str, object], field: str) -> None:
    world = make_world(db)
    values: dict[str, object] = {
        "revision_id": world.acme_rev,
        "quantity": 5,
        "start_date": START,
        "due_date": DUE,
    }
    values.update(new)
    with pytest.raises(InvalidInput) as caught, db.unit_of_work(PLANNER) as s:
        work_orders.do_create_work_order(s, PLANNER, NewWorkOrder(**values))  # type: ignore[arg-type]
    assert caught.value.extra["field"] == field
    with db.unit_of_work(PLANNER, write=False) as s:
        assert work_orders.list_work_orders(s, PLANNER) == []


def test_cancel_needs_a_reason_and_ends_the_work_order(db: Database) -> None:
    world = make_world(db)
    wo = by_hand(db, world)
    with pytest.raises(InvalidInput, match="needs a reason"), db.unit_of_work(PLANNER) as s:
        work_orders.do_cancel_work_order(s, PLANNER, wo, reason="")
    with db.unit_of_work(PLANNER) as s:
        assert work_orders.do_cancel_work_order(s, PLANNER, wo, reason="no demand").state == (
            "cancelled"
        )
    set_stage(db, world.acme_rev, Stage.PROTOTYPE)
    with pytest.raises(Conflict, match="is cancelled"), db.unit_of_work(PLANNER) as s:
        work_orders.do_release_work_order(s, PLANNER, wo)
    with db.unit_of_work(PLANNER, write=False) as s:
        assert work_orders.list_work_orders(s, PLANNER, open_only=True) == []
        assert len(work_orders.list_work_orders(s, PLANNER, state="cancelled")) == 1


def test_only_planners_release_and_cancel(db: Database) -> None:
    world = make_world(db)
    wo = by_hand(db, world)
    operator = Actor("user", "olga", Role.OPERATOR, user_id=3)
    with pytest.raises(PermissionDenied), db.unit_of_work(operator) as s:
        work_orders.do_cancel_work_order(s, operator, wo, reason="x")
    with pytest.raises(PermissionDenied), db.unit_of_work(operator) as s:
        work_orders.do_release_work_order(s, operator, wo)


def test_a_customer_sees_its_own_work_orders_only(db: Database) -> None:
    world = make_world(db)
    wo = by_hand(db, world)
    beta = world.customer(world.beta)
    acme = world.customer(world.acme)
    with db.unit_of_work(beta, write=False) as s:
        assert work_orders.list_work_orders(s, beta) == []
        with pytest.raises(NotFound, match=f"work order {wo} not found"):
            work_orders.access_work_order(s, beta, wo)
    with db.unit_of_work(acme, write=False) as s:
        assert [w.id for w in work_orders.list_work_orders(s, acme)] == [wo]
        refs = work_orders.revision_refs(s, acme, [world.acme_rev, world.acme_rev])
        assert refs[world.acme_rev].title == "CTRL-100 rev A"
        assert [r.revision_id for r in work_orders.revisions_of_customer(s, acme, world.acme)] == [
            world.acme_rev
        ]
        assert work_orders.revisions_of_customer(s, acme, world.beta) == []
