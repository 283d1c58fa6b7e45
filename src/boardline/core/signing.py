"""Electronic signatures: sign a record after re-authentication, and check signatures later.

Any table that mixes in ``Audited`` can be signed. What is signed is the record's content
(its columns minus ``__signature_ignore__``); later domains (gates, dispositions, FAI) call
:func:`do_sign` and show :func:`signatures_for`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from boardline.core import clock
from boardline.core.audit import jsonable
from boardline.core.audit_trail import record_id_of, snapshot
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.db import Base
from boardline.core.errors import AuthenticationFailed, InvalidInput, NotFound, PermissionDenied
from boardline.core.services import check_login
from boardline.core.signatures import (
    Meaning,
    SignatureState,
    changed_fields,
    content_hash,
    signature_hash,
)
from boardline.core.tables import Audited, Signature


def signable_content(record: Audited) -> dict[str, Any]:
    """The record's content as a signature binds it."""
    return {
        key: jsonable(value)
        for key, value in snapshot(record).items()
        if key not in record.__signature_ignore__
    }


def _record_ref(record: Audited) -> tuple[str, str]:
    try:
        return str(record.__tablename__), record_id_of(record)
    except ValueError:
        raise InvalidInput("a record must be saved before it can be signed") from None


def do_sign(
    session: Session,
    actor: Actor,
    record: Audited,
    *,
    meaning: Meaning | str,
    password: str,
    comment: str = "",
) -> Signature:
    """Sign ``record`` as the acting user, who re-enters their password (§11.200)."""
    check_permission(actor, Perm.RECORDS_SIGN)
    if actor.kind != "user" or actor.user_id is None:
        raise PermissionDenied("only a person can sign; tokens and scripts cannot")
    try:
        meaning = Meaning(meaning)
    except ValueError:
        raise InvalidInput(
            f"unknown signature meaning {meaning!r}; use one of "
            + ", ".join(m.value for m in Meaning),
            field="meaning",
        ) from None
    session.flush()  # sign what is stored, not a half-applied change
    try:
        signer = check_login(session, actor.name, password)
    except AuthenticationFailed:
        raise AuthenticationFailed(
            "password not confirmed; the record was not signed", field="password"
        ) from None
    table, record_id = _record_ref(record)
    content = signable_content(record)
    at = clock.now()
    c_hash = content_hash(table, record_id, content)
    signature = Signature(
        table_name=table,
        record_id=record_id,
        signer_id=signer.id,
        printed_name=signer.full_name,
        meaning=meaning.value,
        comment=comment.strip(),
        signed_at=at,
        content=content,
        content_hash=c_hash,
        signature_hash=signature_hash(
            content_hash=c_hash,
            signer_id=signer.id,
            printed_name=signer.full_name,
            meaning=meaning.value,
            signed_at=at,
            comment=comment.strip(),
        ),
    )
    session.add(signature)
    session.flush()
    return signature


@dataclass(frozen=True, slots=True)
class SignatureView:
    """A signature as it should be shown next to its record, with its state checked now."""

    signature: Signature
    state: SignatureState
    changed: list[str]

    @property
    def manifest(self) -> str:
        s = self.signature
        return f"{s.printed_name}, {s.meaning}, {s.signed_at:%Y-%m-%d %H:%M:%S} UTC"


def _state(signature: Signature, record: Audited | None) -> SignatureView:
    expected = signature_hash(
        content_hash=signature.content_hash,
        signer_id=signature.signer_id,
        printed_name=signature.printed_name,
        meaning=signature.meaning,
        signed_at=signature.signed_at,
        comment=signature.comment,
    )
    stored_content_hash = content_hash(signature.table_name, signature.record_id, signature.content)
    if expected != signature.signature_hash or stored_content_hash != signature.content_hash:
        return SignatureView(signature, SignatureState.TAMPERED, [])
    if record is None:
        return SignatureView(signature, SignatureState.RECORD_GONE, [])
    current = signable_content(record)
    if content_hash(signature.table_name, signature.record_id, current) != signature.content_hash:
        return SignatureView(
            signature, SignatureState.BROKEN, changed_fields(signature.content, current)
        )
    return SignatureView(signature, SignatureState.VALID, [])


def signatures_for(session: Session, record: Audited) -> list[SignatureView]:
    """All signatures on ``record``, oldest first, each checked against its content now."""
    table, record_id = _record_ref(record)
    rows: Sequence[Signature] = session.scalars(
        select(Signature)
        .where(Signature.table_name == table, Signature.record_id == record_id)
        .order_by(Signature.signed_at, Signature.id)
    ).all()
    return [_state(row, record) for row in rows]


def check_signature(session: Session, signature_id: int) -> SignatureView:
    """One signature's state, looking its record up by table and id."""
    signature = session.get(Signature, signature_id)
    if signature is None:
        raise NotFound(f"signature {signature_id} not found")
    model = _model_for_table(signature.table_name)
    record = None
    if model is not None:
        columns = inspect(model).primary_key
        parts = signature.record_id.split("/")
        key = tuple(col.type.python_type(p) for col, p in zip(columns, parts, strict=True))
        record = session.get(model, key if len(key) > 1 else key[0])
    return _state(signature, record)


def _model_for_table(table: str) -> type[Any] | None:
    for mapper in Base.registry.mappers:
        if mapper.local_table is not None and getattr(mapper.local_table, "name", None) == table:
            return mapper.class_
    return None
