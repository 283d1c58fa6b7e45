"""What an operator's station screen shows for a scan, and how it records a result.

The decision itself is the interlock's (``interlock.check_unit``): the screen adds the
operation's name and work instructions, and at a repair station the failures to repair.
Defect codes are a starter list in IPC-A-610 words until the quality issue brings the
defect catalogue; a defect names its code and the reference designator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boardline.core.auth import Actor
from boardline.core.errors import InvalidInput
from boardline.production import factory, interlock, units
from boardline.production.enforcement import Decision
from boardline.production.tables import RoutingOperationRow, Unit, UnitEvent, WorkOrder
from boardline.supply import packages

DEFECT_CODES: Mapping[str, str] = {
    "bridge": "Solder bridge",
    "insufficient": "Insufficient solder",
    "open": "Open joint",
    "missing": "Missing component",
    "wrong_part": "Wrong component",
    "polarity": "Wrong polarity / orientation",
    "tombstone": "Tombstone",
    "shifted": "Component shifted",
    "damaged": "Damaged component",
    "void": "Voids (X-ray)",
    "functional": "Functional test fail",
    "other": "Other (see note)",
}


@dataclass(frozen=True, slots=True)
class ScreenAnswer:
    """Green or red for one scan, with what the operator needs to act on it."""

    serial: str
    decision: Decision
    work_order: str | None = None
    operation: str | None = None
    instructions: str = ""
    failures: list[dict[str, Any]] = field(default_factory=list)  # at a repair station


def scan(session: Session, actor: Actor, station_code: str, scanned: str) -> ScreenAnswer:
    serial = units.clean_serial(scanned)
    if not serial:
        raise InvalidInput("scan a unit's serial", field="serial")
    station = factory.find_station(session, actor, station_code)
    decision = interlock.check_unit(session, actor, serial, station.id)
    if not decision.allowed:
        return ScreenAnswer(serial, decision)
    unit, order = session.execute(
        select(Unit, WorkOrder)
        .join(WorkOrder, WorkOrder.id == Unit.work_order_id)
        .where(Unit.serial == serial)
    ).one()
    op = session.scalar(
        select(RoutingOperationRow).where(
            RoutingOperationRow.routing_id == order.routing_id,
            RoutingOperationRow.step == decision.step,
        )
    )
    failures = []
    if station.station_type == "repair":
        failures = [
            {"step": e.step, "at": e.at, **(e.detail or {})}
            for e in session.scalars(
                select(UnitEvent)
                .where(UnitEvent.unit_id == unit.id, UnitEvent.kind == "failed")
                .order_by(UnitEvent.id.desc())
                .limit(5)
            )
        ]
    return ScreenAnswer(
        serial,
        decision,
        work_order=order.number,
        operation=op.name if op else None,
        instructions=op.instructions if op else "",
        failures=failures,
    )


@dataclass(frozen=True, slots=True)
class Defect:
    code: str
    refdes: str = ""
    note: str = ""


def do_record(
    session: Session,
    actor: Actor,
    station_code: str,
    serial: str,
    result: str,
    *,
    defects: Sequence[Defect] = (),
    repair_action: str = "",
    replaced_refdes: str = "",
    new_package: str = "",
) -> interlock.Recorded:
    """Record pass, fail (with defects) or a repair (with its action and, when a component
    was replaced, the new material package, so the unit's trace stays right)."""
    detail: dict[str, Any] = {}
    if result == "failed":
        if not defects:
            raise InvalidInput("a fail needs at least one defect (code and refdes)", field="defect")
        for d in defects:
            if d.code not in DEFECT_CODES:
                raise InvalidInput(f"defect code {d.code!r} unknown", field="defect")
        detail["defects"] = [
            {"code": d.code, "refdes": d.refdes.strip().upper(), "note": d.note.strip()}
            for d in defects
        ]
    if result == "repaired":
        if not repair_action.strip():
            raise InvalidInput("say what was repaired", field="repair_action")
        detail["action"] = repair_action.strip()
        if new_package.strip():
            if not replaced_refdes.strip():
                raise InvalidInput(
                    "a replaced component names its reference designator", field="replaced_refdes"
                )
            package = packages.find_by_scan(session, actor, new_package)
            detail["replaced"] = {
                "refdes": replaced_refdes.strip().upper(),
                "package": package.uid,
                "item": package.item_part.item.number,
                "lot": package.lot,
            }
    station = factory.find_station(session, actor, station_code)
    return interlock.do_finish(session, actor, serial, station.id, result, detail=detail)
