"""Benchmark: a full regenerative MRP run over a generated EMS catalogue.

The catalogue has four BOM levels: box builds (level 0) made of PCBAs and mechanical parts,
PCBAs (level 1) of 40-120 component lines each, programmed ICs (level 2) made from a blank
IC (level 3), and purchased components for the rest, with skewed usage (common passives sit
on most boards). Open orders are sales orders and work orders; stock, allocations and open
PO lines cover part of the need. The baseline is one plain walk over every BOM line in the
same run: the ratio says what planning costs over merely reading the BOMs once.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from boardline.supply.mrp import (
    Allocation,
    BomLine,
    Demand,
    DemandKind,
    Item,
    MrpResult,
    PurchaseOrderLine,
    Supply,
    run_mrp,
)

if TYPE_CHECKING:
    from boardline.core.db import Database

TODAY = date(2026, 3, 2)
ATTRITION = [Decimal(0), Decimal("0.005"), Decimal("0.02"), Decimal("0.05")]


def generate(
    *,
    items: int = 20000,
    boxes: int = 200,
    pcbas: int = 1000,
    programmed: int = 300,
    orders: int = 1000,
    seed: int = 11,
) -> tuple[list[Item], list[BomLine], list[Demand], Supply]:
    """A deterministic catalogue, BOMs, open orders and supply for :func:`run_mrp`."""
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    box_ids = [f"BOX-{n:05d}" for n in range(boxes)]
    pcba_ids = [f"PCBA-{n:05d}" for n in range(pcbas)]
    prog_ids = [f"PIC-{n:05d}" for n in range(programmed)]
    blank_ids = [f"IC-{n:05d}" for n in range(programmed)]
    n_parts = items - boxes - pcbas - 2 * programmed
    part_ids = [f"CMP-{n:05d}" for n in range(n_parts)]
    common = part_ids[: n_parts // 40]

    catalogue: list[Item] = [
        Item(i, lead_time_days=rng.randint(3, 15), is_purchased=False)
        for i in (*box_ids, *pcba_ids, *prog_ids)
    ]
    for i in (*blank_ids, *part_ids):
        reel = rng.choice((1, 1, 100, 1000, 4000))
        catalogue.append(
            Item(
                i,
                lead_time_days=rng.randint(5, 120),
                moq=reel * rng.choice((1, 1, 2, 5)),
                multiple=reel,
                attrition=rng.choice(ATTRITION),
            )
        )

    bom: list[BomLine] = []
    for b in box_ids:
        for p in rng.sample(pcba_ids, rng.randint(1, 4)):
            bom.append(BomLine(b, p, rng.randint(1, 2)))
        for c in rng.sample(part_ids, rng.randint(5, 15)):
            bom.append(BomLine(b, c, rng.randint(1, 8)))
    for p in pcba_ids:
        lines = rng.randint(40, 120)
        chosen = set(rng.sample(common, lines // 3))
        chosen.update(rng.sample(part_ids, lines - len(chosen)))
        for c in sorted(chosen):
            bom.append(BomLine(p, c, rng.randint(1, 20)))
        for ic in rng.sample(prog_ids, rng.randint(0, 3)):
            bom.append(BomLine(p, ic, 1))
    for ic, blank in zip(prog_ids, blank_ids, strict=True):
        bom.append(BomLine(ic, blank, 1))

    demands: list[Demand] = []
    allocations: list[Allocation] = []
    children: dict[str, list[str]] = {}
    for line in bom:
        children.setdefault(line.parent, []).append(line.child)
    for n in range(orders):
        due = TODAY + timedelta(days=rng.randint(-10, 180))
        if n % 10 < 7:
            item = rng.choice(box_ids) if n % 2 else rng.choice(pcba_ids)
            demands.append(Demand(f"SO-{n:05d}", item, rng.randint(5, 500), due))
            continue
        item = rng.choice(pcba_ids) if n % 3 else rng.choice(box_ids)
        wo = f"WO-{n:05d}"
        kitted = rng.sample(children[item], len(children[item]) // 4)
        demands.append(
            Demand(
                wo,
                item,
                rng.randint(50, 1000),
                due,
                kind=DemandKind.WORK_ORDER,
                issued=tuple((c, rng.randint(1, 50)) for c in kitted[:3]),
            )
        )
        allocations.extend(Allocation(c, wo, rng.randint(10, 500)) for c in kitted[3:])

    on_hand = {
        i.id: rng.randint(0, 20000) for i in catalogue if i.is_purchased and rng.random() < 0.6
    }
    for a in allocations:
        on_hand[a.item] = on_hand.get(a.item, 0) + a.quantity
    pos = [
        PurchaseOrderLine(
            f"PO-{n:05d}",
            rng.choice(part_ids),
            rng.randint(1, 50) * 100,
            TODAY + timedelta(days=rng.randint(-5, 90)),
        )
        for n in range(items // 4)
    ]
    return catalogue, bom, demands, Supply(on_hand, allocations, pos)


def _best_of(runs: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run_mrp_bench(console: Console, *, pg_url: str | None = None) -> None:
    """The pure engine's figures, then the same plan through the database on each backend."""
    seconds = _run_pure_bench(console)
    run_mrp_db_bench(console, pure_seconds=seconds, pg_url=pg_url)


def _run_pure_bench(console: Console) -> float:
    """Generate 20 000 items and 1 000 open orders, plan them (best of 3) and print the figures.

    The baseline walks every BOM line once through a dict of parent -> lines (best of 10), in
    the same process and the same run, so the ratio is comparable between machines.
    """
    items, bom, demands, supply = generate()
    result: list[MrpResult] = []

    def plan() -> None:
        result[:] = [run_mrp(items, bom, demands, supply, today=TODAY)]

    by_parent: dict[str, list[tuple[str, int]]] = {}
    for line in bom:
        by_parent.setdefault(line.parent, []).append((line.child, line.quantity))

    def walk() -> None:
        total = 0
        for lines in by_parent.values():
            for _child, qty in lines:
                total += qty

    seconds = _best_of(3, plan)
    baseline = _best_of(10, walk)  # a few milliseconds: more runs to steady the ratio
    res = result[0]
    work_orders = len(res.clear_to_build)
    table = Table(title="MRP: regenerative run (best of 3)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [
        ("items", f"{len(items):,}"),
        ("open orders (sales + work)", f"{len(demands):,}"),
        ("BOM lines", f"{len(bom):,}"),
        ("open PO lines", f"{len(supply.purchase_orders):,}"),
        ("planned orders", f"{len(res.planned_orders):,}"),
        ("  of which late", f"{sum(p.late for p in res.planned_orders):,}"),
        ("shortages (item, date)", f"{len(res.shortages):,}"),
        (
            "work orders clear to build",
            f"{sum(c.clear for c in res.clear_to_build.values()):,} / {work_orders:,}",
        ),
        ("MRP run", f"{seconds:.3f} s"),
        ("baseline: one walk over BOM lines", f"{baseline * 1000:.2f} ms"),
        ("ratio MRP / baseline", f"{seconds / baseline:.0f}x"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
    return seconds


def run_mrp_db_bench(console: Console, *, pure_seconds: float, pg_url: str | None) -> None:
    """``boardline mrp run`` end to end on the generated catalogue, stored as real records.

    Timed: reading items, offers, revisions, BOMs, orders, stock, kits and PO lines, the
    plan itself, and writing the plan's rows, committed. Not timed: loading the records.
    The pure engine on the same data in the same run is the baseline.
    """
    from boardline.core.auth import Actor
    from boardline.core.bench import bench_databases
    from boardline.core.db import Database
    from boardline.supply import planning

    data = generate()
    table = Table(title="MRP through the database: read, plan, store (best of 3)")
    for col in ("database", "items", "BOM lines", "planned", "shortages", "s", "× pure engine"):
        table.add_column(col, justify="left" if col == "database" else "right")
    actor = Actor.system("bench")
    for name, url in bench_databases(pg_url):
        db = Database(url)
        seed_database(db, *data)
        outcome: list[planning.RunOutcome] = []

        def run(db: Database = db, outcome: list[planning.RunOutcome] = outcome) -> None:
            with db.unit_of_work(actor) as s:
                outcome[:] = [planning.do_run_mrp(s, actor, today=TODAY)]

        seconds = _best_of(3, run)
        counts = outcome[0].run.counts
        table.add_row(
            name,
            f"{counts['items']:,}",
            f"{counts['bom_lines']:,}",
            f"{counts['planned_orders']:,}",
            f"{counts['shortages']:,}",
            f"{seconds:.2f}",
            f"{seconds / pure_seconds:.2f}",
        )
        db.dispose()
    console.print(table)


def seed_database(
    db: Database, items: list[Item], bom: list[BomLine], demands: list[Demand], supply: Supply
) -> None:
    """Store a generated catalogue as Boardline records, in bulk (bench setup, not audited)."""
    from sqlalchemy import insert, select

    from boardline.catalog.tables import Item as ItemRow
    from boardline.catalog.tables import ItemPart, Manufacturer
    from boardline.core.auth import Actor
    from boardline.core.tables import Customer
    from boardline.npi.tables import BomLineRow, Product, Revision
    from boardline.production.tables import WorkOrder
    from boardline.supply.tables import (
        KitReservation,
        MaterialPackage,
        Offer,
        PurchaseOrder,
        PurchaseOrderLine,
        SalesOrder,
        Supplier,
    )

    made = {i.id for i in items if not i.is_purchased}
    with db.unit_of_work(Actor.system("bench")) as s:
        x = s.execute
        customer = x(insert(Customer).values(code="BENCH", name="Bench").returning(Customer.id))
        cust = customer.scalar_one()
        mfr = x(insert(Manufacturer).values(name="Bench", key="BENCH").returning(Manufacturer.id))
        mfr_id = mfr.scalar_one()
        sup = x(insert(Supplier).values(code="BENCH", name="Bench").returning(Supplier.id))
        sup_id = sup.scalar_one()
        x(
            insert(ItemRow),
            [
                {"number": i.id, "attrition_pct": float(Decimal(str(i.attrition)) * 100)}
                for i in items
            ],
        )
        item_id = dict(s.execute(select(ItemRow.number, ItemRow.id)).all())
        purchased = [i for i in items if i.is_purchased]
        x(
            insert(ItemPart),
            [
                {"item_id": item_id[i.id], "manufacturer_id": mfr_id, "mpn": i.id, "mpn_key": i.id}
                for i in items  # made items too: programmed ICs are kept in stock
            ],
        )
        part_id = dict(s.execute(select(ItemPart.mpn, ItemPart.id)).all())
        x(
            insert(Offer),
            [
                {
                    "supplier_id": sup_id,
                    "item_part_id": part_id[i.id],
                    "packaging": "reel",
                    "moq": i.moq,
                    "multiple": i.multiple,
                    "lead_time_days": i.lead_time_days,
                    "breaks": [[1, "0.01"]],
                }
                for i in purchased
            ],
        )
        x(insert(Product), [{"customer_id": cust, "code": m, "name": m} for m in sorted(made)])
        product_id = dict(s.execute(select(Product.code, Product.id)).all())
        x(
            insert(Revision),
            [
                {"product_id": product_id[m], "label": "A", "item_id": item_id[m], "summary": {}}
                for m in sorted(made)
            ],
        )
        rev_of = dict(
            s.execute(
                select(Product.code, Revision.id).join(Revision, Revision.product_id == Product.id)
            ).all()
        )
        x(
            insert(BomLineRow),
            [
                {
                    "revision_id": rev_of[b.parent],
                    "position": n,
                    "source": "bench",
                    "line": n,
                    "refdes": [],
                    "quantity": b.quantity,
                    "mpn": b.child,
                    "manufacturer": "Bench",
                    "value": "",
                    "footprint": "",
                    "description": "",
                    "dnp": False,
                    "supplier_parts": [],
                    "alternates": [],
                    "item_id": item_id[b.child],
                }
                for n, b in enumerate(bom, 1)
            ],
        )
        lead = {i.id: i.lead_time_days for i in items}
        x(
            insert(SalesOrder),
            [
                {
                    "number": d.id,
                    "customer_id": cust,
                    "revision_id": rev_of[d.item],
                    "quantity": d.quantity,
                    "due_date": d.due,
                }
                for d in demands
                if d.kind is DemandKind.SALES_ORDER
            ],
        )
        work_orders = [d for d in demands if d.kind is DemandKind.WORK_ORDER]
        x(
            insert(WorkOrder),
            [
                {
                    "number": d.id,
                    "customer_id": cust,
                    "revision_id": rev_of[d.item],
                    "stage": "mass_production",
                    "quantity": d.quantity,
                    "start_date": d.start or d.due - timedelta(days=lead[d.item]),
                    "due_date": d.due,
                    "state": "released",
                }
                for d in work_orders
            ],
        )
        wo_id = dict(s.execute(select(WorkOrder.number, WorkOrder.id)).all())
        # Stock: one free package per item, one package per kit allocation, one per issue.
        allocated: dict[str, int] = {}
        for a in supply.allocations:
            allocated[a.item] = allocated.get(a.item, 0) + a.quantity
        packages: list[dict[str, Any]] = []
        kits: list[tuple[str, str, int, str]] = []  # work order, item, quantity, state
        for item, qty in supply.on_hand.items():
            free = qty - allocated.get(item, 0)
            if free > 0:
                packages.append({"item": item, "quantity": free})
        for a in supply.allocations:
            kits.append((a.demand_id, a.item, a.quantity, "reserved"))
        for d in work_orders:
            kits.extend((d.id, c, q, "issued") for c, q in d.issued)
        packages.extend({"item": item, "quantity": q} for _, item, q, _ in kits)
        x(
            insert(MaterialPackage),
            [
                {
                    "uid": f"BENCH{n:08d}",
                    "item_part_id": part_id[p["item"]],
                    "supplier_id": sup_id,
                    "quantity": p["quantity"],
                    "packaging": "reel",
                    "state": "available",
                }
                for n, p in enumerate(packages)
            ],
        )
        package_id = dict(s.execute(select(MaterialPackage.uid, MaterialPackage.id)).all())
        first_kit = len(packages) - len(kits)
        x(
            insert(KitReservation),
            [
                {
                    "work_order_id": wo_id[wo],
                    "package_id": package_id[f"BENCH{first_kit + n:08d}"],
                    "item_id": item_id[item],
                    "quantity": q,
                    "state": state,
                }
                for n, (wo, item, q, state) in enumerate(kits)
            ],
        )
        lines = list(supply.purchase_orders)
        x(
            insert(PurchaseOrder),
            [
                {"number": f"PO-{n:06d}", "supplier_id": sup_id, "state": "sent"}
                for n in range(0, len(lines), 10)
            ],
        )
        po_id = dict(s.execute(select(PurchaseOrder.number, PurchaseOrder.id)).all())
        x(
            insert(PurchaseOrderLine),
            [
                {
                    "po_id": po_id[f"PO-{n - n % 10:06d}"],
                    "position": n % 10 + 1,
                    "item_part_id": part_id[line.item],
                    "quantity": line.quantity,
                    "due_date": line.due,
                }
                for n, line in enumerate(lines)
            ],
        )
