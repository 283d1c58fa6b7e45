"""The API's answers to good and bad requests: problem details with stable codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from boardline.core import clock, services
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from tests.conftest import PASSWORD, add_customer, add_user
from tests.webkit import bearer, make_token, sign_in

PROBLEM = "application/problem+json"


def test_token_reads_and_writes_customers(app_client: TestClient, db: Database) -> None:
    _, secret = make_token(db)
    created = app_client.post(
        "/api/customers", json={"code": "acme", "name": "Acme"}, headers=bearer(secret)
    )
    assert created.status_code == 201, created.text
    assert created.json()["code"] == "ACME"
    listed = app_client.get("/api/customers", headers=bearer(secret))
    assert [c["code"] for c in listed.json()] == ["ACME"]
    me = app_client.get("/api/me", headers=bearer(secret)).json()
    assert me == {"kind": "token", "name": "t-admin", "role": "admin", "customer_id": None}


def test_no_credentials_is_401_problem(app_client: TestClient) -> None:
    answer = app_client.get("/api/customers")
    assert answer.status_code == 401
    assert answer.headers["content-type"] == PROBLEM
    body = answer.json()
    assert body["code"] == "authentication_failed"
    assert body["status"] == 401
    assert body["type"] == "urn:boardline:error:authentication_failed"


def test_revoked_token_is_401(app_client: TestClient, db: Database) -> None:
    token_id, secret = make_token(db)
    assert app_client.get("/api/me", headers=bearer(secret)).status_code == 200
    revoked = app_client.post(
        f"/api/tokens/{token_id}/revoke", json={"reason": "leaked"}, headers=bearer(secret)
    )
    assert revoked.status_code == 204
    answer = app_client.get("/api/me", headers=bearer(secret))
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_invalid"


def test_expired_token_is_401(app_client: TestClient, db: Database) -> None:
    fixed = clock.FixedClock(datetime.now(UTC))
    previous = clock.install(fixed)
    try:
        _, secret = make_token(db, days=1)
        fixed.advance(timedelta(days=2))
        answer = app_client.get("/api/me", headers=bearer(secret))
    finally:
        clock.install(previous)
    assert answer.status_code == 401
    assert "expired" in answer.json()["detail"]


def test_wrong_role_is_403_with_its_code(app_client: TestClient, db: Database) -> None:
    _, secret = make_token(db, Role.OPERATOR)
    answer = app_client.post(
        "/api/users",
        headers=bearer(secret),
        json={"username": "x1", "full_name": "X", "role": "operator", "password": PASSWORD},
    )
    assert answer.status_code == 403
    assert answer.json()["code"] == "permission_denied"
    assert answer.json()["permission"] == "users.manage"


def test_customer_asking_for_another_customers_record_gets_404(
    app_client: TestClient, db: Database
) -> None:
    acme, other = add_customer(db, "ACME"), add_customer(db, "OTHER")
    _, secret = make_token(db, Role.CUSTOMER, customer_id=acme)
    own = app_client.get(f"/api/customers/{acme}", headers=bearer(secret))
    assert own.status_code == 200
    foreign = app_client.get(f"/api/customers/{other}", headers=bearer(secret))
    missing = app_client.get("/api/customers/999999", headers=bearer(secret))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["code"] == missing.json()["code"] == "not_found"
    listed = app_client.get("/api/customers", headers=bearer(secret)).json()
    assert [c["code"] for c in listed] == ["ACME"]


def test_malformed_json_is_422_problem(app_client: TestClient, db: Database) -> None:
    _, secret = make_token(db)
    answer = app_client.post(
        "/api/customers",
        content=b'{"code": "A",',
        headers={**bearer(secret), "content-type": "application/json"},
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM
    body = answer.json()
    assert body["code"] == "invalid_input"
    assert "JSON" in body["detail"]


def test_missing_field_is_422_naming_the_field(app_client: TestClient, db: Database) -> None:
    _, secret = make_token(db)
    answer = app_client.post("/api/customers", json={"code": "A"}, headers=bearer(secret))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "name"


def test_bad_value_is_422_from_the_service(app_client: TestClient, db: Database) -> None:
    _, secret = make_token(db)
    answer = app_client.post(
        "/api/customers", json={"code": "no spaces!", "name": "X"}, headers=bearer(secret)
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "code"


def test_second_admin_patching_a_stale_version_gets_409(
    app_client: TestClient, db: Database
) -> None:
    user_id = add_user(db, "alice")
    _, secret = make_token(db)
    first = app_client.patch(
        f"/api/users/{user_id}",
        headers=bearer(secret),
        json={"version": 1, "full_name": "Alice First"},
    )
    assert first.status_code == 200
    assert first.json()["version"] == 2
    second = app_client.patch(
        f"/api/users/{user_id}",
        headers=bearer(secret),
        json={"version": 1, "email": "late@example.com"},
    )
    assert second.status_code == 409
    assert second.json()["code"] == "stale_record"
    assert second.json()["current_version"] == 2
    kept = app_client.get(f"/api/users/{user_id}", headers=bearer(secret)).json()
    assert (kept["full_name"], kept["email"]) == ("Alice First", "")


def test_browser_session_on_the_api_needs_the_csrf_header(
    app_client: TestClient, db: Database
) -> None:
    add_user(db, "ada", Role.ADMIN)
    token = sign_in(app_client, "ada")
    assert app_client.get("/api/me").json()["name"] == "ada"
    refused = app_client.post("/api/customers", json={"code": "A", "name": "A"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    accepted = app_client.post(
        "/api/customers", json={"code": "A", "name": "A"}, headers={"X-CSRF-Token": token}
    )
    assert accepted.status_code == 201


def test_audit_api_lists_and_verifies(app_client: TestClient, db: Database) -> None:
    add_customer(db, "ACME")
    _, secret = make_token(db)
    entries = app_client.get(
        "/api/audit", params={"table": "customer"}, headers=bearer(secret)
    ).json()
    assert [(e["action"], e["table_name"]) for e in entries] == [("create", "customer")]
    verify = app_client.get("/api/audit/verify", headers=bearer(secret)).json()
    assert verify["ok"] is True
    assert verify["checked"] == verify["total"] == 2  # the customer and the token


def test_signing_over_the_api_requires_a_person(app_client: TestClient, db: Database) -> None:
    cid = add_customer(db, "MEDIQ")
    _, secret = make_token(db, Role.QUALITY)
    answer = app_client.post(
        f"/api/customers/{cid}/signatures",
        headers=bearer(secret),
        json={"meaning": "approved", "password": PASSWORD},
    )
    assert answer.status_code == 403


def test_openapi_is_served(app_client: TestClient) -> None:
    spec = app_client.get("/api/openapi.json").json()
    assert "/api/customers" in spec["paths"]
    assert app_client.get("/api/docs").status_code == 200


def test_unknown_api_path_is_a_404_problem(app_client: TestClient) -> None:
    answer = app_client.get("/api/nothing-here")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


def test_person_signs_over_the_api_and_sees_the_signature_break(
    app_client: TestClient, db: Database
) -> None:
    cid = add_customer(db, "MEDIQ")
    add_user(db, "quinn", Role.QUALITY)
    csrf = sign_in(app_client, "quinn")
    headers = {"X-CSRF-Token": csrf}
    wrong = app_client.post(
        f"/api/customers/{cid}/signatures",
        headers=headers,
        json={"meaning": "reviewed", "password": "not it at all"},
    )
    assert wrong.status_code == 401
    signed = app_client.post(
        f"/api/customers/{cid}/signatures",
        headers=headers,
        json={"meaning": "reviewed", "password": PASSWORD},
    )
    assert signed.status_code == 201, signed.text
    assert signed.json()["printed_name"] == "Quinn"
    system = Actor.system()
    with db.unit_of_work(system) as s:
        services.do_update_customer(s, system, cid, expected_version=1, notes="changed")
    listed = app_client.get(f"/api/customers/{cid}/signatures").json()
    assert [(x["state"], x["changed_fields"]) for x in listed] == [("broken", ["notes"])]
