"""Operator station screens: scan a unit, see green or red with the reason, record pass or
fail with defects (or a repair), next unit. Built for a touch screen at 1024 × 768 and a
keyboard-wedge scanner (a scan ends with Enter)."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse

from boardline.core.auth import Perm, check_permission
from boardline.core.errors import BoardlineError
from boardline.production import factory, station_screen
from boardline.web import nav
from boardline.web.deps import PageCtx
from boardline.web.templating import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]

nav.register(
    nav.NavSection(
        "Production",
        [nav.NavItem("Station screens", "/production/stations", Perm.PRODUCTION_RECORD)],
        order=27,
    )
)


@router.get("/production/stations", response_class=HTMLResponse)
def stations_page(ctx: PageCtx) -> HTMLResponse:
    check_permission(ctx.actor, Perm.PRODUCTION_RECORD)
    with ctx.read() as s:
        stations = [st for st in factory.list_stations(s, ctx.actor) if st.active]
    return render(ctx.request, "production/station_list.html", ctx.actor, stations=stations)


@router.get("/production/stations/{code}", response_class=HTMLResponse)
def station_screen_page(ctx: PageCtx, code: str) -> HTMLResponse:
    check_permission(ctx.actor, Perm.PRODUCTION_RECORD)
    with ctx.read() as s:
        station = factory.find_station(s, ctx.actor, code)
    return render(
        ctx.request,
        "production/station_screen.html",
        ctx.actor,
        station=station,
        defect_codes=station_screen.DEFECT_CODES,
    )


@router.post("/production/stations/{code}/scan", response_class=HTMLResponse)
def scan(ctx: PageCtx, code: str, serial: Text) -> HTMLResponse:
    """The answer fragment for one scan (htmx swaps it in under the scan field)."""
    started = time.perf_counter()
    try:
        with ctx.read() as s:
            answer = station_screen.scan(s, ctx.actor, code, serial)
            station = factory.find_station(s, ctx.actor, code)
    except BoardlineError as exc:
        return _problem(ctx, exc.detail)
    return render(
        ctx.request,
        "production/station_answer.html",
        ctx.actor,
        answer=answer,
        station=station,
        defect_codes=station_screen.DEFECT_CODES,
        server_ms=round((time.perf_counter() - started) * 1000, 1),
    )


@router.post("/production/stations/{code}/record", response_class=HTMLResponse)
def record(
    ctx: PageCtx,
    code: str,
    serial: Text,
    result: Text,
    defect: Annotated[str, Form()] = "",
    refdes: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    repair_action: Annotated[str, Form()] = "",
    replaced_refdes: Annotated[str, Form()] = "",
    new_package: Annotated[str, Form()] = "",
) -> HTMLResponse:
    defects = [station_screen.Defect(defect, refdes, note)] if defect else []
    try:
        with ctx.write() as s:
            done = station_screen.do_record(
                s,
                ctx.actor,
                code,
                serial,
                result,
                defects=defects,
                repair_action=repair_action,
                replaced_refdes=replaced_refdes,
                new_package=new_package,
            )
    except BoardlineError as exc:
        return _problem(ctx, exc.detail)
    return render(ctx.request, "production/station_recorded.html", ctx.actor, done=done)


def _problem(ctx: PageCtx, message: str) -> HTMLResponse:
    return render(ctx.request, "production/station_problem.html", ctx.actor, message=message)
