"""MSD floor life (IPC/JEDEC J-STD-033): may this moisture-sensitive package be used now?

Pure rules, no I/O. A material package (reel, tray, tube) carries a moisture sensitivity
level (MSL) and a history of :class:`MsdEvent`; :func:`floor_life_state` replays the history
and says how much floor life is used and left, when it runs out and what to do.

What is encoded, from J-STD-033's floor-life table (conditions ≤30 °C / 60 % RH):

    MSL 1   unlimited (≤30 °C / 85 % RH)     MSL 4    72 hours
    MSL 2   1 year (taken as 365 days)       MSL 5    48 hours
    MSL 2a  4 weeks                          MSL 5a   24 hours
    MSL 3   168 hours                        MSL 6    bake before use, then the time on
                                                      the label (given per package)

Exposure accumulates while the package is out of dry storage; a bake resets it; the sealed
dry bag has a shelf life of 12 months from the bag seal date; an expired package is blocked
from use until baked. The standard itself (which must be bought) has more than is encoded
here and a site must check it before relying on this module for anything beyond the table:
derating of floor life for floors hotter or more humid than 30 °C / 60 % RH, the full bake
tables (temperatures, thicknesses, body sizes), the exact conditions under which dry
storage resets rather than pauses the clock, limits on repeated baking, and the humidity
indicator card check on opening a bag. Section numbers are not cited because they differ
between revisions of the standard and Boardline's notes do not pin one.

Decisions Boardline takes where the table alone does not decide:

- **Time.** Every datetime must be timezone-aware (naive ones raise ``ValueError``) and all
  arithmetic is done in UTC, so elapsed hours are real hours: a 168 h clock that crosses a
  daylight-saving change ends 168 real hours later, not at the same wall-clock time.
- **Dry storage pauses.** Time in a dry cabinet (≤10 % or ≤5 % RH) or resealed in a dry bag
  with fresh desiccant does not count, and does not give time back. The standard also lets
  a long enough stay in dry storage *reset* the clock after a short exposure; that is
  available as :class:`ShortExposureReset`, off by default, because its exact conditions
  must be confirmed against the purchased standard.
- **A bake** (``at`` is the moment it ended) sets the exposure to zero and leaves the
  package on the floor with its clock running: a baked package going back into dry storage
  needs its own ``DRY_STORE_IN`` or ``RESEALED`` event.
- **Bake limit.** Baking degrades solderability (oxidation, intermetallic growth), so the
  number of bakes is limited by site policy, ``max_bakes=2`` by default (a Boardline choice,
  not a number from the standard; the component supplier may allow fewer or more). A
  package that needs a bake with the limit reached is *blocked*: do not bake again, an
  engineer decides.
- **Unknown or doubtful history is treated as exposed.** A package without events, or
  opened after its sealed-bag shelf life ended, needs a bake (the standard's alternative,
  reading the humidity indicator card, is not modelled).
- **Bad histories never raise.** Events are replayed in time order whatever order they
  come in; contradictory ones (``DRY_STORE_OUT`` without ``DRY_STORE_IN``, ``OPENED``
  twice) are resolved conservatively and reported in ``warnings``.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final, TypeVar

ZERO: Final = timedelta(0)
DEFAULT_MAX_BAKES: Final = 2
DEFAULT_WARNING_WINDOW: Final = timedelta(hours=8)
DEFAULT_SHELF_LIFE_MONTHS: Final = 12


class MSL(StrEnum):
    """Moisture sensitivity level, by its value as printed ("1" … "6", "2a", "5a")."""

    L1 = "1"
    L2 = "2"
    L2A = "2a"
    L3 = "3"
    L4 = "4"
    L5 = "5"
    L5A = "5a"
    L6 = "6"

    @property
    def label(self) -> str:
        return f"MSL {self.value}"


# MSL 6 has no fixed floor life: the time on the label, per package.
FLOOR_LIFE: Final[Mapping[MSL, timedelta | None]] = {
    MSL.L1: None,
    MSL.L2: timedelta(days=365),
    MSL.L2A: timedelta(weeks=4),
    MSL.L3: timedelta(hours=168),
    MSL.L4: timedelta(hours=72),
    MSL.L5: timedelta(hours=48),
    MSL.L5A: timedelta(hours=24),
}

_MSL_TEXT = re.compile(
    r"(?:moisture\s+sensitivity\s+level|msl\s*level|msl|level)?[\s:._-]*([0-9]+[a-z]?)",
    re.IGNORECASE,
)


def parse_msl(text: str) -> MSL:
    """The MSL written in ``text``: "3", "MSL3", "msl 2A", "MSL-5a", "Level 5a" and the like.

    Raises ``ValueError`` naming the text when it is not one of the eight levels.
    """
    match = _MSL_TEXT.fullmatch(text.strip())
    if match is not None:
        try:
            return MSL(match.group(1).lower())
        except ValueError:
            pass
    levels = ", ".join(level.value for level in MSL)
    raise ValueError(f"not a moisture sensitivity level: {text!r} (expected one of {levels})")


def floor_life(msl: MSL, tol_hours: float | None = None) -> timedelta | None:
    """Floor life at ≤30 °C / 60 % RH; ``None`` means unlimited (MSL 1).

    MSL 6 takes its time from the label (``tol_hours``, required); other levels refuse one,
    so a label value cannot silently override the table.
    """
    if msl is MSL.L6:
        if tol_hours is None:
            raise ValueError("tol_hours is required for MSL 6 (the time on the label)")
        if not (math.isfinite(tol_hours) and tol_hours > 0):
            raise ValueError(f"tol_hours must be a positive number of hours, got {tol_hours!r}")
        return timedelta(hours=tol_hours)
    if tol_hours is not None:
        raise ValueError(f"tol_hours applies to MSL 6 only, not to {msl.label}")
    return FLOOR_LIFE[msl]


# Example bake times for packages ≤1.4 mm thick at 125 °C; the standard's tables cover the
# other levels, thicknesses and temperatures.
_BAKE_125C_UP_TO_1_4_MM: Final[Mapping[MSL, float]] = {MSL.L3: 9.0, MSL.L4: 11.0, MSL.L5A: 16.0}


def bake_hours(msl: MSL, thickness_mm: float) -> float | None:
    """Bake time in hours at 125 °C for a package body ``thickness_mm`` thick, if known.

    Only the examples Boardline's notes carry are encoded (≤1.4 mm: MSL 3 9 h, MSL 4 11 h,
    MSL 5a 16 h). ``None`` means "see J-STD-033's bake tables", never "no bake needed".
    """
    if not (math.isfinite(thickness_mm) and thickness_mm > 0):
        raise ValueError(f"thickness_mm must be a positive number, got {thickness_mm!r}")
    if thickness_mm > 1.4:
        return None
    return _BAKE_125C_UP_TO_1_4_MM.get(msl)


class EventKind(StrEnum):
    """What happened to the package."""

    SEALED = "sealed"  # in the supplier's dry bag; ``at`` is the bag seal date
    OPENED = "opened"  # bag opened: exposure starts
    DRY_STORE_IN = "dry_store_in"  # into a dry cabinet (≤10 % or ≤5 % RH)
    DRY_STORE_OUT = "dry_store_out"
    RESEALED = "resealed"  # back in a dry bag with fresh desiccant
    BAKED = "baked"  # ``at`` is the end of the bake


@dataclass(frozen=True, slots=True)
class MsdEvent:
    """One thing that happened to a package's moisture exposure.

    ``at`` must be timezone-aware (any zone). A ``BAKED`` event records the oven temperature
    in °C and the bake duration in hours; other kinds carry neither.
    """

    kind: EventKind
    at: datetime
    temperature_c: float | None = None
    duration_h: float | None = None
    note: str = ""

    def __post_init__(self) -> None:
        _utc(self.at, "MsdEvent.at")
        if self.kind is EventKind.BAKED:
            for name, value in (
                ("temperature_c", self.temperature_c),
                ("duration_h", self.duration_h),
            ):
                if value is None or not (math.isfinite(value) and value > 0):
                    raise ValueError(f"a BAKED event needs a positive {name}, got {value!r}")
        elif self.temperature_c is not None or self.duration_h is not None:
            raise ValueError(
                f"temperature_c and duration_h belong to BAKED events, not {self.kind}"
            )


@dataclass(frozen=True, slots=True)
class ShortExposureReset:
    """Dry storage that resets the clock after a short exposure (off unless passed in).

    When a package of one of ``levels`` goes into dry storage (cabinet or resealed bag) with
    at most ``max_exposure`` used, and stays there at least ``factor`` times the exposure
    used, its exposure is set back to zero. Outside those conditions dry storage only pauses.
    """

    levels: frozenset[MSL]
    max_exposure: timedelta
    factor: float

    def __post_init__(self) -> None:
        if self.max_exposure <= ZERO:
            raise ValueError("max_exposure must be positive")
        if not (math.isfinite(self.factor) and self.factor >= 1):
            raise ValueError(f"factor must be at least 1, got {self.factor!r}")


# The rule as usually summarised from J-STD-033: MSL 2a to 4, exposure up to 12 h, dry
# storage for 5x the exposure. Confirm the levels, cabinet humidity and factors against the
# purchased standard before a site turns it on.
SHORT_EXPOSURE_RESET: Final = ShortExposureReset(
    levels=frozenset({MSL.L2A, MSL.L3, MSL.L4}), max_exposure=timedelta(hours=12), factor=5
)


class Status(StrEnum):
    """What the package may do now, with a label and a pill tone for pages."""

    SEALED = "sealed"
    OK = "ok"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    NEEDS_BAKE = "needs_bake"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self][0]

    @property
    def tone(self) -> str:
        """The page's pill class: ``ok``, ``warn``, ``bad`` or ``""`` (neutral)."""
        return _STATUS_LABELS[self][1]


_STATUS_LABELS: Final[Mapping[Status, tuple[str, str]]] = {
    Status.SEALED: ("Sealed", ""),
    Status.OK: ("OK", "ok"),
    Status.EXPIRING: ("Expiring", "warn"),
    Status.EXPIRED: ("Expired", "bad"),
    Status.NEEDS_BAKE: ("Needs bake", "bad"),
}


class Location(StrEnum):
    """Where the package is, as far as moisture goes."""

    UNKNOWN = "unknown"  # no event yet
    SEALED = "sealed"  # supplier's dry bag, never opened
    FLOOR = "floor"  # exposed: the clock runs
    DRY_STORAGE = "dry_storage"
    RESEALED = "resealed"


_PAUSED: Final = frozenset({Location.DRY_STORAGE, Location.RESEALED})


@dataclass(frozen=True, slots=True)
class FloorLifeState:
    """Where a package's floor life stands at ``as_of`` (UTC).

    - ``used``: exposure counted since the last reset (bake, or short-exposure reset).
    - ``remaining``: floor life left, never negative; ``None`` for unlimited (MSL 1); zero
      when the package needs a bake. While the status is ``SEALED``, ``OK`` or ``EXPIRING``,
      ``used + remaining == floor_life``.
    - ``expires_at``: when the status turns (floor life runs out, or the sealed bag's shelf
      life ends) if nothing else happens; ``None`` when that never happens (MSL 1, clock
      paused in dry storage) or has already happened.
    - ``bake_limit_reached``: ``bake_count >= max_bakes``; no further bake is allowed.
    """

    msl: MSL
    as_of: datetime
    status: Status
    location: Location
    floor_life: timedelta | None
    used: timedelta
    remaining: timedelta | None
    expires_at: datetime | None
    bake_count: int
    bake_hours_total: float
    bake_limit_reached: bool
    reason: str
    warnings: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        """Out of the bag and within floor life: may go on a feeder now."""
        return self.status in (Status.OK, Status.EXPIRING)

    @property
    def bake_required(self) -> bool:
        """Blocked from use until baked (expired, MSL 6 not baked, or doubtful history)."""
        return self.status in (Status.EXPIRED, Status.NEEDS_BAKE)

    @property
    def blocked(self) -> bool:
        """Needs a bake but may not be baked again: an engineer decides what happens."""
        return self.bake_required and self.bake_limit_reached

    @property
    def clock_running(self) -> bool:
        """Out of dry storage: exposure is counting."""
        return self.location is Location.FLOOR


def floor_life_state(
    msl: MSL,
    events: Iterable[MsdEvent],
    now: datetime,
    *,
    tol_hours: float | None = None,
    max_bakes: int = DEFAULT_MAX_BAKES,
    warning_window: timedelta = DEFAULT_WARNING_WINDOW,
    shelf_life_months: int = DEFAULT_SHELF_LIFE_MONTHS,
    short_exposure_reset: ShortExposureReset | None = None,
) -> FloorLifeState:
    """Replay a package's events up to ``now`` and say where its floor life stands.

    Events are taken in time order (ties keep their given order); events after ``now`` are
    ignored with a warning. ``tol_hours`` is the time on the label, required for MSL 6 and
    refused otherwise. The status is ``EXPIRING`` when the running clock ends within
    ``warning_window``. ``short_exposure_reset`` switches on the dry-storage reset rule
    (see :data:`SHORT_EXPOSURE_RESET`); without it dry storage only pauses the clock.

    Raises ``ValueError`` for a naive ``now`` or an invalid option; never for the history.
    """
    as_of = _utc(now, "now")
    life = floor_life(msl, tol_hours)
    if max_bakes < 0:
        raise ValueError(f"max_bakes must not be negative, got {max_bakes}")
    if warning_window < ZERO:
        raise ValueError("warning_window must not be negative")
    if shelf_life_months < 1:
        raise ValueError(f"shelf_life_months must be at least 1, got {shelf_life_months}")

    replay = _Replay(msl, short_exposure_reset, shelf_life_months, max_bakes)
    ordered = sorted(((_utc(e.at, "MsdEvent.at"), e) for e in events), key=lambda p: p[0])
    future = [e for at, e in ordered if at > as_of]
    if future:
        replay.warnings.append(f"{len(future)} event(s) after {_when(as_of)} ignored")
    for at, event in ordered:
        if at <= as_of:
            replay.apply(event, at)
    replay.accrue(as_of)
    return replay.state(life, as_of, warning_window)


_K = TypeVar("_K")


def expiring_soon(
    states: Mapping[_K, FloorLifeState], within: timedelta
) -> list[tuple[_K, FloorLifeState]]:
    """Packages needing attention for a ``boardline msd check`` list, most urgent first.

    Those that must be baked before use now (expired, MSL 6 not baked, doubtful history;
    in their given order), then those whose ``expires_at`` falls within ``within`` of their
    ``as_of`` (floor life running out, or a sealed bag's shelf life ending), soonest first.
    """
    if within < ZERO:
        raise ValueError("within must not be negative")
    now_due = [(key, s) for key, s in states.items() if s.bake_required]
    soon = [
        (key, s)
        for key, s in states.items()
        if not s.bake_required and s.expires_at is not None and s.expires_at - s.as_of <= within
    ]
    soon.sort(key=lambda pair: pair[1].expires_at or pair[1].as_of)
    return now_due + soon


@dataclass(slots=True)
class _Replay:
    msl: MSL
    reset_rule: ShortExposureReset | None
    shelf_life_months: int
    max_bakes: int
    location: Location = Location.UNKNOWN
    since: datetime | None = None
    dry_since: datetime | None = None
    used: timedelta = ZERO
    shelf_end: datetime | None = None
    opened_after_shelf_life: datetime | None = None
    bakes: int = 0
    bake_hours: float = 0.0
    resets: int = 0
    warnings: list[str] = field(default_factory=list)

    def accrue(self, at: datetime) -> None:
        """Bring the exposure up to ``at`` in the current location."""
        if self.location is Location.FLOOR and self.since is not None:
            self.used += at - self.since
        elif self.location in _PAUSED:
            self._try_reset(at)
        self.since = at

    def _try_reset(self, at: datetime) -> None:
        rule = self.reset_rule
        if rule is None or self.msl not in rule.levels or self.dry_since is None:
            return
        # Checked at every event and at ``now``: the condition only gets easier as the stay
        # in dry storage lengthens, so this equals checking at the end of the stay.
        if ZERO < self.used <= rule.max_exposure and at - self.dry_since >= self.used * rule.factor:
            self.used = ZERO
            self.resets += 1

    def enter(self, location: Location, at: datetime) -> None:
        if (
            self.location is Location.SEALED
            and location is not Location.SEALED
            and self.shelf_end is not None
            and at >= self.shelf_end
        ):
            self.opened_after_shelf_life = self.shelf_end
        if location in _PAUSED:
            if self.location not in _PAUSED:
                self.dry_since = at
        else:
            self.dry_since = None
        self.location = location

    def warn(self, at: datetime, kind: EventKind, what: str) -> None:
        self.warnings.append(f"{kind} at {_when(at)}: {what}")

    def apply(self, event: MsdEvent, at: datetime) -> None:
        kind = event.kind
        self.accrue(at)
        here = self.location
        if here is Location.UNKNOWN and kind not in (
            EventKind.SEALED,
            EventKind.OPENED,
            EventKind.BAKED,
        ):
            self.warn(at, kind, "history starts here; exposure before it is unknown, counted as 0")
        if kind is EventKind.BAKED:
            self._bake(at, event)
        elif kind is EventKind.SEALED:
            if here is Location.UNKNOWN:
                self.enter(Location.SEALED, at)
                self.shelf_end = _add_months(at, self.shelf_life_months)
            elif here in (Location.SEALED, Location.RESEALED):
                self.warn(at, kind, "already sealed; ignored")
            else:
                self.warn(
                    at, kind, "after the bag was opened; taken as resealed (no new shelf life)"
                )
                self.enter(Location.RESEALED, at)
        elif kind is EventKind.OPENED:
            if here is Location.FLOOR:
                self.warn(at, kind, "already open; ignored")
            else:
                if here is Location.DRY_STORAGE:
                    self.warn(at, kind, "while in dry storage; taken as out of dry storage")
                self.enter(Location.FLOOR, at)
        elif kind is EventKind.DRY_STORE_IN:
            if here is Location.DRY_STORAGE:
                self.warn(at, kind, "already in dry storage; ignored")
            else:
                if here is Location.SEALED:
                    self.warn(at, kind, "while sealed; taken as opened into the cabinet")
                self.enter(Location.DRY_STORAGE, at)
        elif kind is EventKind.DRY_STORE_OUT:
            if here is Location.FLOOR:
                self.warn(at, kind, "without dry_store_in; ignored")
            else:
                if here in (Location.SEALED, Location.RESEALED):
                    self.warn(at, kind, "without dry_store_in while sealed; taken as opened")
                self.enter(Location.FLOOR, at)
        elif kind is EventKind.RESEALED:
            if here in (Location.SEALED, Location.RESEALED):
                self.warn(at, kind, "already sealed; ignored")
            else:
                self.enter(Location.RESEALED, at)

    def _bake(self, at: datetime, event: MsdEvent) -> None:
        self.bakes += 1
        self.bake_hours += event.duration_h or 0.0
        if self.bakes > self.max_bakes:
            self.warn(
                at, EventKind.BAKED, f"bake {self.bakes} exceeds the limit of {self.max_bakes}"
            )
        self.enter(Location.FLOOR, at)
        self.used = ZERO
        self.opened_after_shelf_life = None

    def state(self, life: timedelta | None, as_of: datetime, window: timedelta) -> FloorLifeState:
        label = f"MSL 6 (label time {_span(life)})" if self.msl is MSL.L6 else self.msl.label
        remaining: timedelta | None = ZERO
        expires_at: datetime | None = None
        if life is None:
            status, remaining = Status.OK, None
            reason = f"{label}: unlimited floor life (≤30 °C / 85 % RH)"
        elif self.location is Location.UNKNOWN:
            status = Status.NEEDS_BAKE
            reason = f"{label}: no MSD history recorded; treat as exposed and bake before use"
        elif self.msl is MSL.L6 and self.bakes == 0:
            status = Status.NEEDS_BAKE
            reason = f"{label}: bake before use, then the label time applies"
        elif self.opened_after_shelf_life is not None:
            status = Status.NEEDS_BAKE
            reason = (
                f"{label}: bag opened after its shelf life ended on "
                f"{_when(self.opened_after_shelf_life)}; bake before use"
            )
        elif self.location is Location.SEALED and self.shelf_end is not None:
            if as_of >= self.shelf_end:
                status = Status.NEEDS_BAKE
                reason = f"{label}: sealed-bag shelf life ended on {_when(self.shelf_end)}"
            else:
                status, remaining, expires_at = Status.SEALED, life - self.used, self.shelf_end
                reason = f"{label}: sealed in the dry bag, shelf life until {_when(self.shelf_end)}"
        elif self.used >= life:
            status = Status.EXPIRED
            reason = (
                f"{label}: floor life exceeded by {_span(self.used - life)} "
                f"({_span(self.used)} used of {_span(life)})"
            )
        else:
            remaining = life - self.used
            counted = f"{_span(self.used)} of {_span(life)} used, {_span(remaining)} left"
            if self.location is Location.FLOOR:
                expires_at = as_of + remaining
                status = Status.EXPIRING if remaining <= window else Status.OK
                reason = f"{label}: on the floor, {counted}, expires {_when(expires_at)}"
            else:
                status = Status.OK
                where = "in dry storage" if self.location is Location.DRY_STORAGE else "resealed"
                reason = f"{label}: {where}, clock paused, {counted}"
        if self.resets:
            reason += f"; clock reset {self.resets}x by dry storage after a short exposure"
        limit_reached = self.bakes >= self.max_bakes
        if status in (Status.EXPIRED, Status.NEEDS_BAKE):
            if limit_reached:
                reason += (
                    f"; blocked: bake limit ({self.max_bakes}) reached, do not bake again, "
                    "an engineer decides"
                )
            elif status is Status.EXPIRED:
                reason += "; blocked until baked"
        elif limit_reached and life is not None:
            reason += f"; bake limit ({self.max_bakes}) reached: no further bake allowed"
        return FloorLifeState(
            msl=self.msl,
            as_of=as_of,
            status=status,
            location=self.location,
            floor_life=life,
            used=self.used,
            remaining=remaining,
            expires_at=expires_at,
            bake_count=self.bakes,
            bake_hours_total=self.bake_hours,
            bake_limit_reached=limit_reached,
            reason=reason,
            warnings=tuple(self.warnings),
        )


def _utc(value: datetime, name: str) -> datetime:
    # Subtracting two datetimes that share a tzinfo is wall-clock arithmetic in Python, wrong
    # by an hour across a DST change; converting to UTC first makes every difference real.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _add_months(at: datetime, months: int) -> datetime:
    index = at.month - 1 + months
    year, month = at.year + index // 12, index % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


def _span(delta: timedelta | None) -> str:
    if delta is None:
        return "unlimited"
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days >= 8:
        return f"{days} d {hours} h" if hours else f"{days} d"
    hours += days * 24
    if hours and mins:
        return f"{hours} h {mins} min"
    return f"{hours} h" if hours else f"{mins} min"
