"""Stock: what is on hand, by item and by location, and what MRP may count on.

Every read aggregates in SQL: one query for the packages or totals, plus one for the
moisture histories of the MSD packages shown (``packages.floor_lives``), so a stock page
costs the same few queries with ten packages or ten thousand.

Vocabulary used on every page and in the API:

- **on hand**: parts in stores, by package state (available, hold, blocked, quarantined,
  expired). Packages issued to a work order are *at the line* and not on hand.
- **reserved**: the part of the available stock promised to work orders' kits.
- **consigned**: parts the customer owns and supplied; the rest is the factory's own stock,
  some of it bought for a customer (turnkey).

Shelf life is enforced here (``do_enforce_shelf_life``); floor life by
``packages.do_enforce_floor_life``. Both run from ``boardline msd check`` and the server's
periodic check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, not_, or_, select
from sqlalchemy.orm import Session, lazyload

from boardline.catalog.rules import mpn_key
from boardline.catalog.tables import Item, ItemPart
from boardline.core import clock
from boardline.core.audit_trail import audit_reason
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import InvalidInput, NotFound
from boardline.production.tables import WorkOrder
from boardline.supply import inventory, msd, packages
from boardline.supply.tables import KitReservation, Location, MaterialPackage

STATES = packages.STATES
# What MRP counts as stock: incoming inspection is expected to pass.
USABLE_STATES = ("available", "hold")

P = MaterialPackage


@dataclass(frozen=True, slots=True)
class ItemStock:
    """One item's stock, summed over all its packages (see the module doc for the terms)."""

    item_id: int
    item_number: str
    description: str
    msl: str | None
    available: int
    hold: int
    blocked: int
    quarantined: int
    expired: int
    reserved: int
    at_line: int
    packages: int  # packages with parts left, in stores or at the line
    earliest_expiry: date | None  # of the packages with parts not yet marked expired
    consigned: int  # on hand, owned by customers
    turnkey: int  # on hand, the factory's, bought for a customer

    @property
    def on_hand(self) -> int:
        return self.available + self.hold + self.blocked + self.quarantined + self.expired

    @property
    def free(self) -> int:
        """Available and not promised to a kit."""
        return max(self.available - self.reserved, 0)


@dataclass(frozen=True, slots=True)
class PackageRow:
    """A package as stock pages list it: with its floor life and the kit holding it."""

    package: MaterialPackage
    life: msd.FloorLifeState | None  # None: not moisture sensitive
    kit_state: str | None = None  # reserved | issued
    work_order_id: int | None = None
    work_order_number: str | None = None


@dataclass(frozen=True, slots=True)
class ItemDetail:
    item: Item
    stock: ItemStock | None  # None: no package of the item was ever received
    packages: list[PackageRow]


@dataclass(frozen=True, slots=True)
class LocationDetail:
    location: Location
    packages: list[PackageRow]


def _active_kits() -> Any:
    """Per package in a kit now: the parts reserved and whether it is at the line."""
    return (
        select(
            KitReservation.package_id.label("package_id"),
            func.sum(
                case((KitReservation.state == "reserved", KitReservation.quantity), else_=0)
            ).label("reserved"),
            func.max(case((KitReservation.state == "issued", 1), else_=0)).label("issued"),
        )
        .where(KitReservation.state.in_(inventory.ACTIVE_KIT_STATES))
        .group_by(KitReservation.package_id)
        .subquery()
    )


def _sum_where(condition: ColumnElement[bool], value: Any = P.quantity) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _item_search(search: str) -> ColumnElement[bool]:
    like = f"%{search.strip()}%"
    key = f"%{mpn_key(search)}%"
    return or_(
        Item.number.ilike(like),
        Item.description.ilike(like),
        Item.id.in_(select(ItemPart.item_id).where(ItemPart.mpn_key.like(key))),
    )


def stock_by_item(
    session: Session,
    actor: Actor,
    *,
    search: str = "",
    state: str = "",
    item_ids: Sequence[int] | None = None,
    limit: int = 500,
) -> list[ItemStock]:
    """Stock of every item that has packages, in one query, by item number.

    ``search`` matches the item number, description or any MPN; ``state`` keeps items with
    parts in that state (or ``reserved``, ``at_line``, ``consigned``).
    """
    check_permission(actor, Perm.CATALOG_VIEW)
    kits = _active_kits()
    at_line = func.coalesce(kits.c.issued, 0) == 1
    in_stores = not_(at_line)
    columns = {
        "available": _sum_where(and_(in_stores, P.state == "available")),
        "hold": _sum_where(and_(in_stores, P.state == "hold")),
        "blocked": _sum_where(and_(in_stores, P.state == "blocked")),
        "quarantined": _sum_where(and_(in_stores, P.state == "quarantined")),
        "expired": _sum_where(and_(in_stores, P.state == "expired")),
        # A reservation on a package that has since become unusable promises nothing.
        "reserved": _sum_where(P.state == "available", func.coalesce(kits.c.reserved, 0)),
        "at_line": _sum_where(at_line),
        "packages": func.count(case((P.quantity > 0, P.id))),
        "earliest_expiry": func.min(
            case((and_(P.quantity > 0, P.state != "expired"), P.expires_on))
        ),
        "consigned": _sum_where(and_(in_stores, P.consigned.is_(True))),
        "turnkey": _sum_where(and_(in_stores, P.consigned.is_(False), P.customer_id.is_not(None))),
    }
    stmt = (
        select(Item.id, Item.number, Item.description, Item.msl, *columns.values())
        .select_from(P)
        .join(ItemPart, ItemPart.id == P.item_part_id)
        .join(Item, Item.id == ItemPart.item_id)
        .outerjoin(kits, kits.c.package_id == P.id)
        .group_by(Item.id, Item.number, Item.description, Item.msl)
        .order_by(Item.number)
        .limit(limit)
    )
    if search.strip():
        stmt = stmt.where(_item_search(search))
    if item_ids is not None:
        stmt = stmt.where(Item.id.in_(item_ids))
    if state:
        if state not in columns or state in ("packages", "earliest_expiry"):
            choices = ", ".join((*STATES, "reserved", "at_line", "consigned", "turnkey"))
            raise InvalidInput(f"stock filter {state!r}: one of {choices}", field="state")
        stmt = stmt.having(columns[state] > 0)
    out = []
    for row in session.execute(stmt):
        item_id, number, description, item_msl, *values = row
        figures = dict(zip(columns, values, strict=True))
        expiry = figures.pop("earliest_expiry")
        out.append(
            ItemStock(
                item_id=item_id,
                item_number=number,
                description=description,
                msl=item_msl,
                earliest_expiry=expiry,
                **{k: int(v) for k, v in figures.items()},
            )
        )
    return out


def _package_rows(
    session: Session, where: Sequence[ColumnElement[bool]], *, include_empty: bool
) -> list[PackageRow]:
    """Packages matching ``where`` with floor life and kit: two queries, however many."""
    stmt = (
        select(P, KitReservation.state, KitReservation.work_order_id, WorkOrder.number)
        .join(ItemPart, ItemPart.id == P.item_part_id)
        .outerjoin(
            KitReservation,
            and_(
                KitReservation.package_id == P.id,
                KitReservation.state.in_(inventory.ACTIVE_KIT_STATES),
            ),
        )
        .outerjoin(WorkOrder, WorkOrder.id == KitReservation.work_order_id)
        .where(*where)
        .order_by(P.expires_on.is_(None), P.expires_on, P.received_at, P.id)
    )
    if not include_empty:
        stmt = stmt.where(P.quantity > 0)
    rows = session.execute(stmt).all()
    lives = packages.floor_lives(session, [r[0] for r in rows if r[0].msl not in (None, "1")])
    return [
        PackageRow(
            package=p, life=lives.get(p.id), kit_state=k, work_order_id=w, work_order_number=n
        )
        for p, k, w, n in rows
    ]


def item_stock(
    session: Session, actor: Actor, item_number: str, *, include_empty: bool = False
) -> ItemDetail:
    """One item's totals and its packages, each with remaining floor life and kit."""
    check_permission(actor, Perm.CATALOG_VIEW)
    item = session.scalar(select(Item).where(Item.number == item_number.strip()))
    if item is None:
        raise NotFound(f"item {item_number} not found", field="item")
    totals = stock_by_item(session, actor, item_ids=[item.id])
    rows = _package_rows(session, [ItemPart.item_id == item.id], include_empty=include_empty)
    return ItemDetail(item=item, stock=totals[0] if totals else None, packages=rows)


def location_stock(session: Session, actor: Actor, code: str) -> LocationDetail:
    """The packages kept in one location, each with remaining floor life and kit."""
    check_permission(actor, Perm.CATALOG_VIEW)
    location = inventory.find_location(session, code)
    rows = _package_rows(session, [P.location_id == location.id], include_empty=False)
    return LocationDetail(location=location, packages=rows)


def _issued_package_ids() -> Any:
    return select(KitReservation.package_id).where(KitReservation.state == "issued")


def usable_on_hand(session: Session, today: date | None = None) -> dict[int, int]:
    """Parts per item id that MRP may count on: three queries, whatever the stock.

    Available or on hold (incoming inspection is expected to pass), with parts left, not
    past the shelf life, not issued to a work order and, for MSD parts, not out of floor
    life. Reserved packages count: MRP learns from :func:`kitting.allocations` whose they are.
    Parts that are not moisture sensitive are summed in SQL; only MSD packages are loaded,
    because their floor life is replayed from their events.
    """
    day = today or clock.today()
    usable = (
        P.state.in_(USABLE_STATES),
        P.quantity > 0,
        or_(P.expires_on.is_(None), P.expires_on >= day),
        P.id.not_in(_issued_package_ids()),
    )
    is_msd = and_(P.msl.is_not(None), P.msl != "1")
    out: dict[int, int] = {
        item_id: int(quantity)
        for item_id, quantity in session.execute(
            select(ItemPart.item_id, func.sum(P.quantity))
            .join(ItemPart, ItemPart.id == P.item_part_id)
            .where(*usable, not_(is_msd))
            .group_by(ItemPart.item_id)
        )
    }
    rows = session.execute(
        select(P, ItemPart.item_id)
        .join(ItemPart, ItemPart.id == P.item_part_id)
        .where(*usable, is_msd)
        # Only id, msl and quantity are read: skip the joined item, supplier and location.
        .options(lazyload("*"))
    ).all()
    lives = packages.floor_lives(session, [p for p, _ in rows])
    for package, item_id in rows:
        if lives[package.id].bake_required:
            continue
        out[item_id] = out.get(item_id, 0) + package.quantity
    return out


def do_enforce_shelf_life(
    session: Session, actor: Actor, today: date | None = None
) -> list[MaterialPackage]:
    """Mark expired every package past its shelf life (``expires_on`` before ``today``).

    Only packages with parts left that are available or on hold change: blocked and
    quarantined ones are already out of use and keep the state a person gave them. Each
    change is audited with the expiry date as reason. Returns the packages changed, so
    ``boardline msd check`` can list them.
    """
    check_permission(actor, Perm.STORES)
    day = today or clock.today()
    expired = list(
        session.scalars(
            select(P)
            .where(
                P.state.in_(USABLE_STATES),
                P.quantity > 0,
                P.expires_on.is_not(None),
                P.expires_on < day,
            )
            .order_by(P.expires_on, P.uid)
        )
    )
    by_date: dict[date, list[MaterialPackage]] = {}
    for package in expired:
        assert package.expires_on is not None
        by_date.setdefault(package.expires_on, []).append(package)
    for last_day, group in by_date.items():
        for package in group:
            package.state = "expired"
        with audit_reason(session, f"shelf life: last day of use was {last_day}"):
            session.flush()
    return expired
