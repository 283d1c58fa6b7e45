"""Station states, OEE per station, line and shift, and the live line status.

The rules live in :mod:`boardline.production.oee` (pure); this module reads the rows they
need in a few queries and records the states stations report.

**Counts.** A station's total count in a window is its ``passed`` plus ``failed`` finishes
(``UnitEvent`` rows with that station); the good count is the ``passed`` ones, so quality
is passed / (passed + failed) at that station. Repairs are not counted: a repair bench is
not a producing station.

**Ideal cycle time.** Unless given (``ideal_cycle_s``), every station of a line gets the
line's takt, ``3600 / Line.target_uph`` seconds; a line without a target needs the
argument. With one ideal cycle time for all stations the line's constraint is the first
station in code order (see :func:`oee.line_oee`), so per-station cycle times are left to
the station model when it gains them.

**Shifts.** Until sites keep their own calendar, every site works :data:`DEFAULT_SHIFTS`
(Early 06:00–14:00, Late 14:00–22:00, Night 22:00–06:00, every day) in the site's time zone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from boardline.core import clock
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import Conflict, InvalidInput
from boardline.production import factory, oee
from boardline.production.oee import E10State, LineOee, Oee, Shift, ShiftWindow, StateChange
from boardline.production.tables import (
    Line,
    Site,
    Station,
    StationStateEvent,
    Unit,
    UnitEvent,
    WorkOrder,
)

DEFAULT_SHIFTS: Final = (
    Shift("Early", time(6), time(14)),
    Shift("Late", time(14), time(22)),
    Shift("Night", time(22), time(6)),
)
ACTIVE_ORDER_STATES: Final = ("released", "in_progress")
RESULT_KINDS: Final = ("passed", "failed")
HOUR: Final = timedelta(hours=1)


# --- recording states -----------------------------------------------------------------


def find_station(session: Session, actor: Actor, station: str | int) -> Station:
    """A station by its code or its id."""
    if isinstance(station, int):
        return factory.access_station(session, actor, station)
    return factory.find_station(session, actor, station)


def do_record_state(
    session: Session,
    actor: Actor,
    station: str | int,
    state: int | str,
    *,
    at: datetime | None = None,
    reason: str = "",
    source: str = "",
) -> StationStateEvent:
    """Record that ``station`` is in CFX ``state`` (code or SDK name) from ``at`` (now).

    Refused with ``Conflict`` when ``at`` is before the station's last recorded state:
    history is appended in time order, never rewritten, or the OEE of a closed shift would
    change after it was reported. Same instant as the last one is allowed (the later wins).
    """
    check_permission(actor, Perm.PRODUCTION_RECORD)
    row = find_station(session, actor, station)
    code = oee.cfx_state_code(state)
    when = clock.now() if at is None else at
    if when.tzinfo is None:
        raise InvalidInput(f"at must be timezone-aware, got {when.isoformat()}", field="at")
    when = when.astimezone(UTC)
    last = session.scalar(
        select(func.max(StationStateEvent.at)).where(StationStateEvent.station_id == row.id)
    )
    if last is not None and when < last:
        raise Conflict(
            f"station {row.code} already has a state from {last.isoformat()}; a change at "
            f"{when.isoformat()} would rewrite its history",
            field="at",
        )
    reason = reason.strip()[:200]
    if not reason:
        reason = oee.cfx_state_change(when, code).reason
    event = StationStateEvent(
        station_id=row.id,
        at=when,
        state_code=code,
        reason=reason,
        source=(source.strip() or actor.label)[:128],
    )
    session.add(event)
    session.flush()
    return event


# --- OEE ------------------------------------------------------------------------------


def _state_changes(
    session: Session, station_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, list[StateChange]]:
    """Per station, the last change at or before ``start`` and those up to ``end``: one query."""
    ev, before = StationStateEvent, aliased(StationStateEvent)
    opening = (
        select(func.max(before.at))
        .where(before.station_id == ev.station_id, before.at <= start)
        .scalar_subquery()
    )
    rows = session.execute(
        select(ev.station_id, ev.at, ev.state_code, ev.reason)
        .where(ev.station_id.in_(station_ids), ev.at < end, or_(ev.at >= start, ev.at >= opening))
        .order_by(ev.station_id, ev.at, ev.id)
    ).all()
    changes: dict[int, list[StateChange]] = defaultdict(list)
    for station_id, at, code, reason in rows:
        changes[station_id].append(oee.cfx_state_change(at, code, reason))
    return changes


def _counts(
    session: Session, station_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, tuple[int, int]]:
    """Per station, (total, good) finishes in ``[start, end)``: one grouped query."""
    rows = session.execute(
        select(UnitEvent.station_id, UnitEvent.kind, func.count())
        .where(
            UnitEvent.station_id.in_(station_ids),
            UnitEvent.kind.in_(RESULT_KINDS),
            UnitEvent.at >= start,
            UnitEvent.at < end,
        )
        .group_by(UnitEvent.station_id, UnitEvent.kind)
    ).all()
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for station_id, kind, n in rows:
        if station_id is None:  # excluded by the query; narrows the type
            continue
        counts[station_id][0] += n
        if kind == "passed":
            counts[station_id][1] += n
    return {k: (v[0], v[1]) for k, v in counts.items()}


def _ideal_cycle(line: Line | None, ideal_cycle_s: float | None) -> timedelta:
    if ideal_cycle_s is not None:
        if ideal_cycle_s <= 0:
            raise InvalidInput("the ideal cycle time must be positive", field="ideal_cycle_s")
        return timedelta(seconds=ideal_cycle_s)
    if line is None or not line.target_uph:
        where = f"line {line.code}" if line is not None else "an off-line station"
        raise InvalidInput(
            f"{where} has no target units per hour: give the ideal cycle time",
            field="ideal_cycle_s",
        )
    return timedelta(seconds=3600 / line.target_uph)


def _window(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    for name, value in (("start", start), ("end", end)):
        if value.tzinfo is None:
            raise InvalidInput(f"{name} must be timezone-aware", field=name)
    return start.astimezone(UTC), end.astimezone(UTC)


def _stations_oee(
    session: Session,
    stations: Sequence[Station],
    start: datetime,
    end: datetime,
    cycle: timedelta,
) -> dict[str, Oee]:
    ids = [st.id for st in stations]
    changes = _state_changes(session, ids, start, end)
    counts = _counts(session, ids, start, end)
    result = {}
    for st in stations:
        total, good = counts.get(st.id, (0, 0))
        times = oee.time_in_states(changes.get(st.id, []), start, end)
        result[st.code] = oee.oee(times, total_count=total, good_count=good, ideal_cycle_time=cycle)
    return result


def station_oee(
    session: Session,
    actor: Actor,
    station: str | int,
    start: datetime,
    end: datetime,
    *,
    ideal_cycle_s: float | None = None,
) -> Oee:
    """OEE of one station over ``[start, end)`` (see the module notes for counts and cycle)."""
    check_permission(actor, Perm.PRODUCTION_VIEW)
    row = find_station(session, actor, station)
    line = session.get(Line, row.line_id) if row.line_id is not None else None
    lo, hi = _window(start, end)
    return _stations_oee(session, [row], lo, hi, _ideal_cycle(line, ideal_cycle_s))[row.code]


def line_oee(
    session: Session,
    actor: Actor,
    line_code: str,
    start: datetime,
    end: datetime,
    *,
    ideal_cycle_s: float | None = None,
) -> LineOee:
    """OEE of a line's active stations over ``[start, end)``: four queries in all."""
    check_permission(actor, Perm.PRODUCTION_VIEW)
    line = factory.find_line(session, actor, line_code)
    stations = _line_stations(session, line)
    if not stations:
        raise InvalidInput(f"line {line.code} has no stations", field="line")
    lo, hi = _window(start, end)
    cycle = _ideal_cycle(line, ideal_cycle_s)
    return oee.line_oee(_stations_oee(session, stations, lo, hi, cycle))


@dataclass(frozen=True, slots=True)
class ShiftOee:
    """One shift of a day: its window (UTC) and the line's OEE so far (``None`` before it
    starts). ``measured_until`` is the window's end, or now for the running shift."""

    name: str
    start: datetime
    end: datetime
    measured_until: datetime | None
    line: LineOee | None


def site_zone(session: Session, line: Line) -> ZoneInfo:
    """The time zone of the line's site."""
    site = session.get(Site, line.site_id)
    return ZoneInfo(site.timezone if site is not None else "UTC")


def shift_report(
    session: Session,
    actor: Actor,
    line_code: str,
    day: date,
    *,
    now: datetime | None = None,
    shifts: Iterable[Shift] = DEFAULT_SHIFTS,
    ideal_cycle_s: float | None = None,
) -> list[ShiftOee]:
    """The line's OEE for each shift starting on ``day`` (the site's calendar).

    A running shift is measured up to now; one that has not started has no figures.
    """
    check_permission(actor, Perm.PRODUCTION_VIEW)
    line = factory.find_line(session, actor, line_code)
    moment = (now or clock.now()).astimezone(UTC)
    report = []
    for window in oee.shift_windows(shifts, day, site_zone(session, line)):
        until = min(window.end, moment)
        figures = None
        if until > window.start:
            figures = line_oee(
                session, actor, line.code, window.start, until, ideal_cycle_s=ideal_cycle_s
            )
        report.append(
            ShiftOee(
                window.name,
                window.start,
                window.end,
                until if figures else None,
                figures,
            )
        )
    return report


def current_shift(
    tz: ZoneInfo, moment: datetime, shifts: Iterable[Shift] = DEFAULT_SHIFTS
) -> ShiftWindow | None:
    """The shift running at ``moment`` at a site in ``tz`` (one that started today or the
    day before, for a night shift), or ``None`` between shifts."""
    local_day = moment.astimezone(tz).date()
    plan = tuple(shifts)
    for day in (local_day, local_day - timedelta(days=1)):
        for window in oee.shift_windows(plan, day, tz):
            if window.start <= moment < window.end:
                return window
    return None


# --- the live line status -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StationNow:
    """A station's current state; ``state`` is ``None`` when it never reported one."""

    code: str
    name: str
    state: E10State | None
    state_code: int | None
    label: str
    reason: str
    since: datetime | None
    minutes: float | None


@dataclass(frozen=True, slots=True)
class LineStatus:
    """What the line dashboard shows (see :func:`line_status`)."""

    line: str
    name: str
    at: datetime
    work_order: str | None
    units_last_hour: int
    target_uph: int | None
    shift: str | None
    shift_start: datetime | None
    shift_tested: int
    shift_first_pass: int
    stations: tuple[StationNow, ...]

    @property
    def shift_fpy(self) -> float | None:
        return self.shift_first_pass / self.shift_tested if self.shift_tested else None

    @property
    def alarms(self) -> tuple[StationNow, ...]:
        """Stations in unscheduled downtime, longest first."""
        down = [s for s in self.stations if s.state is E10State.UNSCHEDULED_DOWNTIME]
        return tuple(sorted(down, key=lambda s: -(s.minutes or 0)))


def line_status(
    session: Session, actor: Actor, line_code: str, now: datetime | None = None
) -> LineStatus:
    """The line right now, in six queries whatever the number of stations.

    - work order: the released or in-progress order with the latest unit event on the
      line's stations;
    - units last hour: units completed in the last hour that have an event on the line;
    - shift FPY: of the units with a pass or fail on the line's stations in the current
      shift, those whose first result at every step (within the shift) was a pass;
    - stations: each one's latest state at or before now, with since-when;
    - alarms (:attr:`LineStatus.alarms`): the stations in unscheduled downtime (5xxx).
    """
    check_permission(actor, Perm.PRODUCTION_VIEW)
    line = factory.find_line(session, actor, line_code)
    moment = (now or clock.now()).astimezone(UTC)
    stations = _line_stations(session, line)
    ids = [st.id for st in stations]

    order = session.scalar(
        select(WorkOrder.number)
        .join(Unit, Unit.work_order_id == WorkOrder.id)
        .join(UnitEvent, UnitEvent.unit_id == Unit.id)
        .where(
            UnitEvent.station_id.in_(ids),
            UnitEvent.at <= moment,
            WorkOrder.state.in_(ACTIVE_ORDER_STATES),
        )
        .order_by(UnitEvent.at.desc(), UnitEvent.id.desc())
        .limit(1)
    )
    on_line = select(UnitEvent.unit_id).where(UnitEvent.station_id.in_(ids))
    units_last_hour = session.scalar(
        select(func.count())
        .select_from(Unit)
        .where(
            Unit.completed_at > moment - HOUR,
            Unit.completed_at <= moment,
            Unit.id.in_(on_line),
        )
    )
    shift = current_shift(site_zone(session, line), moment)
    tested = first_pass = 0
    if shift is not None:
        tested, first_pass = _first_pass(session, ids, shift.start, moment)

    return LineStatus(
        line=line.code,
        name=line.name,
        at=moment,
        work_order=order,
        units_last_hour=units_last_hour or 0,
        target_uph=line.target_uph,
        shift=shift.name if shift else None,
        shift_start=shift.start if shift else None,
        shift_tested=tested,
        shift_first_pass=first_pass,
        stations=_stations_now(session, stations, moment),
    )


def _line_stations(session: Session, line: Line) -> list[Station]:
    return list(
        session.scalars(
            select(Station)
            .where(Station.line_id == line.id, Station.active.is_(True))
            .order_by(Station.position, Station.code)
        )
    )


def _first_pass(
    session: Session, station_ids: Sequence[int], start: datetime, end: datetime
) -> tuple[int, int]:
    rows = session.execute(
        select(UnitEvent.unit_id, UnitEvent.step, UnitEvent.kind)
        .where(
            UnitEvent.station_id.in_(station_ids),
            UnitEvent.kind.in_(RESULT_KINDS),
            UnitEvent.at >= start,
            UnitEvent.at <= end,
        )
        .order_by(UnitEvent.at, UnitEvent.id)
    ).all()
    first: dict[tuple[int, int | None], str] = {}
    for unit_id, step, kind in rows:
        first.setdefault((unit_id, step), kind)
    good: dict[int, bool] = {}
    for (unit_id, _), kind in first.items():
        good[unit_id] = good.get(unit_id, True) and kind == "passed"
    return len(good), sum(good.values())


def _stations_now(
    session: Session, stations: Sequence[Station], moment: datetime
) -> tuple[StationNow, ...]:
    ev, other = StationStateEvent, aliased(StationStateEvent)
    latest = (
        select(func.max(other.at))
        .where(other.station_id == ev.station_id, other.at <= moment)
        .scalar_subquery()
    )
    rows = session.execute(
        select(ev.station_id, ev.at, ev.state_code, ev.reason)
        .where(ev.station_id.in_([st.id for st in stations]), ev.at == latest)
        .order_by(ev.id)
    ).all()
    current = {station_id: (at, code, reason) for station_id, at, code, reason in rows}
    result = []
    for st in stations:
        if st.id not in current:
            result.append(StationNow(st.code, st.name, None, None, "No state", "", None, None))
            continue
        at, code, reason = current[st.id]
        result.append(
            StationNow(
                code=st.code,
                name=st.name,
                state=oee.e10_state(code),
                state_code=code,
                label=oee.cfx_state_label(code),
                reason=reason,
                since=at,
                minutes=round((moment - at) / oee.MINUTE, 1),
            )
        )
    return tuple(result)
