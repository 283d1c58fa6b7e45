"""Real headless Chromium (Debian's, driven by Playwright): sign in and see the dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest

from boardline.core.auth import Role
from boardline.core.db import Database
from tests.conftest import PASSWORD, add_customer, add_user

pytestmark = pytest.mark.browser


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
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    backend = db_url.split(":", 1)[0]
    page.screenshot(path=str(artifacts / f"dashboard-{backend}.png"), full_page=True)
    page.click("text=Sign out")
    expect(page).to_have_url(live_server + "/login")
