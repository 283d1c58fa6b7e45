"""A planner runs MRP in headless Chromium and a buyer orders what it plans."""

from __future__ import annotations

import pytest

from boardline.core.auth import Role
from boardline.core.db import Database
from tests.conftest import PASSWORD, add_user

pytestmark = pytest.mark.browser


def test_run_mrp_read_clear_to_build_and_order_the_shortage(
    live_server: str, browser_page: object, db: Database, factory: dict[str, int]
) -> None:
    from playwright.sync_api import Page, expect

    page: Page = browser_page  # type: ignore[assignment]
    add_user(db, "bo", Role.BUYER)
    page.goto(f"{live_server}/login?next=/supply/mrp")
    page.fill("#username", "bo")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_text("MRP has not been run yet.")).to_be_visible()

    page.get_by_test_id("run-mrp").click()
    expect(page.get_by_test_id("mrp-run")).to_contain_text("0 of 1 work orders clear to build")
    ctb = page.get_by_test_id("ctb")
    expect(ctb).to_contain_text("MCU-F030: 20 of 50 short")
    expect(page.get_by_test_id("planned")).to_contain_text("SCREW-M3X6")

    page.fill("input[name=item]", "MCU-F030")
    page.get_by_role("button", name="Filter").click()
    for box in page.locator("input[name=planned]").all():
        box.check()
    page.get_by_test_id("order-planned").click()
    expect(page.get_by_text("Draft purchase orders")).to_be_visible()
    expect(page.locator("body")).to_contain_text("STM32F030F4P6")
