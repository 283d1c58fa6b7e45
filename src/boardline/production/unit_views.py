"""What the unit pages and the unit API read: a work order's units, one unit's place in
its routing and its history, a work order's labels. Each in a fixed number of queries,
whatever the history's length; the writes are :mod:`boardline.production.units`'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import NotFound
from boardline.npi import services as npi
from boardline.production import enforcement, routings, units, work_orders
from boardline.production.enforcement import Result
from boardline.production.routing import Operation
from boardline.production.tables import (
    Panel,
    RoutingRow,
    SerialScheme,
    Station,
    Unit,
    UnitEvent,
    WorkOrder,
)
from boardline.production.unit_labels import UnitLabel

PAGE_SIZE: Final = 100
RESULT_KINDS: Final = frozenset(result.value for result in Result)


@dataclass(frozen=True, slots=True)
class WorkOrderUnits:
    """A work order's units section: its scheme, one page of its units and their panels."""

    order: WorkOrder
    ref: work_orders.RevisionRef
    pattern: str | None
    units: Sequence[Unit]
    panels: dict[int, str]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def left(self) -> int:
        """How many more units the work order may get."""
        return max(0, self.order.quantity - self.total)


@dataclass(frozen=True, slots=True)
class RouteStep:
    """One operation of the unit's routing and where the unit stands on it."""

    op: Operation
    mark: str  # done | next | failed | repaired | "" (not reached)


@dataclass(frozen=True, slots=True)
class UnitView:
    """Everything the unit page and the API show of one unit."""

    unit: Unit
    order: WorkOrder
    ref: work_orders.RevisionRef
    panel: str | None
    events: Sequence[UnitEvent]
    stations: dict[int, str]
    route: tuple[RouteStep, ...]
    next_step: int | None
    routing_note: str

    @property
    def label(self) -> UnitLabel:
        return UnitLabel(self.unit.serial, self.ref.product_code, self.ref.label, self.order.number)


def work_order_units_view(
    session: Session, actor: Actor, work_order_id: int, page: int = 1
) -> WorkOrderUnits:
    """The work order's units section, ``page`` (from 1) of :data:`PAGE_SIZE` units."""
    order = work_orders.access_work_order(session, actor, work_order_id)
    ref = work_orders.revision_refs(session, actor, [order.revision_id])[order.revision_id]
    pattern = session.scalar(
        select(SerialScheme.pattern).where(
            SerialScheme.product_id == product_of(session, actor, order)
        )
    )
    total = session.scalar(
        select(func.count()).select_from(Unit).where(Unit.work_order_id == order.id)
    )
    page = max(1, page)
    rows = session.scalars(
        select(Unit)
        .where(Unit.work_order_id == order.id)
        .order_by(Unit.id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return WorkOrderUnits(order, ref, pattern, rows, _panel_codes(session, rows), total or 0, page)


def unit_view(session: Session, actor: Actor, serial: str) -> UnitView:
    """The unit with this (scanned) serial, its route position and history.
    ``NotFound`` (``unknown_unit``) for no such unit or another customer's."""
    unit = units.find_unit(session, actor, serial)
    order = work_orders.access_work_order(session, actor, unit.work_order_id)
    ref = work_orders.revision_refs(session, actor, [order.revision_id])[order.revision_id]
    events = units.unit_history(session, actor, unit.id)
    station_ids = {e.station_id for e in events if e.station_id is not None}
    stations = {
        row.id: row.code
        for row in (
            session.execute(select(Station.id, Station.code).where(Station.id.in_(station_ids)))
            if station_ids
            else ()
        )
    }
    ops, note = _operations(session, order)
    route: tuple[RouteStep, ...] = ()
    next_step = None
    if ops:
        where = enforcement.position(
            (
                enforcement.UnitEvent(e.step, Result(e.kind), e.at)
                for e in events
                if e.kind in RESULT_KINDS and e.step is not None
            ),
            ops,
        )
        next_step = where.next_step if unit.state == "in_progress" else None
        route = tuple(RouteStep(op, _mark(op, where, next_step)) for op in ops)
    return UnitView(
        unit,
        order,
        ref,
        _panel_codes(session, [unit]).get(unit.id),
        events,
        stations,
        route,
        next_step,
        note,
    )


def work_order_labels(session: Session, actor: Actor, work_order_id: int) -> list[UnitLabel]:
    """Labels for the work order's units that are not scrapped, in serial order of
    creation. ``NotFound`` if the work order has none."""
    check_permission(actor, Perm.PRODUCTION_VIEW)
    order = work_orders.access_work_order(session, actor, work_order_id)
    ref = work_orders.revision_refs(session, actor, [order.revision_id])[order.revision_id]
    serials = session.scalars(
        select(Unit.serial)
        .where(Unit.work_order_id == order.id, Unit.state != "scrapped")
        .order_by(Unit.id)
    ).all()
    if not serials:
        raise NotFound(f"work order {order.number} has no units to label", reason="no_units")
    return [UnitLabel(s, ref.product_code, ref.label, order.number) for s in serials]


def _panel_codes(session: Session, rows: Sequence[Unit]) -> dict[int, str]:
    """Unit id → its panel's code, for the units on a panel."""
    panel_ids = {u.panel_id for u in rows if u.panel_id is not None}
    if not panel_ids:
        return {}
    codes = {
        row.id: row.code
        for row in session.execute(select(Panel.id, Panel.code).where(Panel.id.in_(panel_ids)))
    }
    return {u.id: codes[u.panel_id] for u in rows if u.panel_id is not None}


def _operations(session: Session, order: WorkOrder) -> tuple[tuple[Operation, ...], str]:
    """The routing's operations that apply to this design, or none and why."""
    if order.routing_id is None:
        return (), "The work order has no routing yet (it gets one when released)."
    row = session.get(RoutingRow, order.routing_id)
    try:
        return routings.operations_for_design(
            session, order.routing_id, (row.facts or {}) if row else {}
        ), ""
    except NotFound:
        return (), "The work order's routing is not released."


def _mark(op: Operation, where: enforcement.Position, next_step: int | None) -> str:
    if where.failed is not None and where.failed.step == op.step:
        return "repaired" if where.repaired else "failed"
    if op.step in where.passed:
        return "done"
    if op.step == next_step:
        return "next"
    return ""


def product_of(session: Session, actor: Actor, order: WorkOrder) -> int:
    """The product a work order builds (its serial scheme belongs to the product)."""
    return npi.access_revision(session, actor, order.revision_id).product_id
