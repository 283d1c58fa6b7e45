"""Routing pages and API: generate, edit, release and revise through HTTP (SQLite and
PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.settings import Settings
from boardline.npi import services as npi
from boardline.production import routings
from tests.conftest import add_user
from tests.production.test_routings import ENGINEER, generate, new_revision
from tests.webkit import bearer, make_token, sign_in

HTML = {"accept": "text/html"}


@pytest.fixture
def client(db: Database, settings: Settings) -> Iterator[TestClient]:
    from boardline.web.app import create_app

    app = create_app(settings, db)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def page(client: TestClient, rid: int) -> str:
    answer = client.get(f"/production/revisions/{rid}/routing", headers=HTML)
    assert answer.status_code == 200, answer.text
    return answer.text


def form_version(text: str, action: str) -> str:
    match = re.search(
        rf'action="{re.escape(action)}"[^>]*>\s*<input[^>]*>\s*<input type="hidden" name="version"'
        r' value="(\d+)"',
        text,
    )
    assert match, f"no form posting to {action}"
    return match.group(1)


def test_generate_edit_and_release_through_the_pages(client: TestClient, db: Database) -> None:
    rid = new_revision(db)
    add_user(db, "erin", Role.ENGINEER)
    token = sign_in(client, "erin")
    text = page(client, rid)
    assert 'data-testid="generate"' in text
    assert "X-ray applies" in text

    made = client.post(f"/production/revisions/{rid}/routing/generate", data={"csrf_token": token})
    assert made.status_code == 303
    text = page(client, rid)
    assert "generated from the design" in text
    assert 'data-testid="routing-state">draft' in text
    assert "X-ray (AXI)" in text
    assert "Selective solder" in text

    with db.unit_of_work(ENGINEER, write=False) as s:
        row = routings.current_routing(s, ENGINEER, rid)
        assert row is not None
        routing_id = row.id
        ops = [routings.operation_in(op) for op in routings.to_rules(row).operations]
    # Keep every step, delete the first, add "Coating" at the end (no step number given).
    n = len(ops)
    version = form_version(text, f"/production/routings/{routing_id}/operations")
    data: dict[str, object] = {
        "csrf_token": token,
        "version": version,
        "step": [str(op.step) for op in ops] + [""],
        "name": [op.name for op in ops] + ["Coating"],
        "station_type": [op.station_type for op in ops] + ["coating"],
        "side": [op.side or "" for op in ops] + [""],
        "condition": [op.condition for op in ops] + ["none"],
        "max_retests": [str(op.max_retests) for op in ops] + ["0"],
        "instructions": [""] * n + ["Mask the connectors"],
        "required": [str(i) for i, op in enumerate(ops) if op.required] + [str(n)],
        "is_test": [str(i) for i, op in enumerate(ops) if op.is_test],
        "delete": ["0"],
    }
    saved = client.post(f"/production/routings/{routing_id}/operations", data=data)
    assert saved.status_code == 303
    text = page(client, rid)
    assert "saved" in text, text
    assert "Mask the connectors" in text
    assert ops[0].name not in text.split('data-testid="edit-form"')[0]

    # An invalid edit is refused with its problems, and nothing changes.
    bad = {**data, "version": form_version(text, f"/production/routings/{routing_id}/release")}
    bad["name"] = [" "] + [op.name for op in ops[1:]] + [""]
    bad["delete"] = []
    client.post(f"/production/routings/{routing_id}/operations", data=bad)
    text = page(client, rid)
    assert "Routing not saved" in text
    assert "the operation needs a name" in text

    version = form_version(text, f"/production/routings/{routing_id}/release")
    released = client.post(
        f"/production/routings/{routing_id}/release",
        data={"csrf_token": token, "version": version},
    )
    assert released.status_code == 303
    text = page(client, rid)
    assert 'data-testid="routing-state">released' in text
    assert "by user:erin" in text
    assert 'data-testid="edit-form"' not in text

    refused = client.post(f"/production/routings/{routing_id}/operations", data=data)
    assert refused.status_code == 303
    assert "released and locked" in page(client, rid)

    listing = client.get("/production/routings", headers=HTML).text
    assert "OTTER" in listing
    assert f"/production/revisions/{rid}/routing" in listing

    version = form_version(text, f"/production/routings/{routing_id}/revise")
    client.post(
        f"/production/routings/{routing_id}/revise", data={"csrf_token": token, "version": version}
    )
    text = page(client, rid)
    assert "v2" in text
    assert 'data-testid="routing-history"' in text


def test_customers_do_not_see_other_customers_routings(client: TestClient, db: Database) -> None:
    mine = new_revision(db, "ACME", "OTTER")
    theirs = new_revision(db, "BETA", "BADGER")
    generate(db, mine)
    theirs_routing = generate(db, theirs)
    with db.unit_of_work(Actor.system("test"), write=False) as s:
        acme = npi.access_revision(s, Actor.system("test"), mine).product.customer_id
    add_user(db, "cora", Role.CUSTOMER, customer_id=acme)
    sign_in(client, "cora")
    text = page(client, mine)
    assert 'data-testid="release"' not in text  # customers read, they do not change
    assert client.get(f"/production/revisions/{theirs}/routing", headers=HTML).status_code == 404
    listing = client.get("/production/routings", headers=HTML).text
    assert "OTTER" in listing
    assert "BADGER" not in listing
    _, secret = make_token(db, Role.CUSTOMER, customer_id=acme)
    answer = client.get(f"/api/routings/{theirs}", headers=bearer(secret))
    assert answer.status_code == 404
    answer = client.post(f"/api/routings/{theirs_routing}/release", headers=bearer(secret))
    assert answer.status_code in (403, 404)


def test_the_routing_api(client: TestClient, db: Database) -> None:
    rid = new_revision(db)
    _, secret = make_token(db, Role.ENGINEER)
    auth = bearer(secret)
    assert client.get(f"/api/routings/{rid}", headers=auth).status_code == 404
    made = client.post(f"/api/routings/{rid}/generate", headers=auth)
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["number"], body["released"]) == (1, False)
    assert body["facts"]["has_area_array"] is True
    assert client.post(f"/api/routings/{rid}/generate", headers=auth).status_code == 409
    routing_id = body["id"]
    step = body["operations"][0]["step"]
    noted = client.put(
        f"/api/routings/{routing_id}/operations/{step}/instructions",
        headers=auth,
        json={"text": "Stencil ST-12"},
    )
    assert noted.json()["operations"][0]["instructions"] == "Stencil ST-12"
    released = client.post(f"/api/routings/{routing_id}/release", headers=auth)
    assert released.json()["released"] is True
    assert client.post(f"/api/routings/{routing_id}/release", headers=auth).status_code == 409
    revised = client.post(f"/api/routings/{routing_id}/revise", headers=auth)
    assert revised.status_code == 201
    assert revised.json()["number"] == 2
    assert revised.json()["operations"] == released.json()["operations"]
    current = client.get(f"/api/routings/{rid}?released_only=true", headers=auth).json()
    assert current["number"] == 1


def test_a_revision_without_a_design_cannot_be_generated(client: TestClient, db: Database) -> None:
    rid = new_revision(db, files=None)
    add_user(db, "erin", Role.ENGINEER)
    token = sign_in(client, "erin")
    assert "import its BOM and centroid first" in page(client, rid)
    client.post(f"/production/revisions/{rid}/routing/generate", data={"csrf_token": token})
    text = page(client, rid)
    assert "Routing not generated" in text
    assert 'data-testid="generate"' in text
