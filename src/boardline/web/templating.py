"""Jinja2 templates shared by every domain's pages."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from boardline.core.auth import Actor
from boardline.web import nav
from boardline.web.deps import CSRF_FIELD, csrf_token

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
# Shared templates first, then each domain's own folder.
TEMPLATE_DIRS = [PACKAGE_ROOT / "web" / "templates", *sorted(PACKAGE_ROOT.glob("*/templates"))]

_env = Environment(
    loader=ChoiceLoader([FileSystemLoader(str(d)) for d in dict.fromkeys(TEMPLATE_DIRS)]),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates = Jinja2Templates(env=_env)


def _site_time(request: Request, value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(request.app.state.settings.tz).strftime(fmt)


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A one-time message shown on the next page (after a redirect)."""
    request.session.setdefault("flash", []).append([kind, message])


def render(
    request: Request,
    name: str,
    actor: Actor | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page with what every page needs: the actor, navigation, CSRF token, flashes."""
    messages = request.session.pop("flash", [])
    base = {
        "actor": actor,
        "nav": nav.sections_for(actor) if actor and actor.kind == "user" else [],
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "messages": messages,
        "site_time": lambda v, fmt="%Y-%m-%d %H:%M": _site_time(request, v, fmt),
        "site_tz": request.app.state.settings.site_timezone,
        "path": request.url.path,
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)
