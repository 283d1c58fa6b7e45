"""Web fixtures: the app on the test database, and signed-in clients."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from boardline.core.db import Database
from boardline.core.settings import Settings
from boardline.web.app import create_app
from tests.conftest import PASSWORD

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app_client(db: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, db), follow_redirects=False) as client:
        yield client


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


@pytest.fixture
def signed_in(app_client: TestClient) -> Callable[[str], tuple[TestClient, str]]:
    def _sign_in(username: str) -> tuple[TestClient, str]:
        return app_client, sign_in(app_client, username)

    return _sign_in
