"""Request context for routes: the database, who is asking, and CSRF protection.

API routes take :data:`ApiCtx`, pages :data:`PageCtx`. Routes open units of work through
the context (``with ctx.write() as s: services.do_…(s, ctx.actor, …)``) so every
commit happens inside the service layer's unit of work, before the response is built.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from boardline.core.auth import Actor
from boardline.core.db import Database
from boardline.core.errors import AccountDisabled, AuthenticationFailed, CsrfFailed
from boardline.core.services import actor_for_user, authenticate_token
from boardline.core.settings import Settings
from boardline.core.tables import User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
ANONYMOUS = Actor.anonymous()


class LoginRequired(AuthenticationFailed):
    """A page needs a signed-in user; the app answers with a redirect to the login page."""


@dataclass
class Ctx:
    request: Request
    db: Database
    settings: Settings
    actor: Actor

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.db.unit_of_work(self.actor, write=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self.db.unit_of_work(self.actor, write=True) as session:
            yield session


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


async def _check_csrf(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(str(expected), sent):
        raise CsrfFailed("the form's security token is missing or wrong; reload the page")


def credential_stamp(user: User) -> str:
    """A short fingerprint of the user's password hash, kept in the session cookie.

    A password change (or reset by an admin) changes it, which signs out every other
    session of that user.
    """
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def start_session(request: Request, user: User) -> None:
    """Sign ``user`` in: a fresh session (no fixation) that keeps the CSRF token."""
    csrf = request.session.get("csrf")
    request.session.clear()
    request.session.update({"uid": user.id, "stamp": credential_stamp(user), "csrf": csrf})


def _session_user(request: Request, db: Database) -> User | None:
    user_id = request.session.get("uid")
    if not isinstance(user_id, int):
        return None
    with db.unit_of_work(ANONYMOUS, write=False) as session:
        user = session.get(User, user_id)
    if user is None or request.session.get("stamp") != credential_stamp(user):
        request.session.clear()
        return None
    if not user.active:
        request.session.clear()
        raise AccountDisabled(f"account {user.username} is disabled")
    return user


def _ctx(request: Request, db: Database, settings: Settings, actor: Actor) -> Ctx:
    # Error pages rendered later for this request show the signed-in layout.
    request.state.actor = actor
    return Ctx(request, db, settings, actor)


async def api_ctx(
    request: Request,
    db: Annotated[Database, Depends(get_db)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Ctx:
    """An API caller: a Bearer token, or a signed-in browser (which must send CSRF)."""
    auth = request.headers.get("Authorization", "")
    if auth:
        scheme, _, raw = auth.partition(" ")
        if scheme.lower() != "bearer" or not raw:
            raise AuthenticationFailed("use 'Authorization: Bearer <token>'")
        with db.unit_of_work(ANONYMOUS, write=False) as session:
            actor = authenticate_token(session, raw.strip())
        return _ctx(request, db, settings, actor)
    user = _session_user(request, db)
    if user is None:
        raise AuthenticationFailed("sign in or send an API token")
    await _check_csrf(request)
    return _ctx(request, db, settings, actor_for_user(user))


async def page_ctx(
    request: Request,
    db: Annotated[Database, Depends(get_db)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Ctx:
    """A signed-in person using the pages; unsafe methods must carry the CSRF token."""
    user = _session_user(request, db)
    if user is None:
        raise LoginRequired("please sign in")
    await _check_csrf(request)
    return _ctx(request, db, settings, actor_for_user(user))


async def public_ctx(
    request: Request,
    db: Annotated[Database, Depends(get_db)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Ctx:
    """No sign-in needed (the login form itself); unsafe methods still need CSRF."""
    await _check_csrf(request)
    return Ctx(request, db, settings, ANONYMOUS)


ApiCtx = Annotated[Ctx, Depends(api_ctx)]
PageCtx = Annotated[Ctx, Depends(page_ctx)]
PublicCtx = Annotated[Ctx, Depends(public_ctx)]
