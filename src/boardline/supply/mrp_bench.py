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


def run_mrp_bench(console: Console) -> None:
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
