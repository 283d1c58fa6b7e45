"""Line performance pages and API: the OEE report per line and day, and the live line
dashboard (htmx polls a fragment; ``?poll=`` sets the interval in seconds, default 5)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from boardline.core import clock
from boardline.core.auth import Perm
from boardline.core.errors import BoardlineError
from boardline.production import factory, oee, performance
from boardline.production.oee import LineOee
from boardline.production.performance import LineStatus, ShiftOee
from boardline.web import nav
from boardline.web.deps import ApiCtx, PageCtx
from boardline.web.templating import render, submit

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["production"])

nav.register(
    nav.NavSection(
        "Production",
        [
            nav.NavItem("Lines (live)", "/production/lines", Perm.PRODUCTION_VIEW),
            nav.NavItem("OEE", "/production/oee", Perm.PRODUCTION_VIEW),
        ],
        order=27,
    )
)

DEFAULT_POLL_S = 5.0
# The states a supervisor picks from on the dashboard (any CFX code is accepted by the API).
STATE_CHOICES = (1100, 2100, 2200, 4300, 4500, 5100, 5200, 5300, 5400, 5500, 5600, 6100)


def _poll(value: float | None) -> float:
    return DEFAULT_POLL_S if value is None else min(max(value, 0.2), 60.0)


def _day(ctx: PageCtx | ApiCtx, line_code: str, day: date | None) -> date:
    if day is not None:
        return day
    with ctx.read() as s:
        line = factory.find_line(s, ctx.actor, line_code)
        tz = performance.site_zone(s, line)
    # The production day of the shift running now: at 03:00 that is yesterday's night shift.
    running = performance.current_shift(tz, clock.now())
    return running.start.astimezone(tz).date() if running else clock.today(tz)


# --- pages ----------------------------------------------------------------------------


@router.get("/production/lines", response_class=HTMLResponse)
def lines_page(ctx: PageCtx) -> HTMLResponse:
    with ctx.read() as s:
        lines = [ln for ln in factory.list_lines(s, ctx.actor) if ln.active]
    return render(ctx.request, "production/line_list.html", ctx.actor, lines=lines)


@router.get("/production/lines/{code}", response_class=HTMLResponse)
def line_page(
    ctx: PageCtx, code: str, poll: Annotated[float | None, Query()] = None
) -> HTMLResponse:
    with ctx.read() as s:
        status = performance.line_status(s, ctx.actor, code)
    return render(
        ctx.request,
        "production/line_dashboard.html",
        ctx.actor,
        status=status,
        poll=_poll(poll),
        choices=[(c, oee.cfx_state_label(c)) for c in STATE_CHOICES],
        may_record=ctx.actor.can(Perm.PRODUCTION_RECORD),
    )


@router.get("/production/lines/{code}/live", response_class=HTMLResponse)
def line_live(
    ctx: PageCtx, code: str, poll: Annotated[float | None, Query()] = None
) -> HTMLResponse:
    """The dashboard's live part, swapped in place by htmx every ``poll`` seconds."""
    with ctx.read() as s:
        status = performance.line_status(s, ctx.actor, code)
    return render(
        ctx.request, "production/line_live.html", ctx.actor, status=status, poll=_poll(poll)
    )


@router.post("/production/lines/{code}/state")
def set_state(
    ctx: PageCtx,
    code: str,
    station: Annotated[str, Form()],
    state: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
) -> RedirectResponse:
    def act(s: Session) -> str:
        performance.do_record_state(s, ctx.actor, station, state, reason=reason)
        return f"{station}: {oee.cfx_state_label(state)} recorded"

    return submit(ctx, act, back=f"/production/lines/{code}", failed="Could not record the state")


@router.get("/production/oee", response_class=HTMLResponse)
def oee_page(
    ctx: PageCtx,
    line: Annotated[str | None, Query()] = None,
    day: Annotated[date | None, Query()] = None,
) -> HTMLResponse:
    with ctx.read() as s:
        lines = [ln for ln in factory.list_lines(s, ctx.actor) if ln.active]
    chosen = line or (lines[0].code if lines else None)
    report: list[ShiftOee] = []
    problem = ""
    whole: LineOee | None = None
    the_day = None
    if chosen:
        try:
            the_day = _day(ctx, chosen, day)
            with ctx.read() as s:
                report = performance.shift_report(s, ctx.actor, chosen, the_day)
                measured = [r for r in report if r.measured_until is not None]
                if measured:
                    whole = performance.line_oee(
                        s,
                        ctx.actor,
                        chosen,
                        measured[0].start,
                        max(r.measured_until or r.end for r in measured),
                    )
        except BoardlineError as exc:
            problem = exc.detail
    return render(
        ctx.request,
        "production/oee.html",
        ctx.actor,
        lines=lines,
        line=chosen,
        day=the_day,
        report=report,
        whole=whole,
        problem=problem,
        parts_chart=_parts_chart(whole),
        pareto_chart=_pareto_chart(whole),
    )


def _parts_chart(whole: LineOee | None) -> dict[str, Any] | None:
    """ECharts options: availability, performance, quality and OEE per station (%)."""
    if whole is None:
        return None
    names = list(whole.stations)

    def pct(value: float | None) -> float:
        return round((value or 0.0) * 100, 1)

    parts = ("availability", "performance", "quality", "oee")
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["A", "P", "Q", "OEE"]},
        "xAxis": {"type": "category", "data": names},
        "yAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value} %"}},
        "series": [
            {
                "name": label,
                "type": "bar",
                "data": [pct(getattr(whole.stations[n], part)) for n in names],
            }
            for label, part in zip(("A", "P", "Q", "OEE"), parts, strict=True)
        ],
    }


def _pareto_chart(whole: LineOee | None) -> dict[str, Any] | None:
    """ECharts options: unscheduled downtime minutes by station and reason, with the
    cumulative share as a line (a Pareto chart)."""
    if whole is None or not whole.downtime_by_reason:
        return None
    labels = [f"{station}: {reason}" for station, reason, _ in whole.downtime_by_reason]
    minutes = [round(m, 1) for _, _, m in whole.downtime_by_reason]
    total, running, cumulative = sum(minutes), 0.0, []
    for m in minutes:
        running += m
        cumulative.append(round(running / total * 100, 1) if total else 0.0)
    return {
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"rotate": 20}},
        "yAxis": [
            {"type": "value", "name": "min"},
            {"type": "value", "name": "%", "max": 100},
        ],
        "series": [
            {"name": "Minutes", "type": "bar", "data": minutes},
            {"name": "Cumulative %", "type": "line", "yAxisIndex": 1, "data": cumulative},
        ],
    }


# --- API ------------------------------------------------------------------------------


class StateIn(BaseModel):
    state: int | str
    reason: str = ""


def _status_json(status: LineStatus) -> dict[str, Any]:
    body = asdict(status)
    body["shift_fpy"] = status.shift_fpy
    body["alarms"] = [asdict(a) for a in status.alarms]
    encoded: dict[str, Any] = jsonable_encoder(body)
    return encoded


def _oee_json(figures: LineOee) -> dict[str, Any]:
    def station(o: oee.Oee) -> dict[str, Any]:
        return {
            "availability": o.availability,
            "performance": o.performance,
            "quality": o.quality,
            "oee": o.oee,
            "planned_minutes": o.planned_minutes,
            "run_minutes": o.run_minutes,
            "total_count": o.total_count,
            "good_count": o.good_count,
            "downtime_by_reason": [list(r) for r in o.downtime_by_reason],
            "warnings": list(o.warnings),
        }

    return {
        "constraint": figures.constraint,
        "availability": figures.availability,
        "performance": figures.performance,
        "quality": figures.quality,
        "oee": figures.oee,
        "stations": {name: station(o) for name, o in figures.stations.items()},
        "downtime_by_reason": [list(r) for r in figures.downtime_by_reason],
        "warnings": list(figures.warnings),
    }


@api_router.get("/lines/{code}/status")
def line_status_api(ctx: ApiCtx, code: str) -> dict[str, Any]:
    with ctx.read() as s:
        return _status_json(performance.line_status(s, ctx.actor, code))


@api_router.get("/oee")
def oee_api(
    ctx: ApiCtx, line: Annotated[str, Query()], day: Annotated[date | None, Query()] = None
) -> dict[str, Any]:
    """The line's OEE per shift of ``day`` (the site's today when not given)."""
    the_day = _day(ctx, line, day)
    with ctx.read() as s:
        report = performance.shift_report(s, ctx.actor, line, the_day)
    return {
        "line": line.strip().upper(),
        "day": the_day.isoformat(),
        "shifts": [
            {
                "name": r.name,
                "start": r.start.isoformat(),
                "end": r.end.isoformat(),
                "measured_until": r.measured_until.isoformat() if r.measured_until else None,
                "oee": _oee_json(r.line) if r.line else None,
            }
            for r in report
        ],
    }


@api_router.post("/stations/{code}/state", status_code=201)
def station_state_api(ctx: ApiCtx, code: str, body: StateIn) -> dict[str, Any]:
    """Record a station's CFX state from now, with a reason (a supervisor or a machine)."""
    with ctx.write() as s:
        event = performance.do_record_state(s, ctx.actor, code, body.state, reason=body.reason)
        return {
            "station": code.strip().upper(),
            "state_code": event.state_code,
            "state": oee.e10_state(event.state_code).value,
            "reason": event.reason,
            "at": event.at.isoformat(),
        }
