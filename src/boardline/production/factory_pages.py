"""The factory page: sites, their lines and the stations on them, with CFX handles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from boardline.core.auth import Perm
from boardline.production import factory
from boardline.production.routing import StationType
from boardline.web import nav
from boardline.web.deps import PageCtx
from boardline.web.templating import render, submit

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]

nav.register(
    nav.NavSection(
        "Production",
        [nav.NavItem("Factory (lines, stations)", "/production/factory", Perm.PRODUCTION_VIEW)],
        order=27,
    )
)
BACK = "/production/factory"


@router.get(BACK, response_class=HTMLResponse)
def factory_page(ctx: PageCtx) -> HTMLResponse:
    with ctx.read() as s:
        sites = factory.list_sites(s, ctx.actor)
        lines = factory.list_lines(s, ctx.actor)
        stations = factory.list_stations(s, ctx.actor)
    by_line: dict[int | None, list[object]] = {}
    for station in stations:
        by_line.setdefault(station.line_id, []).append(station)
    return render(
        ctx.request,
        "production/factory.html",
        ctx.actor,
        sites=sites,
        lines=lines,
        by_line=by_line,
        station_types=list(StationType),
        line_kinds=factory.LINE_KINDS,
    )


@router.post(BACK + "/sites")
def create_site(
    ctx: PageCtx, code: Text, name: Text, timezone: Annotated[str, Form()] = "UTC"
) -> RedirectResponse:
    def act(s: Session) -> str:
        site = factory.do_create_site(s, ctx.actor, code=code, name=name, timezone=timezone)
        return f"Site {site.code} created."

    return submit(ctx, act, back=BACK, failed="Site not created")


@router.post(BACK + "/lines")
def create_line(
    ctx: PageCtx,
    site: Text,
    code: Text,
    name: Text,
    kind: Text,
    target_uph: Annotated[int | None, Form()] = None,
) -> RedirectResponse:
    def act(s: Session) -> str:
        line = factory.do_create_line(
            s, ctx.actor, site_code=site, code=code, name=name, kind=kind, target_uph=target_uph
        )
        return f"Line {line.code} created."

    return submit(ctx, act, back=BACK, failed="Line not created")


@router.post(BACK + "/stations")
def create_station(
    ctx: PageCtx,
    code: Text,
    name: Text,
    station_type: Text,
    line: Annotated[str, Form()] = "",
    site: Annotated[str, Form()] = "",
    cfx_handle: Annotated[str, Form()] = "",
) -> RedirectResponse:
    def act(s: Session) -> str:
        station = factory.do_create_station(
            s,
            ctx.actor,
            code=code,
            name=name,
            station_type=station_type,
            line_code=line or None,
            site_code=site or None,
            cfx_handle=cfx_handle or None,
        )
        return f"Station {station.code} created."

    return submit(ctx, act, back=BACK, failed="Station not created")


@router.post(BACK + "/stations/{station_id}")
def update_station(
    ctx: PageCtx,
    station_id: int,
    version: Annotated[int, Form()],
    cfx_handle: Annotated[str, Form()] = "",
    active: Annotated[str, Form()] = "",
) -> RedirectResponse:
    def act(s: Session) -> str:
        station = factory.do_update_station(
            s,
            ctx.actor,
            station_id,
            expected_version=version,
            cfx_handle=cfx_handle,
            active=bool(active),
        )
        return f"Station {station.code} saved."

    return submit(ctx, act, back=BACK, failed="Station not saved")
