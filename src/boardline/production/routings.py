"""Routings of product revisions: generated from the NPI classification, edited as drafts,
released (locked, audited) and revised into new versions.

The rules live in :mod:`boardline.production.routing`; this module stores them. Every check
goes through the pure :class:`~boardline.production.routing.Routing` (:func:`to_rules`), so a
stored routing is judged exactly as an unsaved one. A revision's routing versions are
numbered 1, 2, 3 … (``RoutingRow.number``); only the highest may be a draft, because
:func:`do_revise_routing` starts a draft only from the latest released version.

Reading needs ``production.view``, changing ``factory.manage``; a customer user sees the
routings of its own revisions only (as with the revisions themselves, others are "not
found").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from boardline.core import clock
from boardline.core.audit_trail import audit_reason
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import AlreadyExists, Conflict, InvalidInput, NotFound
from boardline.core.services import check_version
from boardline.npi import services as npi
from boardline.npi.classify import AssemblyType
from boardline.npi.model import Side
from boardline.npi.tables import BomLineRow, PlacementRow, Revision
from boardline.production import routing
from boardline.production.routing import Condition, Operation, Routing, RoutingFacts, StationType
from boardline.production.tables import RoutingOperationRow, RoutingRow

__all__ = [
    "OperationIn",
    "RoutingListEntry",
    "access_routing",
    "applies_to",
    "current_routing",
    "do_edit_operations",
    "do_generate_routing",
    "do_release_routing",
    "do_revise_routing",
    "do_set_instructions",
    "facts_from_json",
    "facts_json",
    "facts_of_revision",
    "list_routings",
    "operation_in",
    "released_operations",
    "routing_label",
    "routings_of",
    "to_rules",
]


# --- rows <-> rules -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OperationIn:
    """One operation as an edit form or the API sends it (text values, not yet checked).

    ``instructions`` ``None`` keeps the work instructions of the step with the same number.
    """

    step: int
    name: str
    station_type: str
    required: bool = True
    side: str | None = None
    is_test: bool = False
    condition: str = Condition.NONE.value
    max_retests: int = 0
    instructions: str | None = None


def operation_in(op: Operation, instructions: str | None = None) -> OperationIn:
    """The input form of a rules operation (to edit a routing starting from what it is)."""
    return OperationIn(
        step=op.step,
        name=op.name,
        station_type=op.station_type.value,
        required=op.required,
        side=op.side.value if op.side else None,
        is_test=op.is_test_or_inspection,
        condition=op.condition.value,
        max_retests=op.max_retests,
        instructions=instructions,
    )


def routing_label(revision: Revision) -> str:
    """``"OTTER rev A"``: how routing messages name the revision."""
    return f"{revision.product.code} rev {revision.label}"


def _operation(
    step: int,
    name: str,
    station_type: str,
    required: bool,
    side: str | None,
    is_test: bool,
    condition: str,
    max_retests: int,
) -> Operation:
    # Stored values were checked on the way in; the enums raise if a row was edited by hand.
    return Operation(
        step=step,
        name=name,
        station_type=StationType(station_type),
        required=required,
        side=Side(side) if side else None,
        is_test_or_inspection=is_test,
        condition=Condition(condition),
        max_retests=max_retests,
    )


def to_rules(row: RoutingRow, revision: str = "") -> Routing:
    """The stored routing as the pure :class:`Routing` (``revision`` names it in messages)."""
    return Routing(
        revision=revision,
        operations=tuple(
            _operation(
                op.step,
                op.name,
                op.station_type,
                op.required,
                op.side,
                op.is_test,
                op.condition,
                op.max_retests,
            )
            for op in sorted(row.operations, key=lambda o: o.step)
        ),
        version=row.number,
        released=row.released,
    )


def _operation_row(op: Operation, instructions: str = "") -> RoutingOperationRow:
    row = RoutingOperationRow(step=op.step, instructions=instructions)
    _copy_into(row, op)
    return row


def _copy_into(row: RoutingOperationRow, op: Operation) -> None:
    row.name = op.name.strip()
    row.station_type = op.station_type.value
    row.required = op.required
    row.side = op.side.value if op.side else None
    row.is_test = op.is_test_or_inspection
    row.condition = op.condition.value
    row.max_retests = op.max_retests


def facts_json(facts: RoutingFacts) -> dict[str, object]:
    """The facts as stored on a routing row."""
    return {**asdict(facts), "assembly_type": facts.assembly_type.value}


def facts_from_json(data: dict[str, object]) -> RoutingFacts | None:
    """The facts stored on a routing row, ``None`` if there are none (or unreadable)."""
    try:
        return RoutingFacts(
            assembly_type=AssemblyType(str(data["assembly_type"])),
            smt_top=int(str(data.get("smt_top", 0))),
            smt_bottom=int(str(data.get("smt_bottom", 0))),
            tht_top=int(str(data.get("tht_top", 0))),
            tht_bottom=int(str(data.get("tht_bottom", 0))),
            has_area_array=bool(data.get("has_area_array", False)),
        )
    except (KeyError, ValueError, InvalidInput):
        return None


def _parse(ops: Sequence[OperationIn]) -> tuple[Operation, ...]:
    """Rules operations from form input; every unreadable value is listed at once."""
    problems: list[routing.Problem] = []
    parsed: list[Operation] = []

    def choice(
        enum: type[StationType] | type[Condition] | type[Side], value: str, field: str, step: int
    ) -> str | None:
        clean = value.strip().lower()
        if clean in {member.value for member in enum}:
            return clean
        known = ", ".join(member.value for member in enum)
        problems.append(routing.Problem(step, field, f"{field} {value!r} unknown; one of {known}"))
        return None

    for op in ops:
        station = choice(StationType, op.station_type, "station_type", op.step)
        condition = choice(Condition, op.condition or "none", "condition", op.step)
        side = choice(Side, op.side, "side", op.step) if op.side and op.side.strip() else None
        if station is None or condition is None or (op.side and op.side.strip() and side is None):
            continue
        parsed.append(
            _operation(
                op.step,
                op.name.strip(),
                station,
                op.required,
                side,
                op.is_test,
                condition,
                op.max_retests,
            )
        )
    if problems:
        raise InvalidInput(
            "; ".join(str(p) for p in problems),
            problems=[{"step": p.step, "field": p.field, "message": p.message} for p in problems],
        )
    return tuple(parsed)


# --- reading --------------------------------------------------------------------------


def access_routing(session: Session, actor: Actor, routing_id: int) -> RoutingRow:
    """One routing version; "not found" too when its revision is outside the actor's scope."""
    check_permission(actor, Perm.PRODUCTION_VIEW)
    row = session.get(RoutingRow, routing_id)
    if row is None:
        raise NotFound(f"routing {routing_id} not found")
    try:
        npi.access_revision(session, actor, row.revision_id)
    except NotFound:
        raise NotFound(f"routing {routing_id} not found") from None
    return row


def routings_of(session: Session, actor: Actor, revision_id: int) -> Sequence[RoutingRow]:
    """Every routing version of a revision, newest first."""
    check_permission(actor, Perm.PRODUCTION_VIEW)
    npi.access_revision(session, actor, revision_id)
    return session.scalars(
        select(RoutingRow)
        .where(RoutingRow.revision_id == revision_id)
        .order_by(RoutingRow.number.desc())
    ).all()


def current_routing(
    session: Session, actor: Actor, revision_id: int, *, released_only: bool = False
) -> RoutingRow | None:
    """The latest routing version of a revision (the latest released one with
    ``released_only``), ``None`` if it has none."""
    check_permission(actor, Perm.PRODUCTION_VIEW)
    npi.access_revision(session, actor, revision_id)
    stmt = select(RoutingRow).where(RoutingRow.revision_id == revision_id)
    if released_only:
        stmt = stmt.where(RoutingRow.released.is_(True))
    return session.scalar(stmt.order_by(RoutingRow.number.desc()).limit(1))


def released_operations(session: Session, routing_id: int) -> tuple[Operation, ...]:
    """The operations of a released routing, in step order, in one query.

    For route enforcement, which has already checked who asks. The rows of a released
    routing never change, so callers may cache the answer by routing id. ``NotFound`` if
    the routing does not exist or is a draft.
    """
    op = RoutingOperationRow
    rows = session.execute(
        select(
            op.step,
            op.name,
            op.station_type,
            op.required,
            op.side,
            op.is_test,
            op.condition,
            op.max_retests,
        )
        .join(RoutingRow, RoutingRow.id == op.routing_id)
        .where(op.routing_id == routing_id, RoutingRow.released.is_(True))
        .order_by(op.step)
    ).all()
    if not rows:
        # A released routing always has an operation (validate requires one).
        raise NotFound(f"routing {routing_id} not found or not released")
    return tuple(_operation(*r) for r in rows)


def facts_of_revision(session: Session, actor: Actor, revision_id: int) -> RoutingFacts:
    """The design facts of a revision: its stored NPI classification, and whether any
    fitted placement (or BOM line) has a hidden-joint package (BGA, QFN …), read in one
    query.

    ``InvalidInput`` when the revision has no imported design yet.
    """
    check_permission(actor, Perm.PRODUCTION_VIEW)
    revision = npi.access_revision(session, actor, revision_id)
    stored = (revision.summary or {}).get("classification")
    if not isinstance(stored, dict):
        raise InvalidInput(
            f"{routing_label(revision)} has no classified design; import its BOM and"
            " centroid first",
            field="revision",
        )
    # Centroid files without a package column (JLC's CPL) leave the placement's package
    # empty; the BOM footprint still names it, so fitted BOM lines count as well.
    packages = session.scalars(
        select(PlacementRow.package)
        .where(PlacementRow.revision_id == revision.id, PlacementRow.dnp.is_(False))
        .union(
            select(BomLineRow.footprint).where(
                BomLineRow.revision_id == revision.id, BomLineRow.dnp.is_(False)
            )
        )
    ).all()
    return RoutingFacts(
        assembly_type=AssemblyType(stored["assembly_type"]),
        smt_top=int(stored.get("smt_top", 0)),
        smt_bottom=int(stored.get("smt_bottom", 0)),
        tht_top=int(stored.get("tht_top", 0)),
        tht_bottom=int(stored.get("tht_bottom", 0)),
        has_area_array=any(routing.has_hidden_joints(p) for p in packages if p),
    )


@dataclass(frozen=True, slots=True)
class RoutingListEntry:
    """A revision with routings: its latest version and the latest released one."""

    revision: Revision
    latest: RoutingRow
    released_number: int | None


def list_routings(session: Session, actor: Actor) -> list[RoutingListEntry]:
    """Every revision with a routing (in the actor's scope), by product code and label."""
    check_permission(actor, Perm.PRODUCTION_VIEW)
    rows = session.scalars(select(RoutingRow).order_by(RoutingRow.number)).all()
    latest: dict[int, RoutingRow] = {}
    released: dict[int, int] = {}
    for row in rows:
        latest[row.revision_id] = row
        if row.released:
            released[row.revision_id] = row.number
    revisions = npi.revisions_by_id(session, actor, latest)
    entries = [
        RoutingListEntry(revisions[rid], row, released.get(rid))
        for rid, row in latest.items()
        if rid in revisions
    ]
    return sorted(entries, key=lambda e: (e.revision.product.code, e.revision.label))


# --- changing -------------------------------------------------------------------------


def do_generate_routing(session: Session, actor: Actor, revision_id: int) -> RoutingRow:
    """Version 1 of a revision's routing, a draft from the template for its design facts.

    ``AlreadyExists`` if the revision has a routing (revise it instead); ``InvalidInput``
    when there is no classified design, or nothing to solder, or the mount is unknown.
    """
    check_permission(actor, Perm.FACTORY_MANAGE)
    revision = npi.access_revision(session, actor, revision_id)
    label = routing_label(revision)
    existing = current_routing(session, actor, revision_id)
    if existing is not None:
        raise AlreadyExists(
            f"{label} already has a routing (v{existing.number}); edit or revise it",
            field="revision",
        )
    facts = facts_of_revision(session, actor, revision_id)
    rules = routing.template_for(facts, revision=label)
    row = RoutingRow(
        revision_id=revision.id,
        number=rules.version,
        released=False,
        facts=facts_json(facts),
        operations=[_operation_row(op) for op in rules.operations],
    )
    session.add(row)
    session.flush()
    return row


def _for_change(
    session: Session,
    actor: Actor,
    routing_id: int,
    expected_version: int | None,
    *,
    draft: bool = False,
) -> tuple[RoutingRow, Routing]:
    """The routing to change and its rules; with ``draft``, ``Conflict`` for a released one
    (before the version check: "it is locked" is the more useful answer)."""
    check_permission(actor, Perm.FACTORY_MANAGE)
    row = access_routing(session, actor, routing_id)
    revision = npi.access_revision(session, actor, row.revision_id)
    rules = to_rules(row, routing_label(revision))
    if draft:
        routing.edit(rules, rules.operations)
    check_version(row, expected_version, rules.label)
    return row, rules


def _touch(row: RoutingRow) -> None:
    # Changing operations leaves the routing row's own columns alone; forcing an update
    # bumps its version, so an edit based on a stale copy is refused (check_version).
    flag_modified(row, "facts")


def do_edit_operations(
    session: Session,
    actor: Actor,
    routing_id: int,
    operations: Sequence[OperationIn],
    *,
    expected_version: int | None,
) -> RoutingRow:
    """Replace the operations of a draft routing.

    ``Conflict`` for a released routing (revise it); ``InvalidInput`` listing every
    problem (``problems`` extra) when the result is not a valid routing, and nothing is
    changed. Work instructions stay with their step number unless given.
    """
    row, rules = _for_change(session, actor, routing_id, expected_version, draft=True)
    edited = routing.edit(rules, _parse(operations))
    routing.check_routing(edited)
    given = {op.step: op.instructions for op in operations}
    by_step = {op.step: op for op in row.operations}
    wanted = {op.step for op in edited.operations}
    for old in [op for op in row.operations if op.step not in wanted]:
        row.operations.remove(old)
        session.delete(old)
    # Deletes first: a step number freed above may be reused below (unique per routing).
    session.flush()
    for op in edited.operations:
        instructions = given.get(op.step)
        existing = by_step.get(op.step)
        if existing is None:
            row.operations.append(_operation_row(op, (instructions or "").strip()))
        else:
            _copy_into(existing, op)
            if instructions is not None:
                existing.instructions = instructions.strip()
    _touch(row)
    session.flush()
    row.operations.sort(key=lambda o: o.step)
    return row


def do_set_instructions(
    session: Session,
    actor: Actor,
    routing_id: int,
    step: int,
    text: str,
    *,
    expected_version: int | None = None,
) -> RoutingOperationRow:
    """Set the work instructions (text) of one step of a draft routing."""
    row, rules = _for_change(session, actor, routing_id, expected_version, draft=True)
    rules.operation(step)  # InvalidInput naming the routing if there is no such step
    target = next(op for op in row.operations if op.step == step)
    target.instructions = text.strip()
    _touch(row)
    session.flush()
    return target


def do_release_routing(
    session: Session, actor: Actor, routing_id: int, *, expected_version: int | None = None
) -> RoutingRow:
    """Check and lock a draft routing, recording who released it and when (audited).

    ``InvalidInput`` listing every problem of an invalid routing; ``Conflict`` if it is
    already released.
    """
    row, rules = _for_change(session, actor, routing_id, expected_version)
    routing.release(rules)
    row.released = True
    row.released_at = clock.now()
    row.released_by = actor.label
    with audit_reason(session, f"{rules.label} released"):
        session.flush()
    return row


def do_revise_routing(
    session: Session, actor: Actor, routing_id: int, *, expected_version: int | None = None
) -> RoutingRow:
    """A new draft, version n + 1, with the operations and work instructions of the latest
    released version ``routing_id`` (and the facts it was made from).

    ``Conflict`` for a draft (edit it) or an older version (revise the latest).
    """
    row, rules = _for_change(session, actor, routing_id, expected_version)
    draft = routing.revise(rules)
    latest = current_routing(session, actor, row.revision_id)
    if latest is not None and latest.number != row.number:
        raise Conflict(
            f"{rules.label} is not the latest version; v{latest.number} is",
            version=latest.number,
        )
    instructions = {op.step: op.instructions for op in row.operations}
    new = RoutingRow(
        revision_id=row.revision_id,
        number=draft.version,
        released=False,
        facts=dict(row.facts),
        operations=[_operation_row(op, instructions.get(op.step, "")) for op in draft.operations],
    )
    session.add(new)
    with audit_reason(session, f"{rules.label} revised into v{draft.version}"):
        session.flush()
    return new


def operations_for_design(
    session: Session, routing_id: int, facts: Mapping[str, object]
) -> tuple[Operation, ...]:
    """A released routing's operations that apply to the design its stored ``facts``
    describe (all of them when the facts are unknown): the route a unit follows."""
    design = facts_from_json(dict(facts))
    ops = released_operations(session, routing_id)
    return ops if design is None else tuple(op for op in ops if op.applies(design))


def applies_to(operations: Iterable[Operation], facts: RoutingFacts | None) -> dict[int, bool]:
    """Step → whether it applies to a design with ``facts`` (all, when facts are unknown)."""
    return {op.step: facts is None or op.applies(facts) for op in operations}
