"""Stock and kit pages and their JSON API (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from boardline.core import clock
from boardline.core.auth import Role
from boardline.core.db import Database
from boardline.supply import gs1, packages
from boardline.supply.stock_pages import floor_life_text, split_scans
from tests.conftest import add_user
from tests.supply.test_kitting import (
    MCU,
    RES,
    STORES,
    TODAY,
    World,
    frozen_at,
    make_world,
    receive,
)
from tests.webkit import bearer, make_token, sign_in

HTML = {"accept": "text/html"}


@pytest.fixture
def at_t0() -> Iterator[clock.FixedClock]:
    with frozen_at() as fixed:
        yield fixed


@pytest.fixture
def stocked(db: Database, at_t0: object) -> tuple[World, dict[str, str]]:
    w = make_world(db)
    uids = {
        "res": receive(db, RES, 5000, lot="L1", expires_on=TODAY + timedelta(days=30)),
        "res2": receive(db, RES, 800, lot="L1"),
        "mcu": receive(db, MCU, 120, opened_hours_ago=100),
        "blocked": receive(db, RES, 30, state="blocked"),
    }
    return w, uids


def test_scans_split_per_line_comma_or_space() -> None:
    assert split_scans("PKG-A\r\nPKG-B, PKG-C  PKG-D\n\n(21)PKG-E (10)L1") == [
        "PKG-A",
        "PKG-B",
        "PKG-C",
        "PKG-D",
        "(21)PKG-E (10)L1",
    ]
    assert floor_life_text(None) == ""


def test_stock_item_and_location_pages_show_floor_life(
    app_client: TestClient, db: Database, stocked: tuple[World, dict[str, str]]
) -> None:
    _, uids = stocked
    add_user(db, "olga", Role.OPERATOR)
    sign_in(app_client, "olga")
    page = app_client.get("/supply/stock", headers=HTML)
    assert page.status_code == 200
    assert 'href="/supply/stock"' in page.text  # in the Materials navigation
    assert "RES-10K" in page.text
    assert "MCU-1" in page.text
    only_blocked = app_client.get("/supply/stock?state=blocked", headers=HTML).text
    assert "RES-10K" in only_blocked
    assert "MCU-1" not in only_blocked
    assert "MCU-1" not in app_client.get("/supply/stock?q=yageo-nothing", headers=HTML).text

    item = app_client.get("/supply/stock/MCU-1", headers=HTML).text
    assert uids["mcu"] in item
    assert "68 h left" in item
    location = app_client.get("/supply/locations/a-01", headers=HTML)
    assert location.status_code == 200
    assert uids["res"] in location.text
    assert "68 h left" in location.text
    assert app_client.get("/supply/locations/NOWHERE", headers=HTML).status_code == 404
    assert app_client.get("/supply/stock/NOPE", headers=HTML).status_code == 404


def test_join_from_the_package_page(
    app_client: TestClient, db: Database, stocked: tuple[World, dict[str, str]]
) -> None:
    _, uids = stocked
    add_user(db, "olga", Role.OPERATOR)
    token = sign_in(app_client, "olga")
    url = f"/supply/packages/{uids['res']}"
    assert 'data-testid="join-form"' in app_client.get(url, headers=HTML).text
    label = gs1.encode({gs1.SERIAL: uids["res2"]})
    app_client.post(f"{url}/join", data={"csrf_token": token, "sources": label + "\n"})
    assert "5,800 pcs" in app_client.get(url, headers=HTML).text
    app_client.post(f"{url}/join", data={"csrf_token": token, "sources": uids["blocked"]})
    assert "Not joined" in app_client.get(url, headers=HTML).text


def test_kit_page_reserves_issues_and_returns_by_scan(
    app_client: TestClient, db: Database, stocked: tuple[World, dict[str, str]]
) -> None:
    w, uids = stocked
    add_user(db, "olga", Role.OPERATOR)
    token = sign_in(app_client, "olga")
    url = f"/supply/kits/{w.wo_id}"
    assert w.wo_number in app_client.get("/supply/kits", headers=HTML).text
    page = app_client.get(url, headers=HTML).text
    assert "still to pick" in page
    assert "GRM155R71C104KA88D" in page  # the unmatched BOM line
    assert "suggested" in page
    assert "68 h left" in page

    app_client.post(f"{url}/auto-reserve", data={"csrf_token": token})
    page = app_client.get(url, headers=HTML).text
    assert "Reserved 2 package(s)" in page
    label = gs1.encode({gs1.SERIAL: uids["res"]})
    app_client.post(
        f"{url}/issue", data={"csrf_token": token, "scan": label, "location": "L1-SIDE"}
    )
    assert f"{uids['res']} issued to L1-SIDE: 5,000 parts" in app_client.get(url, headers=HTML).text
    app_client.post(
        f"{url}/return",
        data={"csrf_token": token, "scan": uids["res"], "counted": "6000", "location": "A-01"},
    )
    assert "more than the 5000 issued" in app_client.get(url, headers=HTML).text
    app_client.post(
        f"{url}/return",
        data={"csrf_token": token, "scan": uids["res"], "counted": "4970", "location": "A-01"},
    )
    page = app_client.get(url, headers=HTML).text
    assert "4,970 left, 30 used" in page
    app_client.post(f"{url}/release", data={"csrf_token": token, "scan": uids["mcu"]})
    assert "released back to stock" in app_client.get(url, headers=HTML).text


def test_stock_and_kit_api(db: Database, app_client: TestClient, at_t0: object) -> None:
    w = make_world(db)
    reel = receive(db, RES, 100)
    tray = receive(db, MCU, 10, opened_hours_ago=170)
    _, secret = make_token(db, Role.OPERATOR)
    auth = bearer(secret)
    (item,) = [
        i
        for i in app_client.get("/api/stock/items", headers=auth).json()
        if i["item_number"] == "RES-10K"
    ]
    assert (item["available"], item["free"], item["packages"]) == (100, 100, 1)
    detail = app_client.get("/api/stock/items/MCU-1", headers=auth).json()
    assert detail["packages"][0]["floor_life"]["status"] == "expired"
    where = app_client.get("/api/stock/locations/A-01", headers=auth).json()
    assert {p["uid"] for p in where["packages"]} == {reel, tray}
    assert app_client.get("/api/stock/locations/NOWHERE", headers=auth).status_code == 404

    pick = app_client.get(f"/api/kits/{w.wo_id}", headers=auth).json()
    res = next(line for line in pick["lines"] if line["item_number"] == "RES-10K")
    assert (res["required"], res["to_pick"], res["suggested"][0]["uid"]) == (22, 22, reel)
    assert [u["mpn"] for u in pick["unmatched"]] == ["GRM155R71C104KA88D"]

    refused = app_client.post(f"/api/kits/{w.wo_id}/reserve", json={"package": tray}, headers=auth)
    assert refused.status_code == 409
    assert (refused.json()["code"], refused.json()["rule"]) == ("conflict", "floor_life_expired")
    made = app_client.post(f"/api/kits/{w.wo_id}/reserve", json={"package": reel}, headers=auth)
    assert made.status_code == 201
    assert (made.json()["state"], made.json()["quantity"]) == ("reserved", 22)
    issued = app_client.post(
        f"/api/kits/{w.wo_id}/issue", json={"package": reel, "location": "L1-SIDE"}, headers=auth
    )
    assert issued.json()["quantity"] == 100
    too_many = app_client.post(
        f"/api/kits/{w.wo_id}/return",
        json={"package": reel, "counted": 101, "location": "A-01"},
        headers=auth,
    )
    assert too_many.status_code == 422
    assert too_many.json()["field"] == "quantity"
    back = app_client.post(
        f"/api/kits/{w.wo_id}/return",
        json={"package": reel, "counted": 60, "location": "A-01"},
        headers=auth,
    ).json()
    assert (back["state"], back["consumed"]) == ("returned", 40)
    with db.unit_of_work(STORES, write=False) as s:
        assert packages.access_package(s, STORES, reel).quantity == 60


def test_join_api(db: Database, app_client: TestClient, at_t0: object) -> None:
    make_world(db)
    a, b = receive(db, RES, 100, lot="L1"), receive(db, RES, 20, lot="L1")
    c = receive(db, RES, 20, lot="L2")
    _, secret = make_token(db, Role.OPERATOR)
    joined = app_client.post(
        "/api/stock/join", json={"target": a, "sources": [b]}, headers=bearer(secret)
    )
    assert joined.status_code == 200
    assert joined.json()["quantity"] == 120
    refused = app_client.post(
        "/api/stock/join", json={"target": a, "sources": [c]}, headers=bearer(secret)
    )
    assert refused.status_code == 422
    assert refused.json()["rule"] == "different_lot"
