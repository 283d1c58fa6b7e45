"""Route enforcement, the interlock: may this unit be processed at this station now?

Pure rules, no I/O. :func:`decide` answers one scan with a :class:`Decision`: allowed or
not, a :class:`ReasonCode` a machine can act on, and a sentence an operator can (naming
the serial, the step the unit needs and what the station is). The CFX
``ValidateUnitsRequest`` handler, the scan page and the services call it with what they
read: the :class:`Unit`, its history of :class:`UnitEvent`, its :class:`WorkOrderStatus`,
the routing's applicable operations
(:func:`boardline.production.routing.applicable_operations`) and the :class:`Station`.

The rules, checked in this order (the first that refuses answers):

1. The unit is not scrapped and not completed.
2. It belongs to the work order given, and to the one the station is set up for, if any.
3. The work order is released or in progress, and not on hold; the unit is not on hold.
4. Where the unit stands on its route (:func:`position`):

   - **Repair loop.** After a fail, the unit may only go to a repair station; once repaired
     it must go back to the step it failed. A step allows ``max_retests`` retests: after the
     fail that uses up the last one (``max_retests + 1`` fails in all) no station may
     process the unit, not even repair: an engineer decides (scrap, or a disposition the
     services record). A fail at a step that is not a test step (``max_retests`` 0) reaches
     that limit at once.
   - **Otherwise** the unit goes to its next required step, or to any optional step between
     the last step it passed and that one (skipping an optional step is allowed, going
     back to one is not). A station that could do several of them does the first.
   - Once every required step is passed the route is complete (``ROUTE_COMPLETE``) for any
     station but one of a remaining optional step. Before that, a station that performs a
     step the unit has already passed is a double scan (``STEP_ALREADY_DONE``).

Decisions Boardline takes:

- **History is taken in the order it was recorded**, not sorted by ``at``: the timestamps
  come from machine clocks, which drift, while the order the MES recorded is the truth.
- **A required step the history skipped is still owed.** A unit whose history passes step
  70 but not the required step 50 (recorded without the interlock, or a routing edited
  underneath it) is sent back to 50; optional steps before the last passed one are gone.
- **Bad histories never raise.** Events naming a step that is not among the operations
  (a condition dropped it), and repairs without an open fail at their step, are ignored
  and counted in :attr:`Position.ignored`. A repair event names the step whose fail it
  repairs.
- **Cost.** :func:`decide` is linear in the history and the operations, without sorting:
  it runs on every scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from boardline.core.errors import InvalidInput
from boardline.production.routing import Operation, StationType

__all__ = [
    "Decision",
    "Position",
    "ReasonCode",
    "Result",
    "Station",
    "Unit",
    "UnitEvent",
    "UnitState",
    "WorkOrderState",
    "WorkOrderStatus",
    "decide",
    "position",
    "unknown_unit",
]


class UnitState(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    SCRAPPED = "scrapped"


@dataclass(frozen=True, slots=True)
class Unit:
    """A serialised board (or assembly) of a work order, as far as the interlock needs it."""

    serial: str
    work_order: str
    state: UnitState = UnitState.IN_PROGRESS
    on_hold: bool = False
    hold_reason: str = ""


class Result(StrEnum):
    """What a step did to a unit. A step that records no test result is ``PASSED`` when done."""

    PASSED = "passed"
    FAILED = "failed"
    REPAIRED = "repaired"


@dataclass(frozen=True, slots=True)
class UnitEvent:
    """One step's result for a unit; ``REPAIRED`` names the step whose fail was repaired."""

    step: int
    result: Result
    at: datetime


class WorkOrderState(StrEnum):
    DRAFT = "draft"
    RELEASED = "released"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


# States in which units of a work order may be built.
BUILDING: Final = frozenset({WorkOrderState.RELEASED, WorkOrderState.IN_PROGRESS})


@dataclass(frozen=True, slots=True)
class WorkOrderStatus:
    """The unit's work order: its number, state and hold."""

    number: str
    state: WorkOrderState
    on_hold: bool = False
    hold_reason: str = ""


@dataclass(frozen=True, slots=True)
class Station:
    """Where the unit was scanned.

    ``steps`` pins the station to some steps of the routing (an AOI used only after
    reflow, not for the THT inspection); empty means any step of its type. ``work_order``
    is the work order the station is set up for (feeders, program), ``None`` for any.
    """

    name: str
    station_type: StationType
    steps: frozenset[int] = frozenset()
    work_order: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", frozenset(self.steps))

    def performs(self, op: Operation) -> bool:
        """Whether this station may do ``op`` (for a repair station: repair a fail at it)."""
        if self.station_type is StationType.REPAIR:
            return not self.steps or op.step in self.steps
        return self.station_type is op.station_type and (not self.steps or op.step in self.steps)

    @property
    def title(self) -> str:
        return f"{self.name} ({self.station_type.label})"


class ReasonCode(StrEnum):
    """Why a unit may or may not be processed; stable codes for machines and the API."""

    OK = "ok"
    UNKNOWN_UNIT = "unknown_unit"
    WRONG_WORK_ORDER = "wrong_work_order"
    WORK_ORDER_NOT_RELEASED = "work_order_not_released"
    WORK_ORDER_ON_HOLD = "work_order_on_hold"
    UNIT_ON_HOLD = "unit_on_hold"
    UNIT_SCRAPPED = "unit_scrapped"
    UNIT_COMPLETED = "unit_completed"
    WRONG_STATION = "wrong_station"
    FAILED_NEEDS_REPAIR = "failed_needs_repair"
    NOTHING_TO_REPAIR = "nothing_to_repair"
    RETEST_LIMIT_EXCEEDED = "retest_limit_exceeded"
    STEP_ALREADY_DONE = "step_already_done"
    ROUTE_COMPLETE = "route_complete"

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS: Final[Mapping[ReasonCode, str]] = {
    ReasonCode.OK: "OK",
    ReasonCode.UNKNOWN_UNIT: "Unknown unit",
    ReasonCode.WRONG_WORK_ORDER: "Wrong work order",
    ReasonCode.WORK_ORDER_NOT_RELEASED: "Work order not released",
    ReasonCode.WORK_ORDER_ON_HOLD: "Work order on hold",
    ReasonCode.UNIT_ON_HOLD: "Unit on hold",
    ReasonCode.UNIT_SCRAPPED: "Unit scrapped",
    ReasonCode.UNIT_COMPLETED: "Unit completed",
    ReasonCode.WRONG_STATION: "Wrong station",
    ReasonCode.FAILED_NEEDS_REPAIR: "Failed, needs repair",
    ReasonCode.NOTHING_TO_REPAIR: "Nothing to repair",
    ReasonCode.RETEST_LIMIT_EXCEEDED: "Retest limit exceeded",
    ReasonCode.STEP_ALREADY_DONE: "Step already done",
    ReasonCode.ROUTE_COMPLETE: "Route complete",
}


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to one scan.

    ``step`` is the step the station performs when ``allowed`` (for a repair station, the
    step whose fail it repairs), else ``None``; the caller records the result against it.
    ``next_step`` is where the unit must go next (the failed step while it awaits repair or
    retest), ``None`` when it has nowhere to go (route complete, scrapped, unknown).
    """

    allowed: bool
    reason: ReasonCode
    message: str
    next_step: int | None = None
    step: int | None = None


@dataclass(frozen=True, slots=True)
class Position:
    """Where a unit stands on its route after its history.

    - ``passed``: the steps it has passed (a later fail at a step takes it out again).
    - ``next_required``: the first required step not passed; ``None`` when all are.
    - ``optional``: optional steps it may still do before ``next_required`` (after the last
      step it passed).
    - ``failed``: the step of an open fail, awaiting repair or, once ``repaired``, a retest.
    - ``failures``: how many times the unit has failed ``failed``, in all.
    - ``ignored``: events left out (unknown step, repair without an open fail at its step).
    """

    passed: frozenset[int]
    next_required: Operation | None
    optional: tuple[Operation, ...]
    failed: Operation | None
    repaired: bool
    failures: int
    ignored: int

    @property
    def retests_left(self) -> int:
        """Retests still allowed at the failed step (0 without an open fail)."""
        if self.failed is None:
            return 0
        return max(0, self.failed.max_retests - self.failures + 1)

    @property
    def retest_limit_exceeded(self) -> bool:
        """The open fail used up the step's retests: no repair, no retest."""
        return (
            self.failed is not None
            and not self.repaired
            and self.failures > self.failed.max_retests
        )

    @property
    def needs_repair(self) -> bool:
        return self.failed is not None and not self.repaired and not self.retest_limit_exceeded

    @property
    def awaiting_retest(self) -> bool:
        return self.failed is not None and self.repaired

    @property
    def complete(self) -> bool:
        """Every required step passed and no fail open; optional steps may remain."""
        return self.failed is None and self.next_required is None

    @property
    def next_step(self) -> int | None:
        """The step the unit must go to: the failed one while a fail is open."""
        if self.failed is not None:
            return self.failed.step
        return self.next_required.step if self.next_required is not None else None

    @property
    def choices(self) -> tuple[Operation, ...]:
        """The route steps a station may perform on the unit now, in route order."""
        if self.failed is not None:
            return (self.failed,) if self.repaired else ()
        if self.next_required is None:
            return self.optional
        return (*self.optional, self.next_required)


def position(history: Iterable[UnitEvent], routing_ops: Sequence[Operation]) -> Position:
    """Replay ``history`` (in recorded order) over ``routing_ops``, the routing's applicable
    operations in step order. Raises ``InvalidInput`` if their step numbers do not increase."""
    index: dict[int, int] = {}
    previous: int | None = None
    for i, op in enumerate(routing_ops):
        if previous is not None and op.step <= previous:
            raise InvalidInput(
                f"routing steps must increase: step {op.step} comes after step {previous}",
                field="step",
            )
        index[op.step] = i
        previous = op.step

    passed: set[int] = set()
    failures: dict[int, int] = {}
    failed: Operation | None = None
    repaired = False
    cursor = 0  # index after the furthest step passed
    ignored = 0
    for event in history:
        at = index.get(event.step)
        if at is None:
            ignored += 1
            continue
        op = routing_ops[at]
        if event.result is Result.PASSED:
            passed.add(op.step)
            cursor = max(cursor, at + 1)
            if failed is op:
                failed, repaired = None, False
        elif event.result is Result.FAILED:
            passed.discard(op.step)
            failures[op.step] = failures.get(op.step, 0) + 1
            failed, repaired = op, False
        elif failed is op and not repaired:
            repaired = True
        else:
            ignored += 1

    next_index = next(
        (i for i, op in enumerate(routing_ops) if op.required and op.step not in passed), None
    )
    end = len(routing_ops) if next_index is None else next_index
    return Position(
        passed=frozenset(passed),
        next_required=None if next_index is None else routing_ops[next_index],
        optional=tuple(
            op for op in routing_ops[cursor:end] if not op.required and op.step not in passed
        ),
        failed=failed,
        repaired=repaired,
        failures=failures.get(failed.step, 0) if failed is not None else 0,
        ignored=ignored,
    )


def unknown_unit(serial: str, station: Station) -> Decision:
    """The refusal for a serial the caller cannot find."""
    return Decision(
        False,
        ReasonCode.UNKNOWN_UNIT,
        f"{serial}: no such unit is known; it may not be processed at {station.title}",
    )


def decide(
    unit: Unit,
    history: Iterable[UnitEvent],
    work_order: WorkOrderStatus,
    routing_ops: Sequence[Operation],
    station: Station,
) -> Decision:
    """May ``unit`` be processed at ``station`` now? See the module notes for the rules.

    ``history`` is the unit's events in recorded order; ``routing_ops`` the routing's
    operations that apply to the unit's revision, in step order.
    """
    serial = unit.serial
    if unit.state is UnitState.SCRAPPED:
        return _no(ReasonCode.UNIT_SCRAPPED, f"{serial} is scrapped", station)
    if unit.state is UnitState.COMPLETED:
        return _no(ReasonCode.UNIT_COMPLETED, f"{serial} is completed", station)

    where = position(history, routing_ops)
    nxt = where.next_step

    def no(reason: ReasonCode, text: str) -> Decision:
        return _no(reason, text, station, nxt)

    if unit.work_order != work_order.number:
        return no(
            ReasonCode.WRONG_WORK_ORDER,
            f"{serial} belongs to work order {unit.work_order}, not {work_order.number}",
        )
    if station.work_order is not None and station.work_order != unit.work_order:
        return no(
            ReasonCode.WRONG_WORK_ORDER,
            f"{serial} belongs to work order {unit.work_order} but {station.title} is set up"
            f" for work order {station.work_order}",
        )
    if work_order.state not in BUILDING:
        state = work_order.state.value.replace("_", " ")
        return no(
            ReasonCode.WORK_ORDER_NOT_RELEASED,
            f"work order {work_order.number} of {serial} is {state}, not released",
        )
    if work_order.on_hold:
        return no(
            ReasonCode.WORK_ORDER_ON_HOLD,
            f"work order {work_order.number} of {serial} is on hold{_why(work_order.hold_reason)}",
        )
    if unit.on_hold:
        return no(ReasonCode.UNIT_ON_HOLD, f"{serial} is on hold{_why(unit.hold_reason)}")
    return _on_route(serial, where, routing_ops, station)


def _on_route(
    serial: str, where: Position, routing_ops: Sequence[Operation], station: Station
) -> Decision:
    nxt = where.next_step
    failed = where.failed
    repair = station.station_type is StationType.REPAIR

    def no(reason: ReasonCode, text: str) -> Decision:
        return _no(reason, text, station, nxt)

    if failed is not None:
        times = f"{where.failures} time{'s' if where.failures != 1 else ''}"
        if where.retest_limit_exceeded:
            return no(
                ReasonCode.RETEST_LIMIT_EXCEEDED,
                f"{serial} failed step {failed.title} {times} with {failed.max_retests}"
                " retest(s) allowed; an engineer decides what happens to it",
            )
        if where.needs_repair:
            if repair and station.performs(failed):
                return _yes(
                    f"{serial}: repair the fail at step {failed.title}", station, failed, nxt
                )
            return no(
                ReasonCode.FAILED_NEEDS_REPAIR,
                f"{serial} failed step {failed.title} ({times}) and must be repaired first",
            )
        if repair:
            return no(
                ReasonCode.STEP_ALREADY_DONE,
                f"{serial} is already repaired and must be retested at step {failed.title}",
            )
        if station.performs(failed):
            return _yes(f"{serial}: retest step {failed.title} after repair", station, failed, nxt)
        return no(
            ReasonCode.WRONG_STATION,
            f"{serial} was repaired and must be retested at step {failed.title}"
            f" ({failed.station_type.label}){_pinned(station, failed)}",
        )

    ahead = where.next_required
    then = f"; next is step {ahead.title} ({ahead.station_type.label})" if ahead else ""
    if repair:
        return no(ReasonCode.NOTHING_TO_REPAIR, f"{serial} has no fail to repair{then}")
    for op in where.choices:
        if station.performs(op):
            return _yes(f"{serial}: go ahead with step {op.title}", station, op, nxt)
    if ahead is None:
        return no(ReasonCode.ROUTE_COMPLETE, f"{serial} has passed every required step")
    for op in routing_ops:
        if op.step in where.passed and station.performs(op):
            return no(
                ReasonCode.STEP_ALREADY_DONE, f"{serial} already passed step {op.title}{then}"
            )
    return no(
        ReasonCode.WRONG_STATION,
        f"{serial} needs step {ahead.title} ({ahead.station_type.label}) next"
        f"{_pinned(station, ahead)}",
    )


def _pinned(station: Station, op: Operation) -> str:
    """Why a station of the right type still may not do ``op``."""
    if station.station_type is op.station_type and station.steps:
        steps = ", ".join(str(step) for step in sorted(station.steps))
        return f"; this station is pinned to step(s) {steps}"
    return ""


def _why(reason: str) -> str:
    return f": {reason.strip()}" if reason.strip() else ""


def _yes(text: str, station: Station, op: Operation, next_step: int | None) -> Decision:
    return Decision(True, ReasonCode.OK, f"{text} at {station.title}", next_step, op.step)


def _no(reason: ReasonCode, text: str, station: Station, next_step: int | None = None) -> Decision:
    return Decision(
        False, reason, f"{text}; {station.title} may not process it", next_step=next_step
    )
