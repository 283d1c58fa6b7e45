"""Inventory: locations, moves, splits and counts of material packages.

Moving an MSD package into or out of a dry cabinet records the dry-storage event itself,
so the floor-life clock follows the package without anyone remembering to log it.
Quantities never go negative; a count that changes a quantity is an audited adjustment
with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from boardline.core.audit_trail import audit_reason
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import AlreadyExists, Conflict, InvalidInput, NotFound
from boardline.core.services import check_reason
from boardline.supply import gs1, packages
from boardline.supply.msd import EventKind
from boardline.supply.tables import Location, MaterialPackage

KINDS = ("bin", "dry_cabinet", "line_side", "trolley")
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,31}$")
UNUSABLE = ("blocked", "quarantined")


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
    if target.kind == "line_side" and package.state in (*UNUSABLE, "hold"):
        raise Conflict(f"package {uid} is {package.state} and cannot go to the line")
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


def do_split(session: Session, actor: Actor, uid: str, quantity: int) -> MaterialPackage:
    """Take ``quantity`` parts off a package into a new package with its own ID."""
    check_permission(actor, Perm.STORES)
    package = packages.access_package(session, actor, uid)
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
