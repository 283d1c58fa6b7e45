"""Catalog use cases: items and their MPNs, manufacturers, customer approved lists, supply.

Other domains look parts up here by MPN (NPI links BOM lines to items and reads lifecycle,
MSL and sources for its DFM review) in one query per call, never one per part.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from boardline.catalog.rules import (
    Lifecycle,
    Mounting,
    Supply,
    check_item_number,
    check_msl,
    manufacturer_key,
    mpn_key,
)
from boardline.catalog.tables import (
    ApprovedManufacturer,
    CustomerItemSupply,
    Item,
    ItemPart,
    Manufacturer,
)
from boardline.core.audit_trail import audit_reason
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import AlreadyExists, InvalidInput, NotFound
from boardline.core.services import access_customer, check_version


def ensure_manufacturer(session: Session, name: str) -> Manufacturer:
    """The manufacturer of this name (legal forms and case ignored), created when new."""
    key = manufacturer_key(name)
    if not key:
        raise InvalidInput(f"manufacturer name {name!r} is empty", field="manufacturer")
    found = session.scalar(select(Manufacturer).where(Manufacturer.key == key))
    if found is None:
        found = Manufacturer(name=name.strip(), key=key)
        session.add(found)
        session.flush()
    return found


def _enum_value(
    enum: type[Lifecycle] | type[Mounting] | type[Supply], value: str, field: str
) -> str:
    try:
        return enum(value.strip().lower()).value
    except ValueError:
        raise InvalidInput(
            f"{field} {value!r}: one of {', '.join(m.value for m in enum)}", field=field
        ) from None


def do_create_item(
    session: Session,
    actor: Actor,
    *,
    number: str,
    description: str = "",
    package: str = "",
    mounting: str = "smt",
    pin_count: int | None = None,
    msl: str | None = None,
    shelf_life_days: int | None = None,
    lifecycle: str = "active",
    attrition_pct: float = 0.0,
) -> Item:
    check_permission(actor, Perm.CATALOG_MANAGE)
    number = check_item_number(number)
    if session.scalar(select(Item.id).where(Item.number == number)) is not None:
        raise AlreadyExists(f"item {number} already exists", field="number")
    if pin_count is not None and pin_count < 0:
        raise InvalidInput("pin count cannot be negative", field="pin_count")
    item = Item(
        number=number,
        description=description.strip(),
        package=package.strip(),
        mounting=Mounting(_enum_value(Mounting, mounting, "mounting")),
        pin_count=pin_count,
        msl=check_msl(msl),
        shelf_life_days=shelf_life_days,
        lifecycle=Lifecycle(_enum_value(Lifecycle, lifecycle, "lifecycle")),
        attrition_pct=check_attrition(attrition_pct),
    )
    session.add(item)
    session.flush()
    return item


def check_attrition(pct: float) -> float:
    """Attrition is a loss in percent of parts used: 0 up to 100 (a part lost per part used)."""
    if not 0 <= pct <= 100:
        raise InvalidInput(f"attrition {pct} %: between 0 and 100", field="attrition_pct")
    return float(pct)


def access_item(session: Session, actor: Actor, item_id: int) -> Item:
    check_permission(actor, Perm.CATALOG_VIEW)
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"item {item_id} not found")
    return item


def find_item(session: Session, actor: Actor, number: str) -> Item:
    check_permission(actor, Perm.CATALOG_VIEW)
    item = session.scalar(select(Item).where(Item.number == number.strip()))
    if item is None:
        raise NotFound(f"item {number} not found")
    return item


def list_items(
    session: Session, actor: Actor, *, search: str = "", limit: int = 200
) -> Sequence[Item]:
    check_permission(actor, Perm.CATALOG_VIEW)
    stmt = select(Item).order_by(Item.number).limit(limit)
    if search.strip():
        like = f"%{search.strip()}%"
        key = f"%{mpn_key(search)}%"
        stmt = stmt.where(
            or_(
                Item.number.ilike(like),
                Item.description.ilike(like),
                Item.id.in_(select(ItemPart.item_id).where(ItemPart.mpn_key.like(key))),
            )
        )
    return session.scalars(stmt).all()


def do_update_item(
    session: Session,
    actor: Actor,
    item_id: int,
    *,
    expected_version: int | None,
    lifecycle: str | None = None,
    msl: str | None = None,
    description: str | None = None,
    attrition_pct: float | None = None,
    reason: str | None = None,
) -> Item:
    check_permission(actor, Perm.CATALOG_MANAGE)
    item = access_item(session, actor, item_id)
    check_version(item, expected_version, f"item {item.number}")
    if attrition_pct is not None:
        item.attrition_pct = check_attrition(attrition_pct)
    if lifecycle is not None:
        item.lifecycle = Lifecycle(_enum_value(Lifecycle, lifecycle, "lifecycle"))
    if msl is not None:
        item.msl = check_msl(msl)
    if description is not None:
        item.description = description.strip()
    with audit_reason(session, reason):
        session.flush()
    return item


def do_add_part(
    session: Session,
    actor: Actor,
    item_id: int,
    *,
    manufacturer: str,
    mpn: str,
    rank: int | None = None,
) -> ItemPart:
    """Add a manufacturer part number to an item: rank 1 is preferred, later ones alternates."""
    check_permission(actor, Perm.CATALOG_MANAGE)
    item = access_item(session, actor, item_id)
    key = mpn_key(mpn)
    if not key:
        raise InvalidInput("the MPN is empty", field="mpn")
    maker = ensure_manufacturer(session, manufacturer)
    taken = session.scalar(
        select(ItemPart).where(ItemPart.manufacturer_id == maker.id, ItemPart.mpn_key == key)
    )
    if taken is not None:
        raise AlreadyExists(
            f"{maker.name} {mpn} already belongs to item {taken.item.number}", field="mpn"
        )
    next_rank = (
        session.scalar(select(func.max(ItemPart.rank)).where(ItemPart.item_id == item.id)) or 0
    ) + 1
    part = ItemPart(
        item_id=item.id,
        manufacturer_id=maker.id,
        mpn=mpn.strip(),
        mpn_key=key,
        rank=rank or next_rank,
    )
    session.add(part)
    session.flush()
    return part


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """What other domains read about the item behind an MPN."""

    item_id: int
    number: str
    lifecycle: Lifecycle
    msl: str | None
    sources: int  # distinct manufacturers approved for the item
    mounting: Mounting
    pin_count: int | None


def facts_by_mpn(session: Session, mpns: Iterable[str]) -> dict[str, ItemFacts]:
    """Facts per MPN key for every MPN that belongs to an item (two queries in all)."""
    keys = {k for k in (mpn_key(m) for m in mpns) if k}
    if not keys:
        return {}
    rows = session.execute(
        select(ItemPart.mpn_key, Item)
        .join(Item, Item.id == ItemPart.item_id)
        .where(ItemPart.mpn_key.in_(keys))
    ).all()
    item_ids = {item.id for _, item in rows}
    sources = (
        dict(
            session.execute(
                select(ItemPart.item_id, func.count(func.distinct(ItemPart.manufacturer_id)))
                .where(ItemPart.item_id.in_(item_ids))
                .group_by(ItemPart.item_id)
            ).all()
        )
        if item_ids
        else {}
    )
    return {
        key: ItemFacts(
            item.id,
            item.number,
            item.lifecycle,
            item.msl,
            int(sources.get(item.id, 0)),
            item.mounting,
            item.pin_count,
        )
        for key, item in rows
    }


def do_approve_manufacturer(
    session: Session, actor: Actor, customer_id: int, name: str
) -> ApprovedManufacturer:
    check_permission(actor, Perm.CATALOG_MANAGE)
    access_customer(session, actor, customer_id)
    maker = ensure_manufacturer(session, name)
    exists = session.scalar(
        select(ApprovedManufacturer).where(
            ApprovedManufacturer.customer_id == customer_id,
            ApprovedManufacturer.manufacturer_id == maker.id,
        )
    )
    if exists is not None:
        raise AlreadyExists(f"{maker.name} is already approved for this customer")
    entry = ApprovedManufacturer(customer_id=customer_id, manufacturer_id=maker.id)
    session.add(entry)
    session.flush()
    return entry


def do_withdraw_approval(session: Session, actor: Actor, customer_id: int, name: str) -> None:
    check_permission(actor, Perm.CATALOG_MANAGE)
    access_customer(session, actor, customer_id)
    for entry in session.scalars(
        select(ApprovedManufacturer).where(ApprovedManufacturer.customer_id == customer_id)
    ):
        if entry.manufacturer.key == manufacturer_key(name):
            session.delete(entry)
            session.flush()
            return
    raise NotFound(f"{name} is not on this customer's approved list")


def approved_manufacturers(session: Session, customer_id: int) -> list[str]:
    """The customer's approved manufacturer names (empty: the customer restricts nothing)."""
    return sorted(
        session.scalars(
            select(Manufacturer.name)
            .join(ApprovedManufacturer, ApprovedManufacturer.manufacturer_id == Manufacturer.id)
            .where(ApprovedManufacturer.customer_id == customer_id)
        )
    )


def do_set_supply(
    session: Session, actor: Actor, customer_id: int, item_id: int, supply: str
) -> CustomerItemSupply:
    """Record whether the EMS buys an item for this customer or the customer consigns it."""
    check_permission(actor, Perm.CATALOG_MANAGE)
    access_customer(session, actor, customer_id)
    access_item(session, actor, item_id)
    value = Supply(_enum_value(Supply, supply, "supply"))
    row = session.scalar(
        select(CustomerItemSupply).where(
            CustomerItemSupply.customer_id == customer_id, CustomerItemSupply.item_id == item_id
        )
    )
    if row is None:
        row = CustomerItemSupply(customer_id=customer_id, item_id=item_id, supply=value)
        session.add(row)
    else:
        row.supply = value
    session.flush()
    return row


def supply_of(session: Session, customer_id: int, item_ids: Iterable[int]) -> dict[int, Supply]:
    ids = set(item_ids)
    if not ids:
        return {}
    return dict(
        session.execute(
            select(CustomerItemSupply.item_id, CustomerItemSupply.supply).where(
                CustomerItemSupply.customer_id == customer_id, CustomerItemSupply.item_id.in_(ids)
            )
        ).all()
    )


def do_clear_supply(session: Session, actor: Actor, customer_id: int, item_id: int) -> None:
    check_permission(actor, Perm.CATALOG_MANAGE)
    session.execute(
        delete(CustomerItemSupply).where(
            CustomerItemSupply.customer_id == customer_id, CustomerItemSupply.item_id == item_id
        )
    )


def item_numbers(session: Session, item_ids: Iterable[int | None]) -> dict[int, str]:
    """Item number per id, in one query (for pages listing many BOM lines)."""
    ids = {i for i in item_ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Item.id, Item.number).where(Item.id.in_(ids))).all())


def require_part(session: Session, manufacturer: str, mpn: str) -> ItemPart:
    """The item part for this manufacturer and MPN, or InvalidInput: add it to an item first.

    Receiving and offers both need a part the item master knows.
    """
    part = session.scalar(
        select(ItemPart)
        .join(Manufacturer, Manufacturer.id == ItemPart.manufacturer_id)
        .where(ItemPart.mpn_key == mpn_key(mpn), Manufacturer.key == manufacturer_key(manufacturer))
    )
    if part is None:
        raise InvalidInput(
            f"unknown MPN {manufacturer} {mpn}: add it to an item first", field="mpn"
        )
    return part
