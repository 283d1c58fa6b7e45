"""API tokens: stored hashed, with a role and an expiry, revocable (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from boardline.core import clock, services
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import InvalidInput, TokenInvalid
from boardline.core.tables import ApiToken, AuditEntry


def test_token_is_stored_only_as_a_hash_and_authenticates(db: Database, system: Actor) -> None:
    with db.unit_of_work(system) as s:
        token, secret = services.do_create_token(
            s, system, name="aoi-1", role=Role.OPERATOR, days=30
        )
    with db.unit_of_work(system, write=False) as s:
        stored = s.get(ApiToken, token.id)
        assert stored is not None
        assert secret not in (stored.secret_hash, stored.prefix)
        actor = services.authenticate_token(s, secret)
        audit = s.scalars(select(AuditEntry).where(AuditEntry.table_name == "api_token")).one()
    assert (actor.kind, actor.name, actor.role) == ("token", "aoi-1", Role.OPERATOR)
    assert audit.changes["secret_hash"] == [None, "***"]


def test_revoked_token_is_refused(db: Database, system: Actor) -> None:
    with db.unit_of_work(system) as s:
        token, secret = services.do_create_token(s, system, name="ict", role=Role.OPERATOR)
    with db.unit_of_work(system) as s:
        services.do_revoke_token(s, system, token.prefix, reason="station decommissioned")
    with pytest.raises(TokenInvalid, match="revoked"), db.unit_of_work(system) as s:
        services.authenticate_token(s, secret)


def test_expired_token_is_refused(db: Database, system: Actor) -> None:
    fixed = clock.FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    previous = clock.install(fixed)
    try:
        with db.unit_of_work(system) as s:
            _, secret = services.do_create_token(s, system, name="fct", role="operator", days=1)
        fixed.advance(timedelta(days=1, seconds=1))
        with pytest.raises(TokenInvalid, match="expired"), db.unit_of_work(system) as s:
            services.authenticate_token(s, secret)
    finally:
        clock.install(previous)


@pytest.mark.parametrize("raw", ["", "bl_x", "bl_000000000000_wrong", "Basic abc"])
def test_malformed_or_unknown_token_is_refused(db: Database, system: Actor, raw: str) -> None:
    with pytest.raises(TokenInvalid), db.unit_of_work(system) as s:
        services.authenticate_token(s, raw)


def test_token_with_bad_expiry_is_refused(db: Database, system: Actor) -> None:
    with pytest.raises(InvalidInput) as caught, db.unit_of_work(system) as s:
        services.do_create_token(s, system, name="x", role="operator", days=0)
    assert caught.value.extra["field"] == "days"
