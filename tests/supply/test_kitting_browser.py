"""A stores person kits a work order in headless Chromium: auto-reserve, then scan to issue."""

from __future__ import annotations

from pathlib import Path

import pytest

from boardline.core.auth import Role
from boardline.core.db import Database
from tests.conftest import PASSWORD, add_user
from tests.supply.test_kitting import MCU, RES, frozen_at, make_world, receive

pytestmark = pytest.mark.browser


def test_auto_reserve_then_issue_a_package_by_scanning_it(
    live_server: str, browser_page: object, db: Database
) -> None:
    from playwright.sync_api import Page, expect

    page: Page = browser_page  # type: ignore[assignment]
    with frozen_at():  # the server runs in this process and reads the same clock
        w = make_world(db)
        reel = receive(db, RES, 5000, lot="L1")
        receive(db, MCU, 120, opened_hours_ago=100)
        add_user(db, "olga", Role.OPERATOR)
        page.goto(f"{live_server}/login?next=/supply/kits/{w.wo_id}")
        page.fill("#username", "olga")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.get_by_test_id("pick-list")).to_contain_text("RES-10K")
        expect(page.get_by_test_id("kit-status")).to_have_text("still to pick")

        page.get_by_role("button", name="Auto-reserve").click()
        expect(page.get_by_role("status")).to_contain_text("Reserved 2 package(s)")
        expect(
            page.locator(f'tr[data-package="{reel}"][data-kit-state="reserved"]')
        ).to_be_visible()

        page.select_option("#issue-location", "L1-SIDE")
        page.fill("#issue-scan", reel)
        page.press("#issue-scan", "Enter")  # a scanner ends its read with Enter
        expect(page.get_by_role("status")).to_contain_text(f"{reel} issued to L1-SIDE")
        issued = page.locator(f'tr[data-package="{reel}"][data-kit-state="issued"]')
        expect(issued).to_contain_text("L1-SIDE")
        expect(page.get_by_test_id("pick-list")).to_contain_text("68 h left")
        artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        page.screenshot(path=str(artifacts / "kit-page.png"), full_page=True)
