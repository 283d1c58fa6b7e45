"""Test fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``BOARDLINE_TEST_PG_URL`` (default: the local server's ``test``
database). Each test session creates its own database on that server and drops it after,
so parallel runs don't collide. Without the server the PostgreSQL half is skipped with the
reason, unless ``BOARDLINE_REQUIRE_SERVICES=1`` (CI), where a missing service fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from boardline.core import migrate
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.settings import Settings
from boardline.schema import metadata

# Scenario fixtures shared across domains (the MRP world: orders, stock, a work order).
pytest_plugins = ("tests.mrp_world",)

PG_URL = os.environ.get("BOARDLINE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_SERVICES = os.environ.get("BOARDLINE_REQUIRE_SERVICES") == "1"
PASSWORD = "correct horse battery"


def service_missing(what: str, why: object) -> None:
    """Skip (visibly) or, when services are required, fail."""
    message = f"{what} not available: {why}"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} (BOARDLINE_REQUIRE_SERVICES=1)")
    pytest.skip(message)


def _admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(
        PG_URL.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    name = f"boardline_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        engine = _admin_engine()
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any connection error: the service is missing
        service_missing(f"PostgreSQL at {PG_URL}", exc)
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database URL, one per backend for the whole test session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'boardline.sqlite'}"
    else:
        url = request.getfixturevalue("pg_database_url")
    migrate.upgrade(url)
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """The session's database, emptied after each test."""
    database = Database(db_url)
    yield database
    with database.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
    database.dispose()


@pytest.fixture
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no schema), for migration tests; param chooses the backend."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    name = f"boardline_empty_{uuid.uuid4().hex[:8]}"
    try:
        engine = _admin_engine()
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        service_missing(f"PostgreSQL at {PG_URL}", exc)
    yield PG_URL.rsplit("/", 1)[0] + f"/{name}"
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def system() -> Actor:
    return Actor.system("test")


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        env="test",
        database_url=db_url,
        secret_key="t" * 40,
        upload_dir=tmp_path / "uploads",
        material_check_s=0,  # tests that want the periodic check turn it on themselves
    )


def add_user(
    db: Database,
    username: str,
    role: Role | str = Role.ENGINEER,
    *,
    customer_id: int | None = None,
    password: str = PASSWORD,
) -> int:
    """Create a user through the service and return its id."""
    from boardline.core import services

    actor = Actor.system("test")
    with db.unit_of_work(actor) as s:
        user = services.do_create_user(
            s,
            actor,
            username=username,
            full_name=username.title(),
            role=role,
            password=password,
            customer_id=customer_id,
        )
        return user.id


def add_customer(db: Database, code: str) -> int:
    from boardline.core import services

    actor = Actor.system("test")
    with db.unit_of_work(actor) as s:
        return services.do_create_customer(s, actor, code=code, name=f"{code} Inc").id


@pytest.fixture
def app_client(db: Database, settings: Settings) -> Iterator[TestClient]:
    """The web app on the test database, not following redirects."""
    from boardline.web.app import create_app

    with TestClient(create_app(settings, db), follow_redirects=False) as client:
        yield client


CHROMIUM = os.environ.get("BOARDLINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(db: Database, settings: Settings) -> Iterator[str]:
    from boardline.web.app import create_app

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, db), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser_page() -> Iterator[object]:
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        service_missing("Chromium", f"{CHROMIUM} not found (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        yield page
        browser.close()
