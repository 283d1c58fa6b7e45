"""The OEE page, the live line dashboard and its fragment, the state API; and, in headless
Chromium, a downtime recorded meanwhile appearing on the dashboard without a reload."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from boardline.core.auth import Role
from boardline.core.db import Database
from boardline.core.settings import Settings
from boardline.production.tables import Line
from tests.conftest import PASSWORD, add_user
from tests.production.test_interlock import SYSTEM, build_floor
from tests.production.test_performance import at, record, set_line
from tests.supply.test_kitting import frozen_at
from tests.webkit import bearer, make_token, sign_in

NOW = datetime(2026, 5, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def client(db: Database, settings: Settings) -> Iterator[TestClient]:
    from boardline.web.app import create_app

    with TestClient(create_app(settings, db), follow_redirects=False) as c:
        yield c


def floor_with_states(db: Database) -> None:
    build_floor(db)
    set_line(db, target_uph=60)
    for code in ("PRINT", "AOI", "FCT", "PACK"):
        record(db, code, 1100, at(6))


def test_the_live_fragment_shows_an_alarm_once_a_station_is_down(
    client: TestClient, db: Database
) -> None:
    with frozen_at(NOW):
        floor_with_states(db)
        add_user(db, "sam", Role.OPERATOR)
        sign_in(client, "sam")
        page = client.get("/production/lines/L1?poll=0.5")
        assert page.status_code == 200, page.text
        assert 'hx-trigger="every 0.5s"' in page.text
        fragment = client.get("/production/lines/L1/live")
        assert 'hx-trigger="every 5.0s"' in fragment.text
        assert 'data-testid="no-alarms"' in fragment.text
        assert "<html" not in fragment.text
        record(db, "AOI", 5300, at(8, 30), "Conveyor jam")
        fragment = client.get("/production/lines/L1/live")
        assert 'data-testid="alarm-AOI"' in fragment.text
        assert "Conveyor jam" in fragment.text
        assert 'data-state="unscheduled_downtime"' in fragment.text


def test_the_state_form_and_the_api_record_states(client: TestClient, db: Database) -> None:
    with frozen_at(NOW):
        floor_with_states(db)
        add_user(db, "sam", Role.OPERATOR)
        token = sign_in(client, "sam")
        answer = client.post(
            "/production/lines/L1/state",
            data={"station": "FCT", "state": "5500", "reason": "Reel change", "csrf_token": token},
        )
        assert answer.status_code == 303
        _, secret = make_token(db, Role.OPERATOR)
        status = client.get("/api/lines/L1/status", headers=bearer(secret)).json()
        assert [a["code"] for a in status["alarms"]] == ["FCT"]
        assert status["alarms"][0]["reason"] == "Reel change"
        answer = client.post(
            "/api/stations/FCT/state", json={"state": "PRD_RegularWork"}, headers=bearer(secret)
        )
        assert answer.status_code == 201, answer.text
        assert answer.json()["state"] == "productive"
        bad = client.post("/api/stations/FCT/state", json={"state": 9}, headers=bearer(secret))
        assert bad.status_code == 422
        assert bad.json()["code"] == "invalid_input"
        status = client.get("/api/lines/L1/status", headers=bearer(secret)).json()
        assert status["alarms"] == []


def test_the_oee_page_and_api(client: TestClient, db: Database) -> None:
    with frozen_at(NOW):
        floor_with_states(db)
        record(db, "PRINT", 5300, at(7), "Nozzle jam")
        record(db, "PRINT", 1100, at(7, 30))
        add_user(db, "sam", Role.OPERATOR)
        sign_in(client, "sam")
        page = client.get("/production/oee?line=L1&day=2026-05-05")
        assert page.status_code == 200, page.text
        assert 'data-station="PRINT"' in page.text
        assert 'id="pareto-chart"' in page.text
        assert "Nozzle jam" in page.text  # in the Pareto chart's options
        assert "/static/vendor/echarts-5.6.0.min.js" in page.text
        _, secret = make_token(db, Role.OPERATOR)
        body = client.get("/api/oee?line=L1&day=2026-05-05", headers=bearer(secret)).json()
        early = body["shifts"][0]
        assert early["name"] == "Early"
        assert early["measured_until"] == NOW.isoformat()
        assert early["oee"]["stations"]["PRINT"]["availability"] == pytest.approx(150 / 180)
        assert body["shifts"][1]["oee"] is None
        with db.unit_of_work(SYSTEM) as s:
            s.execute(update(Line).values(target_uph=None))
        page = client.get("/production/oee?line=L1&day=2026-05-05")
        assert "no target units per hour" in page.text


@pytest.mark.browser
def test_a_downtime_appears_on_the_dashboard_without_a_reload(
    live_server: str, browser_page: object, db: Database
) -> None:
    from playwright.sync_api import Page, expect

    page: Page = browser_page  # type: ignore[assignment]
    with frozen_at(NOW):  # the server runs in this process and reads the same clock
        floor_with_states(db)
        add_user(db, "sam", Role.OPERATOR)
        _, secret = make_token(db, Role.OPERATOR)
        page.goto(f"{live_server}/login?next=/production/lines/L1%3Fpoll%3D0.3")
        page.fill("#username", "sam")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.get_by_test_id("no-alarms")).to_be_visible()
        expect(page.get_by_test_id("station-AOI")).to_have_attribute("data-state", "productive")
        page.evaluate("window.__notReloaded = true")

        answer = page.request.post(  # meanwhile, a machine or a supervisor elsewhere
            f"{live_server}/api/stations/AOI/state",
            data={"state": 5300, "reason": "Conveyor jam"},
            headers=bearer(secret),
        )
        assert answer.status == 201, answer.text()

        expect(page.get_by_test_id("alarm-AOI")).to_contain_text("Conveyor jam", timeout=10_000)
        expect(page.get_by_test_id("station-AOI")).to_have_attribute(
            "data-state", "unscheduled_downtime"
        )
        assert page.evaluate("window.__notReloaded") is True
