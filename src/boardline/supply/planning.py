"""MRP against the database: read the plan's inputs, run the pure engine, store the result.

The engine (``mrp.py``) knows nothing of tables. This module turns Boardline's records into
its inputs and its answer back into rows:

- **Nodes.** Purchased parts are catalog items, named by item number. A made node is a
  product revision with a BOM. A revision that builds a catalog item (a PCBA used in a box
  build's BOM, ``Revision.item_id``) is named by that item's number, so the box build's BOM
  line for the PCBA explodes into the PCBA's own BOM: that is what makes the BOMs
  multi-level. When several revisions build one item, the newest is the item's BOM; an
  older revision still ordered is planned as a node of its own.
- **Demand.** Open sales orders (ordered minus shipped) and open work orders (quantity
  minus completed and scrapped, less what was already issued to them).
- **Supply.** Usable stock (available or in incoming inspection; not blocked, quarantined,
  expired, empty or already issued to a line), kit reservations as allocations to their
  work orders, open purchase order lines by due date.
- **Gaps are reported, not guessed.** A BOM line not linked to an item cannot be planned
  and a revision without any linked line cannot be exploded: the run records both as
  warnings and leaves the demand out rather than plan it wrong.

Everything is read with a handful of set-based queries, never a query per item, and the
result is written in bulk (PostgreSQL ``COPY``), so a run over 20 000 items stays in the
same few seconds on both databases.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boardline.catalog.tables import Item as ItemRow
from boardline.catalog.tables import ItemPart
from boardline.core import clock
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import Conflict, InvalidInput, NotFound
from boardline.core.memory import cyclic_gc_paused
from boardline.core.tables import Customer
from boardline.npi.tables import BomLineRow, Product, Revision
from boardline.production.tables import WorkOrder
from boardline.production.work_orders import OPEN_STATES as OPEN_WORK_ORDER_STATES
from boardline.supply import mrp, purchasing
from boardline.supply.kitting import allocations as kit_allocations
from boardline.supply.kitting import issued_by_work_order
from boardline.supply.offers import best_choice
from boardline.supply.sales import open_sales_demand
from boardline.supply.services import terms_of
from boardline.supply.stock import usable_on_hand
from boardline.supply.tables import (
    MrpClearToBuild,
    MrpPlannedOrder,
    MrpRun,
    MrpShortage,
    Offer,
    PurchaseOrder,
    SalesOrder,
)

# A purchased part nobody offers yet: plan it with a cautious lead time, flagged "no offer".
DEFAULT_PURCHASE_LEAD_DAYS = 28
# Days from a planned build's start to its completion when no work order says otherwise.
DEFAULT_BUILD_LEAD_DAYS = 5


@dataclass(slots=True)
class Node:
    """What an engine id stands for: a catalog item, a revision, or both (a made item)."""

    id: str
    item_id: int | None = None
    revision_id: int | None = None


@dataclass(slots=True)
class Inputs:
    items: list[mrp.Item]
    bom: list[mrp.BomLine]
    demands: list[mrp.Demand]
    supply: mrp.Supply
    nodes: dict[str, Node]
    work_order_ids: dict[str, int]
    warnings: list[str]


def load_inputs(session: Session, today: date) -> Inputs:
    """Read everything one regenerative run needs, in a fixed number of queries."""
    warnings: list[str] = []
    nodes: dict[str, Node] = {}
    item_node: dict[int, str] = {}
    engine_items: dict[str, mrp.Item] = {}

    terms = _quickest_terms(session)
    for item_id, number, attrition in session.execute(
        select(ItemRow.id, ItemRow.number, ItemRow.attrition_pct)
    ):
        nodes[number] = Node(number, item_id=item_id)
        item_node[item_id] = number
        engine_items[number] = _purchased(number, attrition, terms.get(item_id))

    # Revisions: which build an item (newest wins), which are demanded directly.
    revisions: dict[int, tuple[int | None, str]] = {}  # id -> (item id, display name)
    current_for_item: dict[int, int] = {}
    for rev_id, made_item, label, product_code, customer_code in session.execute(
        select(Revision.id, Revision.item_id, Revision.label, Product.code, Customer.code)
        .join(Product, Product.id == Revision.product_id)
        .join(Customer, Customer.id == Product.customer_id)
        .order_by(Revision.id)
    ):
        revisions[rev_id] = (made_item, f"{customer_code}/{product_code} rev {label}")
        if made_item is not None:
            current_for_item[made_item] = rev_id  # ordered by id: the newest remains

    def revision_node(rev_id: int) -> str:
        item_id, name = revisions[rev_id]
        if item_id is not None and current_for_item.get(item_id) == rev_id:
            return item_node[item_id]
        return name

    sales = [(d.number, d.revision_id, d.remaining, d.due_date) for d in open_sales_demand(session)]
    work_orders = session.execute(
        select(
            WorkOrder.id,
            WorkOrder.number,
            WorkOrder.revision_id,
            WorkOrder.quantity - WorkOrder.completed_quantity - WorkOrder.scrapped_quantity,
            WorkOrder.start_date,
            WorkOrder.due_date,
        ).where(WorkOrder.state.in_(OPEN_WORK_ORDER_STATES))
    ).all()

    # The revisions to explode: those ordered, then (level by level) those that build an
    # item appearing in an exploded BOM.
    to_explode = {r for _, r, _, _ in sales} | {r for _, _, r, _, _, _ in work_orders}
    bom_of: dict[int, list[tuple[int, int]]] = {}
    unlinked: dict[int, int] = {}
    pending = set(to_explode)
    while pending:
        for rev_id in pending:
            bom_of.setdefault(rev_id, [])
        next_round: set[int] = set()
        for rev_id, child, per_board in _bom_lines(session, pending):
            if child is None:
                unlinked[rev_id] = unlinked.get(rev_id, 0) + 1
                continue
            if per_board and per_board > 0:
                bom_of[rev_id].append((child, per_board))
            made_by = current_for_item.get(child)
            if made_by is not None and made_by not in bom_of:
                next_round.add(made_by)
        pending = next_round

    bom: list[mrp.BomLine] = []
    plannable: set[int] = set()
    for rev_id, components in bom_of.items():
        name = revisions[rev_id][1]
        if unlinked.get(rev_id):
            warnings.append(
                f"{name}: {unlinked[rev_id]} BOM line(s) not linked to a catalog item "
                "are not planned; link them on the revision's BOM page"
            )
        if not components:
            warnings.append(f"{name}: no BOM line is linked to an item; its demand is not planned")
            continue
        plannable.add(rev_id)
        node_id = revision_node(rev_id)
        node = nodes.setdefault(node_id, Node(node_id))
        node.revision_id = rev_id
        current = engine_items.get(node_id)
        engine_items[node_id] = mrp.Item(
            node_id,
            lead_time_days=DEFAULT_BUILD_LEAD_DAYS,
            attrition=current.attrition if current else Decimal(0),
            is_purchased=False,
        )
        bom.extend(mrp.BomLine(node_id, item_node[i], q) for i, q in components)

    issued: dict[int, dict[int, int]] = {}
    for (wo_id, item_id), quantity in issued_by_work_order(session).items():
        issued.setdefault(wo_id, {})[item_id] = quantity
    demands: list[mrp.Demand] = []
    for number, rev_id, remaining, due in sales:
        if rev_id in plannable:
            demands.append(mrp.Demand(number, revision_node(rev_id), max(remaining, 0), due))
    work_order_ids: dict[str, int] = {}
    for wo_id, number, rev_id, remaining, start, due in work_orders:
        if rev_id not in plannable:
            continue
        work_order_ids[number] = wo_id
        demands.append(
            mrp.Demand(
                number,
                revision_node(rev_id),
                max(remaining, 0),
                due,
                kind=mrp.DemandKind.WORK_ORDER,
                start=start,
                issued=tuple((item_node[i], q) for i, q in issued.get(wo_id, {}).items() if q > 0),
            )
        )

    on_hand = {item_node[i]: q for i, q in usable_on_hand(session, today).items() if q > 0}
    wo_numbers = {v: k for k, v in work_order_ids.items()}
    reserved = [
        mrp.Allocation(item_node[i], wo_numbers[wo], q)
        for i, wo, q in kit_allocations(session)
        if wo in wo_numbers and q > 0
    ]
    purchase_orders = [
        mrp.PurchaseOrderLine(f"PO line {line_id}", item_node[i], q, due)
        for line_id, i, q, due in purchasing.open_po_lines(session, include_drafts=True)
    ]
    return Inputs(
        items=list(engine_items.values()),
        bom=bom,
        demands=demands,
        supply=mrp.Supply(on_hand, reserved, purchase_orders),
        nodes=nodes,
        work_order_ids=work_order_ids,
        warnings=warnings,
    )


_NO_ATTRITION = Decimal(0)


def _purchased(number: str, attrition_pct: float, terms: tuple[int, int, int] | None) -> mrp.Item:
    """A bought part, planned on the terms of its quickest offer (lead, MOQ, multiple)."""
    attrition = Decimal(str(attrition_pct)) / 100 if attrition_pct else _NO_ATTRITION
    if terms is None:
        return mrp.Item(number, lead_time_days=DEFAULT_PURCHASE_LEAD_DAYS, attrition=attrition)
    lead, moq, multiple = terms
    return mrp.Item(
        number, lead_time_days=lead, moq=max(moq, 1), multiple=max(multiple, 1), attrition=attrition
    )


def _quickest_terms(session: Session) -> dict[int, tuple[int, int, int]]:
    """Per item, the offer MRP can count on: the shortest lead time (then the smallest MOQ).

    Price does not choose here: a planned order must arrive in time first; which supplier
    is cheapest for its quantity is shown with the planned order.
    """
    best: dict[int, tuple[int, int, int]] = {}
    for item_id, lead, moq, multiple in session.execute(
        select(ItemPart.item_id, Offer.lead_time_days, Offer.moq, Offer.multiple).join(
            ItemPart, ItemPart.id == Offer.item_part_id
        )
    ):
        terms = (lead or 0, moq, multiple)
        current = best.get(item_id)
        if current is None or terms < current:
            best[item_id] = terms
    return best


def _bom_lines(session: Session, revision_ids: Iterable[int]) -> list[tuple[int, int | None, int]]:
    """(revision, item or None, parts per board) of every fitted line of the revisions.

    A line without a quantity counts its reference designators; counting them in SQL
    saves decoding every line's JSON in Python.
    """
    per_board = func.coalesce(BomLineRow.quantity, func.json_array_length(BomLineRow.refdes))
    ids = sorted(revision_ids)
    rows: list[tuple[int, int | None, int]] = []
    for start in range(0, len(ids), 900):  # SQLite's bound-parameter limit
        chunk = ids[start : start + 900]
        rows.extend(
            session.execute(
                select(BomLineRow.revision_id, BomLineRow.item_id, per_board).where(
                    BomLineRow.revision_id.in_(chunk), BomLineRow.dnp.is_(False)
                )
            ).all()
        )
    return rows


# --- the run ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunOutcome:
    run: MrpRun
    result: mrp.MrpResult
    warnings: list[str]


def do_run_mrp(session: Session, actor: Actor, *, today: date | None = None) -> RunOutcome:
    """Plan everything from scratch and replace the stored plan with the new one."""
    check_permission(actor, Perm.PLANNING)
    started = time.perf_counter()
    today = today or clock.today()
    with cyclic_gc_paused():
        inputs = load_inputs(session, today)
        try:
            result = mrp.run_mrp(
                inputs.items, inputs.bom, inputs.demands, inputs.supply, today=today
            )
        except ValueError as exc:  # a BOM cycle: the data, not the program, is wrong
            raise Conflict(f"MRP cannot plan: {exc}") from exc
        run = MrpRun(actor=actor.label, today=today, counts={})
        session.add(run)
        session.flush()
        counts = _store(session, run.id, inputs, result)
    counts["demands"] = len(inputs.demands)
    counts["items"] = len(inputs.items)
    counts["bom_lines"] = len(inputs.bom)
    run.counts = counts
    run.warnings = inputs.warnings
    run.seconds = round(time.perf_counter() - started, 3)
    session.flush()
    return RunOutcome(run, result, inputs.warnings)


def _store(session: Session, run_id: int, inputs: Inputs, result: mrp.MrpResult) -> dict[str, int]:
    """Replace the previous plan's rows with this one's, in bulk.

    A plan is a hundred thousand rows or more, rewritten on every run: rows are built as
    plain tuples and written through the driver (COPY on PostgreSQL, executemany on
    SQLite), because per-row parameter processing would cost more than the plan itself.
    Suppliers and prices of planned purchases are looked up when they are shown, for the
    few rows a person reads, not for every row of every run.
    """
    nodes = inputs.nodes
    item_of = {n.id: n.item_id for n in nodes.values()}
    revision_of = {n.id: n.revision_id for n in nodes.values()}
    day = _DayText().__getitem__
    planned = [
        (
            run_id,
            p.item,
            item_of.get(p.item),
            revision_of.get(p.item),
            p.quantity,
            day(p.need_date),
            day(p.release_date),
            p.late,
            p.is_purchase,
            " ".join(p.pegging),
        )
        for p in result.planned_orders
    ]
    shortages = [
        (
            run_id,
            s.item,
            item_of.get(s.item),
            day(s.need_date),
            s.quantity,
            day(s.covered_on),
            " ".join(s.pegging),
        )
        for s in result.shortages
    ]
    ctb = [
        (
            run_id,
            inputs.work_order_ids[wo],
            c.item,
            item_of.get(c.item),
            day(answer.start),
            c.required,
            c.available,
            c.short,
            day(c.covered_on) if c.covered_on else None,
        )
        for wo, answer in result.clear_to_build.items()
        for c in answer.components
    ]
    conn = session.connection()
    writer = _copy_rows if conn.dialect.name == "postgresql" else _insert_rows
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"TRUNCATE {', '.join(t for t, _ in _PLAN_TABLES.values())}")
    else:
        for table, _ in _PLAN_TABLES.values():
            conn.exec_driver_sql(f"DELETE FROM {table}")  # noqa: S608 (fixed names)
    writer(session, *_PLAN_TABLES["planned"], planned)
    writer(session, *_PLAN_TABLES["shortage"], shortages)
    writer(session, *_PLAN_TABLES["ctb"], ctb)
    return {
        "planned_orders": len(planned),
        "planned_purchases": sum(1 for p in result.planned_orders if p.is_purchase),
        "late": sum(1 for p in result.planned_orders if p.late),
        "shortages": len(shortages),
        "work_orders": len(result.clear_to_build),
        "clear_to_build": sum(1 for a in result.clear_to_build.values() if a.clear),
    }


_PLAN_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "planned": (
        MrpPlannedOrder.__tablename__,
        (
            "run_id",
            "node",
            "item_id",
            "revision_id",
            "quantity",
            "need_date",
            "release_date",
            "late",
            "is_purchase",
            "pegging",
        ),
    ),
    "shortage": (
        MrpShortage.__tablename__,
        ("run_id", "node", "item_id", "need_date", "quantity", "covered_on", "pegging"),
    ),
    "ctb": (
        MrpClearToBuild.__tablename__,
        (
            "run_id",
            "work_order_id",
            "node",
            "item_id",
            "start",
            "required",
            "available",
            "short",
            "covered_on",
        ),
    ),
}


class _DayText(dict[date, str]):
    """Dates as the text both databases take, each formatted once: a plan has a few hundred
    distinct dates in a few hundred thousand rows."""

    def __missing__(self, day: date) -> str:
        self[day] = text = day.isoformat()
        return text


def _insert_rows(
    session: Session, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    if not rows:
        return
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def _copy_rows(
    session: Session, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    if not rows:
        return
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[attr-defined]
        for row in rows:
            copy.write_row(row)


# --- reading the stored plan -----------------------------------------------------------


def latest_run(session: Session, actor: Actor) -> MrpRun | None:
    check_permission(actor, Perm.CATALOG_VIEW)
    return session.scalar(select(MrpRun).order_by(MrpRun.id.desc()).limit(1))


def require_latest_run(session: Session, actor: Actor) -> MrpRun:
    run = latest_run(session, actor)
    if run is None:
        raise NotFound("MRP has not been run yet; run it first")
    return run


def planned_orders(
    session: Session,
    actor: Actor,
    *,
    purchases_only: bool = False,
    late_only: bool = False,
    node: str | None = None,
    limit: int = 500,
) -> Sequence[MrpPlannedOrder]:
    """The latest plan's planned orders, earliest release first."""
    check_permission(actor, Perm.CATALOG_VIEW)
    stmt = select(MrpPlannedOrder)
    if purchases_only:
        stmt = stmt.where(MrpPlannedOrder.is_purchase.is_(True))
    if late_only:
        stmt = stmt.where(MrpPlannedOrder.late.is_(True))
    if node:
        stmt = stmt.where(MrpPlannedOrder.node == node.strip())
    return session.scalars(
        stmt.order_by(MrpPlannedOrder.release_date, MrpPlannedOrder.node).limit(limit)
    ).all()


def shortages(
    session: Session, actor: Actor, *, node: str | None = None, limit: int = 500
) -> Sequence[MrpShortage]:
    """The latest plan's net requirements: what is short on which date, covered when."""
    check_permission(actor, Perm.CATALOG_VIEW)
    stmt = select(MrpShortage)
    if node:
        stmt = stmt.where(MrpShortage.node == node.strip())
    return session.scalars(
        stmt.order_by(MrpShortage.need_date, MrpShortage.node).limit(limit)
    ).all()


@dataclass(frozen=True, slots=True)
class WorkOrderReadiness:
    work_order_id: int
    number: str
    start: date
    components: list[MrpClearToBuild]

    @property
    def clear(self) -> bool:
        return all(c.short == 0 for c in self.components)

    @property
    def short(self) -> list[MrpClearToBuild]:
        return [c for c in self.components if c.short]

    @property
    def clear_on(self) -> date:
        return max([self.start, *(c.covered_on for c in self.components if c.covered_on)])


def clear_to_build(
    session: Session, actor: Actor, work_order_id: int | None = None
) -> list[WorkOrderReadiness]:
    """The latest run's clear-to-build answers, per open work order (or one)."""
    check_permission(actor, Perm.PRODUCTION_VIEW)
    stmt = (
        select(MrpClearToBuild, WorkOrder.number)
        .join(WorkOrder, WorkOrder.id == MrpClearToBuild.work_order_id)
        .order_by(MrpClearToBuild.start, WorkOrder.number, MrpClearToBuild.node)
    )
    if actor.is_customer:
        stmt = stmt.where(WorkOrder.customer_id == actor.customer_id)
    if work_order_id is not None:
        stmt = stmt.where(MrpClearToBuild.work_order_id == work_order_id)
    out: dict[int, WorkOrderReadiness] = {}
    for row, number in session.execute(stmt):
        answer = out.get(row.work_order_id)
        if answer is None:
            answer = out[row.work_order_id] = WorkOrderReadiness(
                row.work_order_id, number, row.start, []
            )
        answer.components.append(row)
    return list(out.values())


def pegged_to(rows: Iterable[MrpPlannedOrder | MrpShortage]) -> list[str]:
    """Every demand id the rows are pegged to, each once, in order."""
    seen: dict[str, None] = {}
    for r in rows:
        for peg in r.pegging.split():
            seen.setdefault(peg)
    return list(seen)


@dataclass(frozen=True, slots=True)
class PurchaseAdvice:
    """Who to buy a planned purchase from and at what price, for its quantity."""

    supplier_id: int
    supplier: str
    quantity: int  # after the offer's MOQ and multiple
    unit_price: Decimal
    manufacturer: str
    mpn: str


def purchase_advice(session: Session, rows: Sequence[MrpPlannedOrder]) -> dict[int, PurchaseAdvice]:
    """The cheapest offer for each planned purchase shown (by row id), in one query."""
    item_ids = {r.item_id for r in rows if r.is_purchase and r.item_id is not None}
    if not item_ids:
        return {}
    offers: dict[int, list[Offer]] = {}
    for offer in session.scalars(
        select(Offer)
        .join(ItemPart, ItemPart.id == Offer.item_part_id)
        .where(ItemPart.item_id.in_(item_ids))
    ):
        offers.setdefault(offer.item_part.item_id, []).append(offer)
    out: dict[int, PurchaseAdvice] = {}
    for r in rows:
        candidates = offers.get(r.item_id or -1)
        if not r.is_purchase or not candidates:
            continue
        by_code = {o.supplier.code: o for o in candidates}
        choice = best_choice(r.quantity, [terms_of(o) for o in candidates])
        if choice is None:
            continue
        offer = by_code[choice.terms.supplier]
        out[r.id] = PurchaseAdvice(
            offer.supplier_id,
            offer.supplier.code,
            choice.purchase,
            choice.unit_price,
            offer.item_part.manufacturer.name,
            offer.item_part.mpn,
        )
    return out


def result_json(outcome: RunOutcome) -> dict[str, Any]:
    """The whole plan of a run as JSON-ready data (``boardline mrp run --json``)."""
    res = outcome.result
    return {
        "run": {
            "id": outcome.run.id,
            "today": outcome.run.today.isoformat(),
            "seconds": outcome.run.seconds,
            "counts": outcome.run.counts,
            "warnings": outcome.warnings,
        },
        "planned_orders": [
            {
                "item": p.item,
                "quantity": p.quantity,
                "need_date": p.need_date.isoformat(),
                "release_date": p.release_date.isoformat(),
                "late": p.late,
                "purchase": p.is_purchase,
                "pegging": list(p.pegging),
            }
            for p in res.planned_orders
        ],
        "shortages": [
            {
                "item": s.item,
                "need_date": s.need_date.isoformat(),
                "quantity": s.quantity,
                "covered_on": s.covered_on.isoformat(),
                "pegging": list(s.pegging),
            }
            for s in res.shortages
        ],
        "clear_to_build": [
            {
                "work_order": wo,
                "item": a.item,
                "start": a.start.isoformat(),
                "clear": a.clear,
                "clear_on": a.clear_on.isoformat(),
                "components": [
                    {
                        "item": c.item,
                        "required": c.required,
                        "available": c.available,
                        "short": c.short,
                        "covered_on": c.covered_on.isoformat() if c.covered_on else None,
                    }
                    for c in a.components
                ],
            }
            for wo, a in res.clear_to_build.items()
        ],
    }


def do_order_planned(
    session: Session, actor: Actor, planned_ids: Sequence[int], *, today: date
) -> list[PurchaseOrder]:
    """Turn planned purchases of the latest run into draft purchase orders, one per
    supplier, each line at the cheapest offer's quantity and price and due on its need date
    (today at the earliest). The buyer reviews and sends them as usual.

    A draft bought for one customer's demand alone names that customer (for the excess
    and obsolete report). Nothing is created if any row has no offer: all or nothing.
    """
    check_permission(actor, Perm.PURCHASE_MANAGE)
    wanted = sorted(set(planned_ids))
    if not wanted:
        raise InvalidInput("choose at least one planned purchase", field="planned")
    rows = session.scalars(
        select(MrpPlannedOrder)
        .where(MrpPlannedOrder.id.in_(wanted), MrpPlannedOrder.is_purchase.is_(True))
        .order_by(MrpPlannedOrder.need_date, MrpPlannedOrder.node)
    ).all()
    missing = set(wanted) - {r.id for r in rows}
    if missing:
        raise NotFound(
            f"planned purchase(s) {sorted(missing)} are not in the latest MRP run; run it again"
        )
    advice = purchase_advice(session, rows)
    no_offer = [r.node for r in rows if r.id not in advice]
    if no_offer:
        raise InvalidInput(
            f"no supplier offers {', '.join(sorted(set(no_offer)))}: add an offer first",
            field="planned",
        )
    owners = _customers_of_demands(session, {p for r in rows for p in r.pegging.split()})
    by_supplier: dict[int, list[MrpPlannedOrder]] = {}
    for r in rows:
        by_supplier.setdefault(advice[r.id].supplier_id, []).append(r)
    orders = []
    for supplier_id, lines in by_supplier.items():
        customers = {owners.get(p) for r in lines for p in r.pegging.split()}
        po = purchasing.do_create_po(
            session,
            actor,
            supplier_id=supplier_id,
            customer_id=customers.pop() if len(customers) == 1 else None,
            notes="From MRP planned purchases",
        )
        for r in lines:
            a = advice[r.id]
            purchasing.do_add_line(
                session,
                actor,
                po.id,
                manufacturer=a.manufacturer,
                mpn=a.mpn,
                quantity=a.quantity,
                unit_price=a.unit_price,
                due_date=max(r.need_date, today),
            )
        orders.append(po)
    return orders


def _customers_of_demands(session: Session, numbers: set[str]) -> dict[str, int]:
    if not numbers:
        return {}
    ids = sorted(numbers)
    found: dict[str, int] = {}
    for column, owner in (
        (SalesOrder.number, SalesOrder.customer_id),
        (WorkOrder.number, WorkOrder.customer_id),
    ):
        found.update(
            (number, customer)
            for number, customer in session.execute(select(column, owner).where(column.in_(ids)))
        )
    return found
