"""Demo data for production: one site with an SMT line, a THT line and a repair bench.

The CFX handles follow the "organisation.line.machine" habit; they are what the demo's
simulated machines will name themselves with.
"""

from __future__ import annotations

from boardline.core.auth import Actor
from boardline.core.db import Database
from boardline.production import factory

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
        f"site PLANT1 with lines SMT-1 and THT-1 ({stations} stations with CFX handles) "
        "and a repair bench"
    ]
