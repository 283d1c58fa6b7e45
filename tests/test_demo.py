"""`make demo` seeds a working factory: the same seeding on both databases."""

from __future__ import annotations

from rich.console import Console
from sqlalchemy import func, select

from boardline.core import audit_trail
from boardline.core.auth import Actor
from boardline.core.db import Database
from boardline.core.services import find_customer
from boardline.demo import seed_all
from boardline.npi.rules import Stage
from boardline.npi.tables import Revision, Waiver
from boardline.production import performance
from boardline.production.tables import SlotLoad, SlotRejection, Station, Unit, UnitEvent
from boardline.supply import excess, planning
from boardline.supply.tables import KitReservation, PurchaseOrder, ShippedUnit


def test_demo_seeds_users_boards_a_release_and_a_waiver(db: Database) -> None:
    logins = seed_all(db, "admin-password-1", "demo-password-1", Console(quiet=True))
    assert {u for u, _ in logins.users} >= {"eng", "qe", "acme.viewer"}
    system = Actor.system()
    with db.unit_of_work(system, write=False) as s:
        stages = sorted(r.stage.value for r in s.scalars(select(Revision)))
        waivers = s.scalar(select(func.count()).select_from(Waiver))
        chain = audit_trail.verify_trail(s, system)
    # ACME has two boards; OrangeCrab was released to prototype.
    # ACME has two boards, the dev kit is a box build; OrangeCrab released to prototype.
    assert stages == sorted([Stage.DRAFT.value] * 4 + [Stage.PROTOTYPE.value])
    assert waivers == 1
    assert chain.ok


def test_demo_has_orders_stock_a_kit_and_an_mrp_run_with_shortages(db: Database) -> None:
    seed_all(db, "admin-password-1", "demo-password-1", Console(quiet=True))
    system = Actor.system()
    with db.unit_of_work(system, write=False) as s:
        run = planning.require_latest_run(s, system)
        readiness = planning.clear_to_build(s, system)
        states = sorted(po.state for po in s.scalars(select(PurchaseOrder)))
        shipped = s.scalar(select(func.count()).select_from(ShippedUnit))
        kitted = s.scalar(select(func.count()).select_from(KitReservation))
        orbit = find_customer(s, "ORBIT")
        line = performance.line_status(s, system, "SMT-1")
        rejected = [r.reason for r in s.scalars(select(SlotRejection))]
        loads = s.scalar(select(func.count()).select_from(SlotLoad))
        unit_states = sorted(u.state for u in s.scalars(select(Unit)))
        repairs = s.scalar(
            select(func.count()).select_from(UnitEvent).where(UnitEvent.kind == "repaired")
        )
        handles = s.scalar(
            select(func.count()).select_from(Station).where(Station.cfx_handle.is_not(None))
        )
        eo = excess.excess_report(s, system, orbit.id, run.today)
        two_levels = [
            p for p in planning.planned_orders(s, system) if p.node == "PCBA-ORANGECRAB-A"
        ]
    assert run.counts["shortages"] > 0
    assert run.counts["planned_purchases"] > 0
    assert [r.clear for r in readiness] == [False]
    assert states == ["draft", "partially_received"]
    assert shipped == 5
    assert unit_states.count("completed") == 3
    assert len(unit_states) == 12  # work in progress along SMT-1
    assert repairs == 1
    assert [a.code for a in line.alarms] == ["SMT1-PNP2"]  # the live dashboard's alarm
    assert rejected == ["wrong_item"]  # the wrong reel at the feeder setup
    assert loads
    assert loads > 0
    assert handles == 11  # the demo line's machines, named as their CFX messages will
    assert kitted
    assert kitted > 0
    assert [(line.item, line.reason) for line in eo.lines] == [("OSC-25M-OLD", "obsolete")]
    # The dev kit's sales order needs PCBAs beyond the work order: a planned build.
    assert two_levels
    assert not two_levels[0].is_purchase
    assert any("not linked" in w for w in run.warnings)  # OrangeCrab lines outside the catalog
