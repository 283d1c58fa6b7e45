"""An engineer uploads a real data package on the revision page in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from boardline.core.auth import Role
from boardline.core.db import Database
from tests.conftest import PASSWORD, add_user
from tests.npi.test_npi_web import BOARDS, revision_for

pytestmark = pytest.mark.browser


def test_upload_a_package_and_see_the_board(
    live_server: str, browser_page: object, db: Database
) -> None:
    from playwright.sync_api import Page, expect

    page: Page = browser_page  # type: ignore[assignment]
    _, rid = revision_for(db)
    add_user(db, "erin", Role.ENGINEER)
    page.goto(f"{live_server}/login?next=/npi/revisions/{rid}")
    page.fill("#username", "erin")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("import-form")).to_be_visible()
    folder = BOARDS / "icepi-zero"
    page.set_input_files(
        "#files", [str(folder / n) for n in ("bom.csv", "positions.csv", "icepi-zero.kicad_pcb")]
    )
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("31 BOM lines, 118 placements")
    expect(page.get_by_test_id("assembly")).to_have_text("Mixed SMT and THT")
    expect(page.locator("#board-chart canvas")).to_have_count(1)
    expect(page.get_by_test_id("findings")).to_contain_text("centroid.rotation_differs")
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "npi-revision.png"), full_page=False)
