"""Units: serial schemes, creating a work order's units (optionally in panels), finding a
scanned unit, its history, holds and scrap.

Recording work on units (starting and finishing steps) is the interlock's
(:mod:`boardline.production.interlock`); this module makes and manages the units.

Permissions. Serial schemes and creating units are planning (``Perm.PLANNING``); reading is
``Perm.PRODUCTION_VIEW``. Recording on the floor (start, finish, unit holds, scrap) has no
permission of its own yet: until the lead adds one, :func:`check_may_record` asks for
``PRODUCTION_VIEW`` and a staff role (a customer, who also holds ``PRODUCTION_VIEW``, may
look at its units but never record on them).

Decisions:

- **Counters move without the audit trail.** ``WorkOrder.completed_quantity``,
  ``started_quantity`` and ``scrapped_quantity`` grow by an atomic ``UPDATE … SET n = n + 1``:
  a million units would otherwise write a million audit entries, and two units of one work
  order finishing at once would conflict on the work order's version. The unit's events
  are the record of each change.
- **Units are created, not started.** ``started_quantity`` counts units on which the first
  step was recorded (the interlock bumps it), not units with a serial.
- **Panels are filled whole.** With a panel layout, ``count`` must be a multiple of the good
  positions per panel (the positions minus the X-outs), every panel having the same X-outs:
  a panel is one order of bare boards, its X-outs known when it is loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import uuid4

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from boardline.core import clock
from boardline.core import services as core_services
from boardline.core.audit_trail import audit_reason
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import Conflict, InvalidInput, NotFound
from boardline.core.services import check_reason, check_version
from boardline.npi import services as npi
from boardline.production import panels as panel_rules
from boardline.production.serials import SerialContext, SerialPattern, normalize_serial
from boardline.production.tables import Panel, SerialScheme, Unit, UnitEvent, WorkOrder
from boardline.production.work_orders import access_work_order

__all__ = [
    "REASON_MAX",
    "CreatedUnits",
    "access_unit",
    "check_may_record",
    "clean_serial",
    "do_create_units",
    "do_hold_unit",
    "do_hold_work_order",
    "do_release_unit_hold",
    "do_release_work_order_hold",
    "do_scrap_unit",
    "do_set_serial_scheme",
    "find_unit",
    "unit_history",
]

REASON_MAX = 200  # the hold_reason columns
# Work orders that may still get units.
_CREATABLE = ("draft", "released", "in_progress")


def check_may_record(actor: Actor) -> None:
    """Refuse an actor who may not record work on units (operators, machines' tokens with
    an operator role, supervisors, quality, engineers)."""
    check_permission(actor, Perm.PRODUCTION_RECORD)


def clean_serial(scanned: str) -> str:
    """A scanned serial as stored: CR/LF and whitespace around it gone, upper case.

    Raises ``NotFound`` (``reason`` ``unknown_unit``) for something no serial can be, so a
    bad scan reads like an unknown unit, not like a form error.
    """
    try:
        return normalize_serial(scanned)
    except InvalidInput as exc:
        raise NotFound(exc.detail, reason="unknown_unit") from None


# --- serial schemes -------------------------------------------------------------------


def do_set_serial_scheme(
    session: Session, actor: Actor, product_id: int, pattern: str
) -> SerialScheme:
    """Set the product's serial pattern (``serials.py``); the sequence carries on from where
    an earlier pattern left it, so no serial is ever made twice by a sequence reset."""
    check_permission(actor, Perm.PLANNING)
    parsed = SerialPattern.parse(pattern.strip())
    product = npi.access_product(session, actor, product_id)
    scheme = session.scalar(
        select(SerialScheme).where(SerialScheme.product_id == product.id).with_for_update()
    )
    if scheme is None:
        scheme = SerialScheme(product_id=product.id, pattern=parsed.text, next_seq=1)
        session.add(scheme)
    else:
        scheme.pattern = parsed.text
    session.flush()
    return scheme


# --- creating units -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreatedUnits:
    """What :func:`do_create_units` made: the serials in order and the panel codes."""

    serials: tuple[str, ...]
    panels: tuple[str, ...] = ()


def do_create_units(
    session: Session,
    actor: Actor,
    work_order_id: int,
    count: int,
    *,
    panel_rows: int | None = None,
    panel_cols: int | None = None,
    x_outs: Iterable[int] = (),
) -> CreatedUnits:
    """``count`` new units of a work order, serialised by its product's scheme.

    The serial context is the customer code, the product code, the revision label and today.
    With ``panel_rows`` and ``panel_cols`` the units fill panels of that layout (module
    notes). Refuses (``Conflict``) more units than the work order's quantity minus the units
    it already has, a work order that is finished or cancelled, and a product without a
    serial scheme. Each unit gets a ``created`` event.
    """
    check_permission(actor, Perm.PLANNING)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise InvalidInput(f"count {count!r}: must be a whole number ≥ 1", field="count")
    order = access_work_order(session, actor, work_order_id)
    if order.state not in _CREATABLE:
        raise Conflict(
            f"work order {order.number} is {order.state.replace('_', ' ')}; it gets no units",
            reason="work_order_closed",
        )
    layout = _layout(panel_rows, panel_cols, x_outs)
    existing = session.scalar(
        select(func.count()).select_from(Unit).where(Unit.work_order_id == order.id)
    )
    left = order.quantity - (existing or 0)
    if count > left:
        raise Conflict(
            f"work order {order.number} is for {order.quantity}; it has {existing} unit(s), "
            f"so at most {left} more",
            reason="quantity_exceeded",
        )
    revision = npi.access_revision(session, actor, order.revision_id)
    product = npi.access_product(session, actor, revision.product_id)
    customer = core_services.access_customer(session, actor, order.customer_id)
    # Locks the row on PostgreSQL; its version column guards the sequence on both.
    scheme = session.scalar(
        select(SerialScheme).where(SerialScheme.product_id == product.id).with_for_update()
    )
    if scheme is None:
        raise Conflict(
            f"product {product.code} has no serial scheme; set one first", reason="no_serial_scheme"
        )
    context = SerialContext(customer.code, product.code, revision.label, clock.today())
    serials = SerialPattern.parse(scheme.pattern).generate(scheme.next_seq, count, context)
    scheme.next_seq += count
    session.flush()

    placed, panel_codes = _panels(session, order, layout, serials)
    now = clock.now()
    rows = [
        {
            "serial": serial,
            "work_order_id": order.id,
            "panel_id": placed.get(serial, (None, None))[0],
            "panel_position": placed.get(serial, (None, None))[1],
            "state": "in_progress",
            "on_hold": False,
            "hold_reason": "",
            "created_at": now,
            "version": 1,
        }
        for serial in serials
    ]
    ids = session.scalars(insert(Unit).returning(Unit.id, sort_by_parameter_order=True), rows)
    session.execute(
        insert(UnitEvent),
        [
            {
                "unit_id": unit_id,
                "kind": "created",
                "operator": actor.label,
                "at": now,
                "detail": {},
            }
            for unit_id in ids.all()
        ],
    )
    return CreatedUnits(tuple(serials), panel_codes)


_Layout = tuple[panel_rules.Panel, frozenset[int]]


def _layout(rows: int | None, cols: int | None, x_outs: Iterable[int]) -> _Layout | None:
    x_outs = tuple(x_outs)
    if rows is None and cols is None:
        if x_outs:
            raise InvalidInput("X-outs need a panel layout", field="x_outs")
        return None
    if rows is None or cols is None:
        raise InvalidInput("a panel needs both rows and columns", field="panel_rows")
    layout = panel_rules.Panel.layout(rows, cols)
    return layout, panel_rules.check_x_outs(layout, x_outs)


def _panels(
    session: Session, order: WorkOrder, layout: _Layout | None, serials: Sequence[str]
) -> tuple[dict[str, tuple[int, int]], tuple[str, ...]]:
    """Serial → (panel id, position), and the new panel codes."""
    if layout is None:
        return {}, ()
    shape, bad = layout
    good = shape.size - len(bad)
    if len(serials) % good:
        raise InvalidInput(
            f"{len(serials)} unit(s) do not fill whole panels of {good} good position(s)"
            f" ({shape.rows} × {shape.cols}, {len(bad)} X-out)",
            field="count",
        )
    chunks = [serials[i : i + good] for i in range(0, len(serials), good)]
    # A panel's code is made from its row id, so it is written first under a placeholder.
    rows = [
        Panel(
            code=f"NEW-{uuid4().hex[:24]}",
            work_order_id=order.id,
            rows=shape.rows,
            cols=shape.cols,
            x_outs=sorted(bad),
        )
        for _ in chunks
    ]
    session.add_all(rows)
    session.flush()
    placed: dict[str, tuple[int, int]] = {}
    for row, chunk in zip(rows, chunks, strict=True):
        row.code = panel_rules.new_panel_id(row.id)
        for position, serial in panel_rules.assign_serials(shape, chunk, bad).items():
            placed[serial] = (row.id, position)
    session.flush()
    return placed, tuple(row.code for row in rows)


# --- finding units --------------------------------------------------------------------


def find_unit(session: Session, actor: Actor, serial: str) -> Unit:
    """The unit with this scanned serial; ``NotFound`` (``reason`` ``unknown_unit``) when
    there is none, or it is another customer's."""
    check_permission(actor, Perm.PRODUCTION_VIEW)
    clean = clean_serial(serial)
    unit = session.scalar(select(Unit).where(Unit.serial == clean))
    if unit is None:
        raise NotFound(f"{clean}: no such unit", reason="unknown_unit")
    _scope(session, actor, unit)
    return unit


def access_unit(session: Session, actor: Actor, unit_id: int) -> Unit:
    """The unit ``unit_id``, if the actor may see it (``NotFound`` otherwise)."""
    check_permission(actor, Perm.PRODUCTION_VIEW)
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(f"unit {unit_id} not found", reason="unknown_unit")
    _scope(session, actor, unit)
    return unit


def _scope(session: Session, actor: Actor, unit: Unit) -> None:
    if actor.is_customer:
        try:
            access_work_order(session, actor, unit.work_order_id)
        except NotFound:
            raise NotFound(f"{unit.serial}: no such unit", reason="unknown_unit") from None


def unit_history(session: Session, actor: Actor, unit_id: int) -> Sequence[UnitEvent]:
    """The unit's events in the order they were recorded, in one query.

    Every unit has its ``created`` event, so no rows means no such unit (or one the actor
    may not see): ``NotFound``.
    """
    check_permission(actor, Perm.PRODUCTION_VIEW)
    stmt = (
        select(UnitEvent)
        .join(Unit, Unit.id == UnitEvent.unit_id)
        .where(UnitEvent.unit_id == unit_id)
        .order_by(UnitEvent.id)
    )
    if actor.is_customer:
        stmt = stmt.join(WorkOrder, WorkOrder.id == Unit.work_order_id).where(
            WorkOrder.customer_id == actor.customer_id
        )
    events = session.scalars(stmt).all()
    if not events:
        raise NotFound(f"unit {unit_id} not found", reason="unknown_unit")
    return events


# --- holds and scrap ------------------------------------------------------------------


def _reason(reason: str | None, action: str) -> str:
    clean = check_reason(reason, action)
    if len(clean) > REASON_MAX:
        raise InvalidInput(f"the reason is longer than {REASON_MAX} characters", field="reason")
    return clean


def _event(session: Session, actor: Actor, unit: Unit, kind: str, reason: str) -> None:
    session.add(
        UnitEvent(
            unit_id=unit.id,
            kind=kind,
            operator=actor.label,
            at=clock.now(),
            detail={"reason": reason},
        )
    )


def _unit_for_change(
    session: Session, actor: Actor, unit_id: int, expected_version: int | None
) -> Unit:
    check_may_record(actor)
    unit = access_unit(session, actor, unit_id)
    check_version(unit, expected_version, f"unit {unit.serial}")
    return unit


def do_hold_unit(
    session: Session,
    actor: Actor,
    unit_id: int,
    reason: str,
    *,
    expected_version: int | None = None,
) -> Unit:
    """Put a unit on hold (no station may process it) with a reason; recorded as an event."""
    unit = _unit_for_change(session, actor, unit_id, expected_version)
    clean = _reason(reason, f"holding {unit.serial}")
    if unit.on_hold:
        raise Conflict(f"{unit.serial} is already on hold", reason="unit_on_hold")
    unit.on_hold, unit.hold_reason = True, clean
    _event(session, actor, unit, "hold", clean)
    session.flush()
    return unit


def do_release_unit_hold(
    session: Session,
    actor: Actor,
    unit_id: int,
    reason: str,
    *,
    expected_version: int | None = None,
) -> Unit:
    """Release a unit's hold, saying why it may go on; recorded as an event."""
    unit = _unit_for_change(session, actor, unit_id, expected_version)
    clean = _reason(reason, f"releasing the hold on {unit.serial}")
    if not unit.on_hold:
        raise Conflict(f"{unit.serial} is not on hold", reason="not_on_hold")
    unit.on_hold, unit.hold_reason = False, ""
    _event(session, actor, unit, "hold_released", clean)
    session.flush()
    return unit


def do_scrap_unit(
    session: Session,
    actor: Actor,
    unit_id: int,
    reason: str,
    *,
    expected_version: int | None = None,
) -> Unit:
    """Scrap a unit that is not completed; its work order's scrapped quantity grows.

    A completed unit is not scrapped here: it was counted as built, and undoing that is a
    quality decision (NCR) still to come.
    """
    unit = _unit_for_change(session, actor, unit_id, expected_version)
    clean = _reason(reason, f"scrapping {unit.serial}")
    if unit.state != "in_progress":
        raise Conflict(f"{unit.serial} is {unit.state}; it cannot be scrapped", reason=unit.state)
    unit.state = "scrapped"
    _event(session, actor, unit, "scrapped", clean)
    session.flush()
    session.execute(
        update(WorkOrder)
        .where(WorkOrder.id == unit.work_order_id)
        .values(scrapped_quantity=WorkOrder.scrapped_quantity + 1)
        .execution_options(synchronize_session=False)
    )
    return unit


def do_hold_work_order(
    session: Session,
    actor: Actor,
    work_order_id: int,
    reason: str,
    *,
    expected_version: int | None = None,
) -> WorkOrder:
    """Hold a whole work order: none of its units may be processed until released."""
    check_permission(actor, Perm.PLANNING)
    order = access_work_order(session, actor, work_order_id)
    check_version(order, expected_version, f"work order {order.number}")
    clean = _reason(reason, f"holding work order {order.number}")
    if order.on_hold:
        raise Conflict(f"work order {order.number} is already on hold", reason="on_hold")
    order.on_hold, order.hold_reason = True, clean
    with audit_reason(session, clean):
        session.flush()
    return order


def do_release_work_order_hold(
    session: Session,
    actor: Actor,
    work_order_id: int,
    reason: str,
    *,
    expected_version: int | None = None,
) -> WorkOrder:
    """Release a work order's hold, saying why it may go on (kept in the audit trail)."""
    check_permission(actor, Perm.PLANNING)
    order = access_work_order(session, actor, work_order_id)
    check_version(order, expected_version, f"work order {order.number}")
    clean = _reason(reason, f"releasing the hold on work order {order.number}")
    if not order.on_hold:
        raise Conflict(f"work order {order.number} is not on hold", reason="not_on_hold")
    order.on_hold, order.hold_reason = False, ""
    with audit_reason(session, clean):
        session.flush()
    return order
