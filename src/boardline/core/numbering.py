"""Document numbers people read aloud: ``PO-000042``, ``SO-000007``, ``WO-000113``."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session


def next_number(session: Session, column: InstrumentedAttribute[str], prefix: str) -> str:
    """The next free number after the highest ``prefix-NNNNNN`` in ``column``.

    Two writers racing for the same number collide on the column's unique constraint and
    one of them gets a Conflict to retry, never a duplicate.
    """
    last = session.scalar(select(func.max(column)).where(column.like(f"{prefix}-%")))
    seq = int(last.rsplit("-", 1)[1]) + 1 if last and last.rsplit("-", 1)[1].isdigit() else 1
    return f"{prefix}-{seq:06d}"
