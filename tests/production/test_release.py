"""Releasing a work order: released routing, revision stage, clear to build, or a signed
override (SQLite and PostgreSQL). Uses the MRP scenario of tests/supply/conftest.py."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from boardline.core import services as core_services
from boardline.core import signing
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import AuthenticationFailed, Conflict
from boardline.npi.rules import Stage
from boardline.npi.tables import Revision
from boardline.production import work_orders
from boardline.production.tables import RoutingOperationRow, RoutingRow, WorkOrder
from boardline.supply import packages, planning
from boardline.supply.packages import Receipt
from tests.conftest import PASSWORD, add_user
from tests.mrp_world import ADMIN, TODAY


def _planner(db: Database) -> Actor:
    add_user(db, "pat", Role.PLANNER)
    with db.unit_of_work(ADMIN, write=False) as s:
        return core_services.actor_for_user(core_services.find_user(s, "pat"))


def _released_routing(db: Database, revision_id: int) -> int:
    with db.unit_of_work(ADMIN) as s:
        row = RoutingRow(revision_id=revision_id, number=1, released=True, facts={})
        s.add(row)
        s.flush()
        s.add(RoutingOperationRow(routing_id=row.id, step=10, name="Place", station_type="placer"))
        s.flush()
        return row.id


def _prototype(db: Database, revision_id: int) -> None:
    with db.unit_of_work(ADMIN) as s:
        revision = s.get(Revision, revision_id)
        assert revision is not None
        revision.stage = Stage.PROTOTYPE


def _state(db: Database, wo_id: int) -> tuple[str, int | None]:
    with db.unit_of_work(ADMIN, write=False) as s:
        wo = s.get(WorkOrder, wo_id)
        assert wo is not None
        return wo.state, wo.routing_id


def test_no_release_without_a_released_routing(db: Database, factory: dict[str, int]) -> None:
    planner = _planner(db)
    with (
        pytest.raises(Conflict, match="no released routing") as refused,
        db.unit_of_work(planner) as s,
    ):
        work_orders.do_release_work_order(
            s, planner, factory["wo"], override_reason="urgent", password=PASSWORD
        )
    assert refused.value.extra["reason"] == "no_routing"
    assert _state(db, factory["wo"]) == ("draft", None)


def test_release_lists_what_is_missing_and_then_releases_when_clear(
    db: Database, factory: dict[str, int]
) -> None:
    planner = _planner(db)
    routing = _released_routing(db, factory["pcba_rev"])
    with pytest.raises(Conflict) as refused, db.unit_of_work(planner) as s:
        work_orders.do_release_work_order(s, planner, factory["wo"])
    problems = refused.value.extra["problems"]
    assert any("revision is at draft" in p for p in problems)
    assert any("run MRP" in p for p in problems)

    _prototype(db, factory["pcba_rev"])
    with db.unit_of_work(planner) as s:
        planning.do_run_mrp(s, planner, today=TODAY)
    with pytest.raises(Conflict, match=r"short MCU-F030 \(20\)"), db.unit_of_work(planner) as s:
        work_orders.do_release_work_order(s, planner, factory["wo"])

    with db.unit_of_work(ADMIN) as s:
        more = packages.do_receive(
            s, ADMIN, Receipt("STMicroelectronics", "STM32F030F4P6", 20, packaging="tray")
        )
        packages.do_set_state(s, ADMIN, more.uid, "available", reason="inspected")
        planning.do_run_mrp(s, ADMIN, today=TODAY)
    with db.unit_of_work(planner) as s:
        order = work_orders.do_release_work_order(s, planner, factory["wo"])
        assert signing.signatures_for(s, order) == []  # nothing to override, nothing signed
    assert _state(db, factory["wo"]) == ("released", routing)


def test_a_signed_override_releases_despite_the_checks(
    db: Database, factory: dict[str, int]
) -> None:
    planner = _planner(db)
    routing = _released_routing(db, factory["pcba_rev"])
    with pytest.raises(Conflict, match="only with a reason"), db.unit_of_work(planner) as s:
        work_orders.do_release_work_order(
            s, planner, factory["wo"], override_reason=" ", password=PASSWORD
        )
    with pytest.raises(AuthenticationFailed), db.unit_of_work(planner) as s:
        work_orders.do_release_work_order(
            s, planner, factory["wo"], override_reason="customer accepts a late MCU", password="no"
        )
    assert _state(db, factory["wo"]) == ("draft", None)
    with db.unit_of_work(planner) as s:
        order = work_orders.do_release_work_order(
            s,
            planner,
            factory["wo"],
            override_reason="customer accepts a late MCU",
            password=PASSWORD,
        )
        (signature,) = signing.signatures_for(s, order)
        assert signature.signature.meaning == "approved"
        assert "customer accepts a late MCU" in signature.signature.comment
    assert _state(db, factory["wo"]) == ("released", routing)
    with db.unit_of_work(ADMIN, write=False) as s:
        assert s.scalar(select(func.count()).select_from(RoutingRow)) == 1
