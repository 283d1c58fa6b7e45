"""Sales over HTTP: the pages a planner and a customer use, and the JSON API."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.supply import sales
from tests.conftest import add_user
from tests.npi.test_reports import page_text
from tests.supply.test_sales import DUE, PLANNER, World, make_world, new_order
from tests.webkit import bearer, make_token, sign_in

HTML = {"accept": "text/html"}


def planner_client(app_client: TestClient, db: Database) -> tuple[World, str]:
    world = make_world(db)
    add_user(db, "pat", Role.PLANNER)
    return world, sign_in(app_client, "pat")


def follow(client: TestClient, answer: object) -> str:
    """The page a POST-redirect-GET lands on (with its flash message)."""
    location = answer.headers["location"]  # type: ignore[attr-defined]
    return client.get(location, headers=HTML).text


def test_new_order_form_offers_only_the_chosen_customers_revisions(
    app_client: TestClient, db: Database
) -> None:
    world, _ = planner_client(app_client, db)
    page = app_client.get(f"/supply/sales-orders/new?customer={world.acme}", headers=HTML)
    assert page.status_code == 200
    assert "CTRL-100 rev A" in page.text
    assert "PSU-9" not in page.text
    options = app_client.get(
        f"/supply/sales-orders/revision-options?customer={world.beta}", headers=HTML
    )
    assert f'value="{world.beta_rev}"' in options.text
    assert "CTRL-100" not in options.text


def test_planner_enters_an_order_builds_and_ships_it(app_client: TestClient, db: Database) -> None:
    world, token = planner_client(app_client, db)
    created = app_client.post(
        "/supply/sales-orders",
        data={
            "csrf_token": token,
            "customer": str(world.acme),
            "revision": str(world.acme_rev),
            "quantity": "3",
            "due_date": DUE.isoformat(),
            "customer_po": "PO-1",
        },
    )
    assert created.status_code == 303
    url = created.headers["location"]
    assert re.fullmatch(r"/supply/sales-orders/\d+", url)
    page = follow(app_client, created)
    assert "Sales order SO-000001 created." in page
    assert "CTRL-100 rev A" in page
    made = app_client.post(f"{url}/work-orders", data={"csrf_token": token})
    assert "Work order WO-000001 created for 3 units." in follow(app_client, made)
    shipped = app_client.post(
        f"{url}/ship",
        data={"csrf_token": token, "serials": "SN-1\r\nSN-2\r\n\r\nSN-3\r\n", "carrier": "DHL"},
    )
    page = follow(app_client, shipped)
    assert "Shipment SH-000001 recorded with 3 serials." in page
    assert 'data-testid="so-state">shipped' in page
    assert "WO-000001" in page
    link = re.search(r'href="(/supply/shipments/(\d+)/packing-list\.pdf)"', page)
    assert link
    pdf = app_client.get(link.group(1))
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert "SN-3" in page_text(pdf.content)
    shipment = app_client.get(f"/supply/shipments/{link.group(2)}?serial=SN-2", headers=HTML)
    assert '<strong data-testid="wanted">SN-2</strong>' in shipment.text
    found = app_client.get("/supply/where-shipped?serial=SN-2")
    assert found.headers["location"] == f"/supply/shipments/{link.group(2)}?serial=SN-2"


def test_a_refused_shipment_is_flashed_and_stores_nothing(
    app_client: TestClient, db: Database
) -> None:
    world, token = planner_client(app_client, db)
    order = new_order(db, world, 2)
    answer = app_client.post(
        f"/supply/sales-orders/{order}/ship",
        data={"csrf_token": token, "serials": "A\nB\nC"},
    )
    page = follow(app_client, answer)
    assert "Not shipped: sales order SO-000001: ordered 2, shipped 0, this shipment 3" in page
    with db.unit_of_work(PLANNER, write=False) as s:
        assert sales.shipments_of(s, PLANNER, order) == []


def test_work_order_page_links_back_and_refuses_a_release_of_a_draft_revision(
    app_client: TestClient, db: Database
) -> None:
    world, token = planner_client(app_client, db)
    order = new_order(db, world)
    with db.unit_of_work(PLANNER) as s:
        wo = sales.do_create_work_order_for(s, PLANNER, order).id
    page = app_client.get(f"/production/work-orders/{wo}", headers=HTML).text
    assert f'href="/supply/sales-orders/{order}" class="mono">SO-000001' in page
    assert f'href="/supply/kits/{wo}"' in page
    assert 'href="/supply/mrp"' in page
    listed = app_client.get("/production/work-orders", headers=HTML).text
    assert "WO-000001" in listed
    assert "CTRL-100 rev A" in listed
    refused = app_client.post(f"/production/work-orders/{wo}/release", data={"csrf_token": token})
    refused_page = follow(app_client, refused)
    assert (
        "Not released: work order WO-000001: its revision has no released routing" in refused_page
    )
    cancelled = app_client.post(
        f"/production/work-orders/{wo}/cancel", data={"csrf_token": token, "reason": "moved"}
    )
    assert "Work order WO-000001 cancelled." in follow(app_client, cancelled)


def test_a_work_order_by_hand_from_the_form(app_client: TestClient, db: Database) -> None:
    world, token = planner_client(app_client, db)
    form = app_client.get("/production/work-orders/new", headers=HTML).text
    assert "CTRL-100 rev A" in form
    answer = app_client.post(
        "/production/work-orders",
        data={
            "csrf_token": token,
            "revision": str(world.acme_rev),
            "quantity": "25",
            "start_date": "2026-05-04",
            "due_date": "2026-05-08",
            "stage": "prototype",
        },
    )
    page = follow(app_client, answer)
    assert "Work order WO-000001 created." in page
    assert "none (by hand)" in page


def test_a_customer_reads_its_own_orders_and_not_anothers(
    app_client: TestClient, db: Database
) -> None:
    world = make_world(db)
    mine, theirs = new_order(db, world), new_order(db, world, beta=True)
    with db.unit_of_work(PLANNER) as s:
        shipment = sales.do_ship(s, PLANNER, mine, ["C-1"]).id
        their_shipment = sales.do_ship(s, PLANNER, theirs, ["D-1"]).id
    add_user(db, "carol", Role.CUSTOMER, customer_id=world.acme)
    sign_in(app_client, "carol")
    listed = app_client.get("/supply/sales-orders", headers=HTML).text
    assert "SO-000001" in listed
    assert "SO-000002" not in listed
    assert "New sales order" not in listed
    page = app_client.get(f"/supply/sales-orders/{mine}", headers=HTML)
    assert page.status_code == 200
    assert 'data-testid="ship-form"' not in page.text
    assert 'data-testid="wo-form"' not in page.text
    assert app_client.get(f"/supply/shipments/{shipment}/packing-list.pdf").status_code == 200
    assert app_client.get(f"/supply/sales-orders/{theirs}", headers=HTML).status_code == 404
    assert app_client.get(f"/supply/shipments/{their_shipment}", headers=HTML).status_code == 404
    pdf = app_client.get(f"/supply/shipments/{their_shipment}/packing-list.pdf", headers=HTML)
    assert pdf.status_code == 404
    assert app_client.get("/supply/sales-orders/new", headers=HTML).status_code == 403


def test_api_creates_ships_and_answers_problems(app_client: TestClient, db: Database) -> None:
    world = make_world(db)
    _, secret = make_token(db, Role.PLANNER)
    body = {
        "customer_id": world.acme,
        "revision_id": world.acme_rev,
        "quantity": 2,
        "due_date": DUE.isoformat(),
    }
    created = app_client.post("/api/sales-orders", json=body, headers=bearer(secret))
    assert created.status_code == 201, created.text
    order = created.json()
    assert (order["number"], order["state"], order["shipped_quantity"]) == ("SO-000001", "open", 0)
    bad = app_client.post(
        "/api/sales-orders",
        json={**body, "revision_id": world.beta_rev},
        headers=bearer(secret),
    )
    assert bad.status_code == 422
    assert (bad.json()["code"], bad.json()["field"]) == ("invalid_input", "revision")
    wo = app_client.post(
        "/api/work-orders", json={"sales_order_id": order["id"]}, headers=bearer(secret)
    )
    assert wo.status_code == 201, wo.text
    assert (wo.json()["quantity"], wo.json()["sales_order_id"]) == (2, order["id"])
    listed = app_client.get(
        f"/api/work-orders?sales_order_id={order['id']}", headers=bearer(secret)
    ).json()
    assert [w["number"] for w in listed] == ["WO-000001"]
    shipped = app_client.post(
        f"/api/sales-orders/{order['id']}/shipments",
        json={"serials": ["API-1", "API-2"], "carrier": "UPS"},
        headers=bearer(secret),
    )
    assert shipped.status_code == 201, shipped.text
    shipment = shipped.json()
    assert (shipment["number"], shipment["units"]) == ("SH-000001", 2)
    again = app_client.post(
        f"/api/sales-orders/{order['id']}/shipments",
        json={"serials": ["API-1"]},
        headers=bearer(secret),
    )
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"  # the order is shipped: nothing left
    pdf = app_client.get(
        f"/api/shipments/{shipment['id']}/packing-list.pdf", headers=bearer(secret)
    )
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    trace = app_client.get("/api/shipped-units/API-2", headers=bearer(secret)).json()
    assert (
        trace["shipment"]["number"],
        trace["sales_order"]["number"],
        trace["customer_code"],
    ) == (
        "SH-000001",
        "SO-000001",
        "ACME",
    )
    assert (
        app_client.get(f"/api/sales-orders/{order['id']}", headers=bearer(secret)).json()["state"]
        == "shipped"
    )


def test_api_scopes_a_customer_token_to_its_own_orders(
    app_client: TestClient, db: Database
) -> None:
    world = make_world(db)
    mine, theirs = new_order(db, world), new_order(db, world, beta=True)
    _, secret = make_token(db, Role.CUSTOMER, customer_id=world.acme)
    listed = app_client.get("/api/sales-orders?state=all", headers=bearer(secret)).json()
    assert [o["id"] for o in listed] == [mine]
    other = app_client.get(f"/api/sales-orders/{theirs}", headers=bearer(secret))
    assert other.status_code == 404
    assert other.json()["code"] == "not_found"
    refused = app_client.post(
        f"/api/sales-orders/{mine}/shipments", json={"serials": ["X"]}, headers=bearer(secret)
    )
    assert refused.status_code == 403


def test_api_refuses_a_duplicate_serial_naming_the_earlier_shipment(
    app_client: TestClient, db: Database
) -> None:
    world = make_world(db)
    first, second = new_order(db, world), new_order(db, world)
    system = Actor.system()
    with db.unit_of_work(system) as s:
        sales.do_ship(s, system, first, ["DUP"])
    _, secret = make_token(db, Role.PLANNER)
    answer = app_client.post(
        f"/api/sales-orders/{second}/shipments", json={"serials": ["DUP"]}, headers=bearer(secret)
    )
    assert answer.status_code == 409
    problem = answer.json()
    assert (problem["code"], problem["serial"], problem["shipment"]) == (
        "already_exists",
        "DUP",
        "SH-000001",
    )
