"""Inventory: locations, moves, splits, joins and counts of material packages.

Moving an MSD package into or out of a dry cabinet records the dry-storage event itself,
so the floor-life clock follows the package without anyone remembering to log it.
Quantities never go negative; a count that changes a quantity is an audited adjustment
with a reason. Nothing that cannot be used (blocked, quarantined, expired, on hold, or an
MSD package whose floor life has run out) is loaded: it does not go to the line side or
onto a feeder trolley.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from boardline.core import clock
from boardline.core.audit_trail import audit_reason
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import AlreadyExists, Conflict, InvalidInput, NotFound
from boardline.core.services import check_reason
from boardline.supply import gs1, msd, packages
from boardline.supply.msd import EventKind
from boardline.supply.tables import KitReservation, Location, MaterialPackage, MsdEventRow

KINDS = ("bin", "dry_cabinet", "line_side", "trolley")
# Where parts are loaded for use: only usable packages go there.
LOADING_KINDS = ("line_side", "trolley")
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,31}$")
UNUSABLE = ("blocked", "quarantined", "expired")
# A package in one of these kit states belongs to a work order until released or returned.
ACTIVE_KIT_STATES = ("reserved", "issued")


def do_create_location(
    session: Session, actor: Actor, *, code: str, kind: str, description: str = ""
) -> Location:
    check_permission(actor, Perm.STORES)
    code = code.strip().upper()
    if not CODE_RE.match(code):
        raise InvalidInput(
            f"location code {code!r}: 1-32 letters, digits, '.', '_' or '-'", field="code"
        )
    if kind not in KINDS:
        raise InvalidInput(f"location kind {kind!r}: one of {', '.join(KINDS)}", field="kind")
    if session.scalar(select(Location.id).where(Location.code == code)) is not None:
        raise AlreadyExists(f"location {code} already exists", field="code")
    location = Location(code=code, kind=kind, description=description.strip())
    session.add(location)
    session.flush()
    return location


def list_locations(session: Session, actor: Actor) -> Sequence[Location]:
    check_permission(actor, Perm.CATALOG_VIEW)
    return session.scalars(select(Location).order_by(Location.code)).all()


def find_location(session: Session, code: str) -> Location:
    location = session.scalar(select(Location).where(Location.code == code.strip().upper()))
    if location is None:
        raise NotFound(f"location {code} does not exist", field="location")
    return location


def do_move(session: Session, actor: Actor, uid: str, location_code: str) -> MaterialPackage:
    """Put a package somewhere else; dry cabinets pause and resume its floor life."""
    check_permission(actor, Perm.STORES)
    package = packages.access_package(session, actor, uid)
    target = find_location(session, location_code)
    if target.kind in LOADING_KINDS:
        check_loadable(session, package)
    was_dry = package.location is not None and package.location.kind == "dry_cabinet"
    package.location_id = target.id
    session.flush()
    session.refresh(package)
    msd_part = package.msl not in (None, "1")
    if msd_part and target.kind == "dry_cabinet" and not was_dry:
        packages.do_msd_event(session, actor, uid, EventKind.DRY_STORE_IN.value)
    elif msd_part and was_dry and target.kind != "dry_cabinet":
        packages.do_msd_event(session, actor, uid, EventKind.DRY_STORE_OUT.value)
    return package


def why_unusable(
    package: MaterialPackage, life: msd.FloorLifeState | None, today: date
) -> tuple[str, str] | None:
    """Why the package may not be kitted, loaded or used now, as (rule, explanation).

    ``None`` when it may. ``life`` is its floor life (``None`` for parts that are not
    moisture sensitive); ``today`` decides the shelf life, so a package past its expiry
    date is refused even before ``do_enforce_shelf_life`` has marked it expired.
    """
    uid = package.uid
    if package.state == "hold":
        return "hold", f"package {uid} is on hold for incoming inspection"
    if package.state == "expired":
        ended = f" on {package.expires_on}" if package.expires_on else ""
        return "expired", f"package {uid} is expired: its shelf life ended{ended}"
    if package.state != "available":
        return package.state, f"package {uid} is {package.state}"
    if package.expires_on is not None and package.expires_on < today:
        return "expired", f"package {uid} passed its shelf life on {package.expires_on}"
    if life is not None and life.bake_required:
        return "floor_life_expired", f"package {uid} needs a bake: {life.reason}"
    return None


def check_loadable(session: Session, package: MaterialPackage) -> None:
    """Refuse a package that may not go to the line: its state, shelf life or floor life."""
    life = packages.floor_life(session, package) if package.msl not in (None, "1") else None
    why = why_unusable(package, life, clock.today())
    if why is not None:
        rule, text = why
        raise Conflict(f"{text}; it cannot go to the line", rule=rule)


def kits_holding(session: Session, package_ids: Sequence[int]) -> dict[int, KitReservation]:
    """The reservation or issue that holds each of these packages for a work order now."""
    if not package_ids:
        return {}
    rows = session.scalars(
        select(KitReservation).where(
            KitReservation.package_id.in_(package_ids),
            KitReservation.state.in_(ACTIVE_KIT_STATES),
        )
    )
    return {r.package_id: r for r in rows}


def do_split(session: Session, actor: Actor, uid: str, quantity: int) -> MaterialPackage:
    """Take ``quantity`` parts off a package into a new package with its own ID.

    The new package keeps everything trace and use depend on: lot, date code, moisture
    history, owner, shelf-life expiry and the purchase order line it was received against.
    """
    check_permission(actor, Perm.STORES)
    package = packages.access_package(session, actor, uid)
    kit = kits_holding(session, [package.id]).get(package.id)
    if kit is not None:
        # The kit counts this package's parts for its work order; splitting would leave
        # the reservation pointing at fewer parts than it promised.
        raise Conflict(
            f"package {uid} is {kit.state} for a work order's kit; release or return it first",
            rule="in_kit",
        )
    if not 0 < quantity < package.quantity:
        raise InvalidInput(
            f"split quantity {quantity}: between 1 and {package.quantity - 1}", field="quantity"
        )
    package.quantity -= quantity
    child = MaterialPackage(
        uid=gs1.new_package_id(),
        item_part_id=package.item_part_id,
        supplier_id=package.supplier_id,
        quantity=quantity,
        packaging=package.packaging,
        lot=package.lot,
        date_code=package.date_code,
        msl=package.msl,
        state=package.state,
        location_id=package.location_id,
        received_at=package.received_at,
        po_line_id=package.po_line_id,
        customer_id=package.customer_id,
        consigned=package.consigned,
        expires_on=package.expires_on,
    )
    session.add(child)
    with audit_reason(session, f"split {quantity} from {uid}"):
        session.flush()
    packages.copy_msd_history(session, package, child)
    return child


def do_count(
    session: Session, actor: Actor, uid: str, counted: int, *, reason: str
) -> MaterialPackage:
    """A physical count; a difference is an audited adjustment and needs a reason."""
    check_permission(actor, Perm.STORES)
    if counted < 0:
        raise InvalidInput(f"counted quantity {counted}: cannot be negative", field="quantity")
    package = packages.access_package(session, actor, uid)
    if counted != package.quantity:
        reason = check_reason(reason, "adjusting a counted quantity")
        package.quantity = counted
        with audit_reason(session, reason):
            session.flush()
    return package


# States a package may be joined in; both sides must share one of them, so a join never
# releases uninspected parts or hides usable ones in a blocked package.
JOINABLE = ("available", "hold")


def do_join(
    session: Session, actor: Actor, target_uid: str, source_uids: Sequence[str]
) -> MaterialPackage:
    """Put the loose parts of ``source_uids`` into the package ``target_uid``.

    Every package must be the same manufacturer part number, lot and date code, owner and
    state, and none may be in a work order's kit. The sources end with quantity 0 and are
    kept (their IDs stay in the trace); each change is audited with the join as reason.
    The target keeps the earliest shelf-life expiry of all.
    """
    check_permission(actor, Perm.STORES)
    target_uid = target_uid.strip()
    wanted = [u.strip() for u in source_uids if u.strip()]
    if not wanted:
        raise InvalidInput("name at least one package to join", field="sources")
    if len(set(wanted)) != len(wanted):
        raise InvalidInput("a package is named twice in the sources", field="sources")
    target = packages.access_package(session, actor, target_uid)
    if target.uid in wanted:
        raise InvalidInput(f"package {target.uid} cannot be joined into itself", field="sources")
    sources = [packages.access_package(session, actor, u) for u in wanted]
    everyone = [target, *sources]
    if target.state not in JOINABLE:
        raise Conflict(
            f"package {target.uid} is {target.state}; parts are joined only into an available "
            "or held package",
            rule=target.state,
        )
    for source in sources:
        _check_joinable(target, source)
    kits = kits_holding(session, [p.id for p in everyone])
    for package in everyone:
        if package.id in kits:
            raise Conflict(
                f"package {package.uid} is {kits[package.id].state} for a work order's kit; "
                "release or return it before joining",
                rule="in_kit",
            )
    _check_same_msd_history(session, target, sources)

    moved = sum(p.quantity for p in sources)
    expiries = [p.expires_on for p in everyone if p.expires_on is not None]
    target.quantity += moved
    target.expires_on = min(expiries) if expiries else None
    with audit_reason(session, f"joined {', '.join(p.uid for p in sources)} into {target.uid}"):
        session.flush()
    for source in sources:
        source.quantity = 0
    with audit_reason(session, f"joined into {target.uid}"):
        session.flush()
    return target


def _check_joinable(target: MaterialPackage, source: MaterialPackage) -> None:
    uid = source.uid
    if source.state in UNUSABLE:
        raise Conflict(f"package {uid} is {source.state} and cannot be joined", rule=source.state)
    if source.quantity <= 0:
        raise InvalidInput(f"package {uid} is empty: nothing to join", field="sources")
    if source.item_part_id != target.item_part_id:
        raise InvalidInput(
            f"package {uid} is {source.item_part.mpn}, {target.uid} is {target.item_part.mpn}: "
            "only the same manufacturer part number can be joined",
            field="sources",
            rule="different_mpn",
        )
    for label, theirs, ours in (
        ("lot", source.lot, target.lot),
        ("date code", source.date_code, target.date_code),
    ):
        if theirs != ours:
            raise InvalidInput(
                f"package {uid} has {label} {theirs or '(none)'}, {target.uid} has "
                f"{ours or '(none)'}: a joined package carries one {label}, so joining would "
                "break the trace of the parts to their lot",
                field="sources",
                rule="different_lot" if label == "lot" else "different_date_code",
            )
    if (source.customer_id, source.consigned) != (target.customer_id, target.consigned):
        raise InvalidInput(
            f"package {uid} and {target.uid} belong to different owners; their parts cannot mix",
            field="sources",
            rule="different_owner",
        )
    if source.state != target.state:
        raise Conflict(
            f"package {uid} is {source.state} and {target.uid} is {target.state}: inspect or "
            "release them to the same state first",
            rule="different_state",
        )


def _check_same_msd_history(
    session: Session, target: MaterialPackage, sources: Sequence[MaterialPackage]
) -> None:
    """MSD packages join only when their moisture histories are the same event for event.

    A package carries one floor-life clock. Parts with different exposure cannot share it:
    keeping the target's clock would let parts that were out longer look fresher, and
    J-STD-033 defines no way to merge two histories. Identical histories happen where it
    matters in practice, the halves of an earlier split, so the simple rule is also a safe one.
    """
    if target.msl in (None, "1"):
        return
    ids = [target.id, *(p.id for p in sources)]
    histories: dict[int, list[tuple[object, ...]]] = {i: [] for i in ids}
    for row in session.scalars(
        select(MsdEventRow)
        .where(MsdEventRow.package_id.in_(ids))
        .order_by(MsdEventRow.at, MsdEventRow.id)
    ):
        histories[row.package_id].append((row.kind, row.at, row.temperature_c, row.duration_h))
    for source in sources:
        if histories[source.id] != histories[target.id]:
            raise Conflict(
                f"package {source.uid} and {target.uid} have different moisture histories; "
                "MSD parts join only with the same history (for example the halves of a split)",
                rule="different_msd_history",
            )
