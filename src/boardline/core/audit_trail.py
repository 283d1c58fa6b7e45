"""Writes the audit trail from the unit of work.

Any table that mixes in :class:`~boardline.core.tables.Audited` is recorded: after each
flush the changed rows become hash-chained audit entries in the same transaction, so a
record change and its audit entry commit or roll back together. Later domains register
their tables simply by using the mixin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, func, insert, inspect, select, text
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import get_history

from boardline.core import clock
from boardline.core.audit import GENESIS_HASH, AuditFacts, ChainBreak, diff, verify_chain
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.db import actor_of
from boardline.core.tables import Audited, AuditEntry

# Arbitrary but fixed key for PostgreSQL's advisory lock that serialises chain appends.
_CHAIN_LOCK_KEY = 0x0B0A_4D17


@contextmanager
def audit_reason(session: Session, reason: str | None) -> Iterator[None]:
    """Attach ``reason`` to the audit entries written inside the block."""
    previous = session.info.get("audit_reason")
    session.info["audit_reason"] = reason or None
    try:
        yield
    finally:
        session.info["audit_reason"] = previous


def snapshot(obj: Any, *, committed: bool = False) -> dict[str, Any]:
    """Column values of a mapped object; with ``committed`` the values as last loaded."""
    mapper = inspect(obj).mapper
    values: dict[str, Any] = {}
    for attr in mapper.column_attrs:
        key = attr.key
        if committed:
            hist = get_history(obj, key)
            if hist.deleted:
                values[key] = hist.deleted[0]
            elif hist.unchanged:
                values[key] = hist.unchanged[0]
            else:
                values[key] = getattr(obj, key)
        else:
            values[key] = getattr(obj, key)
    return values


def record_id_of(obj: Any) -> str:
    """The record's primary key as text (``3``, or ``3/A`` for composite keys)."""
    state = inspect(obj)
    key = state.identity or state.mapper.primary_key_from_instance(obj)
    if not key or any(part is None for part in key):
        raise ValueError(f"{type(obj).__name__} has no primary key yet")
    return "/".join(str(part) for part in key)


def _created(obj: Any) -> dict[str, list[Any]]:
    values = {k: v for k, v in snapshot(obj).items() if k not in obj.__audit_ignore__}
    return diff({}, values, obj.__audit_redact__)


def _pending_entries(
    session: Session,
) -> list[tuple[str, Any, dict[str, list[Any]] | None]]:
    entries: list[tuple[str, Any, dict[str, list[Any]] | None]] = []
    for obj in session.new:
        if isinstance(obj, Audited):
            entries.append(("create", obj, None))  # values are complete only after the flush
    for obj in session.dirty:
        if isinstance(obj, Audited) and session.is_modified(obj, include_collections=False):
            ignore = obj.__audit_ignore__
            old = {k: v for k, v in snapshot(obj, committed=True).items() if k not in ignore}
            new = {k: v for k, v in snapshot(obj).items() if k not in ignore}
            changes = diff(old, new, obj.__audit_redact__)
            if changes:
                entries.append(("update", obj, changes))
    for obj in session.deleted:
        if isinstance(obj, Audited):
            old = {k: v for k, v in snapshot(obj).items() if k not in obj.__audit_ignore__}
            entries.append(("delete", obj, diff(old, {}, obj.__audit_redact__)))
    return entries


def _collect(session: Session, _flush_context: UOWTransaction, _instances: object) -> None:
    # Old values are only visible before the flush writes them; ids and defaults of new
    # rows only after. So updates and deletes are diffed here, creates in after_flush.
    session.info.setdefault("audit_pending", []).extend(_pending_entries(session))


def _append(session: Session, _flush_context: UOWTransaction) -> None:
    pending = session.info.pop("audit_pending", [])
    if not pending:
        return
    actor = actor_of(session)
    reason = session.info.get("audit_reason")
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK_KEY})
    head = conn.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    at = clock.now()
    rows = []
    for action, obj, changes in pending:
        seq += 1
        facts = AuditFacts(
            seq=seq,
            at=at,
            actor=actor.label,
            action=action,
            table=obj.__tablename__,
            record_id=record_id_of(obj),
            changes=changes if changes is not None else _created(obj),
            reason=reason,
            prev_hash=prev_hash,
        )
        prev_hash = facts.digest()
        rows.append(
            {
                "seq": facts.seq,
                "at": facts.at,
                "actor": facts.actor,
                "actor_user_id": actor.user_id,
                "action": facts.action,
                "table_name": facts.table,
                "record_id": facts.record_id,
                "changes": facts.changes,
                "reason": facts.reason,
                "prev_hash": facts.prev_hash,
                "hash": prev_hash,
            }
        )
    conn.execute(insert(AuditEntry), rows)


# --- reading and verifying the trail ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditFilter:
    table: str | None = None
    record_id: str | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None


def list_entries(
    session: Session,
    actor: Actor,
    flt: AuditFilter,
    *,
    limit: int = 100,
    before_seq: int | None = None,
) -> Sequence[AuditEntry]:
    """Newest first, filtered; page backwards with ``before_seq``."""
    check_permission(actor, Perm.AUDIT_VIEW)
    stmt = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if flt.table:
        stmt = stmt.where(AuditEntry.table_name == flt.table)
    if flt.record_id:
        stmt = stmt.where(AuditEntry.record_id == flt.record_id)
    if flt.actor:
        stmt = stmt.where(AuditEntry.actor.contains(flt.actor, autoescape=True))
    if flt.since:
        stmt = stmt.where(AuditEntry.at >= flt.since)
    if flt.until:
        stmt = stmt.where(AuditEntry.at < flt.until)
    if flt.text:
        stmt = stmt.where(AuditEntry.reason.contains(flt.text, autoescape=True))
    if before_seq is not None:
        stmt = stmt.where(AuditEntry.seq < before_seq)
    return session.scalars(stmt).all()


def activity_by_day(
    session: Session, actor: Actor, *, days: int = 14
) -> list[tuple[str, str, int]]:
    """How many audit entries per UTC day and action over the last ``days`` days."""
    check_permission(actor, Perm.AUDIT_VIEW)
    since = clock.now() - timedelta(days=days - 1)
    since = since.replace(hour=0, minute=0, second=0, microsecond=0)
    day = func.date(AuditEntry.at)
    rows = session.execute(
        select(day, AuditEntry.action, func.count())
        .where(AuditEntry.at >= since)
        .group_by(day, AuditEntry.action)
        .order_by(day)
    ).all()
    return [(str(d), action, n) for d, action, n in rows]


def audited_tables(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.table_name).distinct().order_by("table_name")))


@dataclass(frozen=True, slots=True)
class VerifyResult:
    checked: int
    total: int
    problem: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_trail(
    session: Session, actor: Actor, *, progress: Callable[[int], None] | None = None
) -> VerifyResult:
    """Walk the whole chain in ``seq`` order, streaming, and report the first break."""
    check_permission(actor, Perm.AUDIT_VIEW)
    total = session.scalar(select(func.count()).select_from(AuditEntry)) or 0

    # Plain rows, not ORM objects: the walk touches every entry once and keeps none.
    e = AuditEntry
    rows = session.execute(
        select(
            e.seq,
            e.at,
            e.actor,
            e.action,
            e.table_name,
            e.record_id,
            e.changes,
            e.reason,
            e.prev_hash,
            e.hash,
        )
        .order_by(e.seq)
        .execution_options(yield_per=5000)
    )

    def stream() -> Iterator[tuple[AuditFacts, str]]:
        for n, row in enumerate(rows, start=1):
            if progress and n % 5000 == 0:
                progress(5000)
            yield AuditFacts(*row[:9]), row.hash

    try:
        checked, problem = verify_chain(stream())
    finally:
        rows.close()  # the walk may stop early; free PostgreSQL's server-side cursor
    return VerifyResult(checked=checked, total=total, problem=problem)


def install(session_class: type[Session] = Session) -> None:
    """Hook the audit trail into every session of ``session_class`` (done once at import)."""
    if not event.contains(session_class, "before_flush", _collect):
        event.listen(session_class, "before_flush", _collect)
        event.listen(session_class, "after_flush", _append)


install()
