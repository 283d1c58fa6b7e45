"""SMT feeder setups: which item goes in which slot, verified loading, and the slot history.

A setup belongs to one placement program of a revision on a line, for one side of the
board, and lists slot → item (and the designators placed from it). Engineers define it
(:data:`Perm.FACTORY_MANAGE`); stores people and operators load, splice and unload
(:data:`Perm.STORES`); everyone in production reads it.

**Verified loading.** Every scan of slot + package goes through :func:`verify_load`: the
facts are gathered here and the pure rule :func:`feeder_rules.verify` decides. A refused
scan changes nothing in the slot history. It is still worth keeping (quality wants to
know how often the wrong reel reaches a feeder), so :func:`do_load` and :func:`do_splice`
raise :class:`Conflict` with the verdict's ``reason`` and the caller, after that unit of
work has rolled back, records it with :func:`do_record_rejection` in a unit of work of its
own (see :func:`feeder_pages.scan`). Keeping the two apart means a refusal can never leave
half a load behind, and the rejection row survives the refusal.

**Splices.** A new reel spliced onto the running one is, physically, in the slot together
with it until the old tape runs out. The history keeps the simpler model: the running load
closes when the splice is recorded and the spliced one (``kind="splice"``,
``spliced_onto`` = the old package) starts at the same instant. Trace derived from it is
therefore inexact by the length of tape left on the old reel at splice time; the
``spliced_onto`` link lets a trace report name both packages around a splice.

**History.** ``SlotLoad`` rows are never deleted: a load runs from ``loaded_at`` until
``unloaded_at``. :func:`packages_at` answers "which package sat in each slot at this
moment" in one query; that is what component traceability reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from boardline.catalog import services as catalog
from boardline.catalog.tables import Item
from boardline.core import clock
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import AlreadyExists, BoardlineError, Conflict, InvalidInput, NotFound
from boardline.npi import services as npi
from boardline.production import factory
from boardline.production.feeder_rules import (
    SIDES,
    LoadFacts,
    Reason,
    SlotRow,
    Verdict,
    parse_slots,
    slot_errors,
    verify,
)
from boardline.production.tables import FeederSetup, FeederSlot, Line, SlotLoad, SlotRejection
from boardline.supply import inventory, msd, packages
from boardline.supply.tables import MaterialPackage

__all__ = [
    "HistoryRow",
    "Reason",
    "SetupInfo",
    "SlotRow",
    "SlotState",
    "Verdict",
    "access_setup",
    "describe_setup",
    "do_create_setup",
    "do_load",
    "do_record_rejection",
    "do_set_slots",
    "do_splice",
    "do_unload",
    "list_setups",
    "package_uid",
    "packages_at",
    "propose_slots",
    "recent_actions",
    "setup_slots",
    "setup_state",
    "slot_history",
    "verify_load",
]


# --- defining setups ------------------------------------------------------------------


def do_create_setup(
    session: Session,
    actor: Actor,
    *,
    line_code: str,
    revision_id: int,
    program: str,
    side: str = "top",
) -> FeederSetup:
    """A new, empty setup for ``program`` of a revision on a line, one side of the board."""
    check_permission(actor, Perm.FACTORY_MANAGE)
    line = factory.find_line(session, actor, line_code)
    npi.access_revision(session, actor, revision_id)
    program = program.strip()
    if not 1 <= len(program) <= 64:
        raise InvalidInput("program name: 1 to 64 characters", field="program")
    side = side.strip().lower()
    if side not in SIDES:
        raise InvalidInput(f"side {side!r}: top or bottom", field="side")
    clash = select(FeederSetup.id).where(
        FeederSetup.line_id == line.id,
        FeederSetup.revision_id == revision_id,
        FeederSetup.program == program,
        FeederSetup.side == side,
    )
    if session.scalar(clash) is not None:
        raise AlreadyExists(
            f"line {line.code} already has program {program} ({side}) for this revision",
            field="program",
        )
    setup = FeederSetup(line_id=line.id, revision_id=revision_id, program=program, side=side)
    session.add(setup)
    session.flush()
    return setup


def access_setup(session: Session, actor: Actor, setup_id: int) -> FeederSetup:
    check_permission(actor, Perm.PRODUCTION_VIEW)
    setup = session.get(FeederSetup, setup_id)
    if setup is None:
        raise NotFound(f"feeder setup {setup_id} not found")
    return setup


@dataclass(frozen=True, slots=True)
class SetupRef:
    setup: FeederSetup
    line_code: str
    slots: int


@dataclass(frozen=True, slots=True)
class SetupInfo:
    """What a page says about a setup besides its own columns."""

    line_code: str
    product_code: str
    revision_label: str
    customer_id: int


def describe_setup(session: Session, actor: Actor, setup: FeederSetup) -> SetupInfo:
    line = session.get(Line, setup.line_id)
    revision = npi.access_revision(session, actor, setup.revision_id)
    return SetupInfo(
        line.code if line else "?",
        revision.product.code,
        revision.label,
        revision.product.customer_id,
    )


def package_uid(session: Session, load: SlotLoad) -> str:
    """The ID of the package in ``load``."""
    package = session.get(MaterialPackage, load.package_id)
    return package.uid if package else str(load.package_id)


def list_setups(session: Session, actor: Actor) -> list[SetupRef]:
    """Every setup with its line code and number of slots (two queries)."""
    check_permission(actor, Perm.PRODUCTION_VIEW)
    rows = session.execute(
        select(FeederSetup, Line.code)
        .join(Line, Line.id == FeederSetup.line_id)
        .order_by(Line.code, FeederSetup.program, FeederSetup.side)
    ).all()
    counts: dict[int, int] = {}
    for setup_id in session.scalars(select(FeederSlot.setup_id)):
        counts[setup_id] = counts.get(setup_id, 0) + 1
    return [SetupRef(setup, code, counts.get(setup.id, 0)) for setup, code in rows]


def setup_slots(session: Session, actor: Actor, setup_id: int) -> list[SlotRow]:
    """The setup's slots as rows (item numbers, not ids), in slot order."""
    access_setup(session, actor, setup_id)
    rows = session.execute(
        select(FeederSlot, Item.number)
        .join(Item, Item.id == FeederSlot.item_id)
        .where(FeederSlot.setup_id == setup_id)
    ).all()
    made = [SlotRow(slot.slot, number, tuple(slot.refdes)) for slot, number in rows]
    return sorted(made, key=lambda r: _slot_key(r.slot))


def _slot_key(slot: str) -> tuple[tuple[int, object], ...]:
    """Natural order: 1-2 before 1-10."""
    parts: list[tuple[int, object]] = []
    for piece in slot.replace("-", " ").replace(".", " ").split():
        parts.append((0, int(piece)) if piece.isdigit() else (1, piece))
    return tuple(parts)


def do_set_slots(
    session: Session, actor: Actor, setup_id: int, rows: Sequence[SlotRow] | str
) -> list[SlotRow]:
    """Replace the setup's slot list with ``rows`` (or the text ``slot,item[,refdes…]``).

    All or nothing: unknown items are reported per line with the rest of the problems. A
    slot with a package loaded in it keeps its item: change it after unloading, so no open
    load ever disagrees with the setup.
    """
    check_permission(actor, Perm.FACTORY_MANAGE)
    setup = _lock_setup(session, actor, setup_id)
    rows = parse_slots(rows) if isinstance(rows, str) else list(rows)
    numbers = {r.item for r in rows}
    found = session.execute(select(Item.number, Item.id).where(Item.number.in_(numbers)))
    ids: dict[str, int] = {row.number: row.id for row in found}
    errors: list[dict[str, object]] = [
        {"line": r.line or i, "field": "item", "why": f"item {r.item} not in the catalog"}
        for i, r in enumerate(rows, start=1)
        if r.item not in ids
    ]
    wanted = {r.slot: ids.get(r.item) for r in rows}
    current = {s.slot: s for s in _slots(session, setup.id)}
    for load in _open_loads(session, setup.id):
        slot = current.get(load.slot)
        if slot is not None and wanted.get(load.slot) != slot.item_id:
            errors.append(
                {
                    "line": next((r.line for r in rows if r.slot == load.slot), 0),
                    "field": "slot",
                    "why": f"slot {load.slot} has a package loaded: unload it before "
                    "changing or removing the slot",
                }
            )
    if errors:
        raise slot_errors(errors)
    for slot in current.values():
        if slot.slot not in wanted:
            session.delete(slot)
    for r in rows:
        slot = current.get(r.slot)
        if slot is None:
            session.add(
                FeederSlot(setup_id=setup.id, slot=r.slot, item_id=ids[r.item], refdes=[*r.refdes])
            )
        else:
            slot.item_id = ids[r.item]
            slot.refdes = [*r.refdes]
    session.flush()
    return setup_slots(session, actor, setup.id)


def propose_slots(session: Session, actor: Actor, setup_id: int) -> list[SlotRow]:
    """A first slot list from the revision's BOM: one slot per item placed on this side.

    The side of each designator comes from the centroid (placements); without one every
    BOM designator counts as on the setup's side. DNP lines and designators, and BOM
    lines without a catalog item, are left out. Slots are numbered 1, 2, 3 … in BOM
    order; the engineer edits them to the machine's feeder positions.
    """
    setup = access_setup(session, actor, setup_id)
    bom = npi.revision_bom(session, actor, setup.revision_id)
    placements = npi.revision_placements(session, actor, setup.revision_id)
    side_of = {p.refdes: p.side for p in placements}
    dnp = {p.refdes for p in placements if p.dnp}
    by_item: dict[int, list[str]] = {}
    for line in bom:
        if line.item_id is None or line.dnp:
            continue
        refs = [
            r
            for r in line.refdes
            if r not in dnp and (not side_of or side_of.get(r, setup.side) == setup.side)
        ]
        if refs or (not line.refdes and not side_of):
            by_item.setdefault(line.item_id, []).extend(refs)
    numbers = catalog.item_numbers(session, by_item)
    return [
        SlotRow(str(i), numbers[item_id], tuple(refs), i)
        for i, (item_id, refs) in enumerate(by_item.items(), start=1)
    ]


# --- verified loading -----------------------------------------------------------------


def verify_load(
    session: Session,
    actor: Actor,
    setup_id: int,
    slot: str,
    scanned: str,
    *,
    splice: bool = False,
) -> Verdict:
    """May the scanned package go into ``slot`` now (or be spliced onto its running reel)?

    Reads only. Scanning the package already running in this very slot is accepted (a
    repeated scan); :func:`do_load` then changes nothing.
    """
    return _check(session, actor, setup_id, slot, scanned, splice=splice)[0]


def _check(
    session: Session, actor: Actor, setup_id: int, slot: str, scanned: str, *, splice: bool
) -> tuple[Verdict, MaterialPackage | None, SlotLoad | None]:
    check_permission(actor, Perm.PRODUCTION_VIEW)
    setup = access_setup(session, actor, setup_id)
    slot = slot.strip()
    expected = session.execute(
        select(FeederSlot, Item.number)
        .join(Item, Item.id == FeederSlot.item_id)
        .where(FeederSlot.setup_id == setup.id, FeederSlot.slot == slot)
    ).first()
    if expected is None:
        return verify(LoadFacts(slot=slot or "(none)", expected_item=None)), None, None
    try:
        package = packages.find_by_scan(session, actor, scanned)
    except (InvalidInput, NotFound) as exc:
        facts = LoadFacts(slot=slot, expected_item=expected[1], unreadable=exc.detail)
        return verify(facts), None, None
    running = _open_load(session, setup.id, slot)
    holder = session.scalar(
        select(SlotLoad).where(SlotLoad.package_id == package.id, SlotLoad.unloaded_at.is_(None))
    )
    here = holder is not None and (holder.setup_id, holder.slot) == (setup.id, slot)
    if here and holder is not None and not splice:
        return Verdict(True, Reason.OK, f"{package.uid} is already in slot {slot}"), package, holder
    life = packages.floor_life(session, package) if package.msl not in (None, "1") else None
    running_item = None
    if running is not None:
        running_pkg = session.get(MaterialPackage, running.package_id)
        running_item = running_pkg.item_part.item.number if running_pkg else None
    part = package.item_part
    facts = LoadFacts(
        slot=slot,
        expected_item=expected[1],
        package_uid=package.uid,
        package_item=part.item.number,
        manufacturer=part.manufacturer.name,
        approved=catalog.approved_manufacturers(session, _customer_of(session, actor, setup)),
        unusable=inventory.why_unusable(package, life, clock.today()),
        floor_life_over=life is not None and life.status is msd.Status.EXPIRED,
        quantity=package.quantity,
        loaded_elsewhere=None if holder is None else _where(session, holder),
        splice=splice,
        running_item=running_item,
    )
    return verify(facts), package, running


def _customer_of(session: Session, actor: Actor, setup: FeederSetup) -> int:
    return npi.access_revision(session, actor, setup.revision_id).product.customer_id


def _where(session: Session, load: SlotLoad) -> str:
    line_code = session.scalar(
        select(Line.code)
        .join(FeederSetup, FeederSetup.line_id == Line.id)
        .where(FeederSetup.id == load.setup_id)
    )
    return f"slot {load.slot} of setup {load.setup_id} on line {line_code}"


def _refuse(verdict: Verdict, slot: str, scanned: str) -> Conflict:
    return Conflict(verdict.message, reason=verdict.reason.value, slot=slot, scanned=scanned)


def do_load(
    session: Session,
    actor: Actor,
    setup_id: int,
    slot: str,
    scanned: str,
    *,
    work_order_id: int | None = None,
) -> SlotLoad:
    """Load the scanned package into ``slot``: verified, else ``Conflict(reason=…)``.

    The package running in the slot (if any) is unloaded at the same instant. A refusal
    changes nothing; record it with :func:`do_record_rejection` in a new unit of work.
    """
    check_permission(actor, Perm.STORES)
    _lock_setup(session, actor, setup_id)
    verdict, package, running = _check(session, actor, setup_id, slot, scanned, splice=False)
    if not verdict.ok or package is None:
        raise _refuse(verdict, slot, scanned)
    if running is not None and running.package_id == package.id:
        return running  # the same package scanned again
    now = clock.now()
    if running is not None:
        running.unloaded_at = now
    load = SlotLoad(
        setup_id=setup_id,
        slot=slot.strip(),
        package_id=package.id,
        work_order_id=work_order_id,
        kind="load",
        loaded_at=now,
        loaded_by=actor.label,
    )
    session.add(load)
    session.flush()
    return load


def do_splice(
    session: Session,
    actor: Actor,
    setup_id: int,
    slot: str,
    scanned: str,
    *,
    work_order_id: int | None = None,
) -> SlotLoad:
    """Splice the scanned package onto the reel running in ``slot``.

    Same checks as a load, and the new package must be the running one's item. The running
    load closes and the splice starts at the same instant (see the module doc).
    """
    check_permission(actor, Perm.STORES)
    _lock_setup(session, actor, setup_id)
    verdict, package, running = _check(session, actor, setup_id, slot, scanned, splice=True)
    if not verdict.ok or package is None or running is None:
        raise _refuse(verdict, slot, scanned)
    now = clock.now()
    running.unloaded_at = now
    load = SlotLoad(
        setup_id=setup_id,
        slot=slot.strip(),
        package_id=package.id,
        work_order_id=work_order_id if work_order_id is not None else running.work_order_id,
        kind="splice",
        spliced_onto=running.package_id,
        loaded_at=now,
        loaded_by=actor.label,
    )
    session.add(load)
    session.flush()
    return load


def do_unload(session: Session, actor: Actor, setup_id: int, slot: str) -> SlotLoad:
    """Take the running package out of ``slot``; ``Conflict`` when the slot is empty."""
    check_permission(actor, Perm.STORES)
    _lock_setup(session, actor, setup_id)
    running = _open_load(session, setup_id, slot.strip())
    if running is None:
        raise Conflict(f"slot {slot} is empty: nothing to unload", reason="slot_empty")
    running.unloaded_at = clock.now()
    session.flush()
    return running


def do_record_rejection(
    session: Session, actor: Actor, setup_id: int, slot: str, scanned: str, error: BoardlineError
) -> SlotRejection:
    """Keep a refused scan (``error`` as raised by :func:`do_load` or :func:`do_splice`)."""
    check_permission(actor, Perm.STORES)
    access_setup(session, actor, setup_id)
    reason = str(error.extra.get("reason") or error.code)
    row = SlotRejection(
        setup_id=setup_id,
        slot=slot.strip()[:32],
        scanned=scanned.strip()[:128],
        reason=reason[:32],
        message=error.detail[:300],
        at=clock.now(),
        by=actor.label,
    )
    session.add(row)
    session.flush()
    return row


def _lock_setup(session: Session, actor: Actor, setup_id: int) -> FeederSetup:
    """The setup, locked for this transaction (PostgreSQL; SQLite writes one at a time):
    two scans into one setup at once cannot both see a slot empty and both load it."""
    check_permission(actor, Perm.PRODUCTION_VIEW)
    setup = session.scalar(select(FeederSetup).where(FeederSetup.id == setup_id).with_for_update())
    if setup is None:
        raise NotFound(f"feeder setup {setup_id} not found")
    return setup


def _slots(session: Session, setup_id: int) -> Sequence[FeederSlot]:
    return session.scalars(select(FeederSlot).where(FeederSlot.setup_id == setup_id)).all()


def _open_loads(session: Session, setup_id: int) -> Sequence[SlotLoad]:
    return session.scalars(
        select(SlotLoad).where(SlotLoad.setup_id == setup_id, SlotLoad.unloaded_at.is_(None))
    ).all()


def _open_load(session: Session, setup_id: int, slot: str) -> SlotLoad | None:
    return session.scalar(
        select(SlotLoad).where(
            SlotLoad.setup_id == setup_id, SlotLoad.slot == slot, SlotLoad.unloaded_at.is_(None)
        )
    )


# --- reading: state and history -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SlotState:
    """One slot now: what it takes and what is in it (``status`` ok, missing or wrong)."""

    slot: str
    item: str
    refdes: tuple[str, ...]
    load: SlotLoad | None
    package: MaterialPackage | None
    life: msd.FloorLifeState | None

    @property
    def status(self) -> str:
        if self.package is None:
            return "missing"
        return "ok" if self.package.item_part.item.number == self.item else "wrong"


def setup_state(session: Session, actor: Actor, setup_id: int) -> list[SlotState]:
    """Every slot with its expected item, loaded package and floor life (three queries)."""
    access_setup(session, actor, setup_id)
    rows = setup_slots(session, actor, setup_id)
    loads = session.execute(
        select(SlotLoad, MaterialPackage)
        .join(MaterialPackage, MaterialPackage.id == SlotLoad.package_id)
        .where(SlotLoad.setup_id == setup_id, SlotLoad.unloaded_at.is_(None))
    ).all()
    by_slot = {load.slot: (load, package) for load, package in loads}
    msd_packages = [p for _, p in loads if p.msl not in (None, "1")]
    lives = packages.floor_lives(session, msd_packages)
    out = []
    for r in rows:
        load, package = by_slot.get(r.slot, (None, None))
        life = lives.get(package.id) if package is not None else None
        out.append(SlotState(r.slot, r.item, r.refdes, load, package, life))
    return out


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """A package's stay in a slot: from ``loaded_at`` until ``unloaded_at`` (None: still)."""

    load_id: int
    slot: str
    package_id: int
    uid: str
    lot: str
    item: str
    kind: str
    spliced_onto: int | None
    work_order_id: int | None
    loaded_at: datetime
    loaded_by: str
    unloaded_at: datetime | None


def _history_query() -> Select[SlotLoad, MaterialPackage]:
    return select(SlotLoad, MaterialPackage).join(
        MaterialPackage, MaterialPackage.id == SlotLoad.package_id
    )


def _row(load: SlotLoad, package: MaterialPackage) -> HistoryRow:
    return HistoryRow(
        load_id=load.id,
        slot=load.slot,
        package_id=package.id,
        uid=package.uid,
        lot=package.lot,
        item=package.item_part.item.number,
        kind=load.kind,
        spliced_onto=load.spliced_onto,
        work_order_id=load.work_order_id,
        loaded_at=load.loaded_at,
        loaded_by=load.loaded_by,
        unloaded_at=load.unloaded_at,
    )


def slot_history(
    session: Session, actor: Actor, setup_id: int, slot: str | None = None
) -> list[HistoryRow]:
    """Which package sat in the slot (every slot when ``None``) from when to when, newest
    first: one query."""
    access_setup(session, actor, setup_id)
    stmt = _history_query().where(SlotLoad.setup_id == setup_id)
    if slot is not None:
        stmt = stmt.where(SlotLoad.slot == slot.strip())
    rows = session.execute(stmt.order_by(SlotLoad.loaded_at.desc(), SlotLoad.id.desc())).all()
    return [_row(load, package) for load, package in rows]


def packages_at(
    session: Session, actor: Actor, setup_id: int, at: datetime
) -> dict[str, HistoryRow]:
    """The package in each slot at the moment ``at``, by slot: one query.

    A load covers ``loaded_at <= at < unloaded_at``, so at the instant of a splice the
    spliced package answers (see the module doc on how exact that is).
    """
    access_setup(session, actor, setup_id)
    rows = session.execute(
        _history_query().where(
            SlotLoad.setup_id == setup_id,
            SlotLoad.loaded_at <= at,
            or_(SlotLoad.unloaded_at.is_(None), SlotLoad.unloaded_at > at),
        )
    ).all()
    return {load.slot: _row(load, package) for load, package in rows}


@dataclass(frozen=True, slots=True)
class Action:
    """One line of the loading screen's recent actions."""

    at: datetime
    kind: str  # load | splice | unload | rejected
    slot: str
    what: str  # package ID or what was scanned
    reason: str
    message: str
    by: str


def recent_actions(session: Session, actor: Actor, setup_id: int, limit: int = 10) -> list[Action]:
    """The last ``limit`` loads, splices, unloads and refusals of the setup, newest first."""
    access_setup(session, actor, setup_id)
    actions: list[Action] = []
    base = _history_query().where(SlotLoad.setup_id == setup_id)
    for load, package in session.execute(
        base.order_by(SlotLoad.loaded_at.desc(), SlotLoad.id.desc()).limit(limit)
    ):
        actions.append(
            Action(load.loaded_at, load.kind, load.slot, package.uid, "ok", "", load.loaded_by)
        )
    for load, package in session.execute(
        base.where(SlotLoad.unloaded_at.is_not(None))
        .order_by(SlotLoad.unloaded_at.desc())
        .limit(limit)
    ):
        assert load.unloaded_at is not None
        actions.append(Action(load.unloaded_at, "unload", load.slot, package.uid, "", "", ""))
    for rej in session.scalars(
        select(SlotRejection)
        .where(SlotRejection.setup_id == setup_id)
        .order_by(SlotRejection.at.desc(), SlotRejection.id.desc())
        .limit(limit)
    ):
        actions.append(
            Action(rej.at, "rejected", rej.slot, rej.scanned, rej.reason, rej.message, rej.by)
        )
    # At one instant a reload closes the old load and opens the new: show the unload first.
    order = {"rejected": 0, "load": 1, "splice": 1, "unload": 2}
    actions.sort(key=lambda a: (a.at, -order[a.kind]), reverse=True)
    return actions[:limit]
