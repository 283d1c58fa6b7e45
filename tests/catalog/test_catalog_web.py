"""Catalog pages, and resolving unmatched BOM lines on the revision page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.npi import services as npi
from boardline.npi.pipeline import InputFile
from tests.catalog.test_catalog import BOM
from tests.conftest import add_customer, add_user
from tests.webkit import sign_in

HTML = {"accept": "text/html"}


def test_engineer_creates_an_item_and_adds_an_alternate(
    app_client: TestClient, db: Database
) -> None:
    add_user(db, "erin", Role.ENGINEER)
    token = sign_in(app_client, "erin")
    created = app_client.post(
        "/catalog/items",
        data={
            "csrf_token": token,
            "number": "CAP-100N-0402",
            "package": "0402",
            "pin_count": "2",
            "msl": "1",
            "lifecycle": "active",
            "manufacturer": "Murata",
            "mpn": "GRM155R71C104KA88D",
        },
    )
    item_url = created.headers["location"]
    app_client.post(
        f"{item_url}/parts",
        data={"csrf_token": token, "manufacturer": "Samsung", "mpn": "CL05B104KO5NNNC"},
    )
    page = app_client.get(item_url, headers=HTML).text
    assert "GRM155R71C104KA88D" in page
    assert "CL05B104KO5NNNC" in page
    found = app_client.get("/catalog/items?q=cl05b104", headers=HTML).text
    assert "CAP-100N-0402" in found


def test_approved_manufacturers_page(app_client: TestClient, db: Database) -> None:
    add_customer(db, "ACME")
    add_user(db, "erin", Role.ENGINEER)
    token = sign_in(app_client, "erin")
    page = app_client.get("/catalog/avl", headers=HTML).text
    assert "no restriction" in page
    cid = 1 if "/catalog/avl/1" in page else int(page.split("/catalog/avl/")[1].split('"')[0])
    app_client.post(
        f"/catalog/avl/{cid}",
        data={"csrf_token": token, "manufacturer": "Yageo", "action": "approve"},
    )
    assert ">Yageo<" in app_client.get("/catalog/avl", headers=HTML).text


def test_unmatched_lines_are_linked_on_the_revision_page(
    app_client: TestClient, db: Database
) -> None:
    cid = add_customer(db, "ACME")
    add_user(db, "erin", Role.ENGINEER)
    token = sign_in(app_client, "erin")
    app_client.post(
        "/catalog/items",
        data={"csrf_token": token, "number": "CAP-100N-0402", "lifecycle": "active"},
    )
    system = Actor.system()
    with db.unit_of_work(system) as s:
        product = npi.do_create_product(s, system, customer_id=cid, code="P1", name="P1")
        rid = npi.do_create_revision(s, system, product.id, label="A").id
        npi.do_import(s, system, rid, [InputFile("bom.csv", BOM)])
        line_id = next(b.id for b in npi.revision_bom(s, system, rid) if b.refdes == ["C1"])
    page = app_client.get(f"/npi/revisions/{rid}?tab=items", headers=HTML).text
    assert "3 need a person" in page
    app_client.post(
        f"/npi/bom-lines/{line_id}/resolve",
        data={"csrf_token": token, "revision": str(rid), "item": "CAP-100N-0402"},
    )
    page = app_client.get(f"/npi/revisions/{rid}?tab=items", headers=HTML).text
    assert "its MPN now matches on the next import" in page
    assert "2 need a person" in page


def test_catalog_api(app_client: TestClient, db: Database) -> None:
    from tests.webkit import bearer, make_token

    cid = add_customer(db, "ACME")
    _, secret = make_token(db, Role.BUYER)
    created = app_client.post(
        "/api/catalog/items",
        headers=bearer(secret),
        json={
            "number": "RES-10K-0402",
            "package": "0402",
            "pin_count": 2,
            "parts": [{"manufacturer": "Yageo", "mpn": "RC0402FR-0710KL"}],
        },
    )
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["parts"] == [{"rank": 1, "manufacturer": "Yageo", "mpn": "RC0402FR-0710KL"}]
    more = app_client.post(
        f"/api/catalog/items/{item['id']}/parts",
        headers=bearer(secret),
        json={"manufacturer": "Vishay", "mpn": "CRCW040210K0FKED"},
    )
    assert [p["rank"] for p in more.json()["parts"]] == [1, 2]
    dup = app_client.post(
        f"/api/catalog/items/{item['id']}/parts",
        headers=bearer(secret),
        json={"manufacturer": "YAGEO", "mpn": "rc0402fr-0710kl"},
    )
    assert dup.status_code == 409
    assert dup.json()["code"] == "already_exists"
    avl = app_client.post(
        f"/api/catalog/customers/{cid}/approved-manufacturers",
        headers=bearer(secret),
        json={"manufacturer": "Yageo"},
    )
    assert avl.json() == ["Yageo"]
    found = app_client.get("/api/catalog/items?q=CRCW0402", headers=bearer(secret)).json()
    assert [i["number"] for i in found] == ["RES-10K-0402"]
