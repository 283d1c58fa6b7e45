"""Joining loose parts into one package (SQLite and PostgreSQL).

Scenario: after a job, stores hold three part-reels of the same resistor lot; they are
joined into one so the shelf holds one package. Anything that would break the trace to
lot and date code, mix owners, or hide unusable parts is refused with nothing changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from boardline.core import clock
from boardline.core.db import Database
from boardline.core.errors import BoardlineError, Conflict, InvalidInput, NotFound
from boardline.core.tables import AuditEntry
from boardline.supply import inventory, kitting, packages
from tests.supply.test_kitting import (
    LED,
    MCU,
    RES,
    STORES,
    TODAY,
    frozen_at,
    make_world,
    receive,
    snapshot,
)


@pytest.fixture
def at_t0() -> Iterator[clock.FixedClock]:
    with frozen_at() as fixed:
        yield fixed


def test_join_moves_every_part_and_keeps_the_sources_for_trace(db: Database, at_t0: object) -> None:
    make_world(db)
    target = receive(db, RES, 1000, lot="L7", date_code="2610")
    a = receive(db, RES, 250, lot="L7", date_code="2610", expires_on=TODAY + timedelta(days=90))
    b = receive(db, RES, 40, lot="L7", date_code="2610")
    with db.unit_of_work(STORES) as s:
        joined = inventory.do_join(s, STORES, target, [a, f" {b} "])
        assert joined.quantity == 1290
    with db.unit_of_work(STORES, write=False) as s:
        t = packages.access_package(s, STORES, target)
        sources = [packages.access_package(s, STORES, u) for u in (a, b)]
        entries = s.execute(
            select(AuditEntry.record_id, AuditEntry.reason, AuditEntry.changes).where(
                AuditEntry.table_name == "supply_package",
                AuditEntry.reason.like("joined%"),
            )
        ).all()
    assert [p.quantity for p in sources] == [0, 0]
    assert t.expires_on == TODAY + timedelta(days=90)  # the earliest expiry of the parts
    reasons = {record: reason for record, reason, _ in entries}
    assert reasons[str(sources[0].id)] == f"joined into {target}"
    assert reasons[str(t.id)] == f"joined {a}, {b} into {target}"
    assert [c["quantity"] for r, _, c in entries if r == str(t.id)] == [[1000, 1290]]


def test_msd_halves_of_a_split_join_back(db: Database, at_t0: object) -> None:
    make_world(db)
    tray = receive(db, MCU, 200, lot="M1", opened_hours_ago=10)
    with db.unit_of_work(STORES) as s:
        half = inventory.do_split(s, STORES, tray, 80).uid
    with db.unit_of_work(STORES) as s:
        assert inventory.do_join(s, STORES, tray, [half]).quantity == 200


def _refusal_case(db: Database, w: object, case: str) -> tuple[str, list[str]]:
    target = receive(db, RES, 1000, lot="L7", date_code="2610")
    same = {"lot": "L7", "date_code": "2610"}
    if case == "different_lot":
        return target, [receive(db, RES, 10, lot="L8", date_code="2610")]
    if case == "different_date_code":
        return target, [receive(db, RES, 10, lot="L7", date_code="2611")]
    if case == "different_mpn":
        return target, [receive(db, LED, 10, **same)]
    if case == "itself":
        return target, [target]
    if case in ("blocked", "quarantined", "expired"):
        return target, [receive(db, RES, 10, state=case, **same)]
    if case == "hold_into_available":
        return target, [receive(db, RES, 10, state="hold", **same)]
    if case == "other_owner":
        owner = w.customer_id  # type: ignore[attr-defined]
        return target, [receive(db, RES, 10, customer_id=owner, consigned=True, **same)]
    if case == "empty":
        source = receive(db, RES, 10, **same)
        with db.unit_of_work(STORES) as s:
            inventory.do_count(s, STORES, source, 0, reason="reel used up")
        return target, [source]
    if case == "in_kit":
        source = receive(db, RES, 10, **same)
        with db.unit_of_work(STORES) as s:
            kitting.do_reserve(s, STORES, w.wo_id, source)  # type: ignore[attr-defined]
        return target, [source]
    if case == "different_msd_history":
        tray = receive(db, MCU, 100, lot="M1", opened_hours_ago=10)
        return tray, [receive(db, MCU, 100, lot="M1", opened_hours_ago=30)]
    if case == "missing":
        return target, ["PKG-NOPE"]
    assert case == "none"
    return target, [" "]


CASES = [
    ("different_lot", InvalidInput, "lot L8"),
    ("different_date_code", InvalidInput, "date code 2611"),
    ("different_mpn", InvalidInput, "same manufacturer part number"),
    ("itself", InvalidInput, "into itself"),
    ("blocked", Conflict, "blocked"),
    ("quarantined", Conflict, "quarantined"),
    ("expired", Conflict, "expired"),
    ("hold_into_available", Conflict, "same state"),
    ("other_owner", InvalidInput, "different owners"),
    ("empty", InvalidInput, "empty"),
    ("in_kit", Conflict, "kit"),
    ("different_msd_history", Conflict, "moisture histories"),
    ("missing", NotFound, "PKG-NOPE"),
    ("none", InvalidInput, "at least one"),
]


@pytest.mark.parametrize(("case", "error", "says"), CASES, ids=[c[0] for c in CASES])
def test_joins_that_would_break_trace_or_use_are_refused(
    db: Database, at_t0: object, case: str, error: type[BoardlineError], says: str
) -> None:
    w = make_world(db)
    target, sources = _refusal_case(db, w, case)
    before = snapshot(db)
    with pytest.raises(error, match=says), db.unit_of_work(STORES) as s:
        inventory.do_join(s, STORES, target, sources)
    assert snapshot(db) == before


def test_a_lot_mismatch_says_why(db: Database, at_t0: object) -> None:
    make_world(db)
    target = receive(db, RES, 1000, lot="L7")
    other = receive(db, RES, 10, lot="L8")
    with pytest.raises(InvalidInput) as caught, db.unit_of_work(STORES) as s:
        inventory.do_join(s, STORES, target, [other])
    assert caught.value.extra == {"field": "sources", "rule": "different_lot"}
    assert "trace" in caught.value.detail


def test_join_needs_the_stores_permission(db: Database, at_t0: object) -> None:
    from boardline.core.auth import Actor, Role
    from boardline.core.errors import PermissionDenied

    make_world(db)
    a, b = receive(db, RES, 10), receive(db, RES, 10)
    engineer = Actor("user", "erin", Role.ENGINEER, user_id=3)
    with pytest.raises(PermissionDenied), db.unit_of_work(engineer) as s:
        inventory.do_join(s, engineer, a, [b])
