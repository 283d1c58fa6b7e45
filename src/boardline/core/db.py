"""Database engine, declarative base, column types and the unit of work.

SQLite is the embedded default and PostgreSQL the production database; everything here
works on both. Write transactions on SQLite start with ``BEGIN IMMEDIATE`` so two writers
queue on the database lock instead of one failing late on a stale snapshot (the audit
chain reads its head before it appends).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from boardline.core.auth import Actor
from boardline.core.errors import Conflict, StaleRecord

# Stable constraint names so Alembic migrations name things the same on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no time zones and returns naive values; without this the same row would
    compare and hash differently on the two databases.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Boardline stores UTC-aware times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url`` with the per-database settings Boardline relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    # Sessions in UTC, so date() and friends agree with what SQLite computes.
    return create_engine(
        url, echo=echo, pool_pre_ping=True, connect_args={"options": "-c timezone=UTC"}
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction begins.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("boardline_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """One database: its engine and how to open sessions on it."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(boardline_write=True), expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def unit_of_work(self, actor: Actor, *, write: bool = True) -> Iterator[Session]:
        """A session that commits as a whole on success and rolls back on any error.

        The actor rides along in ``session.info`` so the audit trail knows who acted;
        callbacks registered with :func:`on_commit` run only after the commit succeeded.
        """
        factory = self._write if write else self._read
        session = factory()
        session.info["actor"] = actor
        try:
            yield session
            if write:
                session.commit()
            # A read ends in close(): objects stay readable, nothing was written.
        except StaleDataError as exc:
            session.rollback()
            raise StaleRecord(
                "the record was changed by someone else meanwhile; reload and try again"
            ) from exc
        except IntegrityError as exc:
            session.rollback()
            raise Conflict(f"the change conflicts with stored data: {exc.orig}") from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            callbacks: list[Callable[[], None]] = session.info.pop("after_commit", [])
            session.close()
        for callback in callbacks:
            callback()

    def dispose(self) -> None:
        self.engine.dispose()


def actor_of(session: Session) -> Actor:
    """The actor a unit of work was opened for."""
    actor = session.info.get("actor")
    if not isinstance(actor, Actor):
        raise RuntimeError("session opened without an actor; use Database.unit_of_work")
    return actor


def on_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's transaction has committed (events, webhooks)."""
    session.info.setdefault("after_commit", []).append(callback)
