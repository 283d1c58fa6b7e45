"""Unit pages and API through HTTP (SQLite and PostgreSQL): units created from the work
order page's htmx section, a unit's route and history after stations record on it, holds
that the interlock obeys, scrap, customer scope, and bad input that creates nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.settings import Settings
from boardline.production.enforcement import ReasonCode
from boardline.production.tables import Panel, Unit, WorkOrder
from tests.conftest import add_user
from tests.production.test_interlock import build_floor, check, finish
from tests.webkit import bearer, make_token, sign_in

HTML = {"accept": "text/html"}
SYSTEM = Actor.system("test")


@pytest.fixture
def client(db: Database, settings: Settings) -> Iterator[TestClient]:
    from boardline.web.app import create_app

    app = create_app(settings, db)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def unit_count(db: Database, work_order_id: int) -> int:
    with db.unit_of_work(SYSTEM, write=False) as s:
        return (
            s.scalar(
                select(func.count()).select_from(Unit).where(Unit.work_order_id == work_order_id)
            )
            or 0
        )


def flashed(client: TestClient, path: str) -> str:
    answer = client.get(path, headers=HTML)
    assert answer.status_code == 200, answer.text
    return answer.text


def test_units_in_panels_with_x_outs_from_the_work_order_page(
    client: TestClient, db: Database
) -> None:
    """The work order page loads its units section; 6 units fill two 2 × 2 panels with
    position 3 an X-out; each is listed with its panel and links to its page."""
    floor = build_floor(db, units_count=1)
    add_user(db, "sue", Role.SUPERVISOR)
    token = sign_in(client, "sue")
    wo_url = f"/production/work-orders/{floor.work_order}"
    assert f'hx-get="{wo_url}/units"' in flashed(client, wo_url)
    section = client.get(f"{wo_url}/units", headers=HTML).text
    assert 'data-testid="create-units"' in section
    assert "{CUST}{YY}{WW}-{SEQ:6}{CHECK}" in section

    made = client.post(
        f"{wo_url}/units",
        data={
            "csrf_token": token,
            "count": "6",
            "panel_rows": "2",
            "panel_cols": "2",
            "x_outs": "3",
        },
    )
    assert made.status_code == 303
    assert made.headers["location"] == wo_url
    assert "6 unit(s) created on 2 panel(s)" in flashed(client, wo_url)
    with db.unit_of_work(SYSTEM, write=False) as s:
        placed = s.execute(
            select(Unit.serial, Panel.code, Unit.panel_position, Panel.x_outs)
            .join(Panel, Panel.id == Unit.panel_id)
            .where(Unit.work_order_id == floor.work_order)
            .order_by(Unit.id)
        ).all()
    assert len(placed) == 6
    assert [row.panel_position for row in placed] == [1, 2, 4, 1, 2, 4]
    assert all(row.x_outs == [3] for row in placed)
    section = client.get(f"{wo_url}/units", headers=HTML).text
    assert "7 of 10" in section
    for row in placed:
        assert f'href="/production/units/{row.serial}"' in section
        assert row.code in section
    labels = client.get(f"{wo_url}/labels.zpl")
    assert labels.status_code == 200
    assert labels.text.count("^XA") == 7
    pdf = client.get(f"{wo_url}/labels.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_bad_input_is_a_clear_error_and_creates_nothing(client: TestClient, db: Database) -> None:
    floor = build_floor(db, units_count=2)
    add_user(db, "sue", Role.SUPERVISOR)
    token = sign_in(client, "sue")
    wo_url = f"/production/work-orders/{floor.work_order}"
    cases = {
        "0": "must be a whole number ≥ 1",
        "9": "at most 8 more",
        "x": "count &#39;x&#39;: a whole number",
    }
    for count, message in cases.items():
        answer = client.post(f"{wo_url}/units", data={"csrf_token": token, "count": count})
        assert answer.status_code == 303
        text = flashed(client, wo_url)
        assert "No units created" in text, count
        assert message in text, count
    # Panels of 2 × 2 with one X-out hold 3 good boards: 4 units do not fill them.
    client.post(
        f"{wo_url}/units",
        data={
            "csrf_token": token,
            "count": "4",
            "panel_rows": "2",
            "panel_cols": "2",
            "x_outs": "1",
        },
    )
    assert "do not fill whole panels" in flashed(client, wo_url)
    assert unit_count(db, floor.work_order) == 2
    missing = client.get("/production/units?serial=NOPE-000001X", headers=HTML)
    assert missing.status_code == 404
    assert "NOPE-000001X: no such unit" in missing.text
    assert client.get("/production/units/NOPE-000001X", headers=HTML).status_code == 404
    assert client.get("/api/units/NOPE-000001X").status_code == 404


def test_the_unit_page_shows_route_position_and_history(client: TestClient, db: Database) -> None:
    """After print passes and AOI fails, AOI is the failed step, print done, and the history
    names each station; the search tolerates a scanner's lower case and CR/LF."""
    floor = build_floor(db)
    serial = floor.serials[0]
    finish(db, serial, "PRINT")
    finish(db, serial, "AOI", "failed")
    add_user(db, "sue", Role.SUPERVISOR)
    sign_in(client, "sue")
    found = client.get("/production/units", params={"serial": f" {serial.lower()}\r\n"})
    assert found.status_code == 303
    assert found.headers["location"] == f"/production/units/{serial}"
    text = flashed(client, found.headers["location"])
    assert re.search(r'data-step="10" data-mark="done"', text)
    assert re.search(r'data-step="20" data-mark="failed"', text)
    assert re.search(r'data-step="30" data-mark=""', text)
    history = text.split('data-testid="unit-history"')[1]
    assert all(kind in history for kind in ("created", "passed", "failed"))
    assert "PRINT" in history
    assert "AOI" in history
    assert "olga" in history
    api = client.get(f"/api/units/{serial}").json()
    assert [e["kind"] for e in api["history"]] == ["created", "passed", "failed"]
    assert [e["station"] for e in api["history"]] == [None, "PRINT", "AOI"]
    assert (api["next_step"], api["work_order"]) == (20, floor.number)
    assert [r["mark"] for r in api["route"]] == ["done", "failed", "", ""]


def test_hold_release_and_scrap_a_unit(client: TestClient, db: Database) -> None:
    floor = build_floor(db)
    serial = floor.serials[0]
    add_user(db, "sue", Role.SUPERVISOR)
    token = sign_in(client, "sue")
    url = f"/production/units/{serial}"
    empty = client.post(f"{url}/hold", data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 303
    assert "Not held" in flashed(client, url)
    assert check(db, serial, "PRINT") is ReasonCode.OK

    client.post(f"{url}/hold", data={"csrf_token": token, "reason": "dropped on the floor"})
    text = flashed(client, url)
    assert "on hold" in text
    assert "dropped on the floor" in text
    assert check(db, serial, "PRINT") is ReasonCode.UNIT_ON_HOLD

    client.post(f"{url}/release", data={"csrf_token": token, "reason": "inspected, fine"})
    assert "released from hold" in flashed(client, url)
    assert check(db, serial, "PRINT") is ReasonCode.OK

    client.post(f"{url}/scrap", data={"csrf_token": token, "reason": "cracked"})
    assert 'data-testid="unit-state">scrapped' in flashed(client, url)
    assert check(db, serial, "PRINT") is ReasonCode.UNIT_SCRAPPED
    with db.unit_of_work(SYSTEM, write=False) as s:
        order = s.get(WorkOrder, floor.work_order)
        assert order is not None
        assert order.scrapped_quantity == 1


def test_hold_a_whole_work_order_from_its_page(client: TestClient, db: Database) -> None:
    floor = build_floor(db)
    add_user(db, "sue", Role.SUPERVISOR)
    token = sign_in(client, "sue")
    wo_url = f"/production/work-orders/{floor.work_order}"
    client.post(f"{wo_url}/hold", data={"csrf_token": token, "reason": "wrong paste"})
    assert "On hold: wrong paste" in client.get(f"{wo_url}/units", headers=HTML).text
    assert check(db, floor.serials[0], "PRINT") is ReasonCode.WORK_ORDER_ON_HOLD
    client.post(f"{wo_url}/release-hold", data={"csrf_token": token, "reason": "replaced"})
    assert check(db, floor.serials[0], "PRINT") is ReasonCode.OK


def test_the_api_holds_and_releases_with_a_reason(client: TestClient, db: Database) -> None:
    floor = build_floor(db)
    serial = floor.serials[1]
    _, secret = make_token(db, Role.SUPERVISOR)
    held = client.post(f"/api/units/{serial}/hold", json={"reason": "ESD"}, headers=bearer(secret))
    assert held.status_code == 200, held.text
    assert (held.json()["on_hold"], held.json()["hold_reason"]) == (True, "ESD")
    again = client.post(f"/api/units/{serial}/hold", json={"reason": "x"}, headers=bearer(secret))
    assert again.status_code == 409
    assert again.json()["reason"] == "unit_on_hold"
    released = client.post(
        f"/api/units/{serial}/release", json={"reason": "ok"}, headers=bearer(secret)
    )
    assert released.json()["on_hold"] is False
    zpl = client.get(f"/api/work-orders/{floor.work_order}/labels.zpl", headers=bearer(secret))
    assert zpl.status_code == 200
    assert zpl.text.count("^XA") == 3


def test_customers_see_only_their_own_units(client: TestClient, db: Database) -> None:
    floor = build_floor(db)
    serial = floor.serials[0]
    _, own = make_token(db, Role.CUSTOMER, customer_id=floor.customer)
    assert client.get(f"/api/units/{serial}", headers=bearer(own)).status_code == 200
    refused = client.post(f"/api/units/{serial}/hold", json={"reason": "x"}, headers=bearer(own))
    assert refused.status_code == 403
    other_id = floor.customer + 1  # make_world's second customer, BETA
    _, other = make_token(db, Role.CUSTOMER, customer_id=other_id)
    assert client.get(f"/api/units/{serial}", headers=bearer(other)).status_code == 404
    labels = client.get(f"/api/work-orders/{floor.work_order}/labels.pdf", headers=bearer(other))
    assert labels.status_code == 404
