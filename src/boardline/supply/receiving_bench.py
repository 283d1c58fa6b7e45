"""Benchmark: a delivery of 1 000 reels received against a PO line, with their labels.

On a fresh database (a temporary SQLite file, and a throwaway PostgreSQL database when a
URL is given) a supplier, an item and a sent purchase order are set up; then the timed
part: receiving 1 000 packages in one unit of work (IDs, PO booking, audit trail, MSD
events) and producing their labels, one 1 000-page PDF and the ZPL for all. The baseline,
measured in the same run on the same database, is a raw ``executemany`` of 1 000 rows
into a table shaped like the packages table: the ratio says what the whole use case
costs over merely storing the rows. The target is 5 s for the total.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from sqlalchemy import Column, Date, Integer, MetaData, String, insert
from sqlalchemy import Table as CoreTable

from boardline.catalog import services as catalog
from boardline.core import clock
from boardline.core.auth import Actor
from boardline.core.bench import bench_databases
from boardline.core.db import Database, UTCDateTime
from boardline.supply import labels, packages, purchasing
from boardline.supply import services as supply

PACKAGES = 1000
PER_PACKAGE = 5000
TARGET_S = 5.0
ACTOR = Actor.system("bench")


@dataclass(frozen=True, slots=True)
class Figures:
    receive_s: float
    pdf_s: float
    zpl_s: float
    baseline_s: float

    @property
    def total_s(self) -> float:
        return self.receive_s + self.pdf_s + self.zpl_s


def _sent_line(db: Database) -> int:
    with db.unit_of_work(ACTOR) as s:
        item = catalog.do_create_item(s, ACTOR, number="BENCH-RES", msl="3", shelf_life_days=730)
        catalog.do_add_part(s, ACTOR, item.id, manufacturer="Yageo", mpn="RC0402FR-0710KL")
        dist = supply.do_create_supplier(s, ACTOR, code="BENCH", name="Bench Distribution")
        po = purchasing.do_create_po(s, ACTOR, supplier_id=dist.id)
        line = purchasing.do_add_line(
            s,
            ACTOR,
            po.id,
            manufacturer="Yageo",
            mpn="RC0402FR-0710KL",
            quantity=PACKAGES * PER_PACKAGE,
            unit_price="0.0011",
            due_date=clock.today(),
        )
        purchasing.do_approve(s, ACTOR, po.id)
        purchasing.do_send(s, ACTOR, po.id)
        return line.id


def _baseline(db: Database) -> float:
    """Seconds to insert PACKAGES rows like packages with one executemany, committed."""
    meta = MetaData()
    raw = CoreTable(
        "bench_raw_package",
        meta,
        Column("id", Integer, primary_key=True),
        Column("uid", String(32), unique=True),
        Column("item_part_id", Integer),
        Column("quantity", Integer),
        Column("lot", String(64)),
        Column("date_code", String(16)),
        Column("msl", String(4)),
        Column("state", String(16)),
        Column("received_at", UTCDateTime),
        Column("po_line_id", Integer),
        Column("expires_on", Date),
    )
    meta.create_all(db.engine)
    now = clock.now()
    rows = [
        {
            "uid": f"RAW-{n:08d}",
            "item_part_id": 1,
            "quantity": PER_PACKAGE,
            "lot": "L1",
            "date_code": "2612",
            "msl": "3",
            "state": "hold",
            "received_at": now,
            "po_line_id": 1,
            "expires_on": now.date(),
        }
        for n in range(PACKAGES)
    ]
    try:
        start = time.perf_counter()
        with db.engine.begin() as conn:
            conn.execute(insert(raw), rows)
        return time.perf_counter() - start
    finally:
        meta.drop_all(db.engine)


def measure(url: str) -> Figures:
    """Set up a sent PO on the (migrated, empty) database at ``url`` and time the receipt."""
    db = Database(url)
    try:
        line_id = _sent_line(db)
        receipt = packages.Receipt(
            "", "", PER_PACKAGE, lot="L2612", date_code="2612", po_line_id=line_id
        )
        start = time.perf_counter()
        with db.unit_of_work(ACTOR) as s:
            made = packages.do_receive_many(s, ACTOR, receipt, PACKAGES)
            printed = [packages.label_of(p) for p in made]
        received = time.perf_counter()
        pdf = labels.label_pdf(*printed)
        pdf_done = time.perf_counter()
        zpl = "".join(labels.zpl_label(label) for label in printed)
        zpl_done = time.perf_counter()
        if not pdf.startswith(b"%PDF") or zpl.count("^XA") != PACKAGES:
            raise RuntimeError("the benchmark's labels came out wrong")
        return Figures(
            receive_s=received - start,
            pdf_s=pdf_done - received,
            zpl_s=zpl_done - pdf_done,
            baseline_s=_baseline(db),
        )
    finally:
        db.dispose()


def run_receiving_bench(console: Console, *, pg_url: str | None = None) -> None:
    table = Table(title=f"Receiving {PACKAGES:,} packages against a PO line, labels (seconds)")
    columns = (
        "db",
        "receive",
        "PDF",
        "ZPL",
        "total",
        "pkg/s",
        "raw",
        "vs raw",
        f"≤ {TARGET_S:g} s",
    )
    for col in columns:
        table.add_column(col, justify="left" if col == "db" else "right")
    for name, url in bench_databases(pg_url):
        f = measure(url)
        table.add_row(
            name,
            f"{f.receive_s:.2f}",
            f"{f.pdf_s:.2f}",
            f"{f.zpl_s:.2f}",
            f"{f.total_s:.2f}",
            f"{PACKAGES / f.total_s:,.0f}",
            f"{f.baseline_s:.3f}",
            f"{f.receive_s / f.baseline_s:.0f}×",
            "yes" if f.total_s <= TARGET_S else "NO",
        )
    console.print(table)
    console.print(
        "receive: IDs, PO booking, audit trail and MSD events in one unit of work; raw: "
        f"an executemany of {PACKAGES:,} rows alike; target: total ≤ {TARGET_S:.0f} s"
    )
