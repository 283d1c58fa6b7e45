"""Benchmark: the interlock's check on a database of a million units.

Setup bulk-loads (Core ``executemany`` in batches on SQLite, ``COPY`` on PostgreSQL, not
the services) 1 000 work orders of 1 000 units each on one released 10-step routing, with
about five events per unit (``created`` and one to seven passed steps). Then it times
:func:`boardline.production.interlock.check_unit` for random serials at random stations,
each call in its own read unit of work as a page request or a CFX request would make it.
The baseline, measured in the same run the same way, is a bare primary-key select of one
unit: the ratio says what the whole interlock costs over the cheapest possible read.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Table as SaTable
from sqlalchemy import insert, select, text

from boardline.core import services as core_services
from boardline.core.auth import Actor
from boardline.core.bench import bench_databases
from boardline.core.db import Database
from boardline.npi import services as npi
from boardline.production import factory, interlock
from boardline.production.tables import (
    RoutingOperationRow,
    RoutingRow,
    Unit,
    UnitEvent,
    WorkOrder,
)

WORK_ORDERS = 1_000
UNITS_PER_ORDER = 1_000
CHECKS = 2_000
BATCH = 50_000
ROUTE = (
    "printer",
    "spi",
    "placer",
    "reflow",
    "aoi",
    "xray",
    "ict",
    "fct",
    "coating",
    "pack",
)
AT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _events(unit_id: int, rng: random.Random) -> Iterator[tuple[int, str, int | None]]:
    yield unit_id, "created", None
    for index in range(rng.randint(1, 7)):
        yield unit_id, "passed", 10 * (index + 1)


def _setup(db: Database, rng: random.Random) -> int:
    """Load the world; returns the number of units."""
    actor = Actor.system("bench")
    with db.unit_of_work(actor) as s:
        customer = core_services.do_create_customer(s, actor, code="BENCH", name="Bench")
        product = npi.do_create_product(
            s, actor, customer_id=customer.id, code="B-1", name="Bench board"
        )
        revision = npi.do_create_revision(s, actor, product.id, label="A")
        factory.do_create_site(s, actor, code="S1", name="Site")
        factory.do_create_line(s, actor, site_code="S1", code="L1", name="Line", kind="smt")
        for kind in (*ROUTE, "repair"):
            factory.do_create_station(
                s, actor, code=kind.upper(), name=kind, station_type=kind, line_code="L1"
            )
        routing = RoutingRow(revision_id=revision.id, number=1, released=True, released_at=AT)
        s.add(routing)
        s.flush()
        for index, kind in enumerate(ROUTE):
            s.add(
                RoutingOperationRow(
                    routing_id=routing.id,
                    step=10 * (index + 1),
                    name=kind,
                    station_type=kind,
                    is_test=kind in ("spi", "aoi", "xray", "ict", "fct"),
                )
            )
        customer_id, revision_id, routing_id = customer.id, revision.id, routing.id

    orders = [
        {
            "id": n,
            "number": f"WO-{n:06d}",
            "customer_id": customer_id,
            "revision_id": revision_id,
            "stage": "prototype",
            "quantity": UNITS_PER_ORDER,
            "start_date": date(2026, 3, 2),
            "due_date": date(2026, 3, 9),
            "state": "in_progress",
            "completed_quantity": 0,
            "scrapped_quantity": 0,
            "notes": "",
            "created_at": AT,
            "routing_id": routing_id,
            "on_hold": False,
            "hold_reason": "",
            "started_quantity": 0,
            "version": 1,
        }
        for n in range(1, WORK_ORDERS + 1)
    ]
    with db.engine.begin() as conn:
        conn.execute(insert(WorkOrder), orders)

    total = WORK_ORDERS * UNITS_PER_ORDER

    def unit_rows() -> Iterator[tuple[Any, ...]]:
        for unit_id in range(1, total + 1):
            wo = (unit_id - 1) // UNITS_PER_ORDER + 1
            yield (unit_id, f"BL{unit_id:09d}", wo, "in_progress", False, "", AT, 1)

    def event_rows() -> Iterator[tuple[Any, ...]]:
        event_id = 0
        for unit_id in range(1, total + 1):
            for unit, kind, step in _events(unit_id, rng):
                event_id += 1
                yield (event_id, unit, kind, step, "bench", AT, "{}")

    unit_cols = (
        *("id", "serial", "work_order_id", "state", "on_hold", "hold_reason"),
        *("created_at", "version"),
    )
    event_cols = ("id", "unit_id", "kind", "step", "operator", "at", "detail")
    units_table: SaTable = Unit.__table__  # type: ignore[assignment]
    events_table: SaTable = UnitEvent.__table__  # type: ignore[assignment]
    if db.dialect == "postgresql":
        _copy(db, units_table.name, unit_cols, unit_rows())
        _copy(db, events_table.name, event_cols, event_rows())
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"VACUUM ANALYZE {units_table.name}"))
            conn.execute(text(f"VACUUM ANALYZE {events_table.name}"))
    else:
        _batches(db, units_table, unit_cols, unit_rows())
        _batches(db, events_table, event_cols, event_rows(), json_col="detail")
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return total


def _batches(
    db: Database,
    table: SaTable,
    cols: tuple[str, ...],
    rows: Iterator[tuple[Any, ...]],
    json_col: str | None = None,
) -> None:
    """Core executemany in batches of :data:`BATCH`."""
    stmt = insert(table)
    batch: list[dict[str, Any]] = []
    with db.engine.begin() as conn:
        for row in rows:
            values = dict(zip(cols, row, strict=True))
            if json_col is not None:
                values[json_col] = {}
            batch.append(values)
            if len(batch) == BATCH:
                conn.execute(stmt, batch)
                batch = []
        if batch:
            conn.execute(stmt, batch)


def _copy(db: Database, table: str, cols: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> None:
    """PostgreSQL ``COPY … FROM STDIN`` through psycopg."""
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def _timed(calls: int, call: Callable[[], object]) -> list[float]:
    """Milliseconds per call."""
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _pct(times: list[float], p: int) -> float:
    return statistics.quantiles(times, n=100)[p - 1]


def _measure(db: Database, total: int, rng: random.Random) -> tuple[list[float], list[float]]:
    actor = Actor.system("bench")
    stations = [kind.upper() for kind in (*ROUTE, "repair")]
    answers: dict[str, int] = {}

    def check() -> None:
        serial = f"BL{rng.randint(1, total):09d}"
        with db.unit_of_work(actor, write=False) as s:
            reason = interlock.check_unit(s, actor, serial, rng.choice(stations)).reason
        answers[reason.value] = answers.get(reason.value, 0) + 1

    def baseline() -> None:
        with db.unit_of_work(actor, write=False) as s:
            s.execute(select(Unit.serial).where(Unit.id == rng.randint(1, total))).one()

    _timed(200, check)  # warm up: pool, statement caches, the routing cache
    _timed(200, baseline)
    checks = _timed(CHECKS, check)
    base = _timed(CHECKS, baseline)
    if answers.get("unknown_unit"):
        raise RuntimeError(f"benchmark serials not found: {answers}")
    return checks, base


def run_units_bench(console: Console, *, pg_url: str | None = None) -> None:
    """Load a million units per database and print the interlock's check latency."""
    table = Table(title=f"Interlock check_unit, {WORK_ORDERS * UNITS_PER_ORDER:,} units")
    for col in ("database", "setup s", "p50 ms", "p95 ms", "p99 ms", "baseline p50 ms", "ratio"):
        table.add_column(col, justify="left" if col == "database" else "right")
    for name, url in bench_databases(pg_url):
        rng = random.Random(7)  # noqa: S311 (test data, not secrets)
        db = Database(url)
        start = time.perf_counter()
        total = _setup(db, rng)
        setup = time.perf_counter() - start
        console.print(f"{name}: {total:,} units loaded in {setup:.0f} s")
        checks, base = _measure(db, total, rng)
        db.dispose()
        p50, base50 = statistics.median(checks), statistics.median(base)
        table.add_row(
            name,
            f"{setup:.0f}",
            f"{p50:.2f}",
            f"{_pct(checks, 95):.2f}",
            f"{_pct(checks, 99):.2f}",
            f"{base50:.2f}",
            f"{p50 / base50:.1f}",
        )
    console.print(table)
