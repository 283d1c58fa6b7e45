"""Units: serial schemes, creating units (in panels with X-outs), finding a scanned unit,
its history, holds and scrap (both databases)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from boardline.core.db import Database
from boardline.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from boardline.production import panels, units
from boardline.production.serials import SerialPattern, check_serial
from boardline.production.tables import Panel, SerialScheme, Unit
from tests.production.test_interlock import (
    OPERATOR,
    PATTERN,
    SYSTEM,
    build_floor,
    event_count,
    wo,
)
from tests.supply.test_sales import PLANNER


def counts(db: Database) -> tuple[int, int, int]:
    """Units, panels, events."""
    with db.unit_of_work(SYSTEM, write=False) as s:
        return (
            s.scalar(select(func.count()).select_from(Unit)) or 0,
            s.scalar(select(func.count()).select_from(Panel)) or 0,
            event_count(db),
        )


def test_units_get_serials_from_the_products_scheme(db: Database) -> None:
    floor = build_floor(db, units_count=3)
    pattern = SerialPattern.parse(PATTERN)
    assert [check_serial(pattern, serial).sequence for serial in floor.serials] == [1, 2, 3]
    assert all(serial.startswith("ACME") for serial in floor.serials)
    with db.unit_of_work(PLANNER) as s:
        more = units.do_create_units(s, PLANNER, floor.work_order, 2)
        scheme = s.scalar(select(SerialScheme))
        assert scheme is not None
        assert scheme.next_seq == 6
    assert [check_serial(pattern, serial).sequence for serial in more.serials] == [4, 5]
    assert counts(db) == (5, 0, 5)  # one "created" event per unit
    assert wo(db, floor.work_order).started_quantity == 0  # created is not started


def test_a_new_pattern_keeps_the_sequence_and_a_bad_one_is_refused(db: Database) -> None:
    floor = build_floor(db, units_count=2)
    with pytest.raises(InvalidInput), db.unit_of_work(PLANNER) as s:
        units.do_set_serial_scheme(s, PLANNER, floor.product, "NO-SEQUENCE")
    with db.unit_of_work(PLANNER) as s:
        units.do_set_serial_scheme(s, PLANNER, floor.product, "X-{SEQ:4}")
        assert units.do_create_units(s, PLANNER, floor.work_order, 1).serials == ("X-0003",)


def test_no_more_units_than_the_work_order_is_for(db: Database) -> None:
    floor = build_floor(db, units_count=8)
    before = counts(db)
    with pytest.raises(Conflict) as caught, db.unit_of_work(PLANNER) as s:
        units.do_create_units(s, PLANNER, floor.work_order, 3)
    assert caught.value.extra["reason"] == "quantity_exceeded"
    assert counts(db) == before
    with pytest.raises(InvalidInput), db.unit_of_work(PLANNER) as s:
        units.do_create_units(s, PLANNER, floor.work_order, 0)
    with pytest.raises(PermissionDenied), db.unit_of_work(OPERATOR) as s:
        units.do_create_units(s, OPERATOR, floor.work_order, 1)
    assert counts(db) == before


def test_units_in_panels_skip_the_x_outs(db: Database) -> None:
    """Two 2 × 3 panels with position 2 an X-out: five units each, positions 1, 3, 4, 5, 6."""
    floor = build_floor(db, units_count=1)
    with db.unit_of_work(PLANNER) as s:
        made = units.do_create_units(
            s, PLANNER, floor.work_order, 5, panel_rows=2, panel_cols=3, x_outs=[2]
        )
        assert len(made.panels) == 1
        assert panels.check_panel_id(made.panels[0]) == made.panels[0]
        placed = s.execute(
            select(Unit.serial, Unit.panel_position)
            .where(Unit.panel_id.is_not(None))
            .order_by(Unit.panel_position)
        ).all()
        row = s.scalar(select(Panel))
        assert row is not None
        assert (row.rows, row.cols, row.x_outs) == (2, 3, [2])
    assert [position for _, position in placed] == [1, 3, 4, 5, 6]
    assert [serial for serial, _ in placed] == list(made.serials)
    before = counts(db)
    with pytest.raises(InvalidInput, match="whole panels"), db.unit_of_work(PLANNER) as s:
        units.do_create_units(
            s, PLANNER, floor.work_order, 4, panel_rows=2, panel_cols=3, x_outs=[2]
        )
    with pytest.raises(InvalidInput), db.unit_of_work(PLANNER) as s:
        units.do_create_units(s, PLANNER, floor.work_order, 1, x_outs=[1])
    assert counts(db) == before


def test_a_product_without_a_scheme_gets_no_units(db: Database) -> None:
    floor = build_floor(db, units_count=1)
    with db.unit_of_work(SYSTEM) as s:
        s.execute(SerialScheme.__table__.delete())  # type: ignore[attr-defined]
    with pytest.raises(Conflict) as caught, db.unit_of_work(PLANNER) as s:
        units.do_create_units(s, PLANNER, floor.work_order, 1)
    assert caught.value.extra["reason"] == "no_serial_scheme"


def test_find_a_scanned_unit(db: Database) -> None:
    floor = build_floor(db, units_count=1)
    serial = floor.serials[0]
    with db.unit_of_work(OPERATOR, write=False) as s:
        assert units.find_unit(s, OPERATOR, f"  {serial.lower()}\r\n").serial == serial
        for bad in ("NOPE-1", "has space", ""):
            with pytest.raises(NotFound) as caught:
                units.find_unit(s, OPERATOR, bad)
            assert caught.value.extra["reason"] == "unknown_unit"


def test_a_units_history_is_one_query(db: Database) -> None:
    floor = build_floor(db, units_count=1)
    with db.unit_of_work(OPERATOR, write=False) as s:
        unit_id = units.find_unit(s, OPERATOR, floor.serials[0]).id
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.unit_of_work(OPERATOR, write=False) as s:
            history = units.unit_history(s, OPERATOR, unit_id)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert [e.kind for e in history] == ["created"]
    assert len([sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]) == 1
    with pytest.raises(NotFound), db.unit_of_work(OPERATOR, write=False) as s:
        units.unit_history(s, OPERATOR, unit_id + 1000)


def test_holds_and_scrap_need_a_reason_and_are_recorded(db: Database) -> None:
    floor = build_floor(db, units_count=1)
    with db.unit_of_work(OPERATOR, write=False) as s:
        unit_id = units.find_unit(s, OPERATOR, floor.serials[0]).id
    before = counts(db)
    for call in (units.do_hold_unit, units.do_scrap_unit):
        with pytest.raises(InvalidInput, match="needs a reason"), db.unit_of_work(OPERATOR) as s:
            call(s, OPERATOR, unit_id, "  ")
    with pytest.raises(Conflict), db.unit_of_work(OPERATOR) as s:
        units.do_release_unit_hold(s, OPERATOR, unit_id, "nothing held")
    assert counts(db) == before
    with db.unit_of_work(OPERATOR) as s:
        held = units.do_hold_unit(s, OPERATOR, unit_id, "dropped on the floor")
        assert (held.on_hold, held.hold_reason) == (True, "dropped on the floor")
    with db.unit_of_work(OPERATOR) as s:
        scrapped = units.do_scrap_unit(s, OPERATOR, unit_id, "cracked")
        assert scrapped.state == "scrapped"
    with pytest.raises(Conflict), db.unit_of_work(OPERATOR) as s:
        units.do_scrap_unit(s, OPERATOR, unit_id, "again")
    with db.unit_of_work(OPERATOR, write=False) as s:
        kinds = [e.kind for e in units.unit_history(s, OPERATOR, unit_id)]
    assert kinds == ["created", "hold", "scrapped"]
    assert wo(db, floor.work_order).scrapped_quantity == 1


def test_a_work_order_hold_needs_a_reason_and_a_planner(db: Database) -> None:
    floor = build_floor(db, units_count=1)
    with pytest.raises(InvalidInput), db.unit_of_work(PLANNER) as s:
        units.do_hold_work_order(s, PLANNER, floor.work_order, "")
    with pytest.raises(PermissionDenied), db.unit_of_work(OPERATOR) as s:
        units.do_hold_work_order(s, OPERATOR, floor.work_order, "why not")
    assert not wo(db, floor.work_order).on_hold
    with db.unit_of_work(PLANNER) as s:
        units.do_hold_work_order(s, PLANNER, floor.work_order, "ECO pending")
    order = wo(db, floor.work_order)
    assert (order.on_hold, order.hold_reason) == (True, "ECO pending")
