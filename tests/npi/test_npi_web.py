"""NPI over HTTP: upload a package through the API and the page, see what came out."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.npi import services
from tests.conftest import PASSWORD, add_customer, add_user
from tests.webkit import bearer, make_token, sign_in

BOARDS = Path(__file__).resolve().parents[1] / "fixtures" / "boards"
HTML = {"accept": "text/html"}


def revision_for(db: Database, customer_code: str = "ACME") -> tuple[int, int]:
    cid = add_customer(db, customer_code)
    system = Actor.system()
    with db.unit_of_work(system) as s:
        product = services.do_create_product(
            s, system, customer_id=cid, code="ICEPI", name="Icepi Zero"
        )
        return cid, services.do_create_revision(s, system, product.id, label="A").id


def upload(folder: str, *names: str) -> list[tuple[str, tuple[str, bytes]]]:
    return [("files", (n, (BOARDS / folder / n).read_bytes())) for n in names]


def test_api_upload_detects_kinds_and_answers_counts(app_client: TestClient, db: Database) -> None:
    _, rid = revision_for(db)
    _, secret = make_token(db, Role.ENGINEER)
    answer = app_client.post(
        f"/api/npi/revisions/{rid}/import",
        headers=bearer(secret),
        files=upload("icepi-zero", "bom.csv", "positions.csv", "icepi-zero.kicad_pcb"),
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["counts"]["bom_lines"] == 31
    assert body["counts"]["placements"] == 118
    assert body["revision"]["summary"]["classification"]["smt_bottom"] > 0
    placements = app_client.get(
        f"/api/npi/revisions/{rid}/placements", headers=bearer(secret)
    ).json()
    assert len(placements) == 118


def test_api_upload_of_a_bad_file_is_a_problem_naming_the_file(
    app_client: TestClient, db: Database
) -> None:
    _, rid = revision_for(db)
    _, secret = make_token(db, Role.ENGINEER)
    answer = app_client.post(
        f"/api/npi/revisions/{rid}/import",
        headers=bearer(secret),
        files=[("files", ("bom.csv", b""))],
    )
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "file_rejected"
    assert body["file"] == "bom.csv"
    assert "empty" in body["detail"]
    assert app_client.get(f"/api/npi/revisions/{rid}/bom", headers=bearer(secret)).json() == []


def test_customer_cannot_see_another_customers_revision(
    app_client: TestClient, db: Database
) -> None:
    _, rid = revision_for(db, "ACME")
    other = add_customer(db, "OTHER")
    _, secret = make_token(db, Role.CUSTOMER, customer_id=other)
    answer = app_client.get(f"/api/npi/revisions/{rid}", headers=bearer(secret))
    assert answer.status_code == 404
    assert app_client.get("/api/npi/products", headers=bearer(secret)).json() == []


def test_engineer_uploads_on_the_revision_page(app_client: TestClient, db: Database) -> None:
    _, rid = revision_for(db)
    add_user(db, "erin", Role.ENGINEER)
    token = sign_in(app_client, "erin")
    answer = app_client.post(
        f"/npi/revisions/{rid}/import",
        data={"csrf_token": token},
        files=upload("icepi-zero", "bom.csv", "positions.csv"),
    )
    assert answer.status_code == 303
    page = app_client.get(f"/npi/revisions/{rid}", headers=HTML).text
    assert "Imported 2 file(s): 31 BOM lines, 118 placements" in page
    assert 'data-testid="board-chart"' in page
    assert 'data-testid="dfm-runs"' in page
    assert "skipped for missing data" in page
    bom = app_client.get(f"/npi/revisions/{rid}?tab=bom", headers=HTML).text
    assert "C59461" in bom  # an LCSC number, trailing space trimmed
    assert app_client.get("/npi", headers=HTML).status_code == 200


def test_page_upload_without_csrf_is_refused(app_client: TestClient, db: Database) -> None:
    _, rid = revision_for(db)
    add_user(db, "erin", Role.ENGINEER)
    sign_in(app_client, "erin")
    answer = app_client.post(
        f"/npi/revisions/{rid}/import", files=upload("icepi-zero", "bom.csv"), headers=HTML
    )
    assert answer.status_code == 403


def test_engineer_releases_to_prototype_on_the_page(app_client: TestClient, db: Database) -> None:
    _, rid = revision_for(db)
    add_user(db, "erin", Role.ENGINEER)
    token = sign_in(app_client, "erin")
    app_client.post(
        f"/npi/revisions/{rid}/import",
        data={"csrf_token": token},
        files=upload("icepi-zero", "bom.csv", "positions.csv"),
    )
    page = app_client.get(f"/npi/revisions/{rid}", headers=HTML).text
    assert "Gate to Prototype" in page
    wrong = app_client.post(
        f"/npi/revisions/{rid}/release",
        data={"csrf_token": token, "target": "prototype", "password": "not mine"},
    )
    assert wrong.status_code == 303
    assert "Not released" in app_client.get(f"/npi/revisions/{rid}", headers=HTML).text
    app_client.post(
        f"/npi/revisions/{rid}/release",
        data={"csrf_token": token, "target": "prototype", "password": PASSWORD},
    )
    page = app_client.get(f"/npi/revisions/{rid}", headers=HTML).text
    assert "Released to Prototype, signed." in page
    assert 'data-testid="gate-history"' in page
    assert 'data-testid="import-form"' not in page  # released: no more imports


def test_engineer_waives_an_error_on_the_page(app_client: TestClient, db: Database) -> None:
    from sqlalchemy import select

    from boardline.npi.tables import FindingRow

    _, rid = revision_for(db)
    add_user(db, "erin", Role.ENGINEER)
    token = sign_in(app_client, "erin")
    app_client.post(
        f"/npi/revisions/{rid}/import",
        data={"csrf_token": token},
        files=upload("icepi-zero", "bom.csv", "positions.csv"),
    )
    with db.unit_of_work(Actor.system(), write=False) as s:
        error_id = s.scalars(
            select(FindingRow.id).where(
                FindingRow.revision_id == rid, FindingRow.severity == "error"
            )
        ).first()
    assert error_id is not None
    waived = app_client.post(
        f"/npi/findings/{error_id}/waive",
        data={
            "csrf_token": token,
            "revision": str(rid),
            "reason": "customer supplies it",
            "password": PASSWORD,
        },
    )
    assert waived.status_code == 303, waived.text
    page = app_client.get(f"/npi/revisions/{rid}?severity=error", headers=HTML).text
    assert "waived and signed" in page
    assert ">waived<" in page


AMBIGUOUS_BOM = (
    b"Designator,Qty,PN,MPN,Manufacturer\n"
    b"R1 R2,2,INT-100,RC0402FR-0710KL,Yageo\n"
    b"C1,1,INT-200,GRM155R71C104KA88D,Murata\n"
)


def test_unsure_columns_are_shown_before_anything_is_imported(
    app_client: TestClient, db: Database
) -> None:
    _, rid = revision_for(db)
    add_user(db, "erin", Role.ENGINEER)
    token = sign_in(app_client, "erin")
    answer = app_client.post(
        f"/npi/revisions/{rid}/import",
        data={"csrf_token": token},
        files=[("files", ("bom.csv", AMBIGUOUS_BOM))],
    )
    assert answer.status_code == 303
    preview_url = answer.headers["location"]
    assert "/preview/" in preview_url
    page = app_client.get(preview_url, headers=HTML).text
    assert "Two columns could feed: mpn" in page
    assert "RC0402FR-0710KL" in page
    with db.unit_of_work(Actor.system(), write=False) as s:
        assert services.revision_bom(s, Actor.system(), rid) == []
    # The person says the MPN is in the "PN" column (the customer's own numbering here).
    again = app_client.post(
        preview_url, data={"csrf_token": token, "map_mpn": "PN", "action": "refresh"}
    )
    assert again.headers["location"] == preview_url
    assert "INT-100" in app_client.get(preview_url, headers=HTML).text
    done = app_client.post(
        preview_url, data={"csrf_token": token, "map_mpn": "MPN", "action": "import"}
    )
    assert done.headers["location"] == f"/npi/revisions/{rid}"
    with db.unit_of_work(Actor.system(), write=False) as s:
        bom = services.revision_bom(s, Actor.system(), rid)
    assert [b.mpn for b in bom] == ["RC0402FR-0710KL", "GRM155R71C104KA88D"]
    assert app_client.get(preview_url, headers=HTML).status_code == 404  # staging is gone


def test_preview_belongs_to_its_uploader(app_client: TestClient, db: Database) -> None:
    _, rid = revision_for(db)
    add_user(db, "erin", Role.ENGINEER)
    add_user(db, "eve", Role.ENGINEER)
    token = sign_in(app_client, "erin")
    answer = app_client.post(
        f"/npi/revisions/{rid}/import",
        data={"csrf_token": token, "preview": "true"},
        files=[("files", ("bom.csv", AMBIGUOUS_BOM))],
    )
    preview_url = answer.headers["location"]
    app_client.post("/logout", data={"csrf_token": token})
    sign_in(app_client, "eve")
    assert app_client.get(preview_url, headers=HTML).status_code == 404


def test_quote_page_and_pdfs(app_client: TestClient, db: Database) -> None:
    _, rid = revision_for(db)
    add_user(db, "erin", Role.ENGINEER)
    token = sign_in(app_client, "erin")
    app_client.post(
        f"/npi/revisions/{rid}/import",
        data={"csrf_token": token},
        files=upload("icepi-zero", "bom.csv", "positions.csv", "icepi-zero.kicad_pcb"),
    )
    page = app_client.get(f"/npi/revisions/{rid}/quote?quantities=10,500", headers=HTML)
    assert page.status_code == 200
    assert "500 boards" in page.text
    # The JLC BOM has no prices: the quote says so and lists every line, not zero.
    assert 'data-testid="quote-incomplete"' in page.text
    assert 'data-testid="missing-prices"' in page.text
    bad = app_client.get(f"/npi/revisions/{rid}/quote?quantities=ten", headers=HTML)
    assert bad.status_code == 422
    pdf = app_client.get(f"/npi/revisions/{rid}/quote.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    dfm_pdf = app_client.get(f"/npi/revisions/{rid}/dfm.pdf")
    assert dfm_pdf.content.startswith(b"%PDF")
    rules = app_client.get("/npi/dfm-rules", headers=HTML).text
    assert rules.count("<tr>") >= 21  # header + at least 20 rules
    assert "dfm.fine_pitch" in rules


def test_quote_and_dfm_report_over_the_api(app_client: TestClient, db: Database) -> None:
    _, rid = revision_for(db)
    _, secret = make_token(db, Role.ENGINEER)
    app_client.post(
        f"/api/npi/revisions/{rid}/import",
        headers=bearer(secret),
        files=upload("glasgow-revC3", "revC3-bom.csv"),
    )
    body = app_client.get(
        f"/api/npi/revisions/{rid}/quote?quantities=100", headers=bearer(secret)
    ).json()
    assert [c["quantity"] for c in body["columns"]] == [100]
    assert body["missing_prices"]
    report = app_client.get(f"/api/npi/revisions/{rid}/dfm", headers=bearer(secret)).json()
    assert sum(report["counts"].values()) == len(report["findings"])
    statuses = {r["rule"]: r["status"] for r in report["rules"]}
    assert statuses["dfm.missing_mpn"] == "ran"
    # The item master is asked; MPNs it does not know are listed, not silently passed.
    assert statuses["dfm.obsolete_part"] == "ran"
    assert any(f["code"] == "dfm.part_facts_missing" for f in report["findings"])
    assert any(f["code"] == "dfm.missing_mpn" for f in report["findings"])


def test_gate_criteria_form_on_the_product_page(app_client: TestClient, db: Database) -> None:
    _, rid = revision_for(db)
    add_user(db, "erin", Role.ENGINEER)
    token = sign_in(app_client, "erin")
    with db.unit_of_work(Actor.system(), write=False) as s:
        pid = services.access_revision(s, Actor.system(), rid).product_id
    page = app_client.get(f"/npi/products/{pid}", headers=HTML).text
    assert 'name="pilot:dfm_clear" value="1" checked' in page
    app_client.post(
        f"/npi/products/{pid}/gates",
        data={
            "csrf_token": token,
            "prototype:data_imported": "1",
            "pilot:data_imported": "1",
            "mass_production:data_imported": "1",
            "reason": "internal test jig, no FAI",
        },
    )
    page = app_client.get(f"/npi/products/{pid}", headers=HTML).text
    assert "Gate criteria saved." in page
    assert 'name="pilot:dfm_clear" value="1" checked' not in page


def test_release_over_the_api_needs_a_person_and_a_password(
    app_client: TestClient, db: Database
) -> None:
    _, rid = revision_for(db)
    add_user(db, "erin", Role.ENGINEER)
    _, secret = make_token(db, Role.ENGINEER)
    app_client.post(
        f"/api/npi/revisions/{rid}/import",
        headers=bearer(secret),
        files=upload("glasgow-revC3", "revC3-bom.csv"),
    )
    machine = app_client.post(
        f"/api/npi/revisions/{rid}/release",
        headers=bearer(secret),
        json={"target": "prototype", "password": PASSWORD},
    )
    assert machine.status_code == 403
    csrf = sign_in(app_client, "erin")
    released = app_client.post(
        f"/api/npi/revisions/{rid}/release",
        headers={"X-CSRF-Token": csrf},
        json={"target": "prototype", "password": PASSWORD},
    )
    assert released.status_code == 201, released.text
    assert released.json()["to_stage"] == "prototype"
    skipped = app_client.post(
        f"/api/npi/revisions/{rid}/release",
        headers={"X-CSRF-Token": csrf},
        json={"target": "mass_production", "password": PASSWORD},
    )
    assert skipped.status_code == 422


def test_upload_with_centroid_units_given(app_client: TestClient, db: Database) -> None:
    _, rid = revision_for(db)
    _, secret = make_token(db, Role.ENGINEER)
    centroid = b"Designator,X,Y,Rotation,Layer\nR1,1000,500,90,Top\n"
    bom = b"Designator,Qty,MPN\nR1,1,RC0402FR-0710KL\n"
    answer = app_client.post(
        f"/api/npi/revisions/{rid}/import?units=mil",
        headers=bearer(secret),
        files=[("files", ("bom.csv", bom)), ("files", ("pos.csv", centroid))],
    )
    assert answer.status_code == 201, answer.text
    (p,) = app_client.get(f"/api/npi/revisions/{rid}/placements", headers=bearer(secret)).json()
    assert (p["x"], p["y"]) == pytest.approx((25.4, 12.7))
