"""Purchase order pages and API: a buyer drafts, a supervisor approves, stores receive."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from boardline.core.auth import Role
from boardline.core.db import Database
from boardline.supply import purchasing
from tests.conftest import add_customer, add_user
from tests.supply.test_purchasing import BUYER, sent_po, setup_supply
from tests.webkit import bearer, make_token, sign_in

HTML = {"accept": "text/html"}


def flash_of(client: TestClient, url: str) -> str:
    page = client.get(url, headers=HTML).text
    found = re.findall(r'<div class="flash (?:ok|error)" role="status">([^<]*)</div>', page)
    return html.unescape(" ".join(found))


def test_a_po_through_the_pages(app_client: TestClient, db: Database) -> None:
    supplier_id = setup_supply(db)
    customer_id = add_customer(db, "ACME")
    add_user(db, "bo", Role.BUYER)
    add_user(db, "sue", Role.SUPERVISOR)
    token = sign_in(app_client, "bo")
    listing = app_client.get("/supply/purchase-orders", headers=HTML).text
    assert "Purchase orders" in listing
    assert 'data-testid="new-po"' in listing
    created = app_client.post(
        "/supply/purchase-orders",
        data={"csrf_token": token, "supplier": str(supplier_id), "customer": str(customer_id)},
    )
    url = created.headers["location"]
    po_id = int(url.rsplit("/", 1)[1])
    app_client.post(
        f"{url}/lines",
        data={
            "csrf_token": token,
            "manufacturer": "Yageo",
            "mpn": "RC0402FR-0710KL",
            "quantity": "10,000",
        },
    )
    assert "Line 1 added: 10,000 × RC0402FR-0710KL at 0.0011" in flash_of(app_client, url)
    bad = app_client.post(
        f"{url}/lines",
        data={
            "csrf_token": token,
            "manufacturer": "Yageo",
            "mpn": "RC0402FR-0710KL",
            "quantity": "x",
        },
    )
    assert bad.headers["location"] == url
    assert "quantity 'x' is not a whole number" in flash_of(app_client, url)
    app_client.post(f"{url}/approve", data={"csrf_token": token})
    assert "Not approved: your role (Buyer) may not do this" in flash_of(app_client, url)
    page = app_client.get(url, headers=HTML).text
    assert "Waiting for a supervisor" in page
    assert "ACME" in page

    app_client.post("/logout", data={"csrf_token": token})
    token = sign_in(app_client, "sue")
    app_client.post(f"{url}/approve", data={"csrf_token": token, "version": "1"})
    assert "approved" in flash_of(app_client, url)
    app_client.post("/logout", data={"csrf_token": token})
    token = sign_in(app_client, "bo")
    app_client.post(f"{url}/send", data={"csrf_token": token})
    page = app_client.get(url, headers=HTML).text
    assert 'data-testid="receive-1"' in page
    assert app_client.get(f"{url}/po.pdf").content.startswith(b"%PDF")

    with db.unit_of_work(BUYER, write=False) as s:
        line_id = purchasing.access_po(s, BUYER, po_id).lines[0].id
    received = app_client.post(
        f"{url}/lines/{line_id}/receive",
        data={
            "csrf_token": token,
            "quantity": "4000",
            "count": "2",
            "packaging": "reel",
            "lot": "L1",
        },
    )
    receipt = received.headers["location"]
    assert receipt.startswith(f"{url}/receipts/{line_id}/")
    done = app_client.get(receipt, headers=HTML).text
    assert "2 packages received against" in done
    assert len(re.findall(r'href="/supply/packages/PKG-[0-9A-Z]+"', done)) == 2
    assert app_client.get(f"{receipt}/labels.pdf").content.startswith(b"%PDF")
    assert app_client.get(f"{receipt}/labels.zpl").text.count("^XA") == 2
    page = app_client.get(url, headers=HTML).text
    assert "partially received" in page
    assert '<td class="num" data-testid="open-1">2,000</td>' in page
    assert f'href="{receipt}/labels.pdf"' in page

    over = app_client.post(
        f"{url}/lines/{line_id}/receive",
        data={"csrf_token": token, "quantity": "4000", "count": "1", "packaging": "reel"},
    )
    assert over.headers["location"] == url
    assert "Not received: PO-000001 line 1 ordered 10,000, received 8,000, open 2,000" in (
        flash_of(app_client, url)
    )
    assert app_client.get(f"{url}/receipts/{line_id}/20200101T000000000000Z").status_code == 404
    assert app_client.get(f"{url}/receipts/{line_id}/garbage").status_code == 404
    filtered = app_client.get("/supply/purchase-orders?state=closed", headers=HTML).text
    assert "PO-000001" not in filtered
    filtered = app_client.get("/supply/purchase-orders?state=partially_received", headers=HTML)
    assert "PO-000001" in filtered.text


def test_the_packages_page_receives_against_a_po_line_or_consigned(
    app_client: TestClient, db: Database
) -> None:
    supplier_id = setup_supply(db)
    customer_id = add_customer(db, "ACME")
    po_id = sent_po(db, supplier_id, 10000)
    with db.unit_of_work(BUYER, write=False) as s:
        line_id = purchasing.access_po(s, BUYER, po_id).lines[0].id
    add_user(db, "otto", Role.OPERATOR)
    token = sign_in(app_client, "otto")
    page = app_client.get("/supply/packages", headers=HTML).text
    assert f'<option value="{line_id}">PO-000001/1 RES-1 RC0402FR-0710KL (open 10,000)' in page
    against = app_client.post(
        "/supply/packages",
        data={
            "csrf_token": token,
            "po_line": str(line_id),
            "quantity": "10000",
            "packaging": "reel",
        },
    )
    assert against.headers["location"].startswith("/supply/packages/PKG-")
    consigned = app_client.post(
        "/supply/packages",
        data={
            "csrf_token": token,
            "manufacturer": "ST",
            "mpn": "STM32F103C8T6",
            "quantity": "50",
            "packaging": "tray",
            "customer": str(customer_id),
            "consigned": "1",
            "uid": "ACME-0001",
        },
    )
    assert consigned.headers["location"] == "/supply/packages/ACME-0001"
    with db.unit_of_work(BUYER, write=False) as s:
        po = purchasing.access_po(s, BUYER, po_id)
        assert (po.state, po.lines[0].received_quantity) == ("closed", 10000)
    page = app_client.get("/supply/packages", headers=HTML).text
    assert "PO-000001/1" not in page  # nothing open any more


def test_the_purchase_order_api(app_client: TestClient, db: Database) -> None:
    supplier_id = setup_supply(db)
    _, secret = make_token(db, Role.ADMIN)
    auth = bearer(secret)
    created = app_client.post(
        "/api/purchase-orders",
        headers=auth,
        json={
            "supplier_id": supplier_id,
            "lines": [
                {"manufacturer": "Yageo", "mpn": "RC0402FR-0710KL", "quantity": 10000},
                {
                    "manufacturer": "ST",
                    "mpn": "STM32F103C8T6",
                    "quantity": 10,
                    "unit_price": "2.5",
                    "due_date": "2099-01-01",
                },
            ],
        },
    )
    assert created.status_code == 201, created.text
    po = created.json()
    assert (po["number"], po["state"], po["total"]) == ("PO-000001", "draft", "36.00")
    line_id = po["lines"][0]["id"]
    refused = app_client.post(
        f"/api/purchase-orders/{po['id']}/lines/{line_id}/receive",
        headers=auth,
        json={"quantity": 5000},
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "conflict"
    assert "is draft" in refused.json()["detail"]
    stale = app_client.post(
        f"/api/purchase-orders/{po['id']}/approve", headers=auth, json={"version": 99}
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_record"
    assert app_client.post(f"/api/purchase-orders/{po['id']}/approve", headers=auth).json()[
        "state"
    ] == ("approved")
    assert app_client.post(f"/api/purchase-orders/{po['id']}/send", headers=auth).status_code == 200
    received = app_client.post(
        f"/api/purchase-orders/{po['id']}/lines/{line_id}/receive",
        headers=auth,
        json={"quantity": 5000, "count": 2, "lot": "L1"},
    )
    assert received.status_code == 201, received.text
    body = received.json()
    assert len(body["packages"]) == 2
    assert body["order"]["state"] == "partially_received"
    assert body["order"]["lines"][0]["open_quantity"] == 0
    listed = app_client.get("/api/purchase-orders?state=partially_received", headers=auth).json()
    assert [x["number"] for x in listed] == ["PO-000001"]
    assert app_client.get(f"/api/purchase-orders/{po['id']}", headers=auth).json()["version"] > 1
    bad = app_client.post(
        f"/api/purchase-orders/{po['id']}/cancel", headers=auth, json={"reason": "no"}
    )
    assert bad.status_code == 409
    closed = app_client.post(
        f"/api/purchase-orders/{po['id']}/close", headers=auth, json={"reason": "MCU obsolete"}
    )
    assert closed.json()["state"] == "closed"
    wrong = app_client.post(
        f"/api/purchase-orders/{po['id']}/lines/999999/receive", headers=auth, json={"quantity": 1}
    )
    assert wrong.status_code == 404
