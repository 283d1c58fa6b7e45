"""OEE (overall equipment effectiveness) from station states and counts: station, line, shift.

Pure rules, no I/O. A station reports its state changes (IPC-CFX
``ResourcePerformance.StationStateChanged``, whose codes follow SEMI E10); the
production counts come from elsewhere (``UnitsProcessed``, ``WorkCompleted``, test results).
This module turns them into time per state, availability × performance × quality, and a
Pareto of unscheduled downtime by reason.

**States.** SEMI E10 splits equipment time into six basic states, which CFX numbers by the
thousand (``ResourceState`` in the IPC-CFX SDK, ``CFX/Structures/ResourceState.cs``):

    1000s productive            4000s scheduled downtime
    2000s standby               5000s unscheduled downtime
    3000s engineering           6000s non-scheduled

The SDK names sub-states within each thousand (1100 ``PRD_RegularWork``, 2200
``SBY_NoProduct``, 5500 ``USD_ChangeOfConsumables`` …). E10 lets a site define its own
sub-states, so any code from 1000 to 6999 is accepted and classified by its thousand; a code
outside that range, or a name that is not in the SDK's list, is refused with ``InvalidInput``
(field ``NewState``) rather than guessed, because a guessed state would silently move time
between availability and its losses. The CFX SDK has no names such as
"ReadyProcessingActive"; the states are the numeric codes above, serialised as numbers in the
SDK examples (``"NewState": 1100``) and as their names by some serialisers.

**Time.** Every datetime must be timezone-aware and all arithmetic is in UTC, so a shift
that crosses a daylight-saving change lasts 7 or 9 real hours, not 8.

**Definitions** (the common OEE definition, after Nakajima):

- planned production time = window − non-scheduled − scheduled downtime. Planned breaks,
  preventive maintenance and scheduled set-ups are reported as scheduled downtime and so do
  not count against availability.
- run time = productive time.
- availability = run time / planned production time. Standby (starved, blocked, no
  operator), engineering, unscheduled downtime and time with no reported state are all
  availability losses: they fall inside planned time and nothing is produced.
- performance = ideal cycle time × total count / run time. Above 1.0 means the counts or the
  ideal cycle time are wrong; it is capped at 1.0 and flagged, the raw value is kept.
- quality = good count / total count.
- OEE = availability × performance × quality.

A ratio whose denominator is zero is ``None``, never a ``ZeroDivisionError``. OEE is ``None``
only when there was no planned production time; with planned time but no run time or no
count it is 0.0, since nothing good was made in time the station was meant to produce.

**A line** is a chain of stations whose output is set by its constraint (bottleneck), so
:func:`line_oee` takes availability and performance from the constraint station and quality
as the product of the stations' qualities (a board scrapped at any station is lost to the
line, like rolled throughput yield). A time-weighted mean of station OEEs is not used: a fast
station starved by the bottleneck shows standby it cannot help, and averaging it in would
blame the wrong machine and hide the one that limits output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Final, NamedTuple

from boardline.core.errors import InvalidInput

ZERO: Final = timedelta(0)
MINUTE: Final = timedelta(minutes=1)
NO_REASON: Final = "no reason given"


class E10State(StrEnum):
    """SEMI E10 basic equipment state, with a label, a pill tone and its CFX category code."""

    PRODUCTIVE = "productive"
    STANDBY = "standby"
    ENGINEERING = "engineering"
    SCHEDULED_DOWNTIME = "scheduled_downtime"
    UNSCHEDULED_DOWNTIME = "unscheduled_downtime"
    NON_SCHEDULED = "non_scheduled"

    @property
    def label(self) -> str:
        return _STATE_INFO[self][0]

    @property
    def tone(self) -> str:
        """The page's pill class: ``ok``, ``warn``, ``bad`` or ``""`` (neutral)."""
        return _STATE_INFO[self][1]

    @property
    def cfx_code(self) -> int:
        """The CFX ``ResourceState`` code of the category (1000, 2000 … 6000)."""
        return _STATE_INFO[self][2]


_STATE_INFO: Final[Mapping[E10State, tuple[str, str, int]]] = {
    E10State.PRODUCTIVE: ("Productive", "ok", 1000),
    E10State.STANDBY: ("Standby", "", 2000),
    E10State.ENGINEERING: ("Engineering", "", 3000),
    E10State.SCHEDULED_DOWNTIME: ("Scheduled downtime", "warn", 4000),
    E10State.UNSCHEDULED_DOWNTIME: ("Unscheduled downtime", "bad", 5000),
    E10State.NON_SCHEDULED: ("Non-scheduled", "", 6000),
}

_BY_THOUSAND: Final[Mapping[int, E10State]] = {s.cfx_code // 1000: s for s in E10State}

# Code -> (name in the CFX SDK, label). The SDK's spellings are kept, typos included
# ("USD_UserMaintentanceDelay"), because that is what its serialisers write.
CFX_RESOURCE_STATES: Final[Mapping[int, tuple[str, str]]] = {
    1000: ("PRD", "Productive"),
    1100: ("PRD_RegularWork", "Regular work"),
    1200: ("PRD_WorkForThirdParties", "Work for third parties"),
    1300: ("PRD_Rework", "Rework"),
    1400: ("PRD_Engineering", "Engineering runs"),
    2000: ("SBY", "Standby"),
    2100: ("SBY_NoOperator", "No operator"),
    2200: ("SBY_NoProduct", "No product (starved)"),
    2300: ("SBY_NoSupportTool", "No support tool"),
    2400: ("SBY_AssociatedClusterModuleDown", "Associated module down"),
    2500: ("SBY_NoHost", "No host"),
    3000: ("ENG", "Engineering"),
    3100: ("ENG_ProcessExperiments", "Process experiments"),
    3200: ("ENG_EquipmentExperiments", "Equipment experiments"),
    4000: ("SDT", "Scheduled downtime"),
    4100: ("SDT_UserMaintenanceDelay", "Waiting for maintenance personnel"),
    4200: ("SDT_SuppliedMaintenanceDelay", "Waiting for maintenance parts"),
    4300: ("SDT_PreventiveMaintenance", "Preventive maintenance"),
    4400: ("SDT_ChangeOfConsumables", "Scheduled change of consumables"),
    4500: ("SDT_Setup", "Scheduled setup"),
    4600: ("SDT_ProductionTest", "Production test"),
    4700: ("SDT_FacilitiesRelated", "Facilities"),
    5000: ("USD", "Unscheduled downtime"),
    5100: ("USD_UserMaintentanceDelay", "Waiting for maintenance personnel"),
    5200: ("USD_SuppliedMaintenanceDelay", "Waiting for maintenance parts"),
    5300: ("USD_Repair", "Repair"),
    5400: ("USD_OutOfSpecInputMaterial", "Out-of-spec input material"),
    5500: ("USD_ChangeOfConsumables", "Change of consumables"),
    5600: ("USD_FacilitiesRelated", "Facilities"),
    6000: ("NST", "Non-scheduled"),
    6100: ("NST_UnworkedShifts", "Unworked shift"),
    6200: ("NST_EquipmentInstallation", "Equipment installation"),
    6300: ("NST_EquipmentModifications", "Equipment modifications"),
    6400: ("NST_OfflineTraining", "Offline training"),
    6500: ("NST_ShutdownAndStartup", "Shutdown and startup"),
}

_CODE_BY_NAME: Final[Mapping[str, int]] = {
    name.lower(): code for code, (name, _) in CFX_RESOURCE_STATES.items()
}


def cfx_state_code(value: int | str) -> int:
    """The CFX ``ResourceState`` code in ``value``: 1100, "1100" or "PRD_RegularWork".

    Numbers from 1000 to 6999 are accepted whether or not the SDK names them (E10 allows
    site-defined sub-states); names must be the SDK's (any case). Anything else raises
    ``InvalidInput`` with field ``NewState``.
    """
    code: int | None = None
    # bool is an int in Python; True must not become state 1.
    if isinstance(value, int) and not isinstance(value, bool):
        code = value
    elif isinstance(value, str):
        text = value.strip()
        code = int(text) if text.isascii() and text.isdigit() else _CODE_BY_NAME.get(text.lower())
    if code is None or not 1000 <= code <= 6999:
        raise InvalidInput(
            f"unknown CFX station state {value!r}: expected a SEMI E10 code from 1000 to 6999 "
            "or a ResourceState name such as PRD_RegularWork",
            field="NewState",
        )
    return code


def e10_state(value: int | str) -> E10State:
    """The SEMI E10 state of a CFX ``ResourceState`` (see :func:`cfx_state_code`)."""
    return _BY_THOUSAND[cfx_state_code(value) // 1000]


def cfx_state_label(value: int | str) -> str:
    """A human label for a CFX state: the SDK sub-state's, else its E10 category's."""
    code = cfx_state_code(value)
    known = CFX_RESOURCE_STATES.get(code)
    return known[1] if known is not None else e10_state(code).label


@dataclass(frozen=True, slots=True)
class StateChange:
    """From ``at`` on, the station is in ``state``; ``reason`` feeds the downtime Pareto."""

    at: datetime
    state: E10State
    reason: str = ""

    def __post_init__(self) -> None:
        _utc(self.at, "at")


def cfx_state_change(at: datetime, new_state: int | str, reason: str = "") -> StateChange:
    """A :class:`StateChange` from a StationStateChanged's ``NewState``.

    Without a ``reason`` (say, the related fault's code), a named sub-state gives one
    ("Change of consumables" for 5500); a bare category code (5000) gives none.
    """
    code = cfx_state_code(new_state)
    if not reason.strip() and code % 1000 and code in CFX_RESOURCE_STATES:
        reason = CFX_RESOURCE_STATES[code][1]
    return StateChange(at, e10_state(code), reason)


@dataclass(frozen=True, slots=True)
class StateTimes:
    """Time a station spent in each state within ``[start, end)`` (UTC).

    ``by_state`` has every :class:`E10State`; ``unknown`` is the time before the first
    known state. ``sum(by_state.values()) + unknown == end - start`` exactly.
    ``downtime_by_reason`` splits unscheduled downtime by reason, largest first.
    """

    start: datetime
    end: datetime
    by_state: Mapping[E10State, timedelta]
    unknown: timedelta
    downtime_by_reason: tuple[tuple[str, timedelta], ...]

    @property
    def window(self) -> timedelta:
        return self.end - self.start

    def __getitem__(self, state: E10State) -> timedelta:
        return self.by_state[state]


def time_in_states(changes: Iterable[StateChange], start: datetime, end: datetime) -> StateTimes:
    """Replay ``changes`` (in time order) and measure each state within ``[start, end)``.

    The last change at or before ``start`` sets the state the window opens in; without one
    the time until the first change is ``unknown`` (no data is not a good day, so OEE counts
    it as lost). Changes at or after ``end`` do not count. Several changes at the same
    instant are allowed; the last one wins. Raises ``InvalidInput`` for naive datetimes, an
    empty or reversed window, or changes out of time order.
    """
    lo, hi = _utc(start, "start"), _utc(end, "end")
    if hi <= lo:
        raise InvalidInput(
            f"the window must end after it starts ({lo.isoformat()} to {hi.isoformat()})",
            field="end",
        )
    by_state = dict.fromkeys(E10State, ZERO)
    reasons: dict[str, timedelta] = {}
    unknown = ZERO
    current: StateChange | None = None
    since = lo
    previous: datetime | None = None

    def spend(until: datetime) -> None:
        nonlocal unknown
        spent = until - since
        if current is None:
            unknown += spent
            return
        by_state[current.state] += spent
        if current.state is E10State.UNSCHEDULED_DOWNTIME:
            reason = current.reason.strip() or NO_REASON
            reasons[reason] = reasons.get(reason, ZERO) + spent

    for index, change in enumerate(changes):
        at = _utc(change.at, "at")
        if previous is not None and at < previous:
            raise InvalidInput(
                f"state changes out of time order: change {index} at {at.isoformat()} comes "
                f"after one at {previous.isoformat()}",
                field="changes",
            )
        previous = at
        # Keep reading past the window so out-of-order input is refused wherever it is.
        if lo < at < hi:
            spend(at)
            since = at
        if at < hi:
            current = change
    spend(hi)
    pareto = tuple(sorted(reasons.items(), key=lambda item: (-item[1], item[0])))
    return StateTimes(lo, hi, by_state, unknown, pareto)


EVERY_DAY: Final = frozenset(range(7))
WEEKDAYS: Final = frozenset(range(5))


@dataclass(frozen=True, slots=True)
class Shift:
    """A named shift from ``start`` to ``end`` local (naive) time on the given weekdays.

    ``days`` are the weekdays it starts on (0 Monday … 6 Sunday); an ``end`` before
    ``start`` means the shift ends the next day. An ``end`` equal to ``start`` is refused
    as ambiguous (no shift or 24 hours?): split a 24-hour day into shifts.
    """

    name: str
    start: time
    end: time
    days: frozenset[int] = EVERY_DAY

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidInput("a shift needs a name", field="name")
        for field_name, value in (("start", self.start), ("end", self.end)):
            if value.tzinfo is not None:
                raise InvalidInput(
                    f"shift {self.name!r}: {field_name} is a local time; the site's zone is "
                    "given separately",
                    field=field_name,
                )
        if self.start == self.end:
            raise InvalidInput(
                f"shift {self.name!r} starts and ends at {self.start.isoformat()}: split a "
                "24-hour day into shifts",
                field="end",
            )
        # Accept any iterable of weekdays but store a frozenset, so shifts stay hashable.
        object.__setattr__(self, "days", frozenset(self.days))
        if not self.days or not self.days <= EVERY_DAY:
            raise InvalidInput(
                f"shift {self.name!r}: days must be weekdays 0 (Monday) to 6 (Sunday), got "
                f"{sorted(self.days)}",
                field="days",
            )

    @property
    def crosses_midnight(self) -> bool:
        return self.end < self.start


class ShiftWindow(NamedTuple):
    """One occurrence of a shift, as UTC instants ``[start, end)``."""

    name: str
    start: datetime
    end: datetime


def shift_windows(shifts: Iterable[Shift], day: date, tz: tzinfo) -> list[ShiftWindow]:
    """The shifts starting on ``day`` at a site in ``tz``, in UTC, ordered by start.

    The local times are read on the site's calendar, so a night shift over a daylight-saving
    change is 7 or 9 real hours long. A start or end that falls in the spring gap is read
    with the offset in force before the change (02:30 becomes 03:30 summer time); one that
    occurs twice in autumn means its first occurrence (PEP 495 ``fold=0``).
    """
    windows = []
    for s in shifts:
        if day.weekday() not in s.days:
            continue
        ends_on = day + timedelta(days=1) if s.crosses_midnight else day
        windows.append(
            ShiftWindow(
                s.name,
                datetime.combine(day, s.start, tzinfo=tz).astimezone(UTC),
                datetime.combine(ends_on, s.end, tzinfo=tz).astimezone(UTC),
            )
        )
    return sorted(windows, key=lambda w: (w.start, w.name))


@dataclass(frozen=True, slots=True)
class Oee:
    """OEE of one station over one window, with its parts.

    ``availability``, ``performance`` and ``quality`` are ``None`` when their denominator
    (planned time, run time, total count) is zero; ``oee`` only when planned time is.
    ``performance_raw`` is the uncapped ratio; ``performance_capped`` says it was above 1.
    ``down_minutes`` is everything planned that was not run (planned − run);
    ``downtime_by_reason`` splits the unscheduled part of it, largest first, in minutes.
    """

    times: StateTimes
    total_count: int
    good_count: int
    ideal_cycle_time: timedelta
    planned_minutes: float
    run_minutes: float
    down_minutes: float
    availability: float | None
    performance: float | None
    performance_raw: float | None
    performance_capped: bool
    quality: float | None
    oee: float | None
    downtime_by_reason: tuple[tuple[str, float], ...]
    warnings: tuple[str, ...] = ()


def oee(
    times: StateTimes, *, total_count: int, good_count: int, ideal_cycle_time: timedelta
) -> Oee:
    """OEE of a station from its :class:`StateTimes` and counts in the same window.

    ``ideal_cycle_time`` is the fastest possible time per unit (per panel, if panels are
    counted). Raises ``InvalidInput`` for negative counts, more good than total, or a
    non-positive ideal cycle time.
    """
    if total_count < 0:
        raise InvalidInput(f"total count {total_count} is negative", field="total_count")
    if not 0 <= good_count <= total_count:
        raise InvalidInput(
            f"good count {good_count} must be between 0 and the total count {total_count}",
            field="good_count",
        )
    if ideal_cycle_time <= ZERO:
        raise InvalidInput("the ideal cycle time must be positive", field="ideal_cycle_time")

    planned = times.window - times[E10State.NON_SCHEDULED] - times[E10State.SCHEDULED_DOWNTIME]
    run = times[E10State.PRODUCTIVE]
    warnings: list[str] = []
    availability = run / planned if planned > ZERO else None
    raw = ideal_cycle_time * total_count / run if run > ZERO else None
    capped = raw is not None and raw > 1.0
    if capped:
        warnings.append(
            f"performance {raw:.0%} is above 100 %: check the ideal cycle time or the counts"
        )
    if run == ZERO and total_count:
        warnings.append(f"{total_count} unit(s) counted with no productive time")
    if times.unknown > ZERO:
        warnings.append(f"no state reported for {_minutes(times.unknown):g} min, counted as lost")
    performance = None if raw is None else min(raw, 1.0)
    quality = good_count / total_count if total_count else None
    return Oee(
        times=times,
        total_count=total_count,
        good_count=good_count,
        ideal_cycle_time=ideal_cycle_time,
        planned_minutes=_minutes(planned),
        run_minutes=_minutes(run),
        down_minutes=_minutes(planned - run),
        availability=availability,
        performance=performance,
        performance_raw=raw,
        performance_capped=capped,
        quality=quality,
        oee=_product(availability, performance, quality),
        downtime_by_reason=tuple((r, _minutes(t)) for r, t in times.downtime_by_reason),
        warnings=tuple(warnings),
    )


@dataclass(frozen=True, slots=True)
class LineOee:
    """OEE of a line over one window: the constraint's availability and performance,
    quality rolled over the stations. ``downtime_by_reason`` sums all stations' unscheduled
    downtime per (station, reason), largest first, in minutes."""

    constraint: str
    availability: float | None
    performance: float | None
    quality: float | None
    oee: float | None
    stations: Mapping[str, Oee]
    downtime_by_reason: tuple[tuple[str, str, float], ...]
    warnings: tuple[str, ...] = ()


def line_oee(stations: Mapping[str, Oee], *, constraint: str | None = None) -> LineOee:
    """Combine the OEE of a line's stations, all measured over the same window.

    The constraint is the station named, else the one with the longest ideal cycle time
    (the slowest sets the line's rate; ties go to the first name in sort order). Raises
    ``InvalidInput`` for no stations, an unknown constraint or differing windows.
    """
    if not stations:
        raise InvalidInput("a line needs at least one station", field="stations")
    windows = {(s.times.start, s.times.end) for s in stations.values()}
    if len(windows) > 1:
        raise InvalidInput("the stations' OEE must cover the same window", field="stations")
    if constraint is None:
        constraint = min(stations, key=lambda n: (-stations[n].ideal_cycle_time, n))
    elif constraint not in stations:
        raise InvalidInput(
            f"constraint {constraint!r} is not one of the stations", field="constraint"
        )
    bottleneck = stations[constraint]
    qualities = [s.quality for s in stations.values() if s.quality is not None]
    quality: float | None = None
    for q in qualities:
        quality = q if quality is None else quality * q
    pareto = sorted(
        (
            (name, reason, minutes)
            for name, s in stations.items()
            for reason, minutes in s.downtime_by_reason
        ),
        key=lambda item: (-item[2], item[0], item[1]),
    )
    warnings = tuple(f"{name}: {w}" for name, s in sorted(stations.items()) for w in s.warnings)
    return LineOee(
        constraint=constraint,
        availability=bottleneck.availability,
        performance=bottleneck.performance,
        quality=quality,
        oee=_product(bottleneck.availability, bottleneck.performance, quality),
        stations=dict(stations),
        downtime_by_reason=tuple(pareto),
        warnings=warnings,
    )


def _product(
    availability: float | None, performance: float | None, quality: float | None
) -> float | None:
    if availability is None:
        return None
    # Planned time but no run time or no count: nothing good was made when it should have been.
    if performance is None or quality is None:
        return 0.0
    return availability * performance * quality


def _minutes(value: timedelta) -> float:
    return value / MINUTE


def _utc(value: datetime, name: str) -> datetime:
    # Subtracting datetimes that share a tzinfo is wall-clock arithmetic in Python, wrong by
    # an hour across a DST change; converting to UTC first makes every difference real.
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"{name} must be timezone-aware, got naive {value.isoformat()}", field=name
        )
    return value.astimezone(UTC)
