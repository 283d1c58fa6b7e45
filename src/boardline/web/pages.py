"""Shared pages: the dashboard and the health check."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import text

from boardline.core import audit_trail, clock, migrate, services
from boardline.core.audit_trail import AuditFilter
from boardline.core.auth import Perm
from boardline.web.deps import PageCtx
from boardline.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    """Up, the database answers, and its schema is at the newest migration."""
    db = request.app.state.db
    body: dict[str, Any] = {"database": db.dialect}
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        current = migrate.current_revision(db.engine)
    except Exception as exc:  # any driver error means "not healthy", with its message
        body.update(status="error", detail=f"database unreachable: {exc.__class__.__name__}")
        return JSONResponse(body, status_code=503)
    head = migrate.head_revision(db.url)
    body.update(revision=current, head=head)
    if current != head:
        body.update(status="error", detail="database schema is not at the newest migration")
        return JSONResponse(body, status_code=503)
    body["status"] = "ok"
    return JSONResponse(body)


def activity_chart(rows: list[tuple[str, str, int]], days_back: int = 14) -> dict[str, Any]:
    """ECharts options: audit entries per day, stacked by action; quiet days show as zero."""
    today = clock.today()
    days = [(today - timedelta(days=n)).isoformat() for n in range(days_back - 1, -1, -1)]
    counts = {(day, action): n for day, action, n in rows}
    actions = ["create", "update", "delete"]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": actions},
        "grid": {"left": 40, "right": 10, "top": 30, "bottom": 25},
        "xAxis": {"type": "category", "data": days},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "name": a,
                "type": "bar",
                "stack": "all",
                "data": [counts.get((d, a), 0) for d in days],
            }
            for a in actions
        ],
    }


@router.get("/", response_class=HTMLResponse)
def dashboard(ctx: PageCtx) -> HTMLResponse:
    actor = ctx.actor
    with ctx.read() as s:
        customers = services.list_customers(s, actor)
        by_role = services.count_users_by_role(s, actor) if actor.can(Perm.USERS_VIEW) else {}
        can_audit = actor.can(Perm.AUDIT_VIEW)
        recent = audit_trail.list_entries(s, actor, AuditFilter(), limit=8) if can_audit else []
        activity = activity_chart(audit_trail.activity_by_day(s, actor)) if can_audit else None
    return render(
        ctx.request,
        "dashboard.html",
        actor,
        customers=customers,
        by_role=by_role,
        recent=recent,
        activity=activity,
        database=ctx.db.dialect,
    )
