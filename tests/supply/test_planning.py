"""MRP through the database: a box build made of a PCBA, orders, stock, POs (both databases).

Scenario: ACME orders 100 box builds (BOX rev A: one PCBA-1 and four screws) due in 40
days. PCBA-1 is built by P1 rev A (two 10k resistors and one MCU per board); a work order
for 50 PCBA-1 starts in 5 days. Stores hold 30 MCUs; 1 000 resistors are on a sent PO
due in 3 days. Screws have no offer at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from boardline.cli import app
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import InvalidInput, PermissionDenied
from boardline.core.settings import get_settings
from boardline.npi import services as npi
from boardline.supply import excess, planning, purchasing, sales
from tests.conftest import add_customer
from tests.mrp_world import ADMIN, TODAY, make_revision

PLANNER = Actor("user", "pat", Role.PLANNER, user_id=7)


def _run(db: Database) -> planning.RunOutcome:
    with db.unit_of_work(PLANNER) as s:
        return planning.do_run_mrp(s, PLANNER, today=TODAY)


def test_a_run_explodes_the_box_build_through_the_pcba_and_answers_clear_to_build(
    db: Database, factory: dict[str, int]
) -> None:
    outcome = _run(db)
    assert outcome.warnings == []
    with db.unit_of_work(PLANNER, write=False) as s:
        (ctb,) = planning.clear_to_build(s, PLANNER, factory["wo"])
        planned = planning.planned_orders(s, PLANNER)
        short = planning.shortages(s, PLANNER)
        advice = planning.purchase_advice(s, planned)
    by_item = {c.node: c for c in ctb.components}
    # 50 boards × 2 resistors × 1.02 attrition: the PO due in 3 days covers the start in 5.
    assert (by_item["RES-10K-0402"].required, by_item["RES-10K-0402"].short) == (102, 0)
    # 30 MCUs in stock for 50 boards: 20 short until a new order arrives (30 days' lead).
    mcu = by_item["MCU-F030"]
    assert (mcu.required, mcu.available, mcu.short) == (50, 30, 20)
    assert mcu.covered_on == TODAY + timedelta(days=30)
    assert not ctb.clear
    assert ctb.clear_on == TODAY + timedelta(days=30)

    so_number = _so_number(db, factory["so"])
    box = [p for p in planned if p.node == "ACME/BOX rev A"]
    assert [(p.quantity, p.is_purchase, p.pegging) for p in box] == [(100, False, so_number)]
    # The box build needs 100 PCBA-1 at its start; the work order brings 50.
    pcba = [p for p in planned if p.node == "PCBA-1"]
    assert [(p.quantity, p.is_purchase) for p in pcba] == [(50, False)]
    screws = [p for p in planned if p.node == "SCREW-M3X6"]
    assert [(p.quantity, p.is_purchase) for p in screws] == [(400, True)]
    assert so_number in screws[0].pegging.split()
    assert screws[0].id not in advice  # nobody offers screws yet
    mcus = sorted((p for p in planned if p.node == "MCU-F030"), key=lambda p: p.need_date)
    # For the work order: 30 days' lead for a start in 5 days, so late. For the PCBAs of
    # the box build, needed in 30 days: just in time.
    assert [(p.quantity, p.need_date, p.late) for p in mcus] == [
        (20, TODAY + timedelta(days=5), True),
        (50, TODAY + timedelta(days=30), False),
    ]
    assert advice[mcus[0].id].supplier == "DIST"
    assert {s.node for s in short} >= {"MCU-F030", "SCREW-M3X6"}


def test_a_rerun_replaces_the_plan_and_keeps_the_run_history(
    db: Database, factory: dict[str, int]
) -> None:
    first = _run(db)
    second = _run(db)
    assert second.run.id > first.run.id
    assert second.run.counts == first.run.counts
    with db.unit_of_work(PLANNER, write=False) as s:
        assert len(planning.planned_orders(s, PLANNER)) == first.run.counts["planned_orders"]
        assert planning.require_latest_run(s, PLANNER).id == second.run.id


def test_unlinked_bom_lines_and_revisions_without_items_are_warnings_not_guesses(
    db: Database, factory: dict[str, int]
) -> None:
    with db.unit_of_work(ADMIN) as s:
        rid = make_revision(
            s,
            factory["customer"],
            "P2",
            b"Designator,Qty,MPN,Manufacturer\nU9,1,NO-SUCH-PART,Nobody\n",
        )
        sales.do_create_sales_order(
            s,
            ADMIN,
            sales.NewSalesOrder(
                customer_id=factory["customer"],
                revision_id=rid,
                quantity=5,
                due_date=TODAY + timedelta(days=20),
            ),
        )
    outcome = _run(db)
    assert any("ACME/P2 rev A" in w and "not linked" in w for w in outcome.warnings)
    assert any("no BOM line is linked" in w for w in outcome.warnings)
    with db.unit_of_work(PLANNER, write=False) as s:
        assert planning.latest_run(s, PLANNER).warnings == outcome.warnings  # type: ignore[union-attr]


def test_only_planners_run_mrp(db: Database, factory: dict[str, int]) -> None:
    operator = Actor("user", "op", Role.OPERATOR, user_id=9)
    with pytest.raises(PermissionDenied), db.unit_of_work(operator) as s:
        planning.do_run_mrp(s, operator, today=TODAY)


def test_a_revision_cannot_build_an_item_its_own_bom_uses(
    db: Database, factory: dict[str, int]
) -> None:
    with pytest.raises(InvalidInput, match="its own BOM uses it"), db.unit_of_work(ADMIN) as s:
        npi.do_set_built_item(s, ADMIN, factory["pcba_rev"], item_number="MCU-F030")


def test_excess_and_obsolete_per_customer(db: Database, factory: dict[str, int]) -> None:
    with db.unit_of_work(PLANNER, write=False) as s:
        report = excess.excess_report(s, PLANNER, factory["customer"], TODAY)
    lines = {line.item: line for line in report.lines}
    # 1 000 resistors on order for ACME; open orders need 102 (work order) + 204 (the
    # 100 PCBAs of the box build, 2 each, 2 % attrition).
    res = lines["RES-10K-0402"]
    assert (res.on_order, res.needed, res.excess) == (1000, 306, 694)
    assert res.unit_price is not None
    assert res.value == res.unit_price * 694
    old = lines["OLD-CAP"]
    assert (old.held, old.consigned, old.excess, old.obsolete, old.reason) == (
        250,
        250,
        250,
        True,
        "obsolete",
    )
    assert "MCU-F030" not in lines  # bought for nobody in particular


def test_a_customer_sees_only_its_own_excess(db: Database, factory: dict[str, int]) -> None:
    other = add_customer(db, "OTHER")
    outsider = Actor("user", "o", Role.CUSTOMER, user_id=11, customer_id=other)
    from boardline.core.errors import NotFound

    with pytest.raises(NotFound), db.unit_of_work(outsider, write=False) as s:
        excess.excess_report(s, outsider, factory["customer"], TODAY)


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("BOARDLINE_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_mrp_run_command_prints_the_plan_as_json(cli: CliRunner, factory: dict[str, int]) -> None:
    result = cli.invoke(app, ["mrp", "run", "--json", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["run"]["counts"]["work_orders"] == 1
    (wo,) = plan["clear_to_build"]
    assert wo["clear"] is False
    assert {c["item"]: c["short"] for c in wo["components"]}["MCU-F030"] == 20
    table = cli.invoke(app, ["mrp", "run", "--today", TODAY.isoformat()])
    assert table.exit_code == 0
    assert "not clear to build" in table.output
    bad = cli.invoke(app, ["mrp", "run", "--today", "yesterday"])
    assert bad.exit_code != 0
    assert "not a date" in bad.output


def _so_number(db: Database, so_id: int) -> str:
    with db.unit_of_work(PLANNER, write=False) as s:
        return sales.access_sales_order(s, PLANNER, so_id).number


def test_planned_purchases_become_draft_pos_and_are_not_planned_twice(
    db: Database, factory: dict[str, int]
) -> None:
    first = _run(db)
    with db.unit_of_work(PLANNER, write=False) as s:
        mcus = planning.planned_orders(s, PLANNER, node="MCU-F030")
        screws = planning.planned_orders(s, PLANNER, node="SCREW-M3X6")
    with (
        pytest.raises(InvalidInput, match="no supplier offers SCREW-M3X6"),
        db.unit_of_work(ADMIN) as s,
    ):
        planning.do_order_planned(s, ADMIN, [mcus[0].id, screws[0].id], today=TODAY)
    with db.unit_of_work(ADMIN, write=False) as s:
        assert purchasing.list_pos(s, ADMIN, state="draft") == []  # all or nothing
    with pytest.raises(PermissionDenied), db.unit_of_work(PLANNER) as s:
        planning.do_order_planned(s, PLANNER, [mcus[0].id], today=TODAY)
    buyer = Actor("user", "bo", Role.BUYER, user_id=8)
    with db.unit_of_work(buyer) as s:
        (po,) = planning.do_order_planned(s, buyer, [p.id for p in mcus], today=TODAY)
        lines = [(x.item_part.mpn, x.quantity, x.due_date) for x in po.lines]
        assert (po.state, po.customer_id) == ("draft", factory["customer"])
    assert lines == [
        ("STM32F030F4P6", 20, TODAY + timedelta(days=5)),
        ("STM32F030F4P6", 50, TODAY + timedelta(days=30)),
    ]
    second = _run(db)
    assert second.run.counts["planned_purchases"] < first.run.counts["planned_purchases"]
    with db.unit_of_work(PLANNER, write=False) as s:
        assert planning.planned_orders(s, PLANNER, node="MCU-F030") == []
