"""Customer scoping: the one mechanism that keeps a customer's users inside their records.

Every service that reads records owned by a customer goes through :func:`scoped` (lists)
or :func:`access_scoped` (one record). A customer actor sees only rows whose owning
customer is its own; staff see all. Out-of-scope single records answer NotFound so their
existence does not leak.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from boardline.core.auth import Actor, check_customer_scope
from boardline.core.errors import NotFound

T = TypeVar("T")


def scoped(stmt: Select[Any], actor: Actor, owner: InstrumentedAttribute[Any]) -> Select[Any]:
    """Restrict ``stmt`` to the actor's customer when the actor is a customer user."""
    if actor.is_customer:
        return stmt.where(owner == actor.customer_id)
    return stmt


def access_scoped(
    session: Session, actor: Actor, model: type[T], record_id: Any, *, owner_attr: str, what: str
) -> T:
    """Fetch one record by primary key, or NotFound if missing or outside the actor's scope."""
    record = session.get(model, record_id)
    if record is None:
        raise NotFound(f"{what} {record_id} not found")
    check_customer_scope(actor, getattr(record, owner_attr), f"{what} {record_id}")
    return record
