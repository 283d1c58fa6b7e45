"""Unit pages (a work order's units, one unit's route and history, serial search, labels)
and their JSON API.

``router`` holds the pages, ``api_router`` the JSON API under ``/api``. The work order page
loads its units section from :func:`work_order_units` with htmx; the forms in it post
here and come back to the work order page.

Serials may hold ``/`` (:mod:`boardline.production.serials`), so routes take them as
``{serial:path}``; the routes with a suffix after the serial come before the bare one.

What the pages show is read by the ``*_view`` functions below, each in a fixed number of
queries whatever the history's length; the writes are :mod:`boardline.production.units`'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Final

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import InvalidInput, NotFound
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
from boardline.production.unit_labels import UnitLabel, label_pdf, label_zpl
from boardline.web import nav
from boardline.web.deps import ApiCtx, Ctx, PageCtx
from boardline.web.templating import render, submit

__all__ = [
    "PAGE_SIZE",
    "RouteStep",
    "UnitView",
    "WorkOrderUnits",
    "api_router",
    "router",
    "unit_view",
    "work_order_labels",
    "work_order_units_view",
]

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["production"])

nav.register(
    nav.NavSection(
        "Production",
        [nav.NavItem("Units", "/production/units", Perm.PRODUCTION_VIEW)],
        order=27,
    )
)

PAGE_SIZE: Final = 100
RESULT_KINDS: Final = frozenset(result.value for result in Result)
ZPL_TYPE: Final = "application/x-zpl"
Text = Annotated[str, Form()]


# --- what the pages read --------------------------------------------------------------


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
            SerialScheme.product_id == _product_id(session, actor, order)
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
    try:
        ops = routings.released_operations(session, order.routing_id)
    except NotFound:
        return (), "The work order's routing is not released."
    row = session.get(RoutingRow, order.routing_id)
    design = routings.facts_from_json(dict(row.facts or {})) if row is not None else None
    if design is not None:
        ops = tuple(op for op in ops if op.applies(design))
    return ops, ""


def _mark(op: Operation, where: enforcement.Position, next_step: int | None) -> str:
    if where.failed is not None and where.failed.step == op.step:
        return "repaired" if where.repaired else "failed"
    if op.step in where.passed:
        return "done"
    if op.step == next_step:
        return "next"
    return ""


# --- forms' input ---------------------------------------------------------------------


def _whole(value: str, field: str, *, optional: bool = False) -> int | None:
    text = value.strip()
    if not text and optional:
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(
            f"{field.replace('_', ' ')} {value!r}: a whole number", field=field
        ) from None


def _positions(value: str) -> list[int]:
    """X-out positions as typed: numbers separated by commas or spaces."""
    return [_whole(part, "x_outs") or 0 for part in value.replace(",", " ").split() if part.strip()]


def _version(value: str) -> int | None:
    return _whole(value, "version", optional=True)


def _attachment(body: bytes | str, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _filename(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-." else "_" for ch in text)


# --- pages: a work order's units ------------------------------------------------------


def _wo(work_order_id: int) -> str:
    return f"/production/work-orders/{work_order_id}"


@router.get("/production/work-orders/{work_order_id}/units", response_class=HTMLResponse)
def work_order_units(ctx: PageCtx, work_order_id: int, page: int = 1) -> HTMLResponse:
    """The units section of the work order page (an htmx fragment)."""
    with ctx.read() as s:
        view = work_order_units_view(s, ctx.actor, work_order_id, page)
    return render(ctx.request, "production/unit_wo_section.html", ctx.actor, v=view)


@router.post("/production/work-orders/{work_order_id}/serial-scheme")
def set_serial_scheme(ctx: PageCtx, work_order_id: int, pattern: Text = "") -> RedirectResponse:
    def act(s: Session) -> str:
        order = work_orders.access_work_order(s, ctx.actor, work_order_id)
        ref = work_orders.revision_refs(s, ctx.actor, [order.revision_id])[order.revision_id]
        product_id = _product_id(s, ctx.actor, order)
        scheme = units.do_set_serial_scheme(s, ctx.actor, product_id, pattern)
        return f"Serial pattern of {ref.product_code} set to {scheme.pattern}."

    return submit(ctx, act, back=_wo(work_order_id), failed="Serial pattern not set")


@router.post("/production/work-orders/{work_order_id}/units")
def create_units(
    ctx: PageCtx,
    work_order_id: int,
    count: Text = "",
    panel_rows: Text = "",
    panel_cols: Text = "",
    x_outs: Text = "",
) -> RedirectResponse:
    def act(s: Session) -> str:
        created = units.do_create_units(
            s,
            ctx.actor,
            work_order_id,
            _whole(count, "count") or 0,
            panel_rows=_whole(panel_rows, "panel_rows", optional=True),
            panel_cols=_whole(panel_cols, "panel_cols", optional=True),
            x_outs=_positions(x_outs),
        )
        panels = f" on {len(created.panels)} panel(s)" if created.panels else ""
        return f"{len(created.serials)} unit(s) created{panels}: {created.serials[0]} …"

    return submit(ctx, act, back=_wo(work_order_id), failed="No units created")


@router.post("/production/work-orders/{work_order_id}/hold")
def hold_work_order(
    ctx: PageCtx, work_order_id: int, reason: Text = "", version: Text = ""
) -> RedirectResponse:
    def act(s: Session) -> str:
        order = units.do_hold_work_order(
            s, ctx.actor, work_order_id, reason, expected_version=_version(version)
        )
        return f"Work order {order.number} on hold."

    return submit(ctx, act, back=_wo(work_order_id), failed="Not held")


@router.post("/production/work-orders/{work_order_id}/release-hold")
def release_work_order_hold(
    ctx: PageCtx, work_order_id: int, reason: Text = "", version: Text = ""
) -> RedirectResponse:
    def act(s: Session) -> str:
        order = units.do_release_work_order_hold(
            s, ctx.actor, work_order_id, reason, expected_version=_version(version)
        )
        return f"Hold on work order {order.number} released."

    return submit(ctx, act, back=_wo(work_order_id), failed="Hold not released")


@router.get("/production/work-orders/{work_order_id}/labels.pdf")
def work_order_labels_pdf(ctx: PageCtx, work_order_id: int) -> Response:
    return _labels_pdf(ctx, work_order_id)


@router.get("/production/work-orders/{work_order_id}/labels.zpl")
def work_order_labels_zpl(ctx: PageCtx, work_order_id: int) -> Response:
    return _labels_zpl(ctx, work_order_id)


def _labels_pdf(ctx: Ctx, work_order_id: int) -> Response:
    with ctx.read() as s:
        labels = work_order_labels(s, ctx.actor, work_order_id)
    name = _filename(f"{labels[0].work_order}-labels.pdf")
    return _attachment(label_pdf(labels), "application/pdf", name)


def _labels_zpl(ctx: Ctx, work_order_id: int) -> Response:
    with ctx.read() as s:
        labels = work_order_labels(s, ctx.actor, work_order_id)
    return _attachment(label_zpl(labels), ZPL_TYPE, _filename(f"{labels[0].work_order}-labels.zpl"))


def _product_id(session: Session, actor: Actor, order: WorkOrder) -> int:
    return npi.access_revision(session, actor, order.revision_id).product_id


# --- pages: one unit, and the search --------------------------------------------------


def _unit_url(serial: str) -> str:
    return f"/production/units/{serial}"


@router.get("/production/units", response_class=HTMLResponse, response_model=None)
def unit_search(ctx: PageCtx, serial: str = "") -> HTMLResponse | RedirectResponse:
    """The serial search box; a scan that finds a unit goes to its page."""
    check_permission(ctx.actor, Perm.PRODUCTION_VIEW)
    problem = ""
    if serial.strip():
        try:
            with ctx.read() as s:
                unit = units.find_unit(s, ctx.actor, serial)
            return RedirectResponse(_unit_url(unit.serial), status_code=303)
        except NotFound as exc:
            problem = exc.detail
    return render(
        ctx.request,
        "production/unit_search.html",
        ctx.actor,
        status_code=404 if problem else 200,
        serial=serial.strip(),
        problem=problem,
    )


@router.get("/production/units/{serial:path}/label.pdf")
def unit_label_pdf(ctx: PageCtx, serial: str) -> Response:
    with ctx.read() as s:
        label = unit_view(s, ctx.actor, serial).label
    return _attachment(label_pdf([label]), "application/pdf", _filename(f"{label.serial}.pdf"))


@router.get("/production/units/{serial:path}/label.zpl")
def unit_label_zpl(ctx: PageCtx, serial: str) -> Response:
    with ctx.read() as s:
        label = unit_view(s, ctx.actor, serial).label
    return _attachment(label_zpl([label]), ZPL_TYPE, _filename(f"{label.serial}.zpl"))


_UNIT_ACTIONS: Final = {
    "hold": (units.do_hold_unit, "on hold", "Not held"),
    "release": (units.do_release_unit_hold, "released from hold", "Hold not released"),
    "scrap": (units.do_scrap_unit, "scrapped", "Not scrapped"),
}


@router.post("/production/units/{serial:path}/{action}")
def unit_action(
    ctx: PageCtx, serial: str, action: str, reason: Text = "", version: Text = ""
) -> RedirectResponse:
    """Hold, release or scrap the unit with a reason."""
    if action not in _UNIT_ACTIONS:
        raise NotFound(f"no unit action {action!r}")
    do, done, failed = _UNIT_ACTIONS[action]

    def act(s: Session) -> str:
        unit = units.find_unit(s, ctx.actor, serial)
        changed = do(s, ctx.actor, unit.id, reason, expected_version=_version(version))
        return f"{changed.serial} {done}."

    return submit(ctx, act, back=_unit_url(serial.strip()), failed=failed)


@router.get("/production/units/{serial:path}", response_class=HTMLResponse)
def unit_page(ctx: PageCtx, serial: str) -> HTMLResponse:
    with ctx.read() as s:
        view = unit_view(s, ctx.actor, serial)
    return render(ctx.request, "production/unit_page.html", ctx.actor, v=view)


# --- the JSON API ---------------------------------------------------------------------


class ReasonIn(BaseModel):
    reason: str
    version: int | None = None


class UnitEventOut(BaseModel):
    kind: str
    step: int | None
    station: str | None
    operator: str
    at: datetime
    detail: dict[str, object]


class RouteStepOut(BaseModel):
    step: int
    name: str
    station_type: str
    required: bool
    mark: str


class UnitOut(BaseModel):
    serial: str
    state: str
    on_hold: bool
    hold_reason: str
    version: int
    work_order_id: int
    work_order: str
    product_code: str
    revision: str
    panel: str | None
    panel_position: int | None
    last_step: int | None
    next_step: int | None
    route: list[RouteStepOut]
    history: list[UnitEventOut]


def _unit_out(v: UnitView) -> UnitOut:
    return UnitOut(
        serial=v.unit.serial,
        state=v.unit.state,
        on_hold=v.unit.on_hold,
        hold_reason=v.unit.hold_reason,
        version=v.unit.version,
        work_order_id=v.order.id,
        work_order=v.order.number,
        product_code=v.ref.product_code,
        revision=v.ref.label,
        panel=v.panel,
        panel_position=v.unit.panel_position,
        last_step=v.unit.last_step,
        next_step=v.next_step,
        route=[
            RouteStepOut(
                step=r.op.step,
                name=r.op.name,
                station_type=r.op.station_type.value,
                required=r.op.required,
                mark=r.mark,
            )
            for r in v.route
        ],
        history=[
            UnitEventOut(
                kind=e.kind,
                step=e.step,
                station=v.stations.get(e.station_id) if e.station_id is not None else None,
                operator=e.operator,
                at=e.at,
                detail=dict(e.detail or {}),
            )
            for e in v.events
        ],
    )


@api_router.get("/units/{serial:path}")
def api_unit(ctx: ApiCtx, serial: str) -> UnitOut:
    """The unit's state, work order, route position and full history."""
    with ctx.read() as s:
        return _unit_out(unit_view(s, ctx.actor, serial))


@api_router.post("/units/{serial:path}/{action}")
def api_unit_action(ctx: ApiCtx, serial: str, action: str, body: ReasonIn) -> UnitOut:
    """``hold``, ``release`` or ``scrap`` the unit with a reason; answers the unit after."""
    if action not in _UNIT_ACTIONS:
        raise NotFound(f"no unit action {action!r}")
    do = _UNIT_ACTIONS[action][0]
    with ctx.write() as s:
        unit = units.find_unit(s, ctx.actor, serial)
        do(s, ctx.actor, unit.id, body.reason, expected_version=body.version)
        clean = unit.serial
    with ctx.read() as s:
        return _unit_out(unit_view(s, ctx.actor, clean))


@api_router.get("/work-orders/{work_order_id}/labels.pdf")
def api_labels_pdf(ctx: ApiCtx, work_order_id: int) -> Response:
    """Serial labels (PDF, a 50 × 25 mm page each) of the work order's units not scrapped."""
    return _labels_pdf(ctx, work_order_id)


@api_router.get("/work-orders/{work_order_id}/labels.zpl")
def api_labels_zpl(ctx: ApiCtx, work_order_id: int) -> Response:
    """Serial labels in ZPL of the work order's units not scrapped."""
    return _labels_zpl(ctx, work_order_id)
