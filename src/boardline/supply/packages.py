"""Material packages: receiving, incoming inspection, and MSD floor life of each package.

Every physical package gets a unique ID at receipt. A package is on ``hold`` until
incoming inspection releases it. Its floor life is computed from its MSD events by the
pure rules in ``msd.py`` whenever it is shown or checked; a package whose floor life has
run out is blocked (``do_enforce_floor_life``, run by ``boardline msd check``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from boardline.catalog import services as catalog
from boardline.core import clock
from boardline.core.audit_trail import audit_reason
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import Conflict, InvalidInput, NotFound
from boardline.core.services import check_reason
from boardline.supply import gs1, labels, msd
from boardline.supply.offers import Packaging
from boardline.supply.tables import MaterialPackage, MsdEventRow

# hold: awaiting incoming inspection; blocked: floor life ran out (or a person blocked it);
# quarantined: suspect, awaiting a quality decision; expired: past its shelf life.
STATES = ("hold", "available", "blocked", "quarantined", "expired")


@dataclass(frozen=True, slots=True)
class Receipt:
    manufacturer: str
    mpn: str
    quantity: int
    packaging: str = "reel"
    lot: str = ""
    date_code: str = ""
    supplier_id: int | None = None
    sealed: bool = True  # arrives in a dry bag (MSD parts)


def do_receive(session: Session, actor: Actor, receipt: Receipt) -> MaterialPackage:
    """Receive one package: a unique ID, on hold for incoming inspection, MSL from the item."""
    check_permission(actor, Perm.STORES)
    if receipt.quantity <= 0:
        raise InvalidInput(f"quantity {receipt.quantity}: must be at least 1", field="quantity")
    part = catalog.require_part(session, receipt.manufacturer, receipt.mpn)
    try:
        packaging = Packaging(receipt.packaging)
    except ValueError:
        raise InvalidInput(f"packaging {receipt.packaging!r} unknown", field="packaging") from None
    package = MaterialPackage(
        uid=gs1.new_package_id(),
        item_part_id=part.id,
        supplier_id=receipt.supplier_id,
        quantity=receipt.quantity,
        packaging=packaging,
        lot=receipt.lot.strip(),
        date_code=receipt.date_code.strip(),
        msl=part.item.msl,
        state="hold",
    )
    session.add(package)
    session.flush()
    if package.msl not in (None, "1") and receipt.sealed:
        session.add(
            MsdEventRow(
                package_id=package.id, kind=msd.EventKind.SEALED.value, at=package.received_at
            )
        )
        session.flush()
    return package


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
    return access_package(session, actor, gs1.check_package_id(uid))


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
        expiry=None,
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
    return {
        p.id: msd.floor_life_state(msd.parse_msl(p.msl or "1"), events[p.id], at) for p in items
    }


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
