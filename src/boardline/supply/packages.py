"""Material packages: receiving, incoming inspection, and MSD floor life of each package.

Every physical package gets a unique ID at receipt (or keeps the one already on it). A
receipt against a purchase order line books its quantity on the order (``purchasing``); a
delivery of many alike packages is received in one go (``do_receive_many``). A package is
on ``hold`` until incoming inspection releases it. Its floor life is computed from its MSD
events by the pure rules in ``msd.py`` whenever it is shown or checked; a package whose
floor life has run out is blocked (``do_enforce_floor_life``, run by ``boardline msd check``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from boardline.catalog import services as catalog
from boardline.catalog.tables import ItemPart
from boardline.core import clock
from boardline.core.audit_trail import audit_reason
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import Conflict, InvalidInput, NotFound
from boardline.core.services import access_customer, check_reason
from boardline.supply import gs1, labels, msd, purchasing
from boardline.supply import services as supply
from boardline.supply.offers import Packaging
from boardline.supply.tables import MaterialPackage, MsdEventRow, PurchaseOrderLine

# hold: awaiting incoming inspection; blocked: floor life ran out (or a person blocked it);
# quarantined: suspect, awaiting a quality decision; expired: past its shelf life.
STATES = ("hold", "available", "blocked", "quarantined", "expired")


@dataclass(frozen=True, slots=True)
class Receipt:
    """What arrived in one package (or in each of several alike).

    Against a PO line (``po_line_id``) the MPN, supplier and customer are the order's:
    ``manufacturer`` and ``mpn`` may be left empty, and if given must be the line's.
    ``uid`` is a package ID already on the package (pre-printed Boardline labels or the
    supplier's own reel ID), else a new one is made. ``consigned`` material belongs to
    ``customer_id`` and comes without a PO. ``reason`` is needed, with
    :attr:`Perm.RECEIVE_OVER`, to accept more than the line has open.
    """

    manufacturer: str
    mpn: str
    quantity: int
    packaging: str = "reel"
    lot: str = ""
    date_code: str = ""
    supplier_id: int | None = None
    sealed: bool = True  # arrives in a dry bag (MSD parts)
    po_line_id: int | None = None
    uid: str | None = None
    customer_id: int | None = None
    consigned: bool = False
    reason: str | None = None
    tol_hours: float | None = None  # MSL 6 only: the time on the label


MAX_PACKAGES_PER_RECEIPT = 10_000


def do_receive(session: Session, actor: Actor, receipt: Receipt) -> MaterialPackage:
    """Receive one package: a unique ID, on hold for incoming inspection, MSL from the item."""
    return do_receive_many(session, actor, receipt, 1)[0]


def do_receive_many(
    session: Session, actor: Actor, receipt: Receipt, count: int
) -> list[MaterialPackage]:
    """Receive ``count`` packages alike (a delivery of N reels), each with its own ID.

    All or nothing: every check runs before anything is written, and a PO line is booked
    for the whole ``quantity × count``. The packages are inserted in one flush and their
    MSD "sealed" events in another, whatever ``count`` is. Each package is on hold for
    incoming inspection, carries the item's MSL, and expires ``shelf_life_days`` after
    today when the item has a shelf life.
    """
    check_permission(actor, Perm.STORES)
    if not 1 <= count <= MAX_PACKAGES_PER_RECEIPT:
        raise InvalidInput(
            f"number of packages {count}: 1 to {MAX_PACKAGES_PER_RECEIPT:,}", field="count"
        )
    if receipt.quantity <= 0:
        raise InvalidInput(f"quantity {receipt.quantity}: must be at least 1", field="quantity")
    try:
        packaging = Packaging(receipt.packaging)
    except ValueError:
        raise InvalidInput(f"packaging {receipt.packaging!r} unknown", field="packaging") from None
    uid = _check_uid(receipt.uid, count)
    line = None
    supplier_id: int | None
    if receipt.po_line_id is not None:
        line = purchasing.access_line(session, actor, receipt.po_line_id)
        part, supplier_id, customer_id = _check_po_receipt(session, receipt, line)
    else:
        part = catalog.require_part(session, receipt.manufacturer, receipt.mpn)
        supplier_id, customer_id = receipt.supplier_id, receipt.customer_id
        if supplier_id is not None:
            supply.access_supplier(session, actor, supplier_id)
        if customer_id is not None:
            access_customer(session, actor, customer_id)
        elif receipt.consigned:
            raise InvalidInput(
                "consigned material needs the customer who owns it", field="customer"
            )
    if uid is not None:
        _check_uid_free(session, uid)
    if line is not None:
        purchasing.do_book_receipt(
            session, actor, line, receipt.quantity * count, reason=receipt.reason
        )
    tol_hours = _check_tol(part.item.msl, receipt.tol_hours)
    now = clock.now()
    shelf_life = part.item.shelf_life_days
    made = [
        MaterialPackage(
            uid=uid or gs1.new_package_id(),
            item_part=part,
            supplier_id=supplier_id,
            quantity=receipt.quantity,
            packaging=packaging,
            lot=receipt.lot.strip(),
            date_code=receipt.date_code.strip(),
            msl=part.item.msl,
            tol_hours=tol_hours,
            state="hold",
            received_at=now,
            po_line_id=line.id if line else None,
            customer_id=customer_id,
            consigned=receipt.consigned,
            expires_on=now.date() + timedelta(days=shelf_life) if shelf_life is not None else None,
        )
        for _ in range(count)
    ]
    session.add_all(made)
    session.flush()
    if part.item.msl not in (None, "1") and receipt.sealed:
        session.add_all(
            MsdEventRow(package_id=p.id, kind=msd.EventKind.SEALED.value, at=now) for p in made
        )
        session.flush()
    return made


def _check_tol(msl: str | None, tol_hours: float | None) -> float | None:
    """MSL 6 parts must be baked before use and then used within the time on their label
    (J-STD-033): without it no floor life can be computed, so receiving asks for it."""
    if msl != msd.MSL.L6.value:
        if tol_hours is not None:
            raise InvalidInput(
                f"time on label applies to MSL 6 parts only, this item is MSL {msl or 'none'}",
                field="tol_hours",
            )
        return None
    if tol_hours is None or not tol_hours > 0:
        raise InvalidInput(
            "an MSL 6 part needs the time on its label (hours) to be received", field="tol_hours"
        )
    return float(tol_hours)


def _check_uid(uid: str | None, count: int) -> str | None:
    """A given package ID as stored: ours in canonical form; a supplier's as it is, if it
    fits the label's AI (21) (at most 20 characters of GS1's set), or it could not be
    printed on our label."""
    if uid is None or not uid.strip():
        return None
    if count != 1:
        raise InvalidInput(f"one package ID cannot name {count} packages", field="uid")
    clean = uid.strip()
    try:
        if clean.upper().startswith(gs1.PACKAGE_ID_PREFIX):
            return gs1.check_package_id(clean)
        gs1.encode({gs1.SERIAL: clean})
    except InvalidInput as exc:
        raise InvalidInput(f"package ID: {exc.detail}", field="uid") from None
    return clean


def _check_uid_free(session: Session, uid: str) -> None:
    holder = session.scalar(select(MaterialPackage).where(MaterialPackage.uid == uid))
    if holder is not None:
        raise Conflict(
            f"package ID {uid} is already on a package: {holder.item_part.item.number} "
            f"{holder.item_part.mpn}, {holder.quantity:,} pcs, received "
            f"{holder.received_at:%Y-%m-%d %H:%M} UTC",
            field="uid",
        )


def _check_po_receipt(
    session: Session, receipt: Receipt, line: PurchaseOrderLine
) -> tuple[ItemPart, int, int | None]:
    """The part, supplier and customer of a receipt against ``line``, checking that what
    the receipt names (if anything) agrees with the order."""
    po = line.order
    part = line.item_part
    if receipt.mpn.strip():
        named = catalog.require_part(session, receipt.manufacturer, receipt.mpn)
        if named.id != part.id:
            raise InvalidInput(
                f"{receipt.manufacturer} {receipt.mpn} is not what {po.number} line "
                f"{line.position} orders ({part.manufacturer.name} {part.mpn})",
                field="mpn",
            )
    if receipt.supplier_id not in (None, po.supplier_id):
        raise InvalidInput(
            f"{po.number} is ordered from {po.supplier.code}, not another supplier",
            field="supplier",
        )
    if receipt.customer_id not in (None, po.customer_id):
        raise InvalidInput(f"{po.number} is not bought for that customer", field="customer")
    if receipt.consigned:
        raise InvalidInput(
            "consigned material is the customer's own: it is received without a PO",
            field="consigned",
        )
    return part, po.supplier_id, po.customer_id


def access_package(session: Session, actor: Actor, uid: str) -> MaterialPackage:
    check_permission(actor, Perm.CATALOG_VIEW)
    package = session.scalar(select(MaterialPackage).where(MaterialPackage.uid == uid.strip()))
    if package is None:
        raise NotFound(f"package {uid} not found")
    return package


def find_by_scan(session: Session, actor: Actor, scanned: str) -> MaterialPackage:
    """The package a scanned label names: a GS1 string (its (21) serial) or a bare ID."""
    fields = gs1.parse(scanned)
    uid = fields.get(gs1.SERIAL)
    if uid is None:
        raise InvalidInput("the label carries no package ID (AI 21)", field="scan")
    if uid.strip().upper().startswith(gs1.PACKAGE_ID_PREFIX):
        return access_package(session, actor, gs1.check_package_id(uid))
    # A supplier's own reel ID, kept as received (see _check_uid).
    return access_package(session, actor, uid)


def label_of(package: MaterialPackage) -> labels.PackageLabel:
    part = package.item_part
    return labels.PackageLabel(
        package_id=package.uid,
        item_number=part.item.number,
        mpn=part.mpn,
        manufacturer=part.manufacturer.name,
        quantity=package.quantity,
        lot=package.lot or None,
        date_code=package.date_code or None,
        msl=package.msl,
        expiry=package.expires_on,
        gtin=None,
    )


def do_set_state(
    session: Session, actor: Actor, uid: str, state: str, *, reason: str
) -> MaterialPackage:
    """Release from incoming inspection, quarantine, block or unblock, with a reason."""
    check_permission(actor, Perm.STORES)
    if state not in STATES:
        raise InvalidInput(f"state {state!r}: one of {', '.join(STATES)}", field="state")
    package = access_package(session, actor, uid)
    reason = check_reason(reason, f"setting package {uid} to {state}")
    if state == "available" and package.msl not in (None, "1"):
        life = floor_life(session, package)
        if life.bake_required:
            raise Conflict(f"package {uid} cannot be released: {life.reason}; bake it first")
    package.state = state
    with audit_reason(session, reason):
        session.flush()
    return package


def do_msd_event(
    session: Session,
    actor: Actor,
    uid: str,
    kind: str,
    *,
    at: datetime | None = None,
    temperature_c: float | None = None,
    duration_h: float | None = None,
) -> msd.FloorLifeState:
    """Record opening, dry storage in/out, resealing or a bake; returns the new state."""
    check_permission(actor, Perm.STORES)
    package = access_package(session, actor, uid)
    if package.msl in (None, "1"):
        raise InvalidInput(
            f"package {uid} is not moisture sensitive (MSL {package.msl or '-'})", field="kind"
        )
    try:
        event = msd.MsdEvent(msd.EventKind(kind), at or clock.now(), temperature_c, duration_h)
    except ValueError as exc:
        raise InvalidInput(f"MSD event: {exc}", field="kind") from None
    session.add(
        MsdEventRow(
            package_id=package.id,
            kind=event.kind.value,
            at=event.at,
            temperature_c=temperature_c,
            duration_h=duration_h,
        )
    )
    session.flush()
    return floor_life(session, package)


def floor_life(
    session: Session, package: MaterialPackage, now: datetime | None = None
) -> msd.FloorLifeState:
    return floor_lives(session, [package], now)[package.id]


def floor_lives(
    session: Session, items: Sequence[MaterialPackage], now: datetime | None = None
) -> dict[int, msd.FloorLifeState]:
    """Floor life per package id, reading all their MSD events in one query."""
    ids = [p.id for p in items]
    events: dict[int, list[msd.MsdEvent]] = {i: [] for i in ids}
    if ids:
        for r in session.scalars(
            select(MsdEventRow).where(MsdEventRow.package_id.in_(ids)).order_by(MsdEventRow.at)
        ):
            events[r.package_id].append(
                msd.MsdEvent(msd.EventKind(r.kind), r.at, r.temperature_c, r.duration_h)
            )
    at = now or clock.now()
    return {p.id: _floor_life_state(p, events[p.id], at) for p in items}


# An MSL 6 package stored without its time on label (none can be received so now): treat it
# as having no floor life at all, so it must be baked, never assumed fine.
_UNKNOWN_TOL_HOURS = 1e-6


def _floor_life_state(
    package: MaterialPackage, events: list[msd.MsdEvent], at: datetime
) -> msd.FloorLifeState:
    msl = msd.parse_msl(package.msl or "1")
    tol = (package.tol_hours or _UNKNOWN_TOL_HOURS) if msl is msd.MSL.L6 else None
    return msd.floor_life_state(msl, events, at, tol_hours=tol)


def list_packages(session: Session, actor: Actor, *, limit: int = 500) -> Sequence[MaterialPackage]:
    check_permission(actor, Perm.CATALOG_VIEW)
    return session.scalars(
        select(MaterialPackage).order_by(MaterialPackage.received_at.desc()).limit(limit)
    ).all()


def events_of(session: Session, package: MaterialPackage) -> Sequence[MsdEventRow]:
    return session.scalars(
        select(MsdEventRow).where(MsdEventRow.package_id == package.id).order_by(MsdEventRow.at)
    ).all()


def msd_packages(session: Session, actor: Actor) -> Sequence[MaterialPackage]:
    check_permission(actor, Perm.CATALOG_VIEW)
    return session.scalars(
        select(MaterialPackage)
        .where(MaterialPackage.msl.is_not(None), MaterialPackage.msl != "1")
        .order_by(MaterialPackage.uid)
    ).all()


def do_enforce_floor_life(
    session: Session, actor: Actor, *, within: timedelta
) -> tuple[list[tuple[str, msd.FloorLifeState]], list[str]]:
    """Packages whose floor life ends within ``within``, and the ones blocked just now.

    A package that has run out (or needs a bake) is blocked automatically, audited with
    the reason, so it cannot be kitted, loaded or used until someone bakes and releases it.
    """
    msd_items = msd_packages(session, actor)
    lives = floor_lives(session, msd_items)
    states = {p.uid: (p, lives[p.id]) for p in msd_items}
    soon = msd.expiring_soon({uid: st for uid, (_, st) in states.items()}, within)
    blocked: list[str] = []
    for uid, (package, state) in states.items():
        if state.status in (msd.Status.EXPIRED, msd.Status.NEEDS_BAKE) and package.state in (
            "available",
            "hold",
        ):
            package.state = "blocked"
            with audit_reason(session, f"floor life: {state.reason}"):
                session.flush()
            blocked.append(uid)
    return list(soon), blocked


def copy_msd_history(session: Session, source: MaterialPackage, target: MaterialPackage) -> None:
    """A split package keeps the moisture history of the one it came from."""
    for event in events_of(session, source):
        session.add(
            MsdEventRow(
                package_id=target.id,
                kind=event.kind,
                at=event.at,
                temperature_c=event.temperature_c,
                duration_h=event.duration_h,
                note=f"from {source.uid}",
            )
        )
    session.flush()
