"""Panels: position numbering, X-outs, serials per position, per-position results, panel IDs
and what a panel becomes when cut apart."""

from __future__ import annotations

from collections.abc import Callable
from random import Random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boardline.core.errors import InvalidInput
from boardline.production.panels import (
    MAX_POSITIONS,
    PANEL_IDS,
    Depanelization,
    Panel,
    SeparatedUnit,
    assign_serials,
    check_panel_id,
    check_x_outs,
    depanelize,
    new_panel_id,
    results_by_serial,
)
from boardline.production.serials import SERIAL_CHARACTERS, has_valid_check

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TWO_BY_THREE = Panel.layout(2, 3)
SIX = ["U1", "U2", "U3", "U4", "U5", "U6"]
PANEL_ID = new_panel_id(1)


def invalid(call: Callable[..., object], *args: object) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call(*args)
    return caught.value


# --- layout and numbering -----------------------------------------------------------------


def test_positions_run_row_by_row_from_the_top_left() -> None:
    assert TWO_BY_THREE.size == 6
    assert list(TWO_BY_THREE.positions) == [1, 2, 3, 4, 5, 6]
    assert [TWO_BY_THREE.row_col(p) for p in TWO_BY_THREE.positions] == [
        (1, 1),
        (1, 2),
        (1, 3),
        (2, 1),
        (2, 2),
        (2, 3),
    ]
    assert TWO_BY_THREE.position(2, 1) == 4


def test_a_single_board_is_a_one_by_one_panel() -> None:
    single = Panel.layout(1, 1)
    assert assign_serials(single, ["U1"]) == {1: "U1"}


@pytest.mark.parametrize(
    ("rows", "cols", "message", "field"),
    [
        (0, 3, "panel rows must be a whole number ≥ 1, got 0", "rows"),
        (2, -1, "panel cols must be a whole number ≥ 1, got -1", "cols"),
        (True, 3, "panel rows must be a whole number ≥ 1, got True", "rows"),
        (2, 1.5, "panel cols must be a whole number ≥ 1, got 1.5", "cols"),
        (2, "3", "panel cols must be a whole number ≥ 1, got '3'", "cols"),
        (100, 11, f"1100 positions; at most {MAX_POSITIONS}", "rows"),
    ],
)
def test_layout_refuses_impossible_panels(
    rows: object, cols: object, message: str, field: str
) -> None:
    error = invalid(Panel.layout, rows, cols)
    assert message in error.detail
    assert error.extra["field"] == field


def test_the_largest_panel_is_allowed() -> None:
    assert Panel.layout(1, MAX_POSITIONS).size == MAX_POSITIONS


@pytest.mark.parametrize(("row", "col"), [(0, 1), (3, 1), (1, 0), (1, 4)])
def test_position_refuses_cells_off_the_panel(row: int, col: int) -> None:
    assert "is not on a 2 × 3 panel" in invalid(TWO_BY_THREE.position, row, col).detail


@pytest.mark.parametrize(
    ("position", "message"),
    [
        (0, "position 0 is not on the panel: positions are 1 to 6"),
        (7, "position 7 is not on the panel"),
        (-1, "position -1 is not on the panel"),
        (True, "must be a whole number, got True"),
        ("3", "must be a whole number, got '3'"),
    ],
)
def test_check_position_names_the_bad_position(position: object, message: str) -> None:
    error = invalid(TWO_BY_THREE.check_position, position)
    assert message in error.detail
    assert error.extra["field"] == "position"


@FUZZ
@given(st.integers(1, 40), st.integers(1, 25))
def test_numbering_is_a_one_to_one_map_of_cells(rows: int, cols: int) -> None:
    panel = Panel.layout(rows, cols)
    cells = [panel.row_col(p) for p in panel.positions]
    assert len(set(cells)) == panel.size
    assert all(panel.position(*cell) == p for p, cell in zip(panel.positions, cells, strict=True))
    assert cells == sorted(cells)  # row by row, left to right


# --- X-outs and serials ---------------------------------------------------------------------


def test_assign_serials_skips_x_outs_in_position_order() -> None:
    assert assign_serials(TWO_BY_THREE, ["A", "B", "C", "D"], [5, 2]) == {
        1: "A",
        3: "B",
        4: "C",
        6: "D",
    }
    assert list(assign_serials(TWO_BY_THREE, SIX)) == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("x_outs", "message"),
    [
        ([0], "position 0 is not on the panel"),
        ([7], "position 7 is not on the panel"),
        ([2, 2], "X-out position 2 given twice"),
        ([1, 2, 3, 4, 5, 6], "all 6 positions are X-outs: nothing to build"),
        (["2"], "must be a whole number, got '2'"),
    ],
)
def test_x_outs_are_checked(x_outs: list[int], message: str) -> None:
    assert message in invalid(check_x_outs, TWO_BY_THREE, x_outs).detail
    assert message in invalid(assign_serials, TWO_BY_THREE, SIX[:4], x_outs).detail


def test_check_x_outs_returns_the_set() -> None:
    assert check_x_outs(TWO_BY_THREE, iter([6, 1])) == frozenset({1, 6})
    assert check_x_outs(TWO_BY_THREE, []) == frozenset()


@pytest.mark.parametrize(
    ("serials", "x_outs", "message"),
    [
        (SIX[:5], [], "5 serial(s) for 6 good position(s) (6 positions, 0 X-out)"),
        (SIX, [3], "6 serial(s) for 5 good position(s) (6 positions, 1 X-out)"),
        ([], [], "0 serial(s) for 6 good position(s)"),
        (["A", "B", "A", "C", "D", "E"], [], "serial A given twice"),
        (["A", "", "C", "D", "E", "F"], [], "a serial must be non-empty text, got ''"),
        (["A", " ", "C", "D", "E", "F"], [], "a serial must be non-empty text"),
        (["A", None, "C", "D", "E", "F"], [], "a serial must be non-empty text, got None"),
        ("ABCDEF", [], "serials must be a list of serials, not one text"),
    ],
)
def test_assign_serials_refuses_the_wrong_serials(
    serials: list[str], x_outs: list[int], message: str
) -> None:
    error = invalid(assign_serials, TWO_BY_THREE, serials, x_outs)
    assert message in error.detail
    assert error.extra["field"] == "serials"


@st.composite
def panels_with_x_outs(draw: st.DrawFn) -> tuple[Panel, frozenset[int], list[str]]:
    panel = Panel.layout(draw(st.integers(1, 12)), draw(st.integers(1, 12)))
    x_outs = draw(st.frozensets(st.sampled_from(list(panel.positions)), max_size=panel.size - 1))
    serials = [f"S{n:04}" for n in range(panel.size - len(x_outs))]
    return panel, x_outs, serials


@FUZZ
@given(panels_with_x_outs(), st.randoms(use_true_random=False))
def test_every_good_position_gets_one_serial_in_order(
    case: tuple[Panel, frozenset[int], list[str]], random: Random
) -> None:
    panel, x_outs, serials = case
    given_order = sorted(x_outs)
    random.shuffle(given_order)
    assignment = assign_serials(panel, serials, given_order)
    assert set(assignment) == set(panel.positions) - x_outs
    assert list(assignment) == sorted(assignment)
    assert list(assignment.values()) == serials


@FUZZ
@given(panels_with_x_outs(), st.integers(-1, 1).filter(bool))
def test_one_serial_too_many_or_too_few_is_refused(
    case: tuple[Panel, frozenset[int], list[str]], off_by: int
) -> None:
    panel, x_outs, serials = case
    wrong = [*serials, "EXTRA"] if off_by > 0 else serials[:-1]
    with pytest.raises(InvalidInput, match="good position"):
        assign_serials(panel, wrong, x_outs)


# --- per-position results -------------------------------------------------------------------


def test_results_by_serial_follows_the_assignment_and_drops_x_outs() -> None:
    assignment = assign_serials(TWO_BY_THREE, ["A", "B", "C", "D", "E"], [2])
    results = {1: "pass", 2: "skipped", 4: "fail"}
    assert results_by_serial(TWO_BY_THREE, assignment, results) == {"A": "pass", "C": "fail"}


def test_results_by_serial_refuses_a_position_off_the_panel() -> None:
    assignment = assign_serials(TWO_BY_THREE, SIX)
    error = invalid(results_by_serial, TWO_BY_THREE, assignment, {7: "pass"})
    assert "position 7 is not on the panel" in error.detail


# --- depanelisation ---------------------------------------------------------------------------


def test_depanelize_lists_units_with_their_origin_and_the_x_outs() -> None:
    assignment = assign_serials(TWO_BY_THREE, ["A", "B", "C", "D"], [2, 6])
    assert depanelize(TWO_BY_THREE, PANEL_ID.lower(), assignment) == Depanelization(
        PANEL_ID,
        (
            SeparatedUnit("A", PANEL_ID, 1, 1, 1),
            SeparatedUnit("B", PANEL_ID, 3, 1, 3),
            SeparatedUnit("C", PANEL_ID, 4, 2, 1),
            SeparatedUnit("D", PANEL_ID, 5, 2, 2),
        ),
        (2, 6),
    )


@pytest.mark.parametrize(
    ("panel_id", "assignment", "message"),
    [
        ("PNL-1", {1: "A"}, "not a panel ID"),
        (PANEL_ID, {7: "A"}, "position 7 is not on the panel"),
        (PANEL_ID, {1: "A", 2: "A"}, "serial A given twice"),
        (PANEL_ID, {1: ""}, "a serial must be non-empty text"),
        (PANEL_ID, {}, f"panel {PANEL_ID} has no units to separate"),
    ],
)
def test_depanelize_refuses_what_cannot_be_a_panel(
    panel_id: str, assignment: dict[int, str], message: str
) -> None:
    assert message in invalid(depanelize, TWO_BY_THREE, panel_id, assignment).detail


@FUZZ
@given(panels_with_x_outs())
def test_depanelize_accounts_for_every_position_once(
    case: tuple[Panel, frozenset[int], list[str]],
) -> None:
    panel, x_outs, serials = case
    result = depanelize(panel, PANEL_ID, assign_serials(panel, serials, x_outs))
    positions = [unit.position for unit in result.units] + list(result.x_outs)
    assert sorted(positions) == list(panel.positions)
    assert set(result.x_outs) == x_outs
    assert [unit.serial for unit in result.units] == serials
    assert all(panel.row_col(u.position) == (u.row, u.col) for u in result.units)


# --- panel IDs --------------------------------------------------------------------------------


def test_panel_ids_are_short_checked_and_read_back() -> None:
    assert PANEL_ID.startswith("PNL-0000001")
    assert len(PANEL_ID) == 12
    assert has_valid_check(PANEL_ID)
    assert check_panel_id(f" {PANEL_ID.lower()}\r\n") == PANEL_ID
    assert len(new_panel_id(PANEL_IDS.capacity())) == 12


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("PNL-0000002" + "X", "not a panel ID"),
        ("PKG-0000001", "not a panel ID"),
        ("", "not a panel ID: empty serial"),
    ],
)
def test_check_panel_id_says_what_is_wrong(text: str, message: str) -> None:
    error = invalid(check_panel_id, text)
    assert message in error.detail
    assert error.extra["field"] == "panel_id"


def test_new_panel_id_refuses_numbers_it_cannot_show() -> None:
    assert "sequence overflow" in invalid(new_panel_id, PANEL_IDS.capacity() + 1).detail
    assert "must be ≥ 0" in invalid(new_panel_id, -1).detail


@FUZZ
@given(st.integers(0, PANEL_IDS.capacity()), st.data())
def test_any_panel_id_reads_back_and_a_typo_is_caught(seq: int, data: st.DataObject) -> None:
    panel_id = new_panel_id(seq)
    assert check_panel_id(panel_id) == panel_id
    index = data.draw(st.integers(0, len(panel_id) - 1))
    other = data.draw(st.sampled_from(SERIAL_CHARACTERS).filter(lambda c: c != panel_id[index]))
    with pytest.raises(InvalidInput, match="not a panel ID"):
        check_panel_id(panel_id[:index] + other + panel_id[index + 1 :])
