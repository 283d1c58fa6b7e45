"""Products and revisions through the service layer (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import AlreadyExists, Conflict, InvalidInput, NotFound, PermissionDenied
from boardline.core.tables import AuditEntry
from boardline.npi import services
from boardline.npi.rules import Stage, check_editable, check_revision_label
from boardline.npi.tables import Revision
from tests.conftest import add_customer

ENGINEER = Actor("user", "erin", Role.ENGINEER, user_id=1)


def make_product(db: Database, customer_code: str = "ACME", code: str = "CTRL-100") -> int:
    cid = add_customer(db, customer_code)
    with db.unit_of_work(ENGINEER) as s:
        return services.do_create_product(
            s, ENGINEER, customer_id=cid, code=code, name="Controller"
        ).id


def test_engineer_creates_product_and_revisions_audited(db: Database) -> None:
    pid = make_product(db)
    with db.unit_of_work(ENGINEER) as s:
        a = services.do_create_revision(s, ENGINEER, pid, label="a")
        b = services.do_create_revision(s, ENGINEER, pid, label="B")
    assert (a.label, a.stage, b.label) == ("A", Stage.DRAFT, "B")
    with db.unit_of_work(ENGINEER, write=False) as s:
        tables = [e.table_name for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
        labels = [r.label for r in services.list_revisions(s, ENGINEER, pid)]
    assert tables.count("npi_revision") == 2
    assert "npi_product" in tables
    assert labels == ["A", "B"]


def test_duplicate_revision_is_refused(db: Database) -> None:
    pid = make_product(db)
    with db.unit_of_work(ENGINEER) as s:
        services.do_create_revision(s, ENGINEER, pid, label="A")
    with pytest.raises(AlreadyExists), db.unit_of_work(ENGINEER) as s:
        services.do_create_revision(s, ENGINEER, pid, label="A")


def test_customer_sees_only_its_products(db: Database) -> None:
    mine = make_product(db, "ACME", "A-1")
    theirs = make_product(db, "OTHER", "O-1")
    with db.unit_of_work(Actor.system(), write=False) as s:
        acme_id = services.access_product(s, Actor.system(), mine).customer_id
    viewer = Actor("user", "v", Role.CUSTOMER, user_id=9, customer_id=acme_id)
    with db.unit_of_work(viewer, write=False) as s:
        assert [p.code for p in services.list_products(s, viewer)] == ["A-1"]
        with pytest.raises(NotFound):
            services.access_product(s, viewer, theirs)


def test_operator_cannot_create_products(db: Database) -> None:
    cid = add_customer(db, "ACME")
    operator = Actor("user", "op", Role.OPERATOR, user_id=2)
    with pytest.raises(PermissionDenied), db.unit_of_work(operator) as s:
        services.do_create_product(s, operator, customer_id=cid, code="X", name="X")


def test_released_revision_cannot_change(db: Database) -> None:
    pid = make_product(db)
    with db.unit_of_work(ENGINEER) as s:
        rid = services.do_create_revision(s, ENGINEER, pid, label="A").id
    with db.unit_of_work(Actor.system()) as s:
        revision = s.get(Revision, rid)
        assert revision is not None
        revision.stage = Stage.PROTOTYPE
    with pytest.raises(Conflict, match="released"), db.unit_of_work(ENGINEER) as s:
        services.do_import(s, ENGINEER, rid, [])


@pytest.mark.parametrize("label", ["A", "b", "AA", "C2", "1", "1.1"])
def test_good_revision_labels(label: str) -> None:
    assert check_revision_label(label) == label.upper()


@pytest.mark.parametrize("label", ["", "A B", "rev-a", "ABCD", "A.1.2"])
def test_bad_revision_labels(label: str) -> None:
    with pytest.raises(InvalidInput):
        check_revision_label(label)


def test_only_drafts_are_editable() -> None:
    check_editable(Stage.DRAFT, "rev A")
    for stage in (Stage.PROTOTYPE, Stage.PILOT, Stage.MASS_PRODUCTION):
        with pytest.raises(Conflict):
            check_editable(stage, "rev A")


def test_stages_follow_each_other() -> None:
    assert [s.next for s in Stage] == [Stage.PROTOTYPE, Stage.PILOT, Stage.MASS_PRODUCTION, None]
