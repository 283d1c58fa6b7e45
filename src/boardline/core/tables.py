"""Core tables: customers, users, API tokens, the audit trail and e-signatures."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, Boolean, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from boardline.core import clock
from boardline.core.auth import Role
from boardline.core.db import Base, UTCDateTime


def _role_column() -> Enum:
    return Enum(
        Role, native_enum=False, length=16, values_callable=lambda roles: [r.value for r in roles]
    )


class Audited:
    """Mixin: every create, update and delete of this table appends to the audit trail.

    ``__audit_redact__`` fields are recorded as changed without their values (secrets);
    ``__audit_ignore__`` fields are bookkeeping that changes on its own and is not recorded.
    ``__signature_ignore__`` fields do not count as a change of content for e-signatures.
    """

    __tablename__: str
    __audit_redact__: ClassVar[frozenset[str]] = frozenset()
    __audit_ignore__: ClassVar[frozenset[str]] = frozenset({"version"})
    __signature_ignore__: ClassVar[frozenset[str]] = frozenset({"version"})


class Customer(Audited, Base):
    """An EMS customer account: the owner of products, orders and the records its users see."""

    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class User(Audited, Base):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL
    __audit_redact__ = frozenset({"password_hash"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    role: Mapped[Role] = mapped_column(_role_column())
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    customer: Mapped[Customer | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ApiToken(Audited, Base):
    """A credential for a machine or script: hashed, with a role, an expiry, revocable."""

    __tablename__ = "api_token"
    __audit_redact__ = frozenset({"secret_hash"})
    __audit_ignore__ = frozenset({"version", "last_used_at"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(_role_column())
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def is_live(self, at: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > at


class AuditEntry(Base):
    """One append-only, hash-chained line of the audit trail (see core/audit.py)."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_record", "table_name", "record_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(200), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    table_name: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    changes: Mapped[dict[str, list[Any]]] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Signature(Audited, Base):
    """An electronic signature bound to one record's content at the moment of signing."""

    __tablename__ = "signature"
    __table_args__ = (Index("ix_signature_record", "table_name", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table_name: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    signer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    printed_name: Mapped[str] = mapped_column(String(200))
    meaning: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    signature_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
