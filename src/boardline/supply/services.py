"""Supply use cases: suppliers and their offers, and the best offer for a quantity."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from boardline.catalog import services as catalog
from boardline.catalog.rules import mpn_key
from boardline.catalog.tables import ItemPart
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import AlreadyExists, InvalidInput, NotFound
from boardline.supply.offers import Packaging, Terms, check_breaks
from boardline.supply.tables import Offer, Supplier

SUPPLIER_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")


def do_create_supplier(
    session: Session, actor: Actor, *, code: str, name: str, currency: str = "EUR"
) -> Supplier:
    check_permission(actor, Perm.CATALOG_MANAGE)
    code = code.strip().upper()
    if not SUPPLIER_CODE_RE.match(code):
        raise InvalidInput(
            f"supplier code {code!r}: 1-32 letters, digits, '-' or '_'", field="code"
        )
    if not re.fullmatch(r"[A-Z]{3}", currency.strip().upper()):
        raise InvalidInput(f"currency {currency!r}: a three-letter ISO code", field="currency")
    if session.scalar(select(Supplier.id).where(Supplier.code == code)) is not None:
        raise AlreadyExists(f"supplier {code} already exists", field="code")
    supplier = Supplier(code=code, name=name.strip() or code, currency=currency.upper())
    session.add(supplier)
    session.flush()
    return supplier


def list_suppliers(session: Session, actor: Actor) -> Sequence[Supplier]:
    check_permission(actor, Perm.CATALOG_VIEW)
    return session.scalars(select(Supplier).order_by(Supplier.code)).all()


def access_supplier(session: Session, actor: Actor, supplier_id: int) -> Supplier:
    check_permission(actor, Perm.CATALOG_VIEW)
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound(f"supplier {supplier_id} not found")
    return supplier


def find_supplier(session: Session, actor: Actor, code: str) -> Supplier:
    check_permission(actor, Perm.CATALOG_VIEW)
    supplier = session.scalar(select(Supplier).where(Supplier.code == code.strip().upper()))
    if supplier is None:
        raise NotFound(f"supplier {code} not found")
    return supplier


def _parse_breaks(breaks: Iterable[tuple[object, object]]) -> list[list[object]]:
    try:
        parsed = [(int(str(q)), Decimal(str(p))) for q, p in breaks]
    except (ValueError, InvalidOperation):
        raise InvalidInput(
            "price breaks are (quantity, unit price) pairs of numbers", field="breaks"
        ) from None
    return [[q, str(p)] for q, p in check_breaks(parsed)]


def do_add_offer(
    session: Session,
    actor: Actor,
    supplier_id: int,
    *,
    manufacturer: str,
    mpn: str,
    packaging: str,
    breaks: Iterable[tuple[object, object]],
    moq: int = 1,
    multiple: int = 1,
    lead_time_days: int | None = None,
    sku: str = "",
) -> Offer:
    """An offer for an MPN the item master knows (an unknown MPN is refused: add it first)."""
    check_permission(actor, Perm.CATALOG_MANAGE)
    supplier = access_supplier(session, actor, supplier_id)
    part = catalog.require_part(session, manufacturer, mpn)
    try:
        pack = Packaging(packaging.strip().lower())
    except ValueError:
        raise InvalidInput(
            f"packaging {packaging!r}: one of " + ", ".join(p.value for p in Packaging),
            field="packaging",
        ) from None
    if moq < 1 or multiple < 1:
        raise InvalidInput("MOQ and order multiple must be at least 1", field="moq")
    if lead_time_days is not None and lead_time_days < 0:
        raise InvalidInput("lead time cannot be negative", field="lead_time_days")
    offer = Offer(
        supplier_id=supplier.id,
        item_part_id=part.id,
        sku=sku.strip(),
        packaging=pack,
        moq=moq,
        multiple=multiple,
        lead_time_days=lead_time_days,
        breaks=_parse_breaks(breaks),
    )
    session.add(offer)
    session.flush()
    return offer


def terms_of(offer: Offer) -> Terms:
    return Terms(
        supplier=offer.supplier.code,
        sku=offer.sku,
        breaks=tuple((int(str(q)), Decimal(str(p))) for q, p in offer.breaks),
        moq=offer.moq,
        multiple=offer.multiple,
        lead_time_days=offer.lead_time_days,
    )


def terms_by_mpn(session: Session, mpns: Iterable[str]) -> dict[str, list[Terms]]:
    """Every offer's terms per MPN key, in one query."""
    keys = {k for k in (mpn_key(m) for m in mpns) if k}
    if not keys:
        return {}
    offers = session.scalars(
        select(Offer)
        .join(ItemPart, ItemPart.id == Offer.item_part_id)
        .where(ItemPart.mpn_key.in_(keys))
    ).all()
    found: dict[str, list[Terms]] = {}
    for offer in offers:
        found.setdefault(offer.item_part.mpn_key, []).append(terms_of(offer))
    return found


def offers_for_item(session: Session, actor: Actor, item_id: int) -> Sequence[Offer]:
    check_permission(actor, Perm.CATALOG_VIEW)
    return session.scalars(
        select(Offer)
        .join(ItemPart, ItemPart.id == Offer.item_part_id)
        .where(ItemPart.item_id == item_id)
        .order_by(Offer.id)
    ).all()


def offers_of_supplier(session: Session, actor: Actor, supplier_id: int) -> Sequence[Offer]:
    access_supplier(session, actor, supplier_id)
    return session.scalars(
        select(Offer)
        .where(Offer.supplier_id == supplier_id)
        .options(joinedload(Offer.item_part).joinedload(ItemPart.item))
        .order_by(Offer.id)
    ).all()
