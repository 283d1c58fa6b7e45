"""MRP and E&O over HTTP, and the server's periodic material check (both databases)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from boardline.core import clock
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.settings import Settings
from boardline.supply import packages, watch
from boardline.web.app import create_app
from tests.conftest import add_user
from tests.webkit import bearer, make_token, sign_in

HTML = {"accept": "text/html"}


def test_planner_runs_mrp_and_reads_clear_to_build(
    app_client: TestClient, db: Database, factory: dict[str, int]
) -> None:
    add_user(db, "pat", Role.PLANNER)
    token = sign_in(app_client, "pat")
    empty = app_client.get("/supply/mrp", headers=HTML)
    assert "MRP has not been run yet" in empty.text
    ran = app_client.post("/supply/mrp/run", data={"csrf_token": token})
    assert ran.status_code == 303
    page = app_client.get("/supply/mrp", headers=HTML).text
    assert "planned purchases" in page
    assert "0 of 1 work orders clear to build" in page
    assert "MCU-F030: 20 of 50 short" in page
    assert "SCREW-M3X6" in page
    assert "no offer" in page
    only = app_client.get("/supply/mrp?item=SCREW-M3X6", headers=HTML).text
    assert "MCU-F030</a>" not in only


def test_operators_see_the_plan_but_cannot_run_it(
    app_client: TestClient, db: Database, factory: dict[str, int]
) -> None:
    add_user(db, "olga", Role.OPERATOR)
    token = sign_in(app_client, "olga")
    assert "Run MRP now" not in app_client.get("/supply/mrp", headers=HTML).text
    refused = app_client.post("/supply/mrp/run", data={"csrf_token": token})
    assert refused.status_code == 303
    assert "may not do this" in app_client.get(refused.headers["location"], headers=HTML).text


def test_mrp_api_runs_and_answers_per_work_order(
    app_client: TestClient, db: Database, factory: dict[str, int]
) -> None:
    _, secret = make_token(db, Role.PLANNER)
    missing = app_client.get("/api/mrp", headers=bearer(secret))
    assert missing.status_code == 404
    assert "run it first" in missing.json()["detail"]
    run = app_client.post("/api/mrp/run", headers=bearer(secret))
    assert run.status_code == 201, run.text
    assert run.json()["counts"]["work_orders"] == 1
    wo_number = app_client.get("/api/work-orders", headers=bearer(secret)).json()[0]["number"]
    answer = app_client.get(f"/api/mrp/clear-to-build/{wo_number}", headers=bearer(secret))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["clear"] is False
    assert {c["item"]: c["short"] for c in body["components"]}["MCU-F030"] == 20
    planned = app_client.get(
        "/api/mrp/planned-orders?purchases_only=true&item=MCU-F030", headers=bearer(secret)
    ).json()
    assert [p["supplier"] for p in planned] == ["DIST", "DIST"]
    shortages = app_client.get("/api/mrp/shortages?item=MCU-F030", headers=bearer(secret))
    assert shortages.json()[0]["quantity"] == 20


def test_excess_page_and_api(app_client: TestClient, db: Database, factory: dict[str, int]) -> None:
    add_user(db, "pat", Role.PLANNER)
    sign_in(app_client, "pat")
    page = app_client.get(f"/supply/excess?customer={factory['customer']}", headers=HTML).text
    assert "OLD-CAP" in page
    assert "obsolete" in page
    _, secret = make_token(db, Role.CUSTOMER, customer_id=factory["customer"])
    api = app_client.get(f"/api/excess/{factory['customer']}", headers=bearer(secret))
    assert api.status_code == 200, api.text
    assert {line["item"] for line in api.json()["lines"]} == {"RES-10K-0402", "OLD-CAP"}


def _open_msl3_package(db: Database, opened_at: datetime) -> str:
    actor = Actor.system("test")
    with db.unit_of_work(actor) as s:
        package = packages.do_receive(
            s,
            actor,
            packages.Receipt(
                manufacturer="STMicroelectronics",
                mpn="STM32F030F4P6",
                quantity=10,
                packaging="tray",
            ),
        )
        packages.do_set_state(s, actor, package.uid, "available", reason="inspected")
        packages.do_msd_event(s, actor, package.uid, "opened", at=opened_at)
        return package.uid


def _state(db: Database, uid: str) -> str:
    with db.unit_of_work(Actor.system("test"), write=False) as s:
        return packages.access_package(s, Actor.system("test"), uid).state


def test_material_check_blocks_a_package_whose_floor_life_ran_out(
    db: Database, settings: Settings, factory: dict[str, int]
) -> None:
    # MSL 3: 168 h floor life. Opened eight days ago, it has run out.
    uid = _open_msl3_package(db, clock.now() - timedelta(days=8))
    report = watch.run_material_checks(db, settings)
    assert uid in report.blocked
    assert _state(db, uid) == "blocked"


def test_the_server_runs_the_material_check_on_its_own(
    db: Database, settings: Settings, factory: dict[str, int]
) -> None:
    uid = _open_msl3_package(db, clock.now() - timedelta(days=8))
    periodic = settings.model_copy(update={"material_check_s": 3600.0})
    with TestClient(create_app(periodic, db)):
        # The first pass runs at start-up in a worker thread: wait for it, not a fixed time.
        deadline = time.monotonic() + 20
        while _state(db, uid) != "blocked" and time.monotonic() < deadline:
            time.sleep(0.05)
    assert _state(db, uid) == "blocked"
    assert datetime.now(UTC) > clock.now()  # the frozen clock stayed frozen


def test_buyer_ticks_planned_purchases_into_a_draft_po(
    app_client: TestClient, db: Database, factory: dict[str, int]
) -> None:
    add_user(db, "bo", Role.BUYER)
    token = sign_in(app_client, "bo")
    app_client.post("/supply/mrp/run", data={"csrf_token": token})
    page = app_client.get("/supply/mrp?item=MCU-F030", headers=HTML).text
    ids = re.findall(r'name="planned" value="(\d+)"', page)
    assert len(ids) == 2
    ordered = app_client.post("/supply/mrp/order", data={"csrf_token": token, "planned": ids})
    assert ordered.status_code == 303
    assert ordered.headers["location"].startswith("/supply/purchase-orders/")
    po_page = app_client.get(ordered.headers["location"], headers=HTML).text
    assert "STM32F030F4P6" in po_page
    assert "created" in po_page
    nothing = app_client.post("/supply/mrp/order", data={"csrf_token": token})
    assert "choose at least one" in app_client.get(nothing.headers["location"], headers=HTML).text
