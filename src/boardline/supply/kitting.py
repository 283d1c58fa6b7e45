"""Kitting: pick a work order's material, reserve packages, issue them to the line, return.

The life of a package in a kit (one ``KitReservation`` row):

    reserved ──issue──▶ issued ──return with a count──▶ returned
       └──release──▶ released

- **Pick list.** What the work order needs per item: ``ceil(quantity × per board × (1 +
  attrition))``, rounded up per item because a fraction of a part cannot be picked. It
  comes from the BOM today; feeder setups (the production issue) will take over for work
  orders whose line has one: see :func:`_requirements`, the one place that changes.
- **Reservation.** A specific package set aside for the work order. Its ``quantity`` is
  the parts it counts toward the requirement: the package's parts, capped at what was still
  to pick. A package is in at most one kit at a time.
- **Which packages.** Available, with parts left, of an item of the BOM, owned right
  (a customer's consigned parts only for that customer's work orders; the factory's own
  stock when it is general or bought for this customer) and still usable: within shelf
  life and floor life. Ordered MSD-aware first-expiry-first-out (:func:`fefo_key`).
- **Issue.** The whole package goes to the line side (or a feeder trolley), so once issued
  the reservation's ``quantity`` becomes all the package's parts. State, shelf life and
  floor life are checked again: a package may have run out since it was reserved.
- **Return.** The remaining parts are counted; the count becomes the package's quantity as
  an audited adjustment, and ``quantity - returned_quantity`` is what the work order used.

MRP reads :func:`allocations` (reserved, not yet issued) and :func:`issued_by_work_order`
(at the line or consumed), one query each.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from boardline.catalog.tables import Item, ItemPart
from boardline.core import clock
from boardline.core.audit_trail import audit_reason
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import Conflict, InvalidInput, NotFound
from boardline.npi import services as npi
from boardline.npi.tables import BomLineRow
from boardline.production import work_orders
from boardline.production.tables import WorkOrder
from boardline.supply import inventory, msd, packages
from boardline.supply.tables import KitReservation, MaterialPackage

# Where an issued package goes: the line side, or a feeder trolley set up off line.
ISSUE_KINDS = inventory.LOADING_KINDS
SEALED = (msd.Location.SEALED, msd.Location.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Requirement:
    """What a work order needs of one item, and the BOM lines it comes from."""

    item_id: int
    per_board: int
    refdes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A package that may be picked, with its floor life (``None``: not moisture sensitive)."""

    package: MaterialPackage
    life: msd.FloorLifeState | None


@dataclass(frozen=True, slots=True)
class KitRow:
    """A package in this work order's kit; ``problem`` says why it can no longer be issued."""

    reservation: KitReservation
    life: msd.FloorLifeState | None
    problem: str | None = None

    @property
    def package(self) -> MaterialPackage:
        return self.reservation.package

    @property
    def consumed(self) -> int | None:
        """Parts the work order used: issued minus returned, once returned."""
        r = self.reservation
        return None if r.returned_quantity is None else r.quantity - r.returned_quantity


@dataclass(frozen=True, slots=True)
class PickLine:
    """One item of the pick list: required, covered so far, still to pick, suggestions."""

    item_id: int
    item_number: str
    description: str
    msl: str | None
    refdes: tuple[str, ...]
    per_board: int
    attrition_pct: float
    required: int
    reserved: int  # in reserved packages that can still be issued
    at_line: int  # in packages issued and not yet returned
    consumed: int  # used, by the counts of returned packages
    kits: list[KitRow] = field(default_factory=list)
    suggested: list[Candidate] = field(default_factory=list)
    candidates: int = 0  # parts in every package that could be picked

    @property
    def to_pick(self) -> int:
        return max(self.required - self.reserved - self.at_line - self.consumed, 0)

    @property
    def short(self) -> int:
        """What even every candidate package cannot cover."""
        return max(self.to_pick - self.candidates, 0)


@dataclass(frozen=True, slots=True)
class PickList:
    work_order: WorkOrder
    source: str  # "bom"; "feeder_setup" once production has them
    lines: list[PickLine]
    unmatched: list[BomLineRow]  # BOM lines not linked to a catalog item: cannot be picked
    other_kits: list[KitRow]  # packages kitted for items the BOM no longer uses

    @property
    def picked(self) -> bool:
        """Every item that can be picked is covered (unmatched BOM lines aside)."""
        return all(line.to_pick == 0 for line in self.lines)

    @property
    def complete(self) -> bool:
        return self.picked and not self.unmatched


def required_quantity(boards: int, per_board: int, attrition_pct: float) -> int:
    """``ceil(boards × per board × (1 + attrition %))``, in decimals (10 % of 100 is 10)."""
    exact = Decimal(boards) * per_board * (1 + Decimal(str(attrition_pct or 0)) / 100)
    return math.ceil(exact)


def fefo_key(candidate: Candidate) -> tuple[int, timedelta, date, object, int]:
    """MSD-aware first-expiry-first-out: the order packages are suggested in.

    Opened MSD packages first, least floor life left first: their clock runs whether they
    are used or not, and an unused one ends in the oven. Then by shelf-life expiry date,
    earliest first (no expiry last), then the oldest receipt.
    """
    package, life = candidate.package, candidate.life
    remaining = None
    if life is not None and life.location not in SEALED:
        remaining = life.remaining
    return (
        0 if remaining is not None else 1,
        remaining or timedelta(0),
        package.expires_on or date.max,
        package.received_at,
        package.id,
    )


def _requirements(
    session: Session, actor: Actor, order: WorkOrder
) -> tuple[str, list[Requirement], list[BomLineRow]]:
    """What the work order needs per item, from the revision's BOM, and the unmatched lines.

    The seam for feeder setups: once production stores them, a work order whose line has a
    setup is picked by the setup (one package per feeder slot) and this returns
    ``"feeder_setup"`` with those requirements; the rest of kitting does not change.
    """
    per_item: dict[int, tuple[int, list[str]]] = {}
    unmatched: list[BomLineRow] = []
    for line in npi.revision_bom(session, actor, order.revision_id):
        if line.dnp:
            continue
        if line.item_id is None:
            unmatched.append(line)
            continue
        count = line.quantity if line.quantity is not None else len(line.refdes)
        total, refdes = per_item.get(line.item_id, (0, []))
        per_item[line.item_id] = (total + count, refdes + list(line.refdes))
    return (
        "bom",
        [Requirement(i, per_board, tuple(refs)) for i, (per_board, refs) in per_item.items()],
        unmatched,
    )


def _ownership(order: WorkOrder) -> ColumnElement[bool]:
    """A customer's consigned parts go only into its own work orders; the factory's stock
    into any, unless it was bought for another customer."""
    return or_(
        MaterialPackage.customer_id == order.customer_id,
        and_(MaterialPackage.customer_id.is_(None), MaterialPackage.consigned.is_(False)),
    )


def _owned_right(package: MaterialPackage, order: WorkOrder) -> bool:
    if package.customer_id is None:
        return not package.consigned
    return package.customer_id == order.customer_id


def _candidates(
    session: Session, order: WorkOrder, item_ids: Sequence[int], today: date
) -> list[MaterialPackage]:
    if not item_ids:
        return []
    in_kit = select(KitReservation.package_id).where(
        KitReservation.state.in_(inventory.ACTIVE_KIT_STATES)
    )
    return list(
        session.scalars(
            select(MaterialPackage)
            .join(ItemPart, ItemPart.id == MaterialPackage.item_part_id)
            .where(
                ItemPart.item_id.in_(item_ids),
                MaterialPackage.state == "available",
                MaterialPackage.quantity > 0,
                or_(MaterialPackage.expires_on.is_(None), MaterialPackage.expires_on >= today),
                MaterialPackage.id.not_in(in_kit),
                _ownership(order),
            )
        )
    )


def pick_list(session: Session, actor: Actor, work_order_id: int) -> PickList:
    """The work order's pick list: per item, required, covered, to pick and suggestions.

    A constant handful of queries whatever the number of items and packages.
    """
    check_permission(actor, Perm.CATALOG_VIEW)
    order = work_orders.access_work_order(session, actor, work_order_id)
    return _pick_list(session, actor, order, clock.today())


def _pick_list(session: Session, actor: Actor, order: WorkOrder, today: date) -> PickList:
    source, requirements, unmatched = _requirements(session, actor, order)
    item_ids = [r.item_id for r in requirements]
    items = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_(item_ids)))}
    kits = list(
        session.scalars(
            select(KitReservation)
            .where(KitReservation.work_order_id == order.id, KitReservation.state != "released")
            .order_by(KitReservation.reserved_at, KitReservation.id)
        )
    )
    candidates = _candidates(session, order, item_ids, today)
    moisture = [p for p in [*candidates, *(k.package for k in kits)] if p.msl not in (None, "1")]
    lives = packages.floor_lives(session, moisture)

    kit_rows: dict[int, list[KitRow]] = {}
    for kit in kits:
        life = lives.get(kit.package_id)
        problem = None
        if kit.state == "reserved":
            why = inventory.why_unusable(kit.package, life, today)
            problem = why[1] if why else None
        kit_rows.setdefault(kit.item_id, []).append(KitRow(kit, life, problem))

    usable: dict[int, list[Candidate]] = {}
    for package in candidates:
        life = lives.get(package.id)
        if life is not None and life.bake_required:
            continue
        usable.setdefault(package.item_part.item_id, []).append(Candidate(package, life))

    lines = []
    for req in requirements:
        item = items[req.item_id]
        rows = kit_rows.pop(req.item_id, [])
        required = required_quantity(order.quantity, req.per_board, item.attrition_pct)
        reserved = sum(
            r.reservation.quantity
            for r in rows
            if r.reservation.state == "reserved" and r.problem is None
        )
        at_line = sum(r.reservation.quantity for r in rows if r.reservation.state == "issued")
        consumed = sum(r.consumed or 0 for r in rows if r.reservation.state == "returned")
        to_pick = max(required - reserved - at_line - consumed, 0)
        pool = sorted(usable.get(req.item_id, []), key=fefo_key)
        suggested: list[Candidate] = []
        covered = 0
        for candidate in pool:
            if covered >= to_pick:
                break
            suggested.append(candidate)
            covered += candidate.package.quantity
        lines.append(
            PickLine(
                item_id=item.id,
                item_number=item.number,
                description=item.description,
                msl=item.msl,
                refdes=req.refdes,
                per_board=req.per_board,
                attrition_pct=item.attrition_pct,
                required=required,
                reserved=reserved,
                at_line=at_line,
                consumed=consumed,
                kits=rows,
                suggested=suggested,
                candidates=sum(c.package.quantity for c in pool),
            )
        )
    other = [row for rows in kit_rows.values() for row in rows]
    return PickList(order, source, lines, unmatched, other)


# --- writes ---------------------------------------------------------------------------


def _open_order(session: Session, actor: Actor, work_order_id: int) -> WorkOrder:
    check_permission(actor, Perm.STORES)
    order = work_orders.access_work_order(session, actor, work_order_id)
    if order.state not in work_orders.OPEN_STATES:
        raise Conflict(
            f"work order {order.number} is {order.state}; only open work orders are kitted",
            rule="work_order_closed",
        )
    return order


def _locked_package(session: Session, actor: Actor, uid: str) -> MaterialPackage:
    """The package, its row locked to the end of the transaction.

    Two people reserving the same reel at once: the second waits here and then sees the
    first one's reservation (PostgreSQL; SQLite write transactions are serial anyway).
    """
    package = packages.access_package(session, actor, uid)
    session.execute(
        select(MaterialPackage.id).where(MaterialPackage.id == package.id).with_for_update()
    )
    return package


def _check_kittable(
    session: Session, order: WorkOrder, package: MaterialPackage, today: date
) -> msd.FloorLifeState | None:
    life = packages.floor_life(session, package) if package.msl not in (None, "1") else None
    why = inventory.why_unusable(package, life, today)
    if why is not None:
        rule, text = why
        raise Conflict(f"{text}; it cannot be kitted", rule=rule)
    if package.quantity <= 0:
        raise Conflict(f"package {package.uid} is empty", rule="empty")
    if not _owned_right(package, order):
        whose = (
            "consigned by another customer" if package.consigned else "bought for another customer"
        )
        raise InvalidInput(
            f"package {package.uid} is {whose} another customer; it cannot go into work order "
            f"{order.number}",
            field="package",
            rule="other_customer",
        )
    return life


def _check_not_kitted(session: Session, actor: Actor, package: MaterialPackage) -> None:
    kit = inventory.kits_holding(session, [package.id]).get(package.id)
    if kit is not None:
        other = work_orders.access_work_order(session, actor, kit.work_order_id)
        where = "reserved for" if kit.state == "reserved" else "at the line for"
        raise Conflict(
            f"package {package.uid} is already {where} work order {other.number}",
            rule="already_kitted",
        )


def _line_for(pick: PickList, package: MaterialPackage) -> PickLine:
    item_id = package.item_part.item_id
    for line in pick.lines:
        if line.item_id == item_id:
            return line
    raise InvalidInput(
        f"package {package.uid} is {package.item_part.item.number} "
        f"({package.item_part.mpn}), which work order {pick.work_order.number} does not use",
        field="package",
        rule="not_in_bom",
    )


def _new_reservation(
    session: Session, order: WorkOrder, package: MaterialPackage, quantity: int
) -> KitReservation:
    kit = KitReservation(
        work_order_id=order.id,
        package_id=package.id,
        item_id=package.item_part.item_id,
        quantity=quantity,
        state="reserved",
        reserved_at=clock.now(),
    )
    session.add(kit)
    return kit


def do_reserve(
    session: Session, actor: Actor, work_order_id: int, package_uid: str
) -> KitReservation:
    """Set one package aside for the work order's kit.

    Refused (nothing written) for a package that is on hold, blocked, quarantined, expired,
    out of floor life or empty; of an item the work order does not use; owned by another
    customer; already in a kit; or when the item is already covered. The error's ``rule``
    names the reason.
    """
    order = _open_order(session, actor, work_order_id)
    today = clock.today()
    package = _locked_package(session, actor, package_uid)
    pick = _pick_list(session, actor, order, today)
    line = _line_for(pick, package)
    _check_kittable(session, order, package, today)
    _check_not_kitted(session, actor, package)
    if line.to_pick <= 0:
        raise Conflict(
            f"{line.item_number} is covered for work order {order.number} (required "
            f"{line.required}); release a reservation first to swap packages",
            rule="item_covered",
        )
    kit = _new_reservation(session, order, package, min(package.quantity, line.to_pick))
    with audit_reason(session, f"kit for {order.number}"):
        session.flush()
    return kit


def do_auto_reserve(session: Session, actor: Actor, work_order_id: int) -> list[KitReservation]:
    """Reserve the suggested packages of every item until its requirement is covered.

    Items the stock cannot cover stay short on the pick list; nothing is reserved twice.
    """
    order = _open_order(session, actor, work_order_id)
    pick = _pick_list(session, actor, order, clock.today())
    wanted = [(line, c.package) for line in pick.lines for c in line.suggested]
    if not wanted:
        return []
    ids = [p.id for _, p in wanted]
    session.execute(select(MaterialPackage.id).where(MaterialPackage.id.in_(ids)).with_for_update())
    taken = inventory.kits_holding(session, ids)  # by someone else since the pick list
    made = []
    remaining = {line.item_id: line.to_pick for line in pick.lines}
    for line, package in wanted:
        if package.id in taken or remaining[line.item_id] <= 0:
            continue
        quantity = min(package.quantity, remaining[line.item_id])
        remaining[line.item_id] -= quantity
        made.append(_new_reservation(session, order, package, quantity))
    with audit_reason(session, f"kit for {order.number} (auto-reserve)"):
        session.flush()
    return made


def _kit_of(
    session: Session, order: WorkOrder, package: MaterialPackage, states: tuple[str, ...]
) -> KitReservation | None:
    return session.scalar(
        select(KitReservation).where(
            KitReservation.work_order_id == order.id,
            KitReservation.package_id == package.id,
            KitReservation.state.in_(states),
        )
    )


def do_release_reservation(
    session: Session, actor: Actor, work_order_id: int, package_uid: str
) -> KitReservation:
    """Undo a reservation: the package goes back to free stock."""
    check_permission(actor, Perm.STORES)
    order = work_orders.access_work_order(session, actor, work_order_id)
    package = packages.access_package(session, actor, package_uid)
    kit = _kit_of(session, order, package, inventory.ACTIVE_KIT_STATES)
    if kit is None:
        raise NotFound(
            f"package {package.uid} is not in the kit of work order {order.number}",
            field="package",
        )
    if kit.state == "issued":
        raise Conflict(
            f"package {package.uid} is at the line; return it with a count instead",
            rule="issued",
        )
    kit.state = "released"
    with audit_reason(session, f"released from the kit of {order.number}"):
        session.flush()
    return kit


def do_issue(
    session: Session, actor: Actor, work_order_id: int, package_uid: str, location_code: str
) -> KitReservation:
    """Send a package to the line side (or a feeder trolley) for the work order.

    A package not yet reserved is reserved first, with the same checks. State, shelf life
    and floor life are checked again now: a package that ran out since it was reserved is
    refused. The whole package moves (``inventory.do_move``) and counts as issued.
    """
    order = _open_order(session, actor, work_order_id)
    today = clock.today()
    target = inventory.find_location(session, location_code)
    if target.kind not in ISSUE_KINDS:
        raise InvalidInput(
            f"location {target.code} is a {target.kind.replace('_', ' ')}; issue to the "
            "line side or a feeder trolley",
            field="location",
            rule="not_line_side",
        )
    package = _locked_package(session, actor, package_uid)
    kit = _kit_of(session, order, package, inventory.ACTIVE_KIT_STATES)
    if kit is not None and kit.state == "issued":
        raise Conflict(
            f"package {package.uid} is already at the line for {order.number}", rule="issued"
        )
    if kit is None:
        kit = do_reserve(session, actor, work_order_id, package.uid)
    _check_kittable(session, order, package, today)
    inventory.do_move(session, actor, package.uid, target.code)
    kit.state = "issued"
    kit.issued_at = clock.now()
    kit.quantity = package.quantity
    with audit_reason(session, f"issued to {target.code} for {order.number}"):
        session.flush()
    return kit


def do_return(
    session: Session,
    actor: Actor,
    work_order_id: int,
    package_uid: str,
    counted_quantity: int,
    location_code: str,
) -> KitReservation:
    """Take a package back from the line with a count of the parts left.

    The count becomes the package's quantity (an audited adjustment) and the kit records it:
    issued minus returned is what the work order used. A count above what was issued, a
    negative count and a return to a line-side location are refused.
    """
    check_permission(actor, Perm.STORES)
    order = work_orders.access_work_order(session, actor, work_order_id)
    if counted_quantity < 0:
        raise InvalidInput(
            f"counted quantity {counted_quantity}: cannot be negative", field="quantity"
        )
    target = inventory.find_location(session, location_code)
    if target.kind in ISSUE_KINDS:
        raise InvalidInput(
            f"location {target.code} is at the line; return to stores (a bin or dry cabinet)",
            field="location",
            rule="not_stores",
        )
    package = packages.access_package(session, actor, package_uid)
    kit = _kit_of(session, order, package, ("issued",))
    if kit is None:
        raise Conflict(
            f"package {package.uid} is not at the line for work order {order.number}",
            rule="not_issued",
        )
    if counted_quantity > kit.quantity:
        raise InvalidInput(
            f"counted {counted_quantity} is more than the {kit.quantity} issued to "
            f"{order.number}; count again",
            field="quantity",
            rule="count_above_issued",
        )
    inventory.do_move(session, actor, package.uid, target.code)
    used = kit.quantity - counted_quantity
    inventory.do_count(
        session,
        actor,
        package.uid,
        counted_quantity,
        reason=f"returned from {order.number}: issued {kit.quantity}, counted "
        f"{counted_quantity}, used {used}",
    )
    kit.state = "returned"
    kit.returned_quantity = counted_quantity
    kit.returned_at = clock.now()
    with audit_reason(session, f"returned from {order.number}, {used} used"):
        session.flush()
    return kit


# --- what MRP reads -------------------------------------------------------------------


def allocations(session: Session) -> list[tuple[int, int, int]]:
    """``(item_id, work_order_id, quantity)`` reserved for kits and not yet issued: one query.

    Only reservations of packages MRP counts as stock (available or on hold, not past their
    shelf life): a reservation on a package that became unusable covers nothing.
    """
    today = clock.today()
    rows = session.execute(
        select(
            KitReservation.item_id, KitReservation.work_order_id, func.sum(KitReservation.quantity)
        )
        .join(MaterialPackage, MaterialPackage.id == KitReservation.package_id)
        .where(
            KitReservation.state == "reserved",
            MaterialPackage.state.in_(("available", "hold")),
            or_(MaterialPackage.expires_on.is_(None), MaterialPackage.expires_on >= today),
        )
        .group_by(KitReservation.item_id, KitReservation.work_order_id)
        .order_by(KitReservation.work_order_id, KitReservation.item_id)
    )
    return [(item_id, wo_id, int(q)) for item_id, wo_id, q in rows]


def issued_by_work_order(session: Session) -> dict[tuple[int, int], int]:
    """``{(work_order_id, item_id): parts}`` at the line or used: one query.

    Issued packages count with all their parts (they are at the line); returned ones with
    what was used (issued minus the returned count).
    """
    used = KitReservation.quantity - func.coalesce(KitReservation.returned_quantity, 0)
    rows = session.execute(
        select(KitReservation.work_order_id, KitReservation.item_id, func.sum(used))
        .where(KitReservation.state.in_(("issued", "returned")))
        .group_by(KitReservation.work_order_id, KitReservation.item_id)
    )
    return {(wo_id, item_id): int(q) for wo_id, item_id, q in rows}
