"""Route enforcement over the database: the one service every scan goes through.

Operator screens, the CFX ``ValidateUnitsRequest`` handler and the recording services all
call :func:`check_unit`, which reads what :func:`boardline.production.enforcement.decide`
needs and returns its :class:`~boardline.production.enforcement.Decision`. :func:`do_start`
and :func:`do_finish` check again inside their own transaction and append the event.

What one check reads (four indexed queries, three once the routing is cached): the station;
the unit by its serial (unique index) joined to its work order and that order's routing
row; the routing's operations; the unit's result events (``passed``, ``failed``,
``repaired``) in recorded order over the ``(unit_id, id)`` index.

Decisions:

- **Released routings are cached**, per process, in a small LRU keyed by the database, the
  routing row's id, its version and its timestamps. A released routing is never changed
  (``routing.py``), and ids alone are not enough: two databases in one process, or a
  restored database, can hold another routing under the same id. Draft routings are read
  every time.
- **Refusals are answers, not errors**, for :func:`check_unit`: an unknown serial is a
  ``Decision`` with ``UNKNOWN_UNIT`` (a scanner misread is a normal event on the floor).
  :func:`do_start` and :func:`do_finish` raise ``Conflict`` with the reason code in
  ``reason``, and change nothing.
- **One winner per unit.** Recording an event also updates the unit row, bumping its
  ``version``; two stations recording on the same unit at once both pass the check, but
  only one update matches the version read, the other unit of work fails with
  ``StaleRecord``. On SQLite write transactions queue, so the second one sees the first's
  event and is refused by the check itself.
- **Work order state moves here**: the first step recorded on a released work order sets it
  ``in_progress`` (through the ORM, audited, once per order) — there is no work order
  service for that move yet. Counters move atomically without the audit trail (see
  :mod:`boardline.production.units`).
- **A unit is completed when every required step is passed** (optional steps left over are
  skipped). A finish needs no start before it: machines often report only results.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from boardline.core import clock
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import Conflict, InvalidInput
from boardline.production import enforcement, factory, routings
from boardline.production.enforcement import Decision, ReasonCode, Result
from boardline.production.routing import Operation, StationType
from boardline.production.serials import normalize_serial
from boardline.production.tables import (
    RoutingRow,
    Station,
    Unit,
    UnitEvent,
    WorkOrder,
)
from boardline.production.units import check_may_record

__all__ = [
    "Recorded",
    "check_unit",
    "clear_routing_cache",
    "do_finish",
    "do_start",
]

RESULT_KINDS: Final = tuple(result.value for result in Result)
CACHE_SIZE: Final = 256

# Refusals decide() gives before it looks at the route: they stand without a routing.
_BEFORE_ROUTE: Final = frozenset(
    {
        ReasonCode.UNIT_SCRAPPED,
        ReasonCode.UNIT_COMPLETED,
        ReasonCode.WRONG_WORK_ORDER,
        ReasonCode.WORK_ORDER_NOT_RELEASED,
        ReasonCode.WORK_ORDER_ON_HOLD,
        ReasonCode.UNIT_ON_HOLD,
    }
)


@dataclass(frozen=True, slots=True)
class Recorded:
    """What :func:`do_start` or :func:`do_finish` recorded.

    ``next_step`` is where the unit must go now (``None`` once completed); ``unit_state``
    is ``in_progress`` or ``completed``.
    """

    serial: str
    step: int
    kind: str
    unit_state: str
    next_step: int | None
    message: str


@dataclass(frozen=True, slots=True)
class _Scan:
    decision: Decision
    unit: Unit | None = None
    work_order_id: int | None = None
    work_order_state: str = ""
    station: Station | None = None
    ops: tuple[Operation, ...] = ()
    history: tuple[enforcement.UnitEvent, ...] = ()


# --- the routing cache ----------------------------------------------------------------

_CacheKey = tuple[str, int, int, datetime | None, datetime | None]
_cache: OrderedDict[_CacheKey, tuple[Operation, ...]] = OrderedDict()
_cache_lock = threading.Lock()


def clear_routing_cache() -> None:
    """Forget every cached routing (tests; after restoring a database)."""
    with _cache_lock:
        _cache.clear()


def _operations(
    session: Session,
    routing_id: int,
    version: int,
    released: bool,
    stamps: tuple[datetime | None, datetime | None],
    facts: Mapping[str, object],
) -> tuple[Operation, ...]:
    key: _CacheKey = (
        session.get_bind().engine.url.render_as_string(hide_password=True),
        routing_id,
        version,
        *stamps,
    )
    if released:
        with _cache_lock:
            cached = _cache.get(key)
            if cached is not None:
                _cache.move_to_end(key)
                return cached
    ops = routings.operations_for_design(session, routing_id, facts)
    if released:
        with _cache_lock:
            _cache[key] = ops
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return ops


# --- checking -------------------------------------------------------------------------


def check_unit(
    session: Session,
    actor: Actor,
    serial: str,
    station_code_or_id: str | int,
    *,
    work_order_number: str | None = None,
) -> Decision:
    """May the unit with this scanned ``serial`` be processed at the station now?

    ``station_code_or_id`` is the station's code (as scanned or configured) or its id;
    an unknown station is ``NotFound`` (a set-up error, not a scan). ``work_order_number``
    is the work order the operator or machine is running, when known. Every refusal,
    an unknown serial included, is a ``Decision`` with its reason code.
    """
    return _check(session, actor, serial, station_code_or_id, work_order_number).decision


def _station(session: Session, actor: Actor, station: str | int) -> Station:
    if isinstance(station, int):
        return factory.access_station(session, actor, station)
    return factory.find_station(session, actor, station)


def _check(
    session: Session,
    actor: Actor,
    serial: str,
    station_ref: str | int,
    work_order_number: str | None,
) -> _Scan:
    check_permission(actor, Perm.PRODUCTION_VIEW)
    row = _station(session, actor, station_ref)
    station = enforcement.Station(row.code, StationType(row.station_type))
    try:
        clean = normalize_serial(serial)
    except InvalidInput:
        shown = serial.strip()[:64] if isinstance(serial, str) else repr(serial)
        return _Scan(enforcement.unknown_unit(shown or "(empty scan)", station), station=row)
    found = session.execute(
        select(
            Unit,
            WorkOrder.number,
            WorkOrder.state,
            WorkOrder.on_hold,
            WorkOrder.hold_reason,
            WorkOrder.customer_id,
            WorkOrder.routing_id,
            RoutingRow.version,
            RoutingRow.released,
            RoutingRow.released_at,
            RoutingRow.created_at,
            RoutingRow.facts,
        )
        .join(WorkOrder, WorkOrder.id == Unit.work_order_id)
        .outerjoin(RoutingRow, RoutingRow.id == WorkOrder.routing_id)
        .where(Unit.serial == clean)
    ).one_or_none()
    if found is None or (actor.is_customer and found.customer_id != actor.customer_id):
        return _Scan(enforcement.unknown_unit(clean, station), station=row)
    unit: Unit = found[0]
    rules_unit = enforcement.Unit(
        unit.serial,
        found.number,
        enforcement.UnitState(unit.state),
        unit.on_hold,
        unit.hold_reason,
    )
    status = enforcement.WorkOrderStatus(
        work_order_number.strip() if work_order_number else found.number,
        enforcement.WorkOrderState(found.state),
        found.on_hold,
        found.hold_reason,
    )
    ops: tuple[Operation, ...] = ()
    if found.routing_id is not None:
        ops = _operations(
            session,
            found.routing_id,
            found.version,
            found.released,
            (found.released_at, found.created_at),
            found.facts or {},
        )
    history = tuple(
        enforcement.UnitEvent(event.step, Result(event.kind), event.at)
        for event in session.execute(
            select(UnitEvent.step, UnitEvent.kind, UnitEvent.at)
            .where(UnitEvent.unit_id == unit.id, UnitEvent.kind.in_(RESULT_KINDS))
            .order_by(UnitEvent.id)
        )
        if event.step is not None
    )
    decision = enforcement.decide(rules_unit, history, status, ops, station)
    if found.routing_id is None and decision.reason not in _BEFORE_ROUTE:
        decision = Decision(
            False,
            ReasonCode.WORK_ORDER_NOT_RELEASED,
            f"work order {found.number} of {unit.serial} has no released routing;"
            f" {station.title} may not process it",
        )
    return _Scan(decision, unit, unit.work_order_id, found.state, row, ops, history)


# --- recording ------------------------------------------------------------------------


def _allowed(scan: _Scan) -> tuple[Unit, int, Station]:
    """The unit, the step and the station of an allowed scan; ``Conflict`` with the reason
    code for a refused one."""
    decision = scan.decision
    if not decision.allowed or scan.unit is None or decision.step is None or not scan.station:
        raise Conflict(decision.message, reason=decision.reason.value, next_step=decision.next_step)
    return scan.unit, decision.step, scan.station


def do_start(session: Session, actor: Actor, serial: str, station: str | int) -> Recorded:
    """Record that the station started its step on the unit, if the interlock allows it.

    Refused (``Conflict``, ``reason`` the code) otherwise, with nothing written.
    """
    check_may_record(actor)
    scan = _check(session, actor, serial, station, None)
    unit, step, _ = _allowed(scan)
    first = not scan.history and not _has_started(session, unit.id)
    _record(session, actor, scan, unit, "started", step, None)
    flag_modified(unit, "state")  # bumps the version: one start at a time per unit
    session.flush()
    _count_start(session, scan, first)
    return Recorded(
        unit.serial, step, "started", unit.state, scan.decision.next_step, scan.decision.message
    )


def do_finish(
    session: Session,
    actor: Actor,
    serial: str,
    station: str | int,
    result: str,
    *,
    detail: Mapping[str, Any] | None = None,
) -> Recorded:
    """Record the station's result for the unit: ``passed`` or ``failed`` at a route step,
    ``repaired`` at a repair station. Completes the unit when its last required step passes.

    Refused (``Conflict``, ``reason`` the code) when the interlock says no, with nothing
    written; ``InvalidInput`` for a result the station cannot give.
    """
    check_may_record(actor)
    try:
        outcome = Result(str(result).strip().lower())
    except ValueError:
        raise InvalidInput(
            f"result {result!r}: one of {', '.join(RESULT_KINDS)}", field="result"
        ) from None
    scan = _check(session, actor, serial, station, None)
    unit, step, where_row = _allowed(scan)
    repair = where_row.station_type == StationType.REPAIR.value
    if repair != (outcome is Result.REPAIRED):
        what = "a repair station records" if repair else "only a repair station records"
        raise InvalidInput(f"{what} 'repaired'", field="result")
    now = clock.now()
    first = not scan.history and not _has_started(session, unit.id)
    _record(session, actor, scan, unit, outcome.value, step, detail)
    where = enforcement.position(
        (*scan.history, enforcement.UnitEvent(step, outcome, now)), scan.ops
    )
    completed = where.complete
    if outcome is not Result.REPAIRED:
        unit.last_step = step
    if completed:
        unit.state, unit.completed_at = enforcement.UnitState.COMPLETED.value, now
    flag_modified(unit, "state")  # bumps the version even when only an event is added
    session.flush()
    _count_start(session, scan, first)
    if completed:
        session.execute(
            update(WorkOrder)
            .where(WorkOrder.id == scan.work_order_id)
            .values(completed_quantity=WorkOrder.completed_quantity + 1)
            .execution_options(synchronize_session=False)
        )
    return Recorded(
        unit.serial,
        step,
        outcome.value,
        unit.state,
        None if completed else where.next_step,
        scan.decision.message,
    )


def _has_started(session: Session, unit_id: int) -> bool:
    return bool(
        session.scalar(
            select(exists().where(UnitEvent.unit_id == unit_id, UnitEvent.kind == "started"))
        )
    )


def _record(
    session: Session,
    actor: Actor,
    scan: _Scan,
    unit: Unit,
    kind: str,
    step: int,
    detail: Mapping[str, Any] | None,
) -> None:
    if scan.work_order_state == enforcement.WorkOrderState.RELEASED.value:
        order = session.get(WorkOrder, scan.work_order_id)
        assert order is not None
        order.state = enforcement.WorkOrderState.IN_PROGRESS.value
        session.flush()  # the work order first: every writer locks in the same order
    session.add(
        UnitEvent(
            unit_id=unit.id,
            kind=kind,
            step=step,
            station_id=scan.station.id if scan.station else None,
            operator=actor.label,
            at=clock.now(),
            detail=dict(detail or {}),
        )
    )


def _count_start(session: Session, scan: _Scan, first: bool) -> None:
    if first:
        session.execute(
            update(WorkOrder)
            .where(WorkOrder.id == scan.work_order_id)
            .values(started_quantity=WorkOrder.started_quantity + 1)
            .execution_options(synchronize_session=False)
        )
