"""Demo data for production: one site with an SMT line, a THT line and a repair bench, then
work in progress on the line.

The CFX handles follow the "organisation.line.machine" habit; they are what the demo's
simulated machines will name themselves with.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from boardline.core import clock
from boardline.core.auth import Actor
from boardline.core.db import Database
from boardline.core.errors import BoardlineError
from boardline.npi import services as npi
from boardline.production import (
    factory,
    feeders,
    interlock,
    performance,
    routings,
    units,
    work_orders,
)
from boardline.production.tables import WorkOrder
from boardline.supply import packages

# (line, name, kind, target units/h, [(station, type, CFX handle)])
DEMO_LINES: list[tuple[str, str, str, int, list[tuple[str, str, str | None]]]] = [
    (
        "SMT-1",
        "SMT line 1",
        "smt",
        90,
        [
            ("SMT1-LOAD", "loader", "demo.smt1.loader"),
            ("SMT1-PRN", "printer", "demo.smt1.printer"),
            ("SMT1-SPI", "spi", "demo.smt1.spi"),
            ("SMT1-PNP1", "placer", "demo.smt1.placer1"),
            ("SMT1-PNP2", "placer", "demo.smt1.placer2"),
            ("SMT1-OVEN", "reflow", "demo.smt1.oven"),
            ("SMT1-AOI", "aoi", "demo.smt1.aoi"),
            ("SMT1-XRAY", "xray", "demo.smt1.xray"),
        ],
    ),
    (
        "THT-1",
        "THT and test line",
        "tht",
        40,
        [
            ("THT1-INS", "tht_insertion", None),
            ("THT1-SEL", "selective_solder", "demo.tht1.selective"),
            ("THT1-ICT", "ict", "demo.tht1.ict"),
            ("THT1-FCT", "fct", "demo.tht1.fct"),
            ("THT1-PACK", "pack", None),
        ],
    ),
]


def seed(db: Database, engineer: Actor) -> list[str]:
    with db.unit_of_work(engineer) as s:
        factory.do_create_site(
            s, engineer, code="PLANT1", name="Demo plant", timezone="Europe/Berlin"
        )
        stations = 0
        for code, name, kind, uph, line_stations in DEMO_LINES:
            factory.do_create_line(
                s, engineer, site_code="PLANT1", code=code, name=name, kind=kind, target_uph=uph
            )
            for station, station_type, handle in line_stations:
                factory.do_create_station(
                    s,
                    engineer,
                    code=station,
                    name=station,
                    station_type=station_type,
                    line_code=code,
                    cfx_handle=handle,
                )
                stations += 1
        factory.do_create_station(
            s,
            engineer,
            code="REP-1",
            name="Repair bench",
            station_type="repair",
            site_code="PLANT1",
        )
    return [
        f"site PLANT1 with lines SMT-1 and THT-1 ({stations} stations, machines with CFX handles) "
        "and a repair bench"
    ]


def seed_wip(
    db: Database, *, engineer: Actor, planner: Actor, operator: Actor, password: str
) -> list[str]:
    """OrangeCrab's routing released, its work order released (a signed override: the kit
    is short), 12 units in panels of 4 moving through SMT-1: some done, one failed at AOI
    and repaired, the rest at different steps."""
    with db.unit_of_work(engineer) as s:
        crab = npi.find_product(s, engineer, "ORBIT", "ORANGECRAB")
        assert crab is not None, "the NPI demo imports OrangeCrab first"
        revision = npi.find_revision(s, crab.id, "A")
        assert revision is not None
        routing = routings.do_generate_routing(s, engineer, revision.id)
        routings.do_release_routing(s, engineer, routing.id)
        steps = len(routing.operations)
        product_id = crab.id
        order = s.scalar(
            select(WorkOrder).where(WorkOrder.revision_id == revision.id).order_by(WorkOrder.id)
        )
        assert order is not None, "the orders demo creates OrangeCrab's work order first"
        wo_id, wo_number = order.id, order.number
    with db.unit_of_work(planner) as s:
        units.do_set_serial_scheme(s, planner, product_id, "OC{YY}{WW}-{SEQ:5}{CHECK}")
        work_orders.do_release_work_order(
            s,
            planner,
            wo_id,
            override_reason="ORBIT accepts a first batch while the FPGA reels arrive",
            password=password,
        )
        created = units.do_create_units(s, planner, wo_id, 12, panel_rows=2, panel_cols=2)
    serials = list(created.serials)
    # How far each unit gets along the route: a spread of work in progress.
    targets = [steps, steps, steps, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    repaired = ""
    for serial, target in zip(serials, targets, strict=True):
        for _ in range(target):
            with db.unit_of_work(operator) as s:
                decision = _next_station(s, operator, serial)
                if decision is None:
                    break
                station, is_aoi = decision
                if is_aoi and not repaired and target < steps:
                    interlock.do_finish(s, operator, serial, station, "failed")
                    repaired = serial
                    continue
                interlock.do_finish(s, operator, serial, station, "passed")
        if repaired == serial:
            with db.unit_of_work(operator) as s:
                interlock.do_finish(
                    s,
                    operator,
                    serial,
                    "REP-1",
                    "repaired",
                    detail={"action": "reflowed U3 (solder bridge)"},
                )
    _line_states(db, operator)
    return [
        f"ORANGECRAB rev A routing ({steps} operations) released; {wo_number} released with "
        f"a signed override; 12 units in panels of 4 on SMT-1, {repaired} repaired after "
        "AOI"
    ]


def _line_states(db: Database, operator: Actor) -> None:
    """SMT-1 ran since the start of the day; the second placer is down waiting for a part."""
    now = clock.now()
    with db.unit_of_work(operator) as s:
        for _, _, _, _, line_stations in DEMO_LINES[:1]:
            for code, _, _ in line_stations:
                performance.do_record_state(
                    s, operator, code, 1100, at=now - timedelta(hours=3), reason=""
                )
        performance.do_record_state(s, operator, "SMT1-OVEN", 2200, at=now - timedelta(minutes=50))
        performance.do_record_state(
            s,
            operator,
            "SMT1-PNP2",
            5200,
            at=now - timedelta(minutes=25),
            reason="Feeder jam, waiting for a spare 8 mm feeder",
        )


def _next_station(s: Session, actor: Actor, serial: str) -> tuple[str, bool] | None:
    """The first demo station the interlock lets the unit go to now."""
    for _, _, _, _, line_stations in DEMO_LINES:
        for code, station_type, _ in line_stations:
            if interlock.check_unit(s, actor, serial, code).allowed:
                return code, station_type == "aoi"
    return None


def seed_feeders(db: Database, *, engineer: Actor, operator: Actor) -> list[str]:
    """OrangeCrab's top-side setup on SMT-1: the reels in stores loaded where they belong,
    and one reel scanned into the wrong slot, refused with its reason."""
    with db.unit_of_work(engineer) as s:
        crab = npi.find_product(s, engineer, "ORBIT", "ORANGECRAB")
        assert crab is not None
        revision = npi.find_revision(s, crab.id, "A")
        assert revision is not None
        setup = feeders.do_create_setup(
            s, engineer, line_code="SMT-1", revision_id=revision.id, program="OC-A-TOP"
        )
        slots = feeders.propose_slots(s, engineer, setup.id)
        feeders.do_set_slots(s, engineer, setup.id, slots)
        setup_id = setup.id
        slot_of = {row.item: row.slot for row in slots}
    with db.unit_of_work(operator) as s:
        stock = {
            p.item_part.item.number: p
            for p in packages.list_packages(s, operator)
            if p.state == "available" and p.quantity > 0 and p.item_part.item.number in slot_of
        }
        loaded = []
        for item, package in sorted(stock.items()):
            feeders.do_load(s, operator, setup_id, slot_of[item], package.uid)
            loaded.append(slot_of[item])
    wrong_slot, reel = None, None
    for item, package in sorted(stock.items()):
        others = [slot for other, slot in slot_of.items() if other != item]
        if others:
            wrong_slot, reel = others[0], package.uid
            break
    refused = ""
    if wrong_slot is not None and reel is not None:
        try:
            with db.unit_of_work(operator) as s:
                feeders.do_load(s, operator, setup_id, wrong_slot, reel)
        except BoardlineError as exc:
            with db.unit_of_work(operator) as s:
                feeders.do_record_rejection(s, operator, setup_id, wrong_slot, reel, exc)
            refused = (
                f"; {reel} scanned into slot {wrong_slot} was refused ({exc.extra.get('reason')})"
            )
    return [f"feeder setup OC-A-TOP on SMT-1: {len(slots)} slots, {len(loaded)} loaded{refused}"]
