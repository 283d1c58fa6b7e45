"""Real headless Chromium (Debian's, driven by Playwright): sign in and see the dashboard."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from boardline.core.auth import Role
from boardline.core.db import Database
from boardline.core.settings import Settings
from boardline.web.app import create_app
from tests.conftest import PASSWORD, add_customer, add_user, service_missing

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("BOARDLINE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
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


def test_sign_in_and_see_the_dashboard(
    live_server: str, browser_page: object, db: Database, db_url: str
) -> None:
    from playwright.sync_api import Page, expect

    page: Page = browser_page  # type: ignore[assignment]
    add_user(db, "ada", Role.ADMIN)
    add_customer(db, "ACME")
    page.goto(live_server + "/")
    expect(page).to_have_url(f"{live_server}/login?next=/")
    page.fill("#username", "ada")
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    expect(page.get_by_test_id("login-error")).to_contain_text("wrong username or password")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(live_server + "/")
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.get_by_test_id("whoami")).to_have_text("ada")
    expect(page.get_by_test_id("customer-count")).to_have_text("1")
    # htmx verifies the audit chain after load
    expect(page.get_by_test_id("chain-ok")).to_be_visible()
    # ECharts (vendored) drew the activity chart
    expect(page.locator("#activity-chart canvas")).to_have_count(1)
    ARTIFACTS.mkdir(exist_ok=True)
    backend = db_url.split(":", 1)[0]
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{backend}.png"), full_page=True)
    page.click("text=Sign out")
    expect(page).to_have_url(live_server + "/login")
