"""Users, sign-in and customer scoping through the service layer (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from boardline.core import security, services
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import (
    AccountDisabled,
    AlreadyExists,
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleRecord,
)
from boardline.core.tables import AuditEntry, User
from tests.conftest import PASSWORD, add_customer, add_user


def test_user_is_created_with_an_argon2_hash_and_audited(db: Database, system: Actor) -> None:
    user_id = add_user(db, "alice", Role.QUALITY)
    with db.unit_of_work(system, write=False) as s:
        user = s.get(User, user_id)
        assert user is not None
        assert user.password_hash.startswith("$argon2")
        entry = s.scalars(select(AuditEntry).where(AuditEntry.table_name == "app_user")).one()
    assert entry.action == "create"
    assert entry.record_id == str(user_id)
    assert entry.actor == "system:test"
    assert entry.changes["username"] == [None, "alice"]
    assert entry.changes["password_hash"] == [None, "***"]


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("username", {"username": "Bad Name!"}),
        ("password", {"password": "short"}),
        ("role", {"role": "wizard"}),
        ("customer", {"role": Role.CUSTOMER}),
        ("full_name", {"full_name": "  "}),
    ],
)
def test_bad_user_input_names_the_field_and_stores_nothing(
    db: Database, system: Actor, field: str, kwargs: dict[str, object]
) -> None:
    args: dict[str, object] = {
        "username": "bob",
        "full_name": "Bob",
        "role": Role.ENGINEER,
        "password": PASSWORD,
    }
    args.update(kwargs)
    with pytest.raises(InvalidInput) as caught, db.unit_of_work(system) as s:
        services.do_create_user(s, system, **args)  # type: ignore[arg-type]
    assert caught.value.extra["field"] == field
    with db.unit_of_work(system, write=False) as s:
        assert s.scalars(select(User)).all() == []
        assert s.scalars(select(AuditEntry)).all() == []


def test_duplicate_username_is_refused(db: Database, system: Actor) -> None:
    add_user(db, "alice")
    with pytest.raises(AlreadyExists), db.unit_of_work(system) as s:
        services.do_create_user(
            s, system, username="ALICE", full_name="A", role="engineer", password=PASSWORD
        )


def test_login_unknown_user_and_wrong_password_answer_alike(
    db: Database, system: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(db, "alice")
    verified: list[str | None] = []
    real = security.verify_password

    def counting(password: str, stored: str | None) -> tuple[bool, str | None]:
        verified.append(stored)
        return real(password, stored)

    monkeypatch.setattr(services, "verify_password", counting)
    answers = []
    for username, password in [("alice", "wrong password"), ("nobody", "wrong password")]:
        with pytest.raises(AuthenticationFailed) as caught, db.unit_of_work(system) as s:
            services.check_login(s, username, password)
        answers.append((type(caught.value), caught.value.detail, caught.value.status))
    assert answers[0] == answers[1]
    assert answers[0][2] == 401
    # The unknown user is hashed against a dummy hash: the same argon2 work is done.
    assert len(verified) == 2


def test_disabled_user_cannot_sign_in(db: Database, system: Actor) -> None:
    user_id = add_user(db, "alice")
    with db.unit_of_work(system) as s:
        services.do_set_active(s, system, user_id, active=False, reason="left the company")
    with pytest.raises(AccountDisabled) as caught, db.unit_of_work(system) as s:
        services.check_login(s, "alice", PASSWORD)
    assert caught.value.status == 401
    with db.unit_of_work(system, write=False) as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry is not None
    assert entry.changes == {"active": [True, False]}
    assert entry.reason == "left the company"


def test_disabling_needs_a_reason(db: Database, system: Actor) -> None:
    user_id = add_user(db, "alice")
    with pytest.raises(InvalidInput, match="reason"), db.unit_of_work(system) as s:
        services.do_set_active(s, system, user_id, active=False, reason=" ")


def test_role_change_is_audited_with_old_new_and_reason(db: Database, system: Actor) -> None:
    user_id = add_user(db, "alice", Role.OPERATOR)
    with db.unit_of_work(system) as s:
        services.do_update_user(
            s,
            system,
            user_id,
            expected_version=1,
            role=Role.SUPERVISOR,
            reason="promoted to line 2 supervisor",
        )
    with db.unit_of_work(system, write=False) as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry is not None
    assert entry.action == "update"
    assert entry.changes == {"role": ["operator", "supervisor"]}
    assert entry.reason == "promoted to line 2 supervisor"


def test_role_change_without_reason_is_refused(db: Database, system: Actor) -> None:
    user_id = add_user(db, "alice", Role.OPERATOR)
    with pytest.raises(InvalidInput, match="reason"), db.unit_of_work(system) as s:
        services.do_update_user(s, system, user_id, expected_version=1, role=Role.ADMIN)


def test_second_admin_editing_the_same_user_gets_a_conflict_not_a_lost_update(
    db: Database,
) -> None:
    user_id = add_user(db, "alice")
    admin_a = Actor("user", "a", Role.ADMIN, user_id=100)
    admin_b = Actor("user", "b", Role.ADMIN, user_id=101)
    # Both admins opened the edit form at version 1.
    with db.unit_of_work(admin_a) as s:
        services.do_update_user(s, admin_a, user_id, expected_version=1, full_name="Alice A")
    with pytest.raises(StaleRecord) as caught, db.unit_of_work(admin_b) as s:
        services.do_update_user(s, admin_b, user_id, expected_version=1, email="b@x.example")
    assert caught.value.status == 409
    with db.unit_of_work(admin_a, write=False) as s:
        user = s.get(User, user_id)
        assert user is not None
        assert (user.full_name, user.email, user.version) == ("Alice A", "", 2)


def test_two_admins_saving_at_once_one_wins_the_other_is_told(db: Database) -> None:
    """Both submit an edit of version 1 at the same moment: exactly one is stored."""
    user_id = add_user(db, "alice")
    outcomes: list[str] = []

    def edit(name: str) -> None:
        admin = Actor("user", name, Role.ADMIN, user_id=100)
        try:
            with db.unit_of_work(admin) as s:
                services.do_update_user(s, admin, user_id, expected_version=1, full_name=name)
            outcomes.append("saved")
        except StaleRecord:
            outcomes.append("conflict")

    threads = [threading.Thread(target=edit, args=(n,)) for n in ("Ann", "Ben")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    with db.unit_of_work(Actor.system(), write=False) as s:
        user = s.get(User, user_id)
        assert user is not None
        assert user.version == 2


def test_customer_user_sees_only_its_customer(db: Database) -> None:
    acme, other = add_customer(db, "ACME"), add_customer(db, "OTHER")
    viewer = Actor("user", "v", Role.CUSTOMER, user_id=50, customer_id=acme)
    with db.unit_of_work(viewer, write=False) as s:
        assert [c.code for c in services.list_customers(s, viewer)] == ["ACME"]
        assert services.access_customer(s, viewer, acme).code == "ACME"
        with pytest.raises(NotFound) as caught:
            services.access_customer(s, viewer, other)
        # same answer as a customer that does not exist at all: no existence leak
        with pytest.raises(NotFound) as missing:
            services.access_customer(s, viewer, 999999)
    assert caught.value.status == missing.value.status == 404


def test_operator_cannot_create_users(db: Database) -> None:
    operator = Actor("user", "op", Role.OPERATOR, user_id=3)
    with pytest.raises(PermissionDenied), db.unit_of_work(operator) as s:
        services.do_create_user(
            s, operator, username="x1", full_name="X", role="operator", password=PASSWORD
        )


def test_admin_cannot_disable_itself(db: Database) -> None:
    admin_id = add_user(db, "root", Role.ADMIN)
    admin = Actor("user", "root", Role.ADMIN, user_id=admin_id)
    with pytest.raises(PermissionDenied), db.unit_of_work(admin) as s:
        services.do_set_active(s, admin, admin_id, active=False, reason="oops")
