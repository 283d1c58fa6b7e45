"""Panels: boards built several to an array, their positions, X-outs and serials. Pure.

A panel of ``rows × cols`` positions is numbered 1 to N **row by row, left to right,
starting top left**, seen from the top (first) side as the panel drawing shows it:

    rows=2, cols=3      1  2  3
                        4  5  6

An **X-out** is a position that is bad on the bare panel (marked by the board supplier)
and gets no unit: no serial, no placement, no test. :func:`assign_serials` gives the other
positions the panel's serials in position order; the mapping it returns is what the
operator screen shows and what per-position machine results (IPC-CFX reports results by
position number) are translated through with :func:`results_by_serial`. Machines that
number positions differently (from the fiducial corner, or serpentine) are translated at
the connector, not here. :func:`depanelize` says which units a panel became.

A panel carries its own ID, ``PNL-`` and seven base-36 characters and a check character
(:data:`PANEL_IDS`), so a panel label is never taken for a unit serial by its shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from boardline.core.errors import InvalidInput
from boardline.production.serials import SerialContext, SerialPattern, check_serial

MAX_POSITIONS: Final = 1000
"""Most positions on one panel: far above real arrays, a guard against a typed 100 × 100."""

PANEL_IDS: Final = SerialPattern.parse("PNL-{SEQ36:7}{CHECK}")
"""How panel IDs are made: 36⁷ (78 billion) of them, 12 characters."""

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Panel:
    """A panel layout: ``rows × cols`` positions numbered as the module doc shows."""

    rows: int
    cols: int

    @classmethod
    def layout(cls, rows: int, cols: int) -> Panel:
        """The panel of ``rows × cols`` positions, or ``InvalidInput`` naming the bad count.

        A single board not built in a panel is ``Panel.layout(1, 1)``.
        """
        for name, value in (("rows", rows), ("cols", cols)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidInput(
                    f"panel {name} must be a whole number ≥ 1, got {value!r}", field=name
                )
        if rows * cols > MAX_POSITIONS:
            raise InvalidInput(
                f"panel of {rows} × {cols} = {rows * cols} positions; at most {MAX_POSITIONS}",
                field="rows",
            )
        return cls(rows, cols)

    @property
    def size(self) -> int:
        """N, the number of positions."""
        return self.rows * self.cols

    @property
    def positions(self) -> range:
        """1 to N."""
        return range(1, self.size + 1)

    def position(self, row: int, col: int) -> int:
        """The position number at ``row`` and ``col`` (both from 1, row 1 on top)."""
        if not (1 <= row <= self.rows and 1 <= col <= self.cols):
            raise InvalidInput(
                f"row {row}, column {col} is not on a {self.rows} × {self.cols} panel",
                field="position",
            )
        return (row - 1) * self.cols + col

    def row_col(self, position: int) -> tuple[int, int]:
        """The row and column (both from 1) of ``position``."""
        self.check_position(position)
        row, col = divmod(position - 1, self.cols)
        return row + 1, col + 1

    def check_position(self, position: object) -> int:
        """``position`` if it is one of 1 to N, else ``InvalidInput``."""
        if isinstance(position, bool) or not isinstance(position, int):
            raise InvalidInput(
                f"panel position must be a whole number, got {position!r}", field="position"
            )
        if not 1 <= position <= self.size:
            raise InvalidInput(
                f"position {position} is not on the panel: positions are 1 to {self.size}",
                field="position",
            )
        return position


def check_x_outs(panel: Panel, x_outs: Iterable[int]) -> frozenset[int]:
    """The X-out positions, or ``InvalidInput`` for one out of range, one given twice, or
    every position an X-out (a panel with no good board is scrapped, not built)."""
    seen: set[int] = set()
    for position in x_outs:
        panel.check_position(position)
        if position in seen:
            raise InvalidInput(f"X-out position {position} given twice", field="x_outs")
        seen.add(position)
    if len(seen) == panel.size:
        raise InvalidInput(
            f"all {panel.size} positions are X-outs: nothing to build on this panel",
            field="x_outs",
        )
    return frozenset(seen)


def assign_serials(
    panel: Panel, serials: Sequence[str], x_outs: Iterable[int] = ()
) -> dict[int, str]:
    """Position → serial for every position but the X-outs, in position order.

    The serials go to the good positions in the order given. Raises ``InvalidInput`` for
    bad X-outs (:func:`check_x_outs`), a number of serials other than N minus the X-outs,
    or a serial that is empty or given twice.
    """
    bad = check_x_outs(panel, x_outs)
    good = [position for position in panel.positions if position not in bad]
    if isinstance(serials, str):
        raise InvalidInput("serials must be a list of serials, not one text", field="serials")
    if len(serials) != len(good):
        raise InvalidInput(
            f"{len(serials)} serial(s) for {len(good)} good position(s) "
            f"({panel.size} positions, {len(bad)} X-out)",
            field="serials",
        )
    _check_unique(serials)
    return dict(zip(good, serials, strict=True))


def results_by_serial(
    panel: Panel, assignment: Mapping[int, str], results: Mapping[int, _T]
) -> dict[str, _T]:
    """Per-position results (as a machine reports them) by the serial at each position.

    Results for X-out positions are dropped: machines report those as skipped, and there
    is no unit to record them on. Raises ``InvalidInput`` for a position not on the panel.
    """
    by_serial: dict[str, _T] = {}
    for position, result in results.items():
        panel.check_position(position)
        serial = assignment.get(position)
        if serial is not None:
            by_serial[serial] = result
    return by_serial


@dataclass(frozen=True, slots=True)
class SeparatedUnit:
    """A unit cut from a panel, with where it came from (for genealogy and trace)."""

    serial: str
    panel_id: str
    position: int
    row: int
    col: int


@dataclass(frozen=True, slots=True)
class Depanelization:
    """What a panel became when cut apart: its units, and its X-outs that go to scrap."""

    panel_id: str
    units: tuple[SeparatedUnit, ...]
    x_outs: tuple[int, ...]


def depanelize(panel: Panel, panel_id: str, assignment: Mapping[int, str]) -> Depanelization:
    """The units the panel ``panel_id`` became, in position order; the positions without a
    serial are its X-outs.

    Raises ``InvalidInput`` for a bad panel ID, a position not on the panel, an empty or
    repeated serial, or no serial at all.
    """
    canonical = check_panel_id(panel_id)
    for position in assignment:
        panel.check_position(position)
    _check_unique(list(assignment.values()))
    if not assignment:
        raise InvalidInput(f"panel {canonical} has no units to separate", field="assignment")
    units = tuple(
        SeparatedUnit(assignment[position], canonical, position, *panel.row_col(position))
        for position in panel.positions
        if position in assignment
    )
    x_outs = tuple(position for position in panel.positions if position not in assignment)
    return Depanelization(canonical, units, x_outs)


def new_panel_id(seq: int) -> str:
    """The panel ID for database sequence number ``seq`` (0 to 36⁷ − 1)."""
    return PANEL_IDS.format(seq, SerialContext())


def check_panel_id(text: str) -> str:
    """``text`` as a canonical panel ID (trimmed, upper case), or ``InvalidInput`` if it is
    not one or its check character is wrong."""
    try:
        return check_serial(PANEL_IDS, text).serial
    except InvalidInput as error:
        raise InvalidInput(f"not a panel ID: {error.detail}", field="panel_id") from None


def _check_unique(serials: Sequence[str]) -> None:
    seen: set[str] = set()
    for serial in serials:
        if not isinstance(serial, str) or not serial.strip():
            raise InvalidInput(f"a serial must be non-empty text, got {serial!r}", field="serials")
        if serial in seen:
            raise InvalidInput(f"serial {serial} given twice", field="serials")
        seen.add(serial)
