"""Helpers for tests that talk HTTP to the app: sign-in through the form, API tokens."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from boardline.core import services
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from tests.conftest import PASSWORD

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client: TestClient, path: str = "/login") -> str:
    page = client.get(path, headers={"accept": "text/html"})
    match = CSRF_RE.search(page.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the login form; returns the session's CSRF token."""
    token = csrf_of(client)
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
    )
    assert answer.status_code == 303, answer.text
    return token


def make_token(
    db: Database, role: Role = Role.ADMIN, *, customer_id: int | None = None, days: int = 30
) -> tuple[int, str]:
    system = Actor.system("test")
    with db.unit_of_work(system) as s:
        token, secret = services.do_create_token(
            s, system, name=f"t-{role}", role=role, days=days, customer_id=customer_id
        )
        return token.id, secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
