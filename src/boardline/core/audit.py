"""The audit trail's chain rules: pure functions, no I/O.

Each entry stores the SHA-256 of its own facts together with the hash of its predecessor,
so a changed, inserted, reordered or removed entry breaks the chain at that point. The
hash covers a canonical JSON form (sorted keys, no spaces, UTC times with microseconds)
so SQLite and PostgreSQL produce the same bytes for the same entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

GENESIS_HASH = "0" * 64
REDACTED = "***"


def jsonable(value: Any) -> Any:
    """A value as it is stored in an audit change: JSON types only, times in UTC ISO form."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return str(value)


def canonical_json(value: Any) -> str:
    return json.dumps(jsonable(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class AuditFacts:
    """What one audit entry says happened."""

    seq: int
    at: datetime
    actor: str
    action: str  # create | update | delete
    table: str
    record_id: str
    changes: dict[str, list[Any]]  # field -> [old, new]
    reason: str | None
    prev_hash: str

    def digest(self) -> str:
        """The SHA-256 hex digest that this entry must carry."""
        payload = canonical_json(
            {
                "seq": self.seq,
                "at": self.at,
                "actor": self.actor,
                "action": self.action,
                "table": self.table,
                "record_id": self.record_id,
                "changes": self.changes,
                "reason": self.reason,
                "prev": self.prev_hash,
            }
        )
        return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first place where the stored trail differs from what was written."""

    seq: int
    kind: str  # altered | missing | inserted
    message: str


def verify_chain(entries: Iterable[tuple[AuditFacts, str]]) -> tuple[int, ChainBreak | None]:
    """Walk ``(facts, stored_hash)`` pairs in ``seq`` order.

    Returns how many entries were checked and the first break, or ``None`` when the chain
    is whole. An altered entry no longer matches its own hash; a missing one leaves a gap
    in ``seq``; an inserted one (or one whose predecessor changed) no longer follows the
    hash of the entry before it.
    """
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for facts, stored in entries:
        if facts.seq != expected_seq:
            if facts.seq > expected_seq:
                return checked, ChainBreak(
                    expected_seq,
                    "missing",
                    f"entry #{expected_seq} is missing (the next stored entry is #{facts.seq})",
                )
            return checked, ChainBreak(
                facts.seq, "inserted", f"entry #{facts.seq} appears out of order"
            )
        if facts.digest() != stored:
            return checked, ChainBreak(
                facts.seq, "altered", f"entry #{facts.seq} was altered after it was written"
            )
        if facts.prev_hash != prev_hash:
            return checked, ChainBreak(
                facts.seq,
                "inserted",
                f"entry #{facts.seq} does not follow entry #{facts.seq - 1} "
                "(an entry was inserted or replaced)",
            )
        prev_hash = stored
        expected_seq += 1
        checked += 1
    return checked, None


def diff(old: dict[str, Any], new: dict[str, Any], redact: frozenset[str]) -> dict[str, list[Any]]:
    """Field-level changes ``{field: [old, new]}`` between two snapshots of a record."""
    changes: dict[str, list[Any]] = {}
    for field in sorted(set(old) | set(new)):
        before, after = jsonable(old.get(field)), jsonable(new.get(field))
        if before == after:
            continue
        if field in redact:
            before = REDACTED if before is not None else None
            after = REDACTED if after is not None else None
        changes[field] = [before, after]
    return changes
