"""Item master, approved manufacturers and the NPI link (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from boardline.catalog import services as catalog
from boardline.catalog.rules import Lifecycle, Supply, check_msl, manufacturer_key, mpn_key
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from boardline.core.tables import AuditEntry
from boardline.npi import services as npi
from boardline.npi.pipeline import InputFile
from tests.conftest import add_customer

ENGINEER = Actor("user", "erin", Role.ENGINEER, user_id=1)
BOM = (
    b"Designator,Qty,MPN,Manufacturer\n"
    b"R1 R2,2,RC0402FR-0710KL,Yageo\n"
    b"U1,1,STM32F103C8T6,STMicroelectronics\n"
    b"C1,1,GRM155R71C104KA88D,Murata\n"
)


def test_mpn_and_manufacturer_keys_ignore_case_punctuation_and_legal_forms() -> None:
    assert mpn_key(" grm155r71c104ka88d ") == mpn_key("GRM155R71C104KA88D")
    assert mpn_key("RC0402FR-0710KL") == mpn_key("RC0402FR0710KL")
    assert manufacturer_key("Murata Manufacturing Co., Ltd.") == manufacturer_key(
        "murata manufacturing"
    )
    assert manufacturer_key("Texas Instruments Inc") == manufacturer_key("TEXAS INSTRUMENTS")
    assert check_msl("MSL 3") == "3"
    with pytest.raises(InvalidInput):
        check_msl("7")


def make_items(db: Database) -> dict[str, int]:
    with db.unit_of_work(ENGINEER) as s:
        r = catalog.do_create_item(s, ENGINEER, number="RES-10K-0402", package="0402", pin_count=2)
        catalog.do_add_part(s, ENGINEER, r.id, manufacturer="Yageo", mpn="RC0402FR-0710KL")
        catalog.do_add_part(s, ENGINEER, r.id, manufacturer="Vishay", mpn="CRCW040210K0FKED")
        u = catalog.do_create_item(
            s,
            ENGINEER,
            number="MCU-F103",
            package="LQFP-48",
            pin_count=48,
            msl="3",
            lifecycle="nrnd",
        )
        catalog.do_add_part(
            s, ENGINEER, u.id, manufacturer="STMicroelectronics", mpn="STM32F103C8T6"
        )
        return {"res": r.id, "mcu": u.id}


def test_item_with_preferred_and_alternate_parts(db: Database) -> None:
    ids = make_items(db)
    with db.unit_of_work(ENGINEER, write=False) as s:
        item = catalog.access_item(s, ENGINEER, ids["res"])
        assert [(p.rank, p.manufacturer.name, p.mpn) for p in item.parts] == [
            (1, "Yageo", "RC0402FR-0710KL"),
            (2, "Vishay", "CRCW040210K0FKED"),
        ]
        facts = catalog.facts_by_mpn(s, ["rc0402fr-0710kl", "STM32F103C8T6", "UNKNOWN-1"])
        audited = {e.table_name for e in s.scalars(select(AuditEntry))}
    assert facts[mpn_key("RC0402FR-0710KL")].sources == 2
    assert facts[mpn_key("STM32F103C8T6")].lifecycle is Lifecycle.NRND
    assert mpn_key("UNKNOWN-1") not in facts
    assert {"catalog_item", "catalog_item_part", "catalog_manufacturer"} <= audited


def test_an_mpn_belongs_to_one_item_only(db: Database) -> None:
    ids = make_items(db)
    with pytest.raises(AlreadyExists, match="RES-10K-0402"), db.unit_of_work(ENGINEER) as s:
        catalog.do_add_part(s, ENGINEER, ids["mcu"], manufacturer="YAGEO", mpn="rc0402fr-0710kl")


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("number", {"number": "bad number!"}),
        ("msl", {"msl": "9"}),
        ("lifecycle", {"lifecycle": "retired"}),
        ("pin_count", {"pin_count": -1}),
    ],
)
def test_bad_item_input_names_the_field(
    db: Database, field: str, kwargs: dict[str, object]
) -> None:
    args: dict[str, object] = {"number": "X-1"}
    args.update(kwargs)
    with pytest.raises(InvalidInput) as caught, db.unit_of_work(ENGINEER) as s:
        catalog.do_create_item(s, ENGINEER, **args)  # type: ignore[arg-type]
    assert caught.value.extra["field"] == field


def test_operators_cannot_edit_the_catalog(db: Database) -> None:
    operator = Actor("user", "op", Role.OPERATOR, user_id=3)
    with pytest.raises(PermissionDenied), db.unit_of_work(operator) as s:
        catalog.do_create_item(s, operator, number="X-1")


def test_approved_list_and_supply_per_customer(db: Database) -> None:
    cid = add_customer(db, "ACME")
    ids = make_items(db)
    with db.unit_of_work(ENGINEER) as s:
        catalog.do_approve_manufacturer(s, ENGINEER, cid, "Murata Manufacturing Co., Ltd.")
        catalog.do_approve_manufacturer(s, ENGINEER, cid, "Yageo")
        catalog.do_set_supply(s, ENGINEER, cid, ids["mcu"], "consigned")
    with pytest.raises(AlreadyExists), db.unit_of_work(ENGINEER) as s:
        catalog.do_approve_manufacturer(s, ENGINEER, cid, "YAGEO")
    with db.unit_of_work(ENGINEER) as s:
        catalog.do_withdraw_approval(s, ENGINEER, cid, "yageo")
    with pytest.raises(NotFound), db.unit_of_work(ENGINEER) as s:
        catalog.do_withdraw_approval(s, ENGINEER, cid, "Vishay")
    with db.unit_of_work(ENGINEER, write=False) as s:
        assert catalog.approved_manufacturers(s, cid) == ["Murata Manufacturing Co., Ltd."]
        assert catalog.supply_of(s, cid, [ids["mcu"], ids["res"]]) == {ids["mcu"]: Supply.CONSIGNED}


def test_import_links_bom_lines_to_items_and_feeds_the_dfm_review(db: Database) -> None:
    cid = add_customer(db, "ACME")
    make_items(db)
    with db.unit_of_work(ENGINEER) as s:
        catalog.do_approve_manufacturer(s, ENGINEER, cid, "Yageo")
        product = npi.do_create_product(s, ENGINEER, customer_id=cid, code="P1", name="P1")
        rid = npi.do_create_revision(s, ENGINEER, product.id, label="A").id
        npi.do_import(s, ENGINEER, rid, [InputFile("bom.csv", BOM)])
    with db.unit_of_work(ENGINEER, write=False) as s:
        lines = npi.revision_bom(s, ENGINEER, rid)
        unmatched = npi.unmatched_lines(s, ENGINEER, rid)
        findings = npi.revision_findings(s, ENGINEER, rid)
    assert [b.item_id is not None for b in lines] == [True, True, False]
    assert [b.mpn for b in unmatched] == ["GRM155R71C104KA88D"]
    by_code = {(f.code, f.refdes) for f in findings}
    assert ("dfm.nrnd_part", "U1") in by_code  # from the item master
    assert any(code == "dfm.unapproved_manufacturer" for code, _ in by_code)  # Murata, ST


def test_resolving_an_unmatched_line_teaches_the_catalog(db: Database) -> None:
    cid = add_customer(db, "ACME")
    ids = make_items(db)
    with db.unit_of_work(ENGINEER) as s:
        cap = catalog.do_create_item(s, ENGINEER, number="CAP-100N-0402", package="0402")
        product = npi.do_create_product(s, ENGINEER, customer_id=cid, code="P1", name="P1")
        rid = npi.do_create_revision(s, ENGINEER, product.id, label="A").id
        npi.do_import(s, ENGINEER, rid, [InputFile("bom.csv", BOM)])
    with db.unit_of_work(ENGINEER, write=False) as s:
        (line,) = npi.unmatched_lines(s, ENGINEER, rid)
    with db.unit_of_work(ENGINEER) as s:
        npi.do_resolve_line(s, ENGINEER, line.id, item_number="CAP-100N-0402")
    with db.unit_of_work(ENGINEER) as s:
        npi.do_import(s, ENGINEER, rid, [InputFile("bom.csv", BOM)])  # re-import
    with db.unit_of_work(ENGINEER, write=False) as s:
        assert npi.unmatched_lines(s, ENGINEER, rid) == []
        item = catalog.access_item(s, ENGINEER, cap.id)
    assert [p.mpn for p in item.parts] == ["GRM155R71C104KA88D"]
    assert ids  # the other items were untouched
