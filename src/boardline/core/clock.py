"""Time source behind a small interface so rules and tests can fix the time.

All stored times are UTC; the site's time zone is for display only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests: stands still until moved."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta


_clock: Clock = SystemClock()


def now() -> datetime:
    """The current UTC time from the installed clock."""
    return _clock.now()


def today(tz: tzinfo | None = None) -> date:
    """The calendar day now at the site (``tz``; UTC when not given): plans run by days."""
    return _clock.now().astimezone(tz or UTC).date()


def install(clock: Clock) -> Clock:
    """Replace the process clock (tests, simulators); returns the previous one."""
    global _clock
    previous, _clock = _clock, clock
    return previous
