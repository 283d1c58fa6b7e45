"""Station states, OEE per station, line and shift, and the live line status (both
databases). Scenarios are built by hand so every figure is known in advance."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import Conflict, InvalidInput, PermissionDenied
from boardline.production import performance
from boardline.production.oee import E10State
from boardline.production.tables import Line, Site, StationStateEvent, Unit, UnitEvent
from tests.production.test_interlock import SYSTEM, build_floor, finish
from tests.supply.test_kitting import frozen_at

SUPERVISOR = Actor("user", "sam", Role.OPERATOR, user_id=5)
VIEWER = Actor("user", "cust", Role.CUSTOMER, user_id=9)
DAY = datetime(2026, 5, 5, tzinfo=UTC)


def at(hh: int, mm: int = 0) -> datetime:
    return DAY.replace(hour=hh, minute=mm)


def set_line(db: Database, *, target_uph: int | None = 60, timezone: str = "UTC") -> None:
    with db.unit_of_work(SYSTEM) as s:
        s.execute(update(Line).where(Line.code == "L1").values(target_uph=target_uph))
        s.execute(update(Site).where(Site.code == "S1").values(timezone=timezone))


def record(db: Database, station: str, state: int | str, when: datetime, reason: str = "") -> None:
    with db.unit_of_work(SUPERVISOR) as s:
        performance.do_record_state(s, SUPERVISOR, station, state, at=when, reason=reason)


def add_results(db: Database, station: str, when: datetime, passed: int, failed: int) -> None:
    """Finishes written directly: the counts are what OEE reads, not how they were made."""
    with db.unit_of_work(SYSTEM) as s:
        unit_id = s.scalars(select(Unit.id)).first()
        station_id = performance.find_station(s, SYSTEM, station).id
        for kind, n in (("passed", passed), ("failed", failed)):
            for _ in range(n):
                s.add(
                    UnitEvent(unit_id=unit_id, kind=kind, step=10, station_id=station_id, at=when)
                )


def test_recording_a_state_names_it_and_refuses_rewriting_history(db: Database) -> None:
    build_floor(db)
    with frozen_at(at(8)), db.unit_of_work(SUPERVISOR) as s:
        event = performance.do_record_state(s, SUPERVISOR, "PRINT", "USD_Repair")
        assert (event.state_code, event.at, event.source) == (5300, at(8), SUPERVISOR.label)
        assert event.reason == "Repair"  # the SDK sub-state's label when none is given
    record(db, "PRINT", 1100, at(8))  # the same instant is allowed: the later one wins
    with pytest.raises(Conflict, match="rewrite its history"), db.unit_of_work(SUPERVISOR) as s:
        performance.do_record_state(s, SUPERVISOR, "PRINT", 2000, at=at(7, 59))
    with pytest.raises(InvalidInput), db.unit_of_work(SUPERVISOR) as s:
        performance.do_record_state(s, SUPERVISOR, "PRINT", 7000, at=at(9))
    with pytest.raises(PermissionDenied), db.unit_of_work(VIEWER) as s:
        performance.do_record_state(s, VIEWER, "PRINT", 1100, at=at(9))
    with db.unit_of_work(SYSTEM, write=False) as s:
        assert len(s.scalars(select(StationStateEvent)).all()) == 2


def test_station_and_line_oee_from_known_minutes_and_counts(db: Database) -> None:
    """08:00–10:00 at PRINT: 70 min productive, 15 unscheduled (nozzle jam), 15 preventive
    maintenance (scheduled), 20 starved. Takt 60 s (60 UPH); 42 passed and 7 failed.

    planned 105 → A = 70/105 = 2/3; P = 49 × 1 min / 70 min = 0.7; Q = 42/49 = 6/7;
    OEE = 0.4.
    """
    build_floor(db)
    set_line(db, target_uph=60)
    record(db, "PRINT", 1100, at(7))
    record(db, "PRINT", 5300, at(8, 30), "Nozzle jam")
    record(db, "PRINT", 4300, at(8, 45))
    record(db, "PRINT", 1100, at(9))
    record(db, "PRINT", 2200, at(9, 40))
    record(db, "PRINT", 5000, at(10))  # after the window: not counted
    add_results(db, "PRINT", at(8, 10), passed=42, failed=7)
    add_results(db, "PRINT", at(7, 59), passed=5, failed=0)  # before the window
    add_results(db, "PRINT", at(10), passed=5, failed=0)  # the window's end is excluded

    with db.unit_of_work(SYSTEM, write=False) as s:
        station = performance.station_oee(s, SYSTEM, "PRINT", at(8), at(10))
        line = performance.line_oee(s, SYSTEM, "L1", at(8), at(10))
    assert (station.planned_minutes, station.run_minutes) == (105, 70)
    assert station.availability == pytest.approx(2 / 3)
    assert station.performance == pytest.approx(0.7)
    assert station.quality == pytest.approx(6 / 7)
    assert station.oee == pytest.approx(0.4)
    assert station.downtime_by_reason == (("Nozzle jam", 15.0),)
    # The line: stations tie on takt, so the constraint is the first code (AOI), which never
    # reported a state: no run time → OEE 0; quality rolls over the stations that counted.
    assert line.constraint == "AOI"
    assert line.stations["PRINT"] == station
    assert line.quality == pytest.approx(6 / 7)
    assert line.oee == 0.0
    assert line.downtime_by_reason == (("PRINT", "Nozzle jam", 15.0),)


def test_the_ideal_cycle_time_comes_from_the_target_or_is_given(db: Database) -> None:
    build_floor(db)
    set_line(db, target_uph=None)
    record(db, "PRINT", 1100, at(8))
    add_results(db, "PRINT", at(8, 30), passed=30, failed=0)
    with db.unit_of_work(SYSTEM, write=False) as s:
        with pytest.raises(InvalidInput, match="no target units per hour"):
            performance.station_oee(s, SYSTEM, "PRINT", at(8), at(9))
        given = performance.station_oee(s, SYSTEM, "PRINT", at(8), at(9), ideal_cycle_s=60)
    assert given.performance == pytest.approx(0.5)


def test_state_reads_are_one_query_per_station_set(db: Database) -> None:
    from sqlalchemy import event

    build_floor(db)
    set_line(db)
    for code in ("PRINT", "AOI", "FCT", "PACK", "REP"):
        record(db, code, 1100, at(7))
        record(db, code, 2100, at(8, 30))
    statements: list[str] = []
    with db.unit_of_work(SYSTEM, write=False) as s:
        event.listen(
            db.engine,
            "before_cursor_execute",
            lambda *a: statements.append(a[2]) if a[2].startswith("SELECT") else None,
        )
        performance.line_oee(s, SYSTEM, "L1", at(8), at(10))
    assert sum("production_station_state" in q for q in statements) == 1
    assert len(statements) <= 4  # line, stations, states, counts


def test_a_night_shift_across_midnight_and_a_dst_change_in_berlin(db: Database) -> None:
    """Europe switches to summer time on 29 March 2026: the night shift that starts on the
    28th at 22:00 CET (21:00 UTC) ends at 06:00 CEST (04:00 UTC), 7 real hours."""
    build_floor(db)
    set_line(db, target_uph=60, timezone="Europe/Berlin")
    record(db, "PRINT", 1100, datetime(2026, 3, 28, 20, 0, tzinfo=UTC))
    with db.unit_of_work(SYSTEM, write=False) as s:
        report = performance.shift_report(
            s, SYSTEM, "L1", date(2026, 3, 28), now=datetime(2026, 3, 29, 12, tzinfo=UTC)
        )
    assert [r.name for r in report] == ["Early", "Late", "Night"]
    night = report[2]
    assert night.start == datetime(2026, 3, 28, 21, tzinfo=UTC)
    assert night.end == datetime(2026, 3, 29, 4, tzinfo=UTC)
    assert night.line is not None
    assert night.line.stations["PRINT"].planned_minutes == 7 * 60
    assert night.line.stations["PRINT"].availability == 1.0
    assert report[0].line is not None
    assert report[0].line.stations["PRINT"].availability == 0.0  # no state reported yet

    with db.unit_of_work(SYSTEM, write=False) as s:
        running = performance.shift_report(
            s, SYSTEM, "L1", date(2026, 3, 28), now=datetime(2026, 3, 28, 22, tzinfo=UTC)
        )
    assert running[2].measured_until == datetime(2026, 3, 28, 22, tzinfo=UTC)
    assert running[2].line is not None
    assert running[2].line.stations["PRINT"].planned_minutes == 60
    late_night = performance.current_shift(
        ZoneInfo("Europe/Berlin"), datetime(2026, 3, 29, 1, tzinfo=UTC)
    )
    assert late_night is not None
    assert late_night.name == "Night"
    assert late_night.start == datetime(2026, 3, 28, 21, tzinfo=UTC)


def test_line_status_shows_the_order_rate_fpy_states_and_alarms(db: Database) -> None:
    floor = build_floor(db)
    set_line(db, target_uph=60)
    now = at(9)
    record(db, "PRINT", 1100, at(6))
    record(db, "AOI", 1100, at(6))
    record(db, "AOI", 5300, at(8, 45), "Conveyor jam")
    record(db, "FCT", 2200, at(8))
    with frozen_at(at(8, 30)):
        for serial in floor.serials[:2]:
            finish(db, serial, "PRINT")
        finish(db, floor.serials[0], "AOI")
        finish(db, floor.serials[1], "AOI", "failed")
    with db.unit_of_work(SYSTEM) as s:
        s.execute(
            update(Unit).where(Unit.serial == floor.serials[0]).values(completed_at=at(8, 40))
        )

    with db.unit_of_work(SYSTEM, write=False) as s:
        status = performance.line_status(s, SYSTEM, "L1", now)
    assert status.work_order == floor.number
    assert (status.units_last_hour, status.target_uph) == (1, 60)
    assert (status.shift, status.shift_start) == ("Early", at(6))
    assert (status.shift_tested, status.shift_first_pass) == (2, 1)
    assert status.shift_fpy == 0.5
    by_code = {st.code: st for st in status.stations}
    assert by_code["PRINT"].state is E10State.PRODUCTIVE
    assert by_code["FCT"].state is E10State.STANDBY
    assert by_code["PACK"].state is None
    assert [(a.code, a.reason, a.minutes) for a in status.alarms] == [("AOI", "Conveyor jam", 15.0)]
    assert by_code["AOI"].since == at(8, 45)

    with db.unit_of_work(SYSTEM, write=False) as s:
        earlier = performance.line_status(s, SYSTEM, "L1", at(8, 39))
    assert earlier.alarms == ()
    assert earlier.units_last_hour == 0


def test_line_status_reads_are_few(db: Database) -> None:
    from sqlalchemy import event

    build_floor(db)
    set_line(db)
    for code in ("PRINT", "AOI", "FCT", "PACK", "REP"):
        record(db, code, 1100, at(7))
    statements: list[str] = []
    with db.unit_of_work(SYSTEM, write=False) as s:
        event.listen(
            db.engine,
            "before_cursor_execute",
            lambda *a: statements.append(a[2]) if a[2].startswith("SELECT") else None,
        )
        performance.line_status(s, SYSTEM, "L1", at(9))
    assert sum("production_station_state" in q for q in statements) == 1
    assert len(statements) <= 7
