"""Regenerative MRP: from demands, stock and open orders to planned orders and shortages.

Pure rules, no I/O: the caller reads items, BOMs, demands and supply from the database and
hands them to :func:`run_mrp`, which replans everything from scratch (regenerative, not net
change) and returns an :class:`MrpResult`.

How the plan is built, and the decisions Boardline takes:

- **Low-level codes.** Each item gets the deepest level at which it appears in any BOM
  (:func:`low_level_codes`); items are planned level by level, so every parent's planned
  orders are final before its components are exploded. A cycle in the BOMs makes this
  impossible and raises ``ValueError`` naming the items of the cycle.
- **Gross requirements** of an item are its own demands (sales orders) plus the component
  requirements of its parents' planned orders and of open work orders, dated on the day the
  parent order starts (its release date).
- **Attrition on components.** Parts are lost while building (pick-and-place mispicks,
  feeder splices, reel leaders, rework), never the finished assembly, so the extra is asked
  of the component: ``ceil(parent quantity × quantity per × (1 + attrition))``, rounded up
  per parent order because a fraction of a part cannot be bought.
- **Netting by date.** Requirements are met in date order from, first, stock allocated to
  that very demand; then free stock plus receipts due on or before the date; then the excess
  of an earlier planned order (MOQ or multiple rounding); then receipts due later; and only
  then by a new planned order. What free stock and receipts due by the date cannot meet is a
  *shortage* on that date (the net requirement).
- **A late receipt is expedited, not duplicated.** An open PO or work order due after the
  need still covers it when a new order, released today, could not arrive before it (the
  receipt is due no later than today + lead time); a second order would arrive no sooner and
  leave the late receipt as excess. A receipt further out than that does not stop a new
  order being planned. Either way the shortage stays visible with the date it is covered.
- **Planned orders** are sized ``max(net, MOQ)`` rounded up to the order multiple, needed on
  the date of the requirement that opened them and released ``lead_time_days`` earlier.
- **Late, not dropped.** A release date before ``today`` means the order should already have
  been placed; it is kept and flagged ``late`` because the material is still needed and
  dropping it would hide a shortage, and its components are still exploded so the lateness
  shows through every level.
- **Pegging.** Every planned order and every shortage keeps the ids of the demands
  (sales orders, work orders) that caused it, carried down through all levels.
- **Clear to build.** For each open work order, per direct component: what it requires,
  what real stock (its allocation, free stock, receipts due by its start date) is available
  for it after earlier requirements of the same component, what is short and the date the
  shortage is covered.

Ties between requirements on the same date are met in input order: direct demands (sorted
by due date, then id) before requirements exploded from parents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from operator import itemgetter
from typing import NamedTuple

__all__ = [
    "Allocation",
    "BomLine",
    "ClearToBuild",
    "ComponentAvailability",
    "Demand",
    "DemandKind",
    "Item",
    "MrpResult",
    "PlannedOrder",
    "PurchaseOrderLine",
    "Shortage",
    "Supply",
    "lot_size",
    "low_level_codes",
    "run_mrp",
]


class Item(NamedTuple):
    """A planned item: purchased (a leaf of the BOMs) or made (it has a BOM).

    ``attrition`` is the fraction lost in production when this item is used as a component
    (``0.02`` = 2 %). A float is read by its shortest decimal form so that 100 parts at
    ``0.1`` need 110, not the 111 binary floating point would give.
    """

    id: str
    lead_time_days: int = 0
    moq: int = 1
    multiple: int = 1
    attrition: Decimal | float = Decimal(0)
    is_purchased: bool = True


class BomLine(NamedTuple):
    """``quantity`` of ``child`` go into one ``parent``.

    Items, BOM lines, planned orders and shortages are named tuples, not frozen
    dataclasses: a plan over 20 000 items reads and makes hundreds of thousands of them,
    and a tuple is built three times faster.
    """

    parent: str
    child: str
    quantity: int


class DemandKind(StrEnum):
    SALES_ORDER = "sales_order"
    WORK_ORDER = "work_order"


@dataclass(frozen=True, slots=True)
class Demand:
    """A sales order line or an open work order.

    A sales order requires ``quantity`` of ``item`` on ``due``. An open work order builds
    ``quantity`` of ``item`` (a made item): it is a scheduled receipt of the item on ``due``
    and requires its components on ``start`` (default ``due`` minus the item's lead time),
    less what was already issued to it (``issued``: component id, quantity).
    """

    id: str
    item: str
    quantity: int
    due: date
    kind: DemandKind = DemandKind.SALES_ORDER
    start: date | None = None
    issued: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Allocation:
    """``quantity`` of the on-hand stock of ``item`` reserved for demand ``demand_id``."""

    item: str
    demand_id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class PurchaseOrderLine:
    """An open purchase order line: ``quantity`` still to be received on ``due``."""

    id: str
    item: str
    quantity: int
    due: date


@dataclass(frozen=True, slots=True)
class Supply:
    """Usable stock and open purchase order lines (open work orders are given as demands).

    ``on_hand`` must hold usable stock only: the caller leaves out blocked, quarantined and
    expired material. It includes allocated stock; ``allocations`` say which part of it is
    reserved. Allocations beyond the usable stock are honoured in the order of their demands'
    due dates, as far as the stock goes. Reserved stock is never lent to other demands, not
    even what exceeds its own demand's requirement or belongs to a demand not being planned:
    the reservation is the caller's decision, MRP does not undo it.
    """

    on_hand: Mapping[str, int] = field(default_factory=dict)
    allocations: Sequence[Allocation] = ()
    purchase_orders: Sequence[PurchaseOrderLine] = ()


class PlannedOrder(NamedTuple):
    """A proposed purchase (``is_purchase``) or work order, pegged to the demands it serves."""

    item: str
    quantity: int
    need_date: date
    release_date: date
    late: bool
    is_purchase: bool
    pegging: tuple[str, ...]


class Shortage(NamedTuple):
    """``quantity`` of ``item`` needed on ``need_date`` that stock and receipts due by then lack.

    ``covered_on`` is the date the last part of it arrives: a receipt due later, or a planned
    order (its need date, or today + lead time if it is late).
    """

    item: str
    need_date: date
    quantity: int
    covered_on: date
    pegging: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ComponentAvailability:
    """One direct component of a work order on the work order's start date."""

    item: str
    required: int
    available: int
    short: int
    covered_on: date | None
    covered_by_planned_order: bool


@dataclass(frozen=True, slots=True)
class ClearToBuild:
    """May the work order start: its direct components and what each lacks."""

    work_order: str
    item: str
    start: date
    components: tuple[ComponentAvailability, ...]

    @property
    def clear(self) -> bool:
        """True when no component is short on the start date."""
        return all(c.short == 0 for c in self.components)

    @property
    def clear_on(self) -> date:
        """The date every shortage is covered: the start date when nothing is short."""
        return max([self.start, *(c.covered_on for c in self.components if c.covered_on)])


@dataclass(frozen=True, slots=True)
class MrpResult:
    """The plan: planned orders, shortages (net requirements) and clear-to-build answers."""

    planned_orders: tuple[PlannedOrder, ...]
    shortages: tuple[Shortage, ...]
    net_requirements: Mapping[str, Mapping[date, int]]
    clear_to_build: Mapping[str, ClearToBuild]
    low_level_codes: Mapping[str, int]


def lot_size(net: int, moq: int, multiple: int) -> int:
    """The order quantity for a net requirement: at least ``moq``, a multiple of ``multiple``.

    The MOQ is applied first and the result rounded up to the multiple, so the quantity
    satisfies both even when the MOQ is not itself a multiple (MOQ 250, reels of 100: 300).
    """
    qty = max(net, moq)
    return -(-qty // multiple) * multiple


def low_level_codes(items: Iterable[str], bom: Iterable[BomLine]) -> dict[str, int]:
    """The deepest BOM level of each item (0 for items that are no one's component).

    Planning in this order guarantees that all of an item's gross requirements are known
    before it is netted. Raises ``ValueError`` naming the items if the BOMs have a cycle.
    """
    children: dict[str, list[str]] = {i: [] for i in items}
    for line in bom:
        children.setdefault(line.parent, []).append(line.child)
        children.setdefault(line.child, [])
    return _levels(children)


def run_mrp(
    items: Iterable[Item],
    bom: Iterable[BomLine],
    demands: Iterable[Demand],
    supply: Supply,
    *,
    today: date,
) -> MrpResult:
    """Plan all items from scratch; see the module docstring for every rule applied.

    Raises ``ValueError`` for inconsistent input: unknown or duplicate ids, negative
    quantities, a MOQ or multiple below 1, a purchased item with a BOM or a made item
    without one, a work order for a purchased item, or a cycle in the BOMs.
    """
    item_by_id = _index_items(items)
    children = _index_bom(bom, item_by_id)
    levels = _levels({i: [c for c, _ in children.get(i, ())] for i in item_by_id})
    demand_list = sorted(_check_demands(demands, item_by_id), key=lambda d: (d.due, d.id))
    today_day = today.toordinal()
    to_date = _DateCache().__getitem__

    # item -> [(day, quantity, pegging, demand id or None)]
    reqs: dict[str, list[tuple[int, int, tuple[str, ...], str | None]]] = {}
    # item -> [(day, quantity, source id)]
    receipts: dict[str, list[tuple[int, int, str]]] = {}
    # (work order id, component) -> [required, available, short, covered day, by planned]
    ctb: dict[tuple[str, str], list[int]] = {}
    ctb_starts: dict[str, int] = {}
    factors = {i: _attrition_factor(it) for i, it in item_by_id.items()}

    for d in demand_list:
        if d.kind is DemandKind.SALES_ORDER:
            if d.quantity:
                reqs.setdefault(d.item, []).append((d.due.toordinal(), d.quantity, (d.id,), d.id))
            continue
        item = item_by_id[d.item]
        start = (d.start or d.due - timedelta(days=item.lead_time_days)).toordinal()
        ctb_starts[d.id] = start
        if d.quantity:
            receipts.setdefault(d.item, []).append((d.due.toordinal(), d.quantity, d.id))
        issued = dict(d.issued)
        wo_pegs = (d.id,)
        for child, per in children[d.item]:
            num, den = factors[child]
            need = -(-d.quantity * per * num // den) - issued.get(child, 0)
            need = max(need, 0)
            ctb[(d.id, child)] = [need, 0, 0, 0, 0]
            if need:
                reqs.setdefault(child, []).append((start, need, wo_pegs, d.id))

    for po in supply.purchase_orders:
        if po.item not in item_by_id:
            raise ValueError(f"purchase order line {po.id} is for unknown item {po.item}")
        if po.quantity < 0:
            raise ValueError(f"purchase order line {po.id} has a negative quantity")
        if po.quantity:
            receipts.setdefault(po.item, []).append((po.due.toordinal(), po.quantity, po.id))

    free, reserved = _split_on_hand(supply, item_by_id, demand_list)

    planned_out: list[PlannedOrder] = []
    shortages_out: list[Shortage] = []
    day_of = itemgetter(0)
    for item_id in sorted(item_by_id, key=lambda i: (levels[i], i)):
        recs = reqs.pop(item_id, None)
        if not recs:
            continue
        item = item_by_id[item_id]
        recs.sort(key=day_of)
        rc = sorted(receipts.get(item_id, ()), key=day_of)
        r_days = [r[0] for r in rc]
        r_left = [r[1] for r in rc]
        n_rc = len(rc)
        ri = fj = 0
        stock = free.get(item_id, 0)
        alloc = reserved.get(item_id, {})
        lead = item.lead_time_days
        expedite_until = today_day + lead
        moq, multiple = item.moq, item.multiple
        pool = 0
        pool_cover = 0
        # (need day, quantity, pegging ids)
        planned: list[tuple[int, int, set[str]]] = []
        short_by_day: dict[int, tuple[list[int], set[str]]] = {}

        for day, qty, pegs, demand_id in recs:
            while ri < n_rc and r_days[ri] <= day:
                stock += r_left[ri]
                r_left[ri] = 0
                ri += 1
            if fj < ri:
                fj = ri
            need = qty
            if demand_id is not None and alloc:
                a = alloc.get(demand_id, 0)
                if a:
                    take = min(a, need)
                    alloc[demand_id] = a - take
                    need -= take
            if need and stock > 0:
                take = min(stock, need)
                stock -= take
                need -= take
            short = need
            covered = day
            by_planned = 0
            if need and pool:
                take = min(pool, need)
                pool -= take
                need -= take
                planned[-1][2].update(pegs)
                if pool_cover > covered:
                    covered = pool_cover
                by_planned = 1
            while need and fj < n_rc and r_days[fj] <= expedite_until:
                left = r_left[fj]
                take = min(left, need)
                r_left[fj] = left - take
                need -= take
                if r_days[fj] > covered:
                    covered = r_days[fj]
                if take == left:
                    fj += 1
            if need:
                # One planned order per item and day: requirements falling on the day of the
                # last order enlarge it instead of opening a second order.
                # Any excess of that order is used up by now, so all of it counts as net.
                if planned and planned[-1][0] == day:
                    _, last_q, last_pegs = planned[-1]
                    q = lot_size(last_q + need, moq, multiple)
                    pool = q - last_q - need
                    planned[-1] = (day, q, last_pegs)
                    last_pegs.update(pegs)
                else:
                    q = lot_size(need, moq, multiple)
                    pool = q - need
                    pool_cover = day if day > expedite_until else expedite_until
                    planned.append((day, q, set(pegs)))
                if pool_cover > covered:
                    covered = pool_cover
                by_planned = 1
            if short:
                slot = short_by_day.get(day)
                if slot is None:
                    short_by_day[day] = ([short, covered], set(pegs))
                else:
                    slot[0][0] += short
                    slot[0][1] = max(slot[0][1], covered)
                    slot[1].update(pegs)
            if demand_id is not None:
                entry = ctb.get((demand_id, item_id))
                if entry is not None:
                    entry[1] = qty - short
                    entry[2] = short
                    entry[3] = covered
                    entry[4] = by_planned

        for day, (qty_cov, pegset) in sorted(short_by_day.items()):
            shortages_out.append(
                Shortage(
                    item_id,
                    to_date(day),
                    qty_cov[0],
                    to_date(qty_cov[1]),
                    tuple(sorted(pegset)),
                )
            )
        lines = children.get(item_id, ())
        for need_day, q, pegset in planned:
            release = need_day - lead
            pegging = tuple(sorted(pegset))
            planned_out.append(
                PlannedOrder(
                    item_id,
                    q,
                    to_date(need_day),
                    to_date(release),
                    release < today_day,
                    item.is_purchased,
                    pegging,
                )
            )
            for child, per in lines:
                num, den = factors[child]
                reqs.setdefault(child, []).append(
                    (release, -(-q * per * num // den), pegging, None)
                )

    net: dict[str, dict[date, int]] = {}
    for s in shortages_out:
        net.setdefault(s.item, {})[s.need_date] = s.quantity
    return MrpResult(
        planned_orders=tuple(planned_out),
        shortages=tuple(shortages_out),
        net_requirements=net,
        clear_to_build=_clear_to_build(demand_list, children, ctb, ctb_starts, to_date),
        low_level_codes=levels,
    )


class _DateCache(dict[int, date]):
    """Day ordinals to dates, each built once: a plan has few distinct dates, many rows."""

    def __missing__(self, day: int) -> date:
        self[day] = d = date.fromordinal(day)
        return d


def _clear_to_build(
    demands: list[Demand],
    children: dict[str, list[tuple[str, int]]],
    ctb: dict[tuple[str, str], list[int]],
    starts: dict[str, int],
    to_date: Callable[[int], date],
) -> dict[str, ClearToBuild]:
    out: dict[str, ClearToBuild] = {}
    for d in demands:
        if d.kind is not DemandKind.WORK_ORDER:
            continue
        comps = []
        for child, _ in children[d.item]:
            required, available, short, covered, by_planned = ctb[(d.id, child)]
            comps.append(
                ComponentAvailability(
                    child,
                    required,
                    available,
                    short,
                    to_date(covered) if short else None,
                    bool(short and by_planned),
                )
            )
        out[d.id] = ClearToBuild(d.id, d.item, to_date(starts[d.id]), tuple(comps))
    return out


def _attrition_factor(item: Item) -> tuple[int, int]:
    """``1 + attrition`` as an exact fraction (numerator, denominator)."""
    a = item.attrition
    frac = Fraction(str(a)) if isinstance(a, float) else Fraction(a)
    if frac < 0:
        raise ValueError(f"item {item.id} has a negative attrition")
    f = 1 + frac
    return f.numerator, f.denominator


def _index_items(items: Iterable[Item]) -> dict[str, Item]:
    out: dict[str, Item] = {}
    for it in items:
        if it.id in out:
            raise ValueError(f"item {it.id} is given twice")
        if it.lead_time_days < 0 or it.moq < 1 or it.multiple < 1:
            raise ValueError(f"item {it.id} needs lead time >= 0, MOQ >= 1 and multiple >= 1")
        out[it.id] = it
    return out


def _index_bom(bom: Iterable[BomLine], items: dict[str, Item]) -> dict[str, list[tuple[str, int]]]:
    """Parent -> [(child, quantity per)], lines of the same child added up."""
    merged: dict[str, dict[str, int]] = {}
    for line in bom:
        for i in (line.parent, line.child):
            if i not in items:
                raise ValueError(f"BOM line {line.parent} -> {line.child}: unknown item {i}")
        if line.quantity <= 0:
            raise ValueError(f"BOM line {line.parent} -> {line.child}: quantity must be > 0")
        per_child = merged.setdefault(line.parent, {})
        per_child[line.child] = per_child.get(line.child, 0) + line.quantity
    for item_id, it in items.items():
        if it.is_purchased and item_id in merged:
            raise ValueError(f"item {item_id} is purchased but has a BOM")
        if not it.is_purchased and item_id not in merged:
            raise ValueError(f"item {item_id} is made but has no BOM")
    return {p: list(c.items()) for p, c in merged.items()}


def _levels(children: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Kahn's topological order; a child's level is one below its deepest parent."""
    indegree = dict.fromkeys(children, 0)
    for kids in children.values():
        for c in kids:
            indegree[c] += 1
    level = dict.fromkeys(children, 0)
    ready = [i for i, n in indegree.items() if n == 0]
    done = 0
    while ready:
        parent = ready.pop()
        done += 1
        below = level[parent] + 1
        for c in children[parent]:
            level[c] = max(level[c], below)
            indegree[c] -= 1
            if indegree[c] == 0:
                ready.append(c)
    if done < len(children):
        raise ValueError("BOM cycle: " + " -> ".join(_find_cycle(children, indegree)))
    return level


def _find_cycle(children: Mapping[str, Sequence[str]], indegree: dict[str, int]) -> list[str]:
    """A cycle among the items Kahn's algorithm could not order, parent to child."""
    # Every item left with a non-zero in-degree has a parent that is also left, so walking
    # up through such parents must come back to an item already seen.
    stuck = {i for i, n in indegree.items() if n > 0}
    parent_of: dict[str, str] = {}
    for p, kids in children.items():
        if p in stuck:
            for c in kids:
                if c in stuck:
                    parent_of.setdefault(c, p)
    node = min(stuck)
    seen: list[str] = []
    index: dict[str, int] = {}
    while node not in index:
        index[node] = len(seen)
        seen.append(node)
        node = parent_of[node]
    cycle = seen[index[node] :]
    cycle.reverse()
    first = cycle.index(min(cycle))
    cycle = cycle[first:] + cycle[:first]
    return [*cycle, cycle[0]]


def _check_demands(demands: Iterable[Demand], items: dict[str, Item]) -> list[Demand]:
    out: list[Demand] = []
    ids: set[str] = set()
    for d in demands:
        if d.id in ids:
            raise ValueError(f"demand {d.id} is given twice")
        ids.add(d.id)
        if d.item not in items:
            raise ValueError(f"demand {d.id} is for unknown item {d.item}")
        if d.quantity < 0 or any(q < 0 for _, q in d.issued):
            raise ValueError(f"demand {d.id} has a negative quantity")
        if d.kind is DemandKind.WORK_ORDER and items[d.item].is_purchased:
            raise ValueError(f"work order {d.id} builds {d.item}, which is purchased")
        out.append(d)
    return out


def _split_on_hand(
    supply: Supply, items: dict[str, Item], demands: list[Demand]
) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Free stock per item, and stock reserved per item and demand id."""
    free: dict[str, int] = {}
    for item_id, qty in supply.on_hand.items():
        if item_id not in items:
            raise ValueError(f"on-hand stock of unknown item {item_id}")
        if qty < 0:
            raise ValueError(f"on-hand stock of {item_id} is negative")
        free[item_id] = qty
    rank = {d.id: n for n, d in enumerate(demands)}
    reserved: dict[str, dict[str, int]] = {}
    # Allocations beyond the usable stock happen when allocated stock was later blocked;
    # the earliest demands keep theirs.
    for a in sorted(
        supply.allocations, key=lambda a: (rank.get(a.demand_id, len(rank)), a.demand_id, a.item)
    ):
        if a.item not in items:
            raise ValueError(f"allocation to {a.demand_id} of unknown item {a.item}")
        if a.quantity < 0:
            raise ValueError(f"allocation of {a.item} to {a.demand_id} is negative")
        take = min(a.quantity, free.get(a.item, 0))
        if take:
            free[a.item] -= take
            per_demand = reserved.setdefault(a.item, {})
            per_demand[a.demand_id] = per_demand.get(a.demand_id, 0) + take
    return free, reserved
