"""Electronic signatures bound to record content (both databases)."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from boardline.core import services, signing
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import AuthenticationFailed, InvalidInput, PermissionDenied
from boardline.core.signatures import SignatureState
from boardline.core.tables import Customer, Signature
from tests.conftest import PASSWORD, add_customer, add_user


@pytest.fixture
def quinn(db: Database) -> Actor:
    user_id = add_user(db, "quinn", Role.QUALITY)
    with db.unit_of_work(Actor.system(), write=False) as s:
        return services.actor_for_user(services.access_user(s, Actor.system(), user_id))


def sign(db: Database, actor: Actor, customer_id: int, password: str = PASSWORD) -> int:
    with db.unit_of_work(actor) as s:
        customer = s.get(Customer, customer_id)
        assert customer is not None
        return signing.do_sign(
            s, actor, customer, meaning="approved", password=password, comment="QA agreement"
        ).id


def states(db: Database, customer_id: int) -> list[tuple[SignatureState, list[str]]]:
    with db.unit_of_work(Actor.system(), write=False) as s:
        customer = s.get(Customer, customer_id)
        assert customer is not None
        return [(v.state, v.changed) for v in signing.signatures_for(s, customer)]


def test_signature_shows_name_meaning_and_time(db: Database, quinn: Actor) -> None:
    cid = add_customer(db, "MEDIQ")
    sig_id = sign(db, quinn, cid)
    with db.unit_of_work(Actor.system(), write=False) as s:
        view = signing.check_signature(s, sig_id)
    assert view.state is SignatureState.VALID
    assert view.manifest.startswith("Quinn, approved, ")
    assert view.signature.signed_at.tzinfo is not None


def test_wrong_password_does_not_sign(db: Database, quinn: Actor) -> None:
    cid = add_customer(db, "MEDIQ")
    with pytest.raises(AuthenticationFailed, match="not signed"):
        sign(db, quinn, cid, password="not my password")
    assert states(db, cid) == []


def test_changing_the_record_breaks_the_signature(db: Database, quinn: Actor) -> None:
    cid = add_customer(db, "MEDIQ")
    sign(db, quinn, cid)
    admin = Actor.system()
    with db.unit_of_work(admin) as s:
        services.do_update_customer(s, admin, cid, expected_version=1, name="MediQ GmbH")
    assert states(db, cid) == [(SignatureState.BROKEN, ["name"])]


def test_editing_the_signature_row_shows_as_tampered(db: Database, quinn: Actor) -> None:
    cid = add_customer(db, "MEDIQ")
    sig_id = sign(db, quinn, cid)
    with db.engine.begin() as conn:
        conn.execute(update(Signature).where(Signature.id == sig_id).values(meaning="reviewed"))
    assert states(db, cid) == [(SignatureState.TAMPERED, [])]


def test_tokens_cannot_sign(db: Database) -> None:
    cid = add_customer(db, "MEDIQ")
    machine = Actor("token", "aoi", Role.QUALITY)
    with pytest.raises(PermissionDenied):
        sign(db, machine, cid)


def test_disabled_signer_cannot_sign(db: Database, quinn: Actor) -> None:
    cid = add_customer(db, "MEDIQ")
    admin = Actor.system()
    with db.unit_of_work(admin) as s:
        services.do_set_active(s, admin, quinn.user_id or 0, active=False, reason="left")
    with pytest.raises(AuthenticationFailed):
        sign(db, quinn, cid)


def test_unknown_meaning_is_refused(db: Database, quinn: Actor) -> None:
    cid = add_customer(db, "MEDIQ")
    with db.unit_of_work(quinn) as s:
        customer = s.get(Customer, cid)
        assert customer is not None
        with pytest.raises(InvalidInput, match="meaning"):
            signing.do_sign(s, quinn, customer, meaning="liked", password=PASSWORD)
