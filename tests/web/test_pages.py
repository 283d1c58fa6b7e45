"""Pages over HTTP: sign-in, CSRF, the dashboard, admin pages and health."""

from __future__ import annotations

from fastapi.testclient import TestClient

from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.settings import Settings
from boardline.web.app import create_app
from tests.conftest import PASSWORD, add_customer, add_user
from tests.webkit import csrf_of, sign_in

HTML = {"accept": "text/html"}


def test_dashboard_redirects_to_login_when_signed_out(app_client: TestClient) -> None:
    answer = app_client.get("/", headers=HTML)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/"


def test_sign_in_and_see_the_dashboard(app_client: TestClient, db: Database) -> None:
    add_user(db, "ada", Role.ADMIN)
    add_customer(db, "ACME")
    sign_in(app_client, "ada")
    page = app_client.get("/", headers=HTML)
    assert page.status_code == 200
    assert "Dashboard" in page.text
    assert "ACME" in page.text
    assert 'href="/admin/users"' in page.text  # the admin sees the administration section
    assert 'data-testid="activity-chart"' in page.text


def test_wrong_password_and_unknown_user_look_the_same(
    app_client: TestClient, db: Database
) -> None:
    add_user(db, "ada")
    answers = []
    for username in ("ada", "nobody"):
        token = csrf_of(app_client)
        answer = app_client.post(
            "/login", data={"username": username, "password": "nope-nope", "csrf_token": token}
        )
        answers.append((answer.status_code, "wrong username or password" in answer.text))
    assert answers == [(401, True), (401, True)]


def test_disabled_user_is_told_and_not_signed_in(app_client: TestClient, db: Database) -> None:
    from boardline.core import services

    user_id = add_user(db, "ada")
    system = Actor.system()
    with db.unit_of_work(system) as s:
        services.do_set_active(s, system, user_id, active=False, reason="left")
    token = csrf_of(app_client)
    answer = app_client.post(
        "/login", data={"username": "ada", "password": PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 401
    assert "disabled" in answer.text
    assert app_client.get("/", headers=HTML).status_code == 303


def test_user_disabled_while_signed_in_is_logged_out(app_client: TestClient, db: Database) -> None:
    from boardline.core import services

    user_id = add_user(db, "ada")
    sign_in(app_client, "ada")
    system = Actor.system()
    with db.unit_of_work(system) as s:
        services.do_set_active(s, system, user_id, active=False, reason="badge lost")
    assert app_client.get("/", headers=HTML).status_code == 401


def test_form_without_csrf_token_is_403(app_client: TestClient, db: Database) -> None:
    add_user(db, "ada")
    csrf_of(app_client)  # a session exists, but the form does not carry its token
    answer = app_client.post("/login", data={"username": "ada", "password": PASSWORD}, headers=HTML)
    assert answer.status_code == 403
    assert "security token" in answer.text
    answer = app_client.post(
        "/login", data={"username": "ada", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert answer.status_code == 403
    assert answer.json()["code"] == "csrf_failed"


def test_admin_creates_a_user_through_the_form(app_client: TestClient, db: Database) -> None:
    add_user(db, "ada", Role.ADMIN)
    token = sign_in(app_client, "ada")
    answer = app_client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "op7",
            "full_name": "Olu Seven",
            "role": "operator",
            "password": "operator-pass-1",
            "customer": "",
        },
    )
    assert answer.status_code == 303
    page = app_client.get("/admin/users", headers=HTML)
    assert "op7" in page.text
    assert "User op7 created." in page.text


def test_bad_form_input_is_shown_and_nothing_stored(app_client: TestClient, db: Database) -> None:
    add_user(db, "ada", Role.ADMIN)
    token = sign_in(app_client, "ada")
    app_client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "op8",
            "full_name": "Olu",
            "role": "operator",
            "password": "short",
        },
    )
    page = app_client.get("/admin/users", headers=HTML)
    assert "password must have at least 10 characters" in page.text
    assert ">op8<" not in page.text


def test_stale_edit_form_is_refused_with_a_message(app_client: TestClient, db: Database) -> None:
    add_user(db, "ada", Role.ADMIN)
    target = add_user(db, "bob")
    token = sign_in(app_client, "ada")
    form = {"csrf_token": token, "version": "1", "full_name": "Bob One", "role": "engineer"}
    assert app_client.post(f"/admin/users/{target}", data=form).status_code == 303
    app_client.get(f"/admin/users/{target}", headers=HTML)  # consume the flash
    app_client.post(f"/admin/users/{target}", data={**form, "full_name": "Bob Two"})
    page = app_client.get(f"/admin/users/{target}", headers=HTML)
    assert "changed by someone else" in page.text
    assert "Bob One" in page.text


def test_operator_gets_403_page_on_admin_pages(app_client: TestClient, db: Database) -> None:
    add_user(db, "op1", Role.OPERATOR)
    sign_in(app_client, "op1")
    page = app_client.get("/admin/users", headers=HTML)
    assert page.status_code == 403
    assert "may not do this" in page.text
    assert 'href="/admin/users"' not in app_client.get("/", headers=HTML).text


def test_customer_user_sees_only_its_customer_and_404_for_others(
    app_client: TestClient, db: Database
) -> None:
    acme, other = add_customer(db, "ACME"), add_customer(db, "OTHER")
    add_user(db, "acme.viewer", Role.CUSTOMER, customer_id=acme)
    sign_in(app_client, "acme.viewer")
    listing = app_client.get("/customers", headers=HTML).text
    assert "ACME" in listing
    assert "OTHER" not in listing
    assert app_client.get(f"/customers/{other}", headers=HTML).status_code == 404


def test_signing_on_the_customer_page(app_client: TestClient, db: Database) -> None:
    cid = add_customer(db, "MEDIQ")
    add_user(db, "quinn", Role.QUALITY)
    token = sign_in(app_client, "quinn")
    app_client.post(
        f"/customers/{cid}/sign",
        data={"csrf_token": token, "meaning": "approved", "password": PASSWORD, "comment": "ok"},
    )
    page = app_client.get(f"/customers/{cid}", headers=HTML).text
    assert "Quinn" in page
    assert "approved" in page
    assert ">valid<" in page


def test_audit_page_filters_with_htmx(app_client: TestClient, db: Database) -> None:
    add_user(db, "ada", Role.ADMIN)
    add_customer(db, "ACME")
    sign_in(app_client, "ada")
    full = app_client.get("/audit", headers=HTML)
    assert full.status_code == 200
    assert "<html" in full.text
    rows = app_client.get(
        "/audit", params={"table": "customer"}, headers={**HTML, "HX-Request": "true"}
    )
    assert "<html" not in rows.text
    assert "customer" in rows.text
    assert "app_user" not in rows.text
    bad = app_client.get("/audit", params={"since": "yesterday"}, headers=HTML)
    assert bad.status_code == 422
    assert "YYYY-MM-DD" in bad.text


def test_token_page_shows_the_secret_once(app_client: TestClient, db: Database) -> None:
    add_user(db, "ada", Role.ADMIN)
    token = sign_in(app_client, "ada")
    app_client.post(
        "/admin/tokens",
        data={"csrf_token": token, "name": "spi-1", "role": "operator", "days": "30"},
    )
    first = app_client.get("/admin/tokens", headers=HTML).text
    assert 'data-testid="new-token"' in first
    second = app_client.get("/admin/tokens", headers=HTML).text
    assert 'data-testid="new-token"' not in second
    assert "spi-1" in second


def test_healthz_reports_database_and_schema(app_client: TestClient) -> None:
    body = app_client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["revision"] == body["head"]


def test_healthz_fails_on_an_unmigrated_database(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/empty.sqlite"
    settings = Settings(env="test", database_url=url, secret_key="t" * 40)
    with TestClient(create_app(settings)) as client:
        answer = client.get("/healthz")
        client.app.state.db.dispose()  # type: ignore[attr-defined]
    assert answer.status_code == 503
    assert answer.json()["status"] == "error"


def test_api_docs_are_served_without_a_cdn(app_client: TestClient) -> None:
    docs = app_client.get("/api/docs").text
    assert "/static/vendor/swagger-ui-5.35.0-bundle.js" in docs
    assert "cdn" not in docs.lower()
    assert app_client.get("/static/vendor/swagger-ui-5.35.0-bundle.js").status_code == 200


def test_password_change_signs_out_other_sessions(
    db: Database, app_client: TestClient, settings: Settings
) -> None:
    from boardline.core import services

    user_id = add_user(db, "ada")
    sign_in(app_client, "ada")
    with TestClient(create_app(settings, db), follow_redirects=False) as other_device:
        sign_in(other_device, "ada")
        system = Actor.system()
        with db.unit_of_work(system) as s:
            services.do_set_password(s, system, user_id, "a brand new password")
        assert other_device.get("/", headers=HTML).status_code == 303
    assert app_client.get("/", headers=HTML).status_code == 303


def test_changing_my_own_password_keeps_me_signed_in(app_client: TestClient, db: Database) -> None:
    user_id = add_user(db, "ada")
    token = sign_in(app_client, "ada")
    answer = app_client.post(
        f"/admin/users/{user_id}/password",
        data={"csrf_token": token, "password": "my new password 1"},
    )
    assert answer.status_code == 303
    page = app_client.get(f"/admin/users/{user_id}", headers=HTML)
    assert page.status_code == 200
    assert "Password changed." in page.text
