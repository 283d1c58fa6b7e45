"""Jinja2 templates shared by every domain's pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from boardline.core.auth import Actor
from boardline.core.errors import BoardlineError
from boardline.web import nav
from boardline.web.deps import CSRF_FIELD, Ctx, csrf_token

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
    # Assign, don't append in place: the session only notices assignments.
    request.session["flash"] = [*request.session.get("flash", []), [kind, message]]


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


def submit(
    ctx: Ctx,
    action: Callable[[Session], str | tuple[str, str]],
    *,
    back: str,
    failed: str,
) -> RedirectResponse:
    """Run a form's use case in one unit of work, then redirect (POST-redirect-GET).

    ``action`` returns the message to flash, or ``(message, url)`` to go elsewhere on
    success. A :class:`BoardlineError` rolls everything back and is flashed on ``back``.
    """
    try:
        with ctx.write() as session:
            outcome = action(session)
    except BoardlineError as exc:
        flash(ctx.request, f"{failed}: {exc.detail}", "error")
        return RedirectResponse(back, status_code=303)
    message, target = outcome if isinstance(outcome, tuple) else (outcome, back)
    flash(ctx.request, message)
    return RedirectResponse(target, status_code=303)
