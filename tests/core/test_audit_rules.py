"""The audit chain's pure rules: any change, insertion or removal is found where it is."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import Enum

from hypothesis import given
from hypothesis import strategies as st

from boardline.core.audit import (
    GENESIS_HASH,
    REDACTED,
    AuditFacts,
    diff,
    jsonable,
    verify_chain,
)

T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def make_chain(n: int) -> list[tuple[AuditFacts, str]]:
    chain = []
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        facts = AuditFacts(
            seq=seq,
            at=T0 + timedelta(seconds=seq),
            actor="user:alice",
            action="update",
            table="customer",
            record_id="1",
            changes={"name": [f"v{seq - 1}", f"v{seq}"]},
            reason=None,
            prev_hash=prev,
        )
        prev = facts.digest()
        chain.append((facts, prev))
    return chain


def test_an_untouched_chain_verifies() -> None:
    checked, problem = verify_chain(make_chain(5))
    assert (checked, problem) == (5, None)


def test_empty_chain_verifies() -> None:
    assert verify_chain([]) == (0, None)


def test_altered_entry_is_named() -> None:
    chain = make_chain(5)
    facts, stored = chain[2]
    chain[2] = (dataclasses.replace(facts, reason="backdated"), stored)
    checked, problem = verify_chain(chain)
    assert checked == 2
    assert problem is not None
    assert (problem.seq, problem.kind) == (3, "altered")


def test_missing_entry_is_named() -> None:
    chain = make_chain(5)
    del chain[1]
    _, problem = verify_chain(chain)
    assert problem is not None
    assert (problem.seq, problem.kind) == (2, "missing")


def test_entry_rehashed_by_a_forger_breaks_the_link_to_its_successor() -> None:
    chain = make_chain(5)
    forged = dataclasses.replace(chain[1][0], actor="user:mallory")
    chain[1] = (forged, forged.digest())  # the forger recomputes the entry's own hash
    _, problem = verify_chain(chain)
    assert problem is not None
    assert (problem.seq, problem.kind) == (3, "inserted")


def test_replaced_entry_with_forged_link_is_found() -> None:
    chain = make_chain(3)
    forged = dataclasses.replace(chain[1][0], prev_hash="f" * 64)
    chain[1] = (forged, forged.digest())
    _, problem = verify_chain(chain)
    assert problem is not None
    assert (problem.seq, problem.kind) == (2, "inserted")


@given(
    n=st.integers(min_value=1, max_value=12),
    data=st.data(),
    field=st.sampled_from(["at", "actor", "action", "table", "record_id", "changes", "reason"]),
)
def test_any_field_change_of_any_entry_is_found_at_that_entry(
    n: int, data: st.DataObject, field: str
) -> None:
    chain = make_chain(n)
    i = data.draw(st.integers(min_value=0, max_value=n - 1))
    facts, stored = chain[i]
    new_value = {
        "at": facts.at + timedelta(microseconds=1),
        "actor": facts.actor + "x",
        "action": "delete",
        "table": "app_user",
        "record_id": "2",
        "changes": {"name": ["x", "y"]},
        "reason": "edited",
    }[field]
    chain[i] = (dataclasses.replace(facts, **{field: new_value}), stored)
    checked, problem = verify_chain(chain)
    assert problem is not None
    assert problem.seq == i + 1
    assert checked == i


def test_digest_is_independent_of_key_order_and_time_zone() -> None:
    a = make_chain(1)[0][0]
    b = dataclasses.replace(
        a,
        at=a.at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin")),
        changes=dict(reversed(list({"b": [1, 2], "a": [3, 4]}.items()))),
    )
    a = dataclasses.replace(a, changes={"a": [3, 4], "b": [1, 2]})
    assert a.digest() == b.digest()


class Colour(Enum):
    RED = "red"


def test_jsonable_turns_stored_values_into_json_types() -> None:
    naive = datetime(2026, 1, 2, 3, 4, 5)
    assert jsonable(naive) == "2026-01-02T03:04:05.000000+00:00"
    assert jsonable(Decimal("1.50")) == "1.50"
    assert jsonable(Colour.RED) == "red"
    assert jsonable({"a": (1, 2)}) == {"a": [1, 2]}
    assert jsonable(T0.date()) == "2026-11-27"


def test_diff_lists_only_changed_fields_and_redacts_secrets() -> None:
    old = {"name": "A", "password_hash": "h1", "role": "engineer"}
    new = {"name": "B", "password_hash": "h2", "role": "engineer"}
    assert diff(old, new, frozenset({"password_hash"})) == {
        "name": ["A", "B"],
        "password_hash": [REDACTED, REDACTED],
    }
    assert diff({}, {"x": None}, frozenset()) == {}
