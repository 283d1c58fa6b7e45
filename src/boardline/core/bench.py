"""Benchmark of the audit trail: append and verify throughput, against pure hashing.

The baseline is the same SHA-256 over the same canonical JSON without any database,
measured in the same run, so the ratio says how much the storage costs on this machine.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from boardline.core import audit_trail, migrate, services
from boardline.core.audit import GENESIS_HASH, AuditFacts
from boardline.core.auth import Actor
from boardline.core.db import Database

BATCH = 500


def _pure_hash_rate(n: int) -> float:
    prev = GENESIS_HASH
    at = datetime.now(UTC)
    start = time.perf_counter()
    for seq in range(1, n + 1):
        prev = AuditFacts(
            seq,
            at,
            "user:bench",
            "update",
            "customer",
            "1",
            {"notes": [f"n{seq - 1}", f"n{seq}"]},
            None,
            prev,
        ).digest()
    return n / (time.perf_counter() - start)


def _measure(db: Database, entries: int) -> tuple[float, float]:
    actor = Actor.system("bench")
    with db.unit_of_work(actor) as s:
        customer = services.do_create_customer(s, actor, code="BENCH", name="Bench")
        cid = customer.id
    start = time.perf_counter()
    written = 0
    while written < entries:
        with db.unit_of_work(actor) as s:
            c = services.access_customer(s, actor, cid)
            for _ in range(min(BATCH, entries - written)):
                c.notes = f"n{written}"
                s.flush()  # one audit entry per flush, as a sequence of edits would make
                written += 1
    append_rate = written / (time.perf_counter() - start)
    start = time.perf_counter()
    with db.unit_of_work(actor, write=False) as s:
        result = audit_trail.verify_trail(s, actor)
    verify_rate = result.checked / (time.perf_counter() - start)
    if not result.ok:
        raise RuntimeError(f"benchmark chain broken: {result.problem}")
    return append_rate, verify_rate


def run_audit_bench(console: Console, *, entries: int, pg_url: str | None) -> None:
    table = Table(title=f"Audit trail, {entries} entries")
    for col in ("database", "append /s", "verify /s", "verify vs pure hashing"):
        table.add_column(col, justify="right" if col != "database" else "left")
    pure = _pure_hash_rate(entries)
    table.add_row("(pure SHA-256 chain, no database)", "", f"{pure:,.0f}", "1.00")
    for name, url in bench_databases(pg_url):
        db = Database(url)
        append, verify = _measure(db, entries)
        db.dispose()
        table.add_row(name, f"{append:,.0f}", f"{verify:,.0f}", f"{verify / pure:.2f}")
    console.print(table)


def bench_databases(pg_url: str | None) -> Iterator[tuple[str, str]]:
    """Fresh, migrated databases to measure on: a temporary SQLite file, and a throwaway
    PostgreSQL database next to ``pg_url`` when one is given (dropped afterwards)."""
    with _sqlite_db() as url:
        yield "sqlite", url
    if pg_url:
        with _postgres_db(pg_url) as url:
            yield "postgresql", url


@contextmanager
def _sqlite_db() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite"
        migrate.upgrade(url)
        yield url


@contextmanager
def _postgres_db(pg_url: str) -> Iterator[str]:
    name = f"boardline_bench_{uuid.uuid4().hex[:8]}"
    admin = Database(pg_url)
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = pg_url.rsplit("/", 1)[0] + f"/{name}"
        migrate.upgrade(url)
        yield url
    finally:
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
