"""Reading centroid files (pick-and-place, position, XY data) into placements.

Reads KiCad position files (ASCII ``.pos`` and CSV), JLCPCB CPL files and generic delimited
files (comma, semicolon, tab) whose headers use one of the common spellings. Every placement
comes out in one frame: millimetres, rotation in [0, 360), X as seen from the top even when
the file negated it for the bottom side. What the file says about units and sides wins; the
caller's ``units`` and ``side`` fill in what it does not say.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from boardline.core.errors import FileRejected
from boardline.npi.importers.report import FindingReport
from boardline.npi.importers.text import decode, read_rows, sniff_delimiter
from boardline.npi.model import ImportResult, Mount, Placement, Severity, Side

__all__ = ["parse_centroid"]

_MAX_FINDINGS_PER_CODE = 100
_HEADER_SEARCH_LINES = 60
_MOSTLY = 0.95  # share of one side's X that must have the expected sign to call it negated
_PLAUSIBLE_MM = 1500.0  # no assembled board is this large; bigger numbers are not millimetres

_MM_PER_UNIT: dict[str, float] = {"mm": 1.0, "mil": 0.0254, "inch": 25.4}
_UNIT_NAMES: dict[str, str] = {
    "mm": "mm",
    "millimeter": "mm",
    "millimeters": "mm",
    "millimetre": "mm",
    "millimetres": "mm",
    "metric": "mm",
    "mil": "mil",
    "mils": "mil",
    "thou": "mil",
    "in": "inch",
    "inch": "inch",
    "inches": "inch",
    '"': "inch",
}
_DEGREES = {"deg", "degree", "degrees", "°"}
# Unit words a header may end in without brackets ("PosX_mm"); "in" is not here because too
# many words end in it.
_HEADER_UNIT_SUFFIXES = (
    ("inches", "inch"),
    ("inch", "inch"),
    ("mils", "mil"),
    ("mil", "mil"),
    ("mm", "mm"),
    ("degrees", None),
    ("deg", None),
)
# Unit words in a preamble line such as "Units used in this file : Imperial (mil)".
_PREAMBLE_UNIT = re.compile(r"\b(mm|millimet(?:er|re)s?|metric|mils?|thou|inch(?:es)?)\b")

# Canonical field -> header spellings (lower case, letters and digits only), best tier first.
_SYNONYMS: dict[str, tuple[tuple[str, ...], ...]] = {
    "refdes": (
        ("designator", "refdes", "ref", "reference", "referencedesignator", "refdesignator"),
        ("part", "component", "partdesignator", "componentdesignator"),
    ),
    "x": (
        ("midx", "centerx", "centrex", "centroidx"),
        ("x", "posx", "positionx", "xposition", "xpos", "locationx", "xlocation", "coordx"),
        ("refx", "originx"),
        ("padx",),
    ),
    "y": (
        ("midy", "centery", "centrey", "centroidy"),
        ("y", "posy", "positiony", "yposition", "ypos", "locationy", "ylocation", "coordy"),
        ("refy", "originy"),
        ("pady",),
    ),
    "rotation": (("rotation", "rot", "angle", "orientation", "theta", "rotate"),),
    "side": (
        ("side", "layer", "tb", "topbottom", "toporbottom", "boardside", "placementside"),
        ("mirror", "mirrored"),
    ),
    "value": (("value", "val"), ("comment",)),
    "package": (("package", "footprint"), ("pattern", "case", "packagename", "footprintname")),
    "mount": (("mount", "mounttype", "mounting", "technology", "smdtht", "smttht"), ("type",)),
}
_CANONICAL: dict[str, tuple[str, int]] = {
    key: (name, tier)
    for name, tiers in _SYNONYMS.items()
    for tier, keys in enumerate(tiers)
    for key in keys
}
_ESSENTIAL = ("refdes", "x", "y", "rotation", "side")

_TOP_WORDS = {"top", "t", "f", "front", "fcu", "toplayer", "topside", "frontside", "frontlayer"}
_BOTTOM_WORDS = {
    "bottom",
    "bot",
    "btm",
    "b",
    "back",
    "bcu",
    "bottomlayer",
    "bottomside",
    "backside",
    "backlayer",
}
_MIRRORED = {"yes", "y", "true", "1", "mirrored", "m"}
_NOT_MIRRORED = {"no", "n", "false", "0", "", "none"}
_MOUNTS = {
    "smt": Mount.SMT,
    "smd": Mount.SMT,
    "surfacemount": Mount.SMT,
    "tht": Mount.THT,
    "th": Mount.THT,
    "pth": Mount.THT,
    "throughhole": Mount.THT,
    "thruhole": Mount.THT,
}

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_TOKEN = re.compile(r"\S+")
_BRACKETED = re.compile(r"[(\[{]([^)\]}]*)[)\]}]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_NUMBER = re.compile(
    r"\s*([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?)\s*"
    r"(mm|millimet(?:er|re)s?|mils?|thou|in|inch|inches|\"|deg|degrees?|°)?\s*",
    re.IGNORECASE,
)
_KICAD_MARK = re.compile(
    r"#+\s*(?:ref\s+val\b|(?:module|footprint)\s+positions\b|unit\s*=)", re.IGNORECASE
)
_KICAD_UNIT = re.compile(r"unit\s*[=:]\s*([a-z]+)", re.IGNORECASE)
_KICAD_NAMES = ("Ref", "Val", "Package", "PosX", "PosY", "Rot", "Side")
_NAME_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def parse_centroid(
    data: bytes, file: str, *, units: str | None = None, side: Side | None = None
) -> ImportResult:
    """Read a centroid file's placements, in millimetres and one top-view frame.

    The format (KiCad ASCII or CSV, JLCPCB CPL, generic delimited) is detected from the
    content. Units come from the file (header line, bracketed column units, value suffixes),
    else from ``units`` (``mm``, ``mil``, ``inch``), else millimetres with an info finding.
    Sides come from the side/layer column, else from ``side``, else from the file name, else
    top with a warning. Bottom X that the exporter negated is turned back. Rows that cannot
    be read are skipped with a finding naming line and field; a file with no usable header
    raises :class:`~boardline.core.errors.FileRejected`, and nothing else is raised.
    """
    wanted_units = _units_argument(units, file)
    text, decoding = decode(data, file)
    report = FindingReport(
        file, cap=_MAX_FINDINGS_PER_CODE, truncated_code="centroid.findings_truncated"
    )
    head = _LINE_BREAK.split(text, maxsplit=_HEADER_SEARCH_LINES)[:_HEADER_SEARCH_LINES]
    if _is_kicad_pos(head):
        table = _split_kicad_pos(_LINE_BREAK.split(text))
    else:
        table = _split_delimited(text, head, file, report)

    default_side, side_assumed = _default_side(table, side, file)
    _check_units_conflict(table, wanted_units, report)
    reader = _RowReader(table, report, wanted_units, default_side)
    placements = reader.read_all()

    result = ImportResult(file=file, kind="centroid", placements=placements)
    if table.fmt != "kicad_pos":
        result.column_map = {name: column.header for name, column in table.columns.items()}
    result.notes["format"] = table.fmt
    result.notes["units"] = reader.units_note()
    if placements and side_assumed:
        report.add(
            Severity.WARNING,
            "centroid.side_assumed",
            "the file has no side or layer column and its name does not say; "
            "all placements read as top side",
            hint="import again with the side set, or add a Side column",
        )
    if reader.assumed_units:
        _report_assumed_units(placements, report)
    if "rotation" not in table.columns and placements:
        report.add(
            Severity.WARNING,
            "centroid.no_rotation",
            "the file has no rotation column; all rotations read as 0°",
            hint="add a Rotation column before programming the machine",
        )
    if any(p.side is Side.BOTTOM for p in placements):
        result.notes["bottom_x"] = "as_is"
    if _bottom_x_negated(placements):
        _unnegate_bottom_x(placements, report)
        result.notes["bottom_x"] = "negated"
    if not placements:
        report.add(
            Severity.WARNING,
            "centroid.empty",
            "no placements read from the file",
            hint="check that this is the position file for the board side you meant",
        )
    result.findings = decoding + report.close()
    return result


# --- findings ---------------------------------------------------------------------------------


# --- tables: the file split into columns and rows, nothing read yet ----------------------------


@dataclass(slots=True)
class _Column:
    index: int
    header: str  # as written in the file, stripped
    key: str  # lower case, letters and digits only, bracketed units removed
    unit: str | None = None  # from the header, e.g. "X (mil)"


@dataclass(slots=True)
class _Table:
    fmt: str  # kicad_pos | kicad_csv | jlc_cpl | generic_csv
    columns: dict[str, _Column]
    rows: list[tuple[int, list[str]]]
    width: int  # cells in the header
    header: list[str] = field(default_factory=list)
    units: str | None = None  # declared for the whole file
    decimal_comma: bool = False


def _is_kicad_pos(head: list[str]) -> bool:
    first = [line.strip() for line in head if line.strip()][:20]
    return any(_KICAD_MARK.match(line) for line in first)


def _split_kicad_pos(lines: list[str]) -> _Table:
    """A KiCad ASCII position file: ``#`` comment header, then whitespace-aligned rows."""
    units: str | None = None
    names = list(_KICAD_NAMES)
    package_at: int | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            rows.append((number, _kicad_cells(line, package_at)))
            continue
        body = stripped.lstrip("#").strip()
        if (unit := _KICAD_UNIT.match(body)) is not None:
            units = _UNIT_NAMES.get(unit.group(1).lower(), units)
        elif body.lower().startswith("ref") and "posx" in body.lower():
            tokens = body.split()
            if len(tokens) == len(_KICAD_NAMES):
                names = tokens
            found = re.search(r"\b(?:package|footprint)\b", line, re.IGNORECASE)
            package_at = found.start() if found else None
    columns = {
        name: _Column(index, names[index], _NOT_ALNUM.sub("", names[index].lower()))
        for index, name in enumerate(("refdes", "value", "package", "x", "y", "rotation", "side"))
    }
    return _Table("kicad_pos", columns, rows, len(names), names, units)


def _kicad_cells(line: str, package_at: int | None) -> list[str]:
    """One ASCII row as Ref, Val, Package, PosX, PosY, Rot, Side.

    Ref is the first token and the last four are the numbers and side; the middle is split
    into value and package at the header's Package column when the row is aligned to it
    (KiCad pads every column), else the last middle token is taken as the package.
    """
    spans = [match.span() for match in _TOKEN.finditer(line)]
    if len(spans) < 5:
        return [line[start:end] for start, end in spans]
    middle = spans[1:-4]
    if package_at is not None and any(start == package_at for start, _ in middle):
        value_spans = [span for span in middle if span[0] < package_at]
        package_spans = [span for span in middle if span[0] >= package_at]
    else:
        value_spans, package_spans = middle[:-1], middle[-1:]
    value = line[value_spans[0][0] : value_spans[-1][1]] if value_spans else ""
    package = line[package_spans[0][0] : package_spans[-1][1]] if package_spans else ""
    ref = line[spans[0][0] : spans[0][1]]
    return [ref, value, package, *(line[start:end] for start, end in spans[-4:])]


def _split_delimited(text: str, head_lines: list[str], file: str, report: FindingReport) -> _Table:
    """A delimited file: find the header row (after any preamble), map its columns."""
    head = "\n".join(head_lines)
    sniffed = sniff_delimiter(head)
    for delimiter in dict.fromkeys((sniffed, ",", ";", "\t", "|")):
        try:
            head_rows = read_rows(head, file, delimiter)
        except FileRejected:
            continue
        for position, (line, cells) in enumerate(head_rows):
            columns, duplicates = _map_columns(cells)
            if {"refdes", "x", "y"} <= columns.keys():
                rows = [row for row in read_rows(text, file, delimiter) if row[0] > line]
                header = [cell.strip() for cell in cells]
                for name, kept, other in duplicates:
                    report.add(
                        Severity.WARNING,
                        "centroid.duplicate_column",
                        f"columns {kept.index + 1} ({kept.header!r}) and {other.index + 1} "
                        f"({other.header!r}) both read as {name}; column {kept.index + 1} used",
                        line=line,
                        field=other.header,
                        hint="remove or rename one of the columns",
                    )
                return _Table(
                    _delimited_format(columns),
                    columns,
                    rows,
                    len(cells),
                    header,
                    _preamble_units(head_rows[:position]),
                    delimiter in (";", "\t"),
                )
    raise _no_header(head, sniffed, file)


def _no_header(head: str, delimiter: str, file: str) -> FileRejected:
    try:
        rows = read_rows(head, file, delimiter)
    except FileRejected as rejected:
        return rejected
    if not rows:
        return FileRejected(file, "no rows")
    line, cells = rows[0]
    seen = ", ".join(repr(cell.strip()[:40]) for cell in cells[:12])
    more = f" and {len(cells) - 12} more" if len(cells) > 12 else ""
    return FileRejected(
        file,
        "not a centroid file: no header with designator, X and Y columns "
        f"(first row has {seen}{more})",
        line=line,
    )


def _map_columns(cells: list[str]) -> tuple[dict[str, _Column], list[tuple[str, _Column, _Column]]]:
    """Canonical field -> column, and the same-rank duplicates that lost to an earlier column."""
    best: dict[str, tuple[int, _Column]] = {}
    duplicates: list[tuple[str, _Column, _Column]] = []
    for index, raw in enumerate(cells):
        header = raw.strip()
        key, unit = _header_key(header)
        if key not in _CANONICAL:
            continue
        name, tier = _CANONICAL[key]
        column = _Column(index, header, key, unit)
        current = best.get(name)
        if current is None or tier < current[0]:
            best[name] = (tier, column)
        elif tier == current[0]:
            duplicates.append((name, current[1], column))
    chosen = {name: column for name, (_, column) in best.items()}
    return chosen, [dup for dup in duplicates if chosen[dup[0]] is dup[1]]


def _header_key(header: str) -> tuple[str, str | None]:
    """The header's comparison key and the unit it names: ``"Mid X (mm)"`` -> ``midx``, mm."""
    unit: str | None = None
    for inner in _BRACKETED.findall(header):
        unit = _UNIT_NAMES.get(inner.strip().lower(), unit)
    key = _NOT_ALNUM.sub("", _BRACKETED.sub(" ", header).lower())
    if key not in _CANONICAL:
        for suffix, named in _HEADER_UNIT_SUFFIXES:
            if key.endswith(suffix) and key[: -len(suffix)] in _CANONICAL:
                return key[: -len(suffix)], unit or named
    return key, unit


def _delimited_format(columns: dict[str, _Column]) -> str:
    keys = {name: column.key for name, column in columns.items()}
    kicad = {"refdes": "ref", "x": "posx", "y": "posy", "rotation": "rot", "side": "side"}
    if all(keys.get(name) == key for name, key in kicad.items()):
        return "kicad_csv"
    if keys["refdes"] == "designator" and keys["x"] == "midx":
        return "jlc_cpl"
    return "generic_csv"


def _preamble_units(rows: list[tuple[int, list[str]]]) -> str | None:
    """Units stated above the header, as in ``Units used in this file : Imperial (mil)``."""
    for _, cells in rows:
        text = " ".join(cells).lower()
        if "unit" in text and (found := _PREAMBLE_UNIT.search(text)) is not None:
            return _UNIT_NAMES.get(found.group(1), "mm")
    return None


# --- file-level decisions -------------------------------------------------------------------


def _units_argument(units: str | None, file: str) -> str | None:
    if units is None:
        return None
    name = _UNIT_NAMES.get(units.strip().lower())
    if name is None:
        raise FileRejected(
            file, f"unknown units {units[:20]!r}: use mm, mil or inch", field="units"
        )
    return name


def _check_units_conflict(table: _Table, wanted: str | None, report: FindingReport) -> None:
    declared = {table.units, table.columns["x"].unit, table.columns["y"].unit} - {None}
    if wanted is not None and declared and wanted not in declared:
        said = " and ".join(sorted(unit for unit in declared if unit))
        report.add(
            Severity.WARNING,
            "centroid.units_conflict",
            f"the file says its units are {said} but {wanted} was chosen; the file's units used",
            hint="check the units with the customer if the placements look scaled",
        )


def _default_side(table: _Table, side: Side | None, file: str) -> tuple[Side | None, bool]:
    """The side for rows when the file has no side column, and whether it was only assumed."""
    if "side" in table.columns:
        return None, False
    chosen = side or _side_from_name(file)
    return (chosen, False) if chosen is not None else (Side.TOP, True)


def _side_from_name(file: str) -> Side | None:
    """``board-bottom.pos``, ``PickPlace_Bot.csv`` -> bottom; ``-top``/``Front`` -> top."""
    name = re.split(r"[\\/]", file)[-1]
    words = {word.lower() for word in _NAME_WORDS.findall(name)}
    bottom = bool(words & {"bottom", "bot", "btm", "back"})
    top = bool(words & {"top", "front"})
    if bottom == top:
        return None
    return Side.BOTTOM if bottom else Side.TOP


def _report_assumed_units(placements: list[Placement], report: FindingReport) -> None:
    largest = max((max(abs(p.x), abs(p.y)) for p in placements), default=0.0)
    if largest > _PLAUSIBLE_MM:
        report.add(
            Severity.WARNING,
            "centroid.units_assumed",
            f"the file does not state its units and values reach {largest:,.1f}, too large "
            "for millimetres: probably mils",
            hint="import again with units set to mil (or inch)",
        )
        return
    report.add(
        Severity.INFO,
        "centroid.units_assumed",
        "the file does not state its units; read as millimetres",
        hint="if the board was exported in mils or inches, import again with the units set",
    )


def _bottom_x_negated(placements: list[Placement]) -> bool:
    """Whether the exporter wrote bottom X negated (KiCad "use negative X for bottom side").

    With both sides present: bottom X almost all <= 0 while top X almost all >= 0. With only
    bottom placements: every X <= 0 (the side column, the caller or the file name said
    bottom, or the placements would not be bottom). Origins inside the board give mixed signs
    on both sides, which never matches.
    """
    top = [p.x for p in placements if p.side is Side.TOP]
    bottom = [p.x for p in placements if p.side is Side.BOTTOM]
    if not bottom or not any(x < 0 for x in bottom):
        return False
    if not top:
        return all(x <= 0 for x in bottom)
    negative_bottom = sum(1 for x in bottom if x <= 0) / len(bottom)
    positive_top = sum(1 for x in top if x >= 0) / len(top)
    return negative_bottom >= _MOSTLY and positive_top >= _MOSTLY


def _unnegate_bottom_x(placements: list[Placement], report: FindingReport) -> None:
    count = 0
    for placement in placements:
        if placement.side is Side.BOTTOM:
            placement.x = 0.0 - placement.x
            count += 1
    report.add(
        Severity.INFO,
        "centroid.negated_bottom_x",
        f"bottom-side X was written negated (mirrored view from below); X of the {count} "
        "bottom placements turned back so both sides share the top-view frame",
        hint="rotation is unchanged; check one bottom part against the board drawing",
    )


# --- rows ------------------------------------------------------------------------------------


class _RowReader:
    """Turns a table's rows into placements, reporting each row it cannot use."""

    def __init__(
        self, table: _Table, report: FindingReport, units: str | None, side: Side | None
    ) -> None:
        self.table = table
        self.report = report
        self.units = table.units or units
        self.side = side
        columns = table.columns
        self.refdes, self.x, self.y = columns["refdes"], columns["x"], columns["y"]
        self.rotation = columns.get("rotation")
        self.side_column = columns.get("side")
        self.value, self.package = columns.get("value"), columns.get("package")
        self.mount = columns.get("mount")
        self.needed = max(columns[name].index for name in _ESSENTIAL if name in columns)
        mirror = self.side_column is not None and self.side_column.key.startswith("mirror")
        self.side_of = _mirror_word if mirror else _side_word
        self.sides_seen: dict[str, Side | None] = {}
        self.units_used: set[str] = set()
        self.assumed_units = False

    def read_all(self) -> list[Placement]:
        placements: list[Placement] = []
        seen: dict[str, int] = {}
        for line, cells in self.table.rows:
            placement = self.read(line, cells)
            if placement is None:
                continue
            first = seen.setdefault(placement.refdes, line)
            if first != line:
                self.report.add(
                    Severity.ERROR,
                    "centroid.duplicate_refdes",
                    f"{placement.refdes} is placed twice, on lines {first} and {line}; "
                    "both placements kept",
                    line=line,
                    field=self.refdes.header,
                    refdes=placement.refdes,
                    hint="ask for a corrected position file: one line per part",
                )
            placements.append(placement)
        return placements

    def read(self, line: int, cells: list[str]) -> Placement | None:
        """One row as a placement, or None (with a finding) when it cannot be used."""
        if len(cells) < self.table.width and not self._short_row_ok(line, cells):
            return None
        refdes = cells[self.refdes.index].strip()
        if refdes == self.refdes.header and self._repeated_header(line, cells):
            return None
        if not refdes:
            self.report.add(
                Severity.WARNING,
                "centroid.missing_refdes",
                "row has no designator; row skipped",
                line=line,
                field=self.refdes.header,
                hint="give the part a designator or remove the row",
            )
            return None
        x = self._coordinate(cells, self.x, line, refdes)
        y = self._coordinate(cells, self.y, line, refdes)
        rotation = self._rotation(cells, line, refdes)
        side = self._side(cells, line, refdes)
        if x is None or y is None or rotation is None or side is None:
            return None
        mount = None
        if self.mount is not None:
            mount = _MOUNTS.get(_NOT_ALNUM.sub("", _text(cells, self.mount).lower()))
        return Placement(
            refdes=refdes,
            x=x,
            y=y,
            rotation=rotation,
            side=side,
            value=_text(cells, self.value),
            package=_text(cells, self.package),
            mount=mount,
            line=line,
            source=self.report.file,
        )

    def units_note(self) -> str:
        """The source units, as stored in ``notes["units"]``."""
        if len(self.units_used) > 1:
            return "mixed"
        if self.units_used:
            return next(iter(self.units_used))
        return self.units or "mm"

    def _repeated_header(self, line: int, cells: list[str]) -> bool:
        if [cell.strip() for cell in cells] != self.table.header:
            return False
        self.report.add(
            Severity.INFO,
            "centroid.repeated_header",
            "the header row appears again (files joined?); row skipped",
            line=line,
        )
        return True

    def _short_row_ok(self, line: int, cells: list[str]) -> bool:
        usable = len(cells) > self.needed
        self.report.add(
            Severity.WARNING,
            "centroid.short_row",
            f"row has {len(cells)} fields but the header has {self.table.width}; "
            + ("missing fields read as empty" if usable else "row skipped"),
            line=line,
            hint="check for a missing delimiter or a line break inside a field",
        )
        return usable

    def _coordinate(
        self, cells: list[str], column: _Column, line: int, refdes: str
    ) -> float | None:
        cell = cells[column.index]
        unit = column.unit or self.units
        try:
            value = float(cell)
        except ValueError:
            parsed = _number(cell, self.table.decimal_comma)
            if parsed is None or (parsed[1] is not None and parsed[1] not in _UNIT_NAMES):
                self._bad_number(column, cell, line, refdes)
                return None
            value = parsed[0]
            unit = _UNIT_NAMES[parsed[1]] if parsed[1] is not None else unit
        if unit is None:
            self.assumed_units = True
            unit = "mm"
        self.units_used.add(unit)
        millimetres = value * _MM_PER_UNIT[unit]
        if not math.isfinite(millimetres):  # "nan", "inf", or too large for its unit
            self._bad_number(column, cell, line, refdes)
            return None
        return millimetres + 0.0

    def _rotation(self, cells: list[str], line: int, refdes: str) -> float | None:
        if self.rotation is None:
            return 0.0
        cell = cells[self.rotation.index]
        try:
            angle = float(cell) % 360.0
        except ValueError:
            parsed = _number(cell, self.table.decimal_comma)
            if parsed is None or (parsed[1] is not None and parsed[1] not in _DEGREES):
                self._bad_number(self.rotation, cell, line, refdes)
                return None
            angle = parsed[0] % 360.0
        if not math.isfinite(angle):
            self._bad_number(self.rotation, cell, line, refdes)
            return None
        return 0.0 if angle >= 360.0 else angle + 0.0

    def _side(self, cells: list[str], line: int, refdes: str) -> Side | None:
        column = self.side_column
        if column is None:
            return self.side
        cell = cells[column.index]
        if cell in self.sides_seen:
            side = self.sides_seen[cell]
        else:
            side = self.sides_seen[cell] = self.side_of(cell)
        if side is None:
            self.report.add(
                Severity.WARNING,
                "centroid.bad_side",
                f"{column.header} {_shown(cell)} is not top or bottom; row skipped",
                line=line,
                field=column.header,
                refdes=refdes,
                hint="use Top/Bottom, T/B or F.Cu/B.Cu",
            )
        return side

    def _bad_number(self, column: _Column, cell: str, line: int, refdes: str) -> None:
        self.report.add(
            Severity.WARNING,
            "centroid.bad_number",
            f"{column.header} {_shown(cell)} is not a number; row skipped",
            line=line,
            field=column.header,
            refdes=refdes,
            hint="correct the value in the file, or remove the row",
        )


def _text(cells: list[str], column: _Column | None) -> str:
    if column is None or column.index >= len(cells):
        return ""
    return cells[column.index].strip()


def _number(cell: str, decimal_comma: bool) -> tuple[float, str | None] | None:
    """A cell's value and lower-case unit suffix, or None when it is not a finite number."""
    try:
        value = float(cell)
    except ValueError:
        match = _NUMBER.fullmatch(cell)
        if match is None:
            return None
        digits, suffix = match.groups()
        if "," in digits:
            # "1,250" is a thousands separator in a comma locale; only ;/tab files use
            # the decimal comma, and there the comma cannot be a delimiter.
            if not decimal_comma:
                return None
            digits = digits.replace(",", ".")
        value = float(digits)
        unit = suffix.lower() if suffix else None
    else:
        unit = None
    return (value, unit) if math.isfinite(value) else None


def _side_word(cell: str) -> Side | None:
    word = _NOT_ALNUM.sub("", cell.lower())
    if word in _TOP_WORDS:
        return Side.TOP
    if word in _BOTTOM_WORDS:
        return Side.BOTTOM
    return None


def _mirror_word(cell: str) -> Side | None:
    word = cell.strip().lower()
    if word in _MIRRORED:
        return Side.BOTTOM
    if word in _NOT_MIRRORED:
        return Side.TOP
    return _side_word(cell)


def _shown(cell: str) -> str:
    text = cell.strip()
    return repr(text if len(text) <= 40 else text[:40] + "…")
