"""Unit pages (a work order's units, one unit's route and history, serial search, labels)
and their JSON API.

``router`` holds the pages, ``api_router`` the JSON API under ``/api``. The work order page
loads its units section from :func:`work_order_units` with htmx; the forms in it post
here and come back to the work order page.

Serials may hold ``/`` (:mod:`boardline.production.serials`), so routes take them as
``{serial:path}``; the routes with a suffix after the serial come before the bare one.

What the pages show is read by :mod:`boardline.production.unit_views`; the writes are
:mod:`boardline.production.units`'.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from boardline.core.auth import Perm, check_permission
from boardline.core.errors import InvalidInput, NotFound
from boardline.production import units, work_orders
from boardline.production.unit_labels import label_pdf, label_zpl
from boardline.production.unit_views import (
    UnitView,
    product_of,
    unit_view,
    work_order_labels,
    work_order_units_view,
)
from boardline.web import nav
from boardline.web.deps import ApiCtx, Ctx, PageCtx
from boardline.web.templating import render, submit

__all__ = ["api_router", "router"]

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["production"])

nav.register(
    nav.NavSection(
        "Production",
        [nav.NavItem("Units", "/production/units", Perm.PRODUCTION_VIEW)],
        order=27,
    )
)

ZPL_TYPE: Final = "application/x-zpl"
Text = Annotated[str, Form()]


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
        product_id = product_of(s, ctx.actor, order)
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
