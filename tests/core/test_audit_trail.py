"""The audit trail as written by the unit of work, and its verification (both databases)."""

from __future__ import annotations

import threading

from sqlalchemy import delete, select, text, update
from typer.testing import CliRunner

from boardline.core import audit_trail, clock, services
from boardline.core.audit_trail import AuditFilter, audit_reason
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.tables import AuditEntry, Customer
from tests.conftest import add_customer


def entries(db: Database) -> list[AuditEntry]:
    with db.unit_of_work(Actor.system(), write=False) as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def test_create_update_delete_each_append_one_chained_entry(db: Database) -> None:
    actor = Actor("user", "ada", Role.ADMIN, user_id=1)
    with db.unit_of_work(actor) as s:
        customer = Customer(code="ACME", name="Acme")
        s.add(customer)
    with db.unit_of_work(actor) as s:
        c = s.get(Customer, customer.id)
        assert c is not None
        c.name = "Acme Industrial"
        with audit_reason(s, "legal name changed"):
            s.flush()
    with db.unit_of_work(actor) as s:
        c = s.get(Customer, customer.id)
        s.delete(c)
    create, change, remove = entries(db)
    assert [e.action for e in (create, change, remove)] == ["create", "update", "delete"]
    assert {e.record_id for e in (create, change, remove)} == {str(customer.id)}
    assert create.changes["code"] == [None, "ACME"]
    assert change.changes == {"name": ["Acme", "Acme Industrial"]}
    assert change.reason == "legal name changed"
    assert remove.changes["name"] == ["Acme Industrial", None]
    assert change.prev_hash == create.hash
    assert remove.prev_hash == change.hash
    assert all(e.actor == "user:ada" and e.actor_user_id == 1 for e in (create, change, remove))
    assert all(e.at.tzinfo is not None for e in (create, change, remove))


def test_a_rolled_back_change_leaves_no_entry(db: Database) -> None:
    actor = Actor.system()
    try:
        with db.unit_of_work(actor) as s:
            s.add(Customer(code="GONE", name="Gone"))
            s.flush()
            raise RuntimeError("the rest of the use case failed")
    except RuntimeError:
        pass
    assert entries(db) == []


def test_nothing_changed_writes_nothing(db: Database) -> None:
    cid = add_customer(db, "ACME")
    with db.unit_of_work(Actor.system()) as s:
        c = s.get(Customer, cid)
        assert c is not None
        c.name = c.name  # same value
    assert len(entries(db)) == 1


def test_verify_passes_then_names_the_entry_a_direct_sql_update_altered(db: Database) -> None:
    for code in ("A1", "B2", "C3", "D4"):
        add_customer(db, code)
    actor = Actor.system()
    with db.unit_of_work(actor, write=False) as s:
        assert audit_trail.verify_trail(s, actor).ok
    with db.engine.begin() as conn:
        conn.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(actor="user:nobody"))
    with db.unit_of_work(actor, write=False) as s:
        result = audit_trail.verify_trail(s, actor)
    assert result.problem is not None
    assert (result.problem.seq, result.problem.kind, result.checked) == (3, "altered", 2)


def test_verify_names_a_deleted_entry(db: Database) -> None:
    for code in ("A1", "B2", "C3"):
        add_customer(db, code)
    with db.engine.begin() as conn:
        conn.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
    actor = Actor.system()
    with db.unit_of_work(actor, write=False) as s:
        result = audit_trail.verify_trail(s, actor)
    assert result.problem is not None
    assert (result.problem.seq, result.problem.kind) == (2, "missing")


def test_cli_verify_exits_non_zero_and_names_the_entry(db: Database, monkeypatch: object) -> None:
    from boardline.cli import app
    from boardline.core.settings import get_settings

    for code in ("A1", "B2", "C3"):
        add_customer(db, code)
    mp = monkeypatch  # pytest.MonkeyPatch
    mp.setenv("BOARDLINE_DATABASE_URL", db.url)  # type: ignore[attr-defined]
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        ok = runner.invoke(app, ["audit", "verify"])
        assert ok.exit_code == 0, ok.output
        assert "3 entries verified" in ok.output
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE audit_entry SET reason = 'tampered' WHERE seq = 2"))
        broken = runner.invoke(app, ["audit", "verify"])
        assert broken.exit_code == 1
        assert "#2" in broken.output
        assert "altered" in broken.output
    finally:
        get_settings.cache_clear()


def test_concurrent_writers_keep_one_unbroken_chain(db: Database) -> None:
    errors: list[BaseException] = []

    def writer(prefix: str) -> None:
        actor = Actor.system(prefix)
        try:
            for i in range(10):
                with db.unit_of_work(actor) as s:
                    services.do_create_customer(s, actor, code=f"{prefix}{i}", name=prefix)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(p,)) for p in ("T", "U", "V")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    actor = Actor.system()
    with db.unit_of_work(actor, write=False) as s:
        result = audit_trail.verify_trail(s, actor)
    assert result.ok, result.problem
    assert result.checked == 30


def test_list_entries_filters_by_record_actor_and_reason(db: Database) -> None:
    cid = add_customer(db, "ACME")
    admin = Actor("user", "ada", Role.ADMIN, user_id=1)
    with db.unit_of_work(admin) as s:
        services.do_update_customer(
            s, admin, cid, expected_version=1, active=False, reason="customer closed its account"
        )
    with db.unit_of_work(admin, write=False) as s:
        by_record = audit_trail.list_entries(
            s, admin, AuditFilter(table="customer", record_id=str(cid))
        )
        by_actor = audit_trail.list_entries(s, admin, AuditFilter(actor="ada"))
        by_reason = audit_trail.list_entries(s, admin, AuditFilter(text="closed"))
    assert [e.action for e in by_record] == ["update", "create"]
    assert [e.seq for e in by_actor] == [2]
    assert [e.seq for e in by_reason] == [2]


def test_activity_by_day_counts_entries_per_action(db: Database) -> None:
    cid = add_customer(db, "ACME")
    admin = Actor.system()
    with db.unit_of_work(admin) as s:
        services.do_update_customer(s, admin, cid, expected_version=1, notes="n")
    with db.unit_of_work(admin, write=False) as s:
        rows = audit_trail.activity_by_day(s, admin)
    today = clock.now().date().isoformat()
    assert sorted(rows) == [(today, "create", 1), (today, "update", 1)]
