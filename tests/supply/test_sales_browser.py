"""A planner enters a sales order, builds it and ships it, in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from boardline.core.auth import Role
from boardline.core.db import Database
from tests.conftest import PASSWORD, add_user
from tests.npi.test_reports import page_text
from tests.supply.test_sales import DUE, make_world

pytestmark = pytest.mark.browser


def test_order_build_ship_and_download_the_packing_list(
    live_server: str, browser_page: object, db: Database
) -> None:
    from playwright.sync_api import Page, expect

    page: Page = browser_page  # type: ignore[assignment]
    world = make_world(db)
    add_user(db, "pat", Role.PLANNER)
    page.goto(f"{live_server}/login?next=/supply/sales-orders/new")
    page.fill("#username", "pat")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")

    # Choosing the customer swaps in that customer's revisions only.
    page.select_option("#customer", str(world.beta))
    expect(page.locator("#revision option")).to_have_text([r"PSU-9 rev A (Draft) · Supply"])
    page.select_option("#customer", str(world.acme))
    expect(page.locator("#revision option")).to_have_text([r"CTRL-100 rev A (Draft) · Ctrl"])
    page.fill("#quantity", "3")
    page.fill("#due_date", DUE.isoformat())
    page.fill("#customer_po", "PO-4711")
    page.get_by_role("button", name="Create sales order").click()
    expect(page.get_by_role("status")).to_have_text("Sales order SO-000001 created.")

    page.get_by_role("button", name="Create work order").click()
    expect(page.get_by_role("status")).to_have_text("Work order WO-000001 created for 3 units.")
    expect(page.get_by_test_id("so-work-orders")).to_contain_text("WO-000001")

    page.fill("#serials", "BRD-0001\nBRD-0002\nBRD-0003\n")
    page.fill("#carrier", "DHL")
    page.get_by_role("button", name="Ship").click()
    expect(page.get_by_role("status")).to_have_text("Shipment SH-000001 recorded with 3 serials.")
    expect(page.get_by_test_id("so-state")).to_have_text("shipped")
    expect(page.get_by_test_id("so-shipped")).to_have_text("3 / 3")
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "sales-order.png"), full_page=True)

    # The link fetched with the browser's own session, as a click would.
    href = page.get_by_test_id("packing-list").get_attribute("href")
    assert href
    answer = page.request.get(f"{live_server}{href}")
    assert answer.ok
    assert answer.headers["content-type"] == "application/pdf"
    text = page_text(answer.body())
    assert "Packing list SH-000001" in text
    assert "BRD-0002" in text
