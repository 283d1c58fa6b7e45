"""A purchase order from draft to its first receipt, in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from boardline.core.auth import Role
from boardline.core.db import Database
from tests.conftest import PASSWORD, add_user
from tests.supply.test_purchasing import setup_supply

pytestmark = pytest.mark.browser


def test_draft_approve_send_receive_and_print_labels(
    live_server: str, browser_page: object, db: Database
) -> None:
    from playwright.sync_api import Page, expect

    page: Page = browser_page  # type: ignore[assignment]
    setup_supply(db)
    add_user(db, "bo", Role.BUYER)
    add_user(db, "sue", Role.SUPERVISOR)

    def sign_in(username: str, target: str) -> None:
        page.goto(f"{live_server}/login?next={target}")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")

    sign_in("bo", "/supply/purchase-orders")
    page.get_by_role("link", name="Purchase orders").first.click()
    page.get_by_role("button", name="Draft order").click()
    expect(page.get_by_test_id("po-state")).to_have_text("draft")
    po_url = page.url
    form = page.get_by_test_id("add-line")
    form.get_by_label("Manufacturer").fill("Yageo")
    form.get_by_label("MPN").fill("RC0402FR-0710KL")
    form.get_by_label("Quantity").fill("10000")
    form.get_by_role("button", name="Add line").click()
    expect(page.get_by_role("status")).to_contain_text("Line 1 added")
    expect(page.get_by_test_id("open-1")).to_have_text("10,000")
    expect(page.get_by_text("Waiting for a supervisor's approval.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in("sue", po_url.removeprefix(live_server))
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_test_id("po-state")).to_have_text("approved")
    page.get_by_role("button", name="Sign out").click()

    sign_in("bo", po_url.removeprefix(live_server))
    page.get_by_role("button", name="Mark as sent").click()
    expect(page.get_by_test_id("po-state")).to_have_text("sent")
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "purchase-order.png"), full_page=True)
    receive = page.get_by_test_id("receive-1")
    receive.get_by_label("Qty per package").fill("5000")
    receive.get_by_label("Packages").fill("2")
    receive.get_by_label("Lot").fill("L2612")
    receive.get_by_role("button", name="Receive").click()
    expect(page.get_by_role("status")).to_contain_text("Received 2 packages")
    expect(page.get_by_test_id("received-packages").locator("tbody tr")).to_have_count(2)
    page.screenshot(path=str(artifacts / "receipt.png"), full_page=True)
    labels = page.get_by_test_id("labels-pdf")
    expect(labels).to_contain_text("Print all 2 labels")
    answer = page.request.get(f"{live_server}{labels.get_attribute('href')}")
    assert answer.ok
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")
    page.goto(po_url)
    expect(page.get_by_test_id("po-state")).to_have_text("closed")
    expect(page.get_by_test_id("receipts").locator("tbody tr")).to_have_count(1)
