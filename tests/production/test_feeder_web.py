"""Feeder setup pages and API: the loading screen answers each scan in green or red.

Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from boardline.core import clock
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.settings import Settings
from boardline.production.tables import SlotLoad, SlotRejection
from tests.conftest import PASSWORD, add_user
from tests.production.test_feeders import make_setup
from tests.supply.test_kitting import MCU, RES, frozen_at, receive
from tests.webkit import bearer, make_token, sign_in


@pytest.fixture
def client(db: Database, settings: Settings) -> Iterator[TestClient]:
    from boardline.web.app import create_app

    with frozen_at(), TestClient(create_app(settings, db), follow_redirects=False) as c:
        yield c


def counts(db: Database) -> tuple[int, int]:
    with db.unit_of_work(Actor.system("test"), write=False) as s:
        return (
            s.scalar(select(func.count()).select_from(SlotLoad)) or 0,
            s.scalar(select(func.count()).select_from(SlotRejection)) or 0,
        )


def test_loading_screen_answers_green_then_red(db: Database, client: TestClient) -> None:
    st = make_setup(db)
    reel = receive(db, RES, 5000)
    tray = receive(db, MCU, 120, opened_hours_ago=1)
    add_user(db, "olga", Role.OPERATOR)
    token = sign_in(client, "olga")
    page = client.get(f"/production/feeder-setups/{st.id}/load")
    assert page.status_code == 200
    assert 'id="scan-slot"' in page.text
    assert "Nothing loaded yet" in page.text

    good = client.post(
        f"/production/feeder-setups/{st.id}/load",
        data={"slot": "1", "package": reel, "mode": "load", "csrf_token": token},
    )
    assert good.status_code == 200
    assert 'data-ok="yes"' in good.text
    assert f"{reel} loaded in slot 1" in good.text

    bad = client.post(
        f"/production/feeder-setups/{st.id}/load",
        data={"slot": "1", "package": tray, "mode": "load", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 200
    assert 'data-ok="no"' in bad.text
    assert 'data-reason="wrong_item"' in bad.text
    assert "<html" not in bad.text  # htmx gets the answer and the actions only
    assert counts(db) == (1, 1)


def test_setup_page_highlights_missing_slots_and_keeps_bad_slot_text(
    db: Database, client: TestClient
) -> None:
    st = make_setup(db)
    add_user(db, "erik", Role.ENGINEER)
    token = sign_in(client, "erik")
    page = client.get(f"/production/feeder-setups/{st.id}")
    assert page.status_code == 200
    assert 'data-slot="1" data-status="missing"' in page.text
    assert "2 slot(s) not loaded" in page.text
    proposed = client.get(f"/production/feeder-setups/{st.id}?propose=1")
    assert "1,RES-10K,R1 R2" in proposed.text
    bad = client.post(
        f"/production/feeder-setups/{st.id}/slots",
        data={"slots": "1,RES-10K\n2,NOPE\n", "csrf_token": token},
    )
    assert bad.status_code == 422
    assert "line 2, item: item NOPE not in the catalog" in bad.text
    assert "2,NOPE" in bad.text
    listing = client.get("/production/feeder-setups")
    assert "P1" in listing.text
    assert "Feeder setups" in listing.text


def test_api_load_refusal_is_a_409_with_its_reason_and_recorded(
    db: Database, client: TestClient
) -> None:
    st = make_setup(db)
    reel = receive(db, RES, 5000)
    tray = receive(db, MCU, 120, opened_hours_ago=100)
    _, secret = make_token(db, Role.OPERATOR)
    with frozen_at(clock.now() + timedelta(hours=80)):
        answer = client.post(
            f"/api/feeder-setups/{st.id}/load",
            json={"slot": "2", "package": tray},
            headers=bearer(secret),
        )
    assert answer.status_code == 409
    assert answer.json()["reason"] == "floor_life_expired"
    assert counts(db) == (0, 1)
    ok = client.post(
        f"/api/feeder-setups/{st.id}/load",
        json={"slot": "1", "package": reel},
        headers=bearer(secret),
    )
    assert ok.status_code == 200
    assert ok.json()["ok"] is True
    state = client.get(f"/api/feeder-setups/{st.id}", headers=bearer(secret)).json()
    assert [(s["slot"], s["status"], s["package"]) for s in state["slots"]] == [
        ("1", "ok", reel),
        ("2", "missing", None),
    ]
    history = client.get(f"/api/feeder-setups/{st.id}/history?slot=1", headers=bearer(secret))
    assert [h["package"] for h in history.json()] == [reel]
    out = client.post(
        f"/api/feeder-setups/{st.id}/unload", json={"slot": "1"}, headers=bearer(secret)
    )
    assert out.status_code == 200


@pytest.mark.browser
def test_browser_loads_a_good_reel_and_sees_a_wrong_one_refused(
    live_server: str, browser_page: object, db: Database
) -> None:
    from playwright.sync_api import Page, expect

    page: Page = browser_page  # type: ignore[assignment]
    with frozen_at():  # the server runs in this process and reads the same clock
        st = make_setup(db)
        reel = receive(db, RES, 5000)
        tray = receive(db, MCU, 120, opened_hours_ago=1)
        add_user(db, "olga", Role.OPERATOR)
        page.goto(f"{live_server}/login?next=/production/feeder-setups/{st.id}/load")
        page.fill("#username", "olga")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")

        page.fill("#scan-slot", "1")
        page.press("#scan-slot", "Enter")  # the scanner's Enter moves on to the package
        expect(page.locator("#scan-package")).to_be_focused()
        page.fill("#scan-package", reel)
        page.press("#scan-package", "Enter")
        answer = page.get_by_test_id("scan-answer")
        expect(answer).to_have_attribute("data-ok", "yes")
        expect(answer).to_contain_text(f"{reel} loaded in slot 1")
        expect(page.locator("#scan-slot")).to_be_focused()

        page.fill("#scan-slot", "1")
        page.press("#scan-slot", "Enter")
        page.fill("#scan-package", tray)
        page.press("#scan-package", "Enter")
        expect(answer).to_have_attribute("data-ok", "no")
        expect(answer).to_have_class("scan-answer bad")
        expect(answer).to_contain_text("wrong_item")
        expect(page.get_by_test_id("actions").locator("tr[data-kind=rejected]")).to_have_count(1)
