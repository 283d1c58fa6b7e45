"""BOM against placements against outline: what does not add up in a design. Pure, no I/O.

A finding about a part names exactly one refdes (``Finding.refdes``), with the file and the
line where it was found: twenty missing parts are twenty findings with the same code, which
a page groups by code. One finding per part keeps each one addressable (waived, linked to
its BOM row) and keeps counts honest. A finding about a BOM line (its quantity) names the
line and no refdes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from boardline.npi.model import BomLine, Design, Finding, Mount, Outline, Placement, Severity

_FIDUCIAL_REFDES = re.compile(r"(?:FID|FD)\d*$", re.IGNORECASE)


def cross_check(
    design: Design,
    *,
    bom_file: str | None,
    placement_file: str | None,
    reported: Iterable[Finding] = (),
) -> list[Finding]:
    """Everything in the design where the BOM, the placements and the outline disagree.

    Codes (each finding names the refdes, and the file and line where known):

    - ``crosscheck.duplicate_refdes`` (warning): a designator on a second BOM line.
    - ``crosscheck.quantity_mismatch`` (warning): a BOM line's quantity is not its number of
      designators.
    - ``crosscheck.bom_not_placed`` (warning): a fitted BOM designator with no placement.
    - ``crosscheck.placed_not_in_bom`` (warning; info for DNP parts, fiducials and non-solder
      parts): a placement no BOM line names. Parts the board excludes from the BOM are left
      out.
    - ``crosscheck.dnp_placed`` (warning; info for fiducials and non-solder parts): a DNP
      part is in the placements, so the machine program must skip it.
    - ``crosscheck.off_board`` (warning): a placement's centre is outside the outer outline
      polygon or inside a cut-out.
    - ``crosscheck.no_bom`` / ``crosscheck.no_placements`` (info): one side is missing, so the
      BOM against placement checks were not run.

    ``bom_file`` and ``placement_file`` name the file when a line or placement has no source.
    ``reported`` takes the importers' findings: a duplicate or a quantity mismatch the BOM
    reader already reported (same code after the dot, same file and line, and for a duplicate
    the same designator) is not repeated.
    """
    already = {_key(f) for f in reported}
    findings = [
        f
        for f in _duplicates(design.bom_lines, bom_file) + _quantities(design.bom_lines, bom_file)
        if _key(f) not in already
    ]
    if not design.bom_lines:
        findings.append(_missing("crosscheck.no_bom", "no BOM lines", placement_file))
    elif not design.placements:
        findings.append(_missing("crosscheck.no_placements", "no placements", bom_file))
    else:
        findings += _not_placed(design.bom_lines, design.placements, bom_file)
        findings += _not_in_bom(design.bom_lines, design.placements, placement_file)
    findings += _dnp_placed(design.placements, placement_file)
    if design.outline is not None:
        findings += _off_board(design.placements, design.outline, placement_file)
    return findings


def _key(f: Finding) -> tuple[str, str | None, int | None, str | None]:
    """What makes two findings the same report, whichever step made them: a quantity is
    per line, a duplicate per line and designator."""
    what = f.code.rpartition(".")[2]
    refdes = f.refdes.upper() if f.refdes and what != "quantity_mismatch" else None
    return what, f.file, f.line, refdes


def _missing(code: str, what: str, file: str | None) -> Finding:
    return Finding(
        Severity.INFO,
        code,
        f"the design has {what}: BOM and placements were not compared",
        file=file,
    )


def _bom_where(line: BomLine, bom_file: str | None) -> str | None:
    return line.source or bom_file


def _placement_where(p: Placement, placement_file: str | None) -> str | None:
    return p.source or placement_file


def _duplicates(lines: Sequence[BomLine], bom_file: str | None) -> list[Finding]:
    first: dict[str, BomLine] = {}
    findings = []
    for line in lines:
        for refdes in dict.fromkeys(line.refdes):
            seen = first.setdefault(refdes, line)
            if seen is not line:
                findings.append(
                    Finding(
                        Severity.WARNING,
                        "crosscheck.duplicate_refdes",
                        f"{refdes} is on BOM line {line.line} and already on line {seen.line}",
                        file=_bom_where(line, bom_file),
                        line=line.line,
                        refdes=refdes,
                        hint="A designator belongs to one BOM line; which part goes there?",
                    )
                )
    return findings


def _quantities(lines: Sequence[BomLine], bom_file: str | None) -> list[Finding]:
    findings = []
    for line in lines:
        if line.quantity is None or line.quantity == len(line.refdes):
            continue
        findings.append(
            Finding(
                Severity.WARNING,
                "crosscheck.quantity_mismatch",
                f"BOM line {line.line} says quantity {line.quantity} but names"
                f" {len(line.refdes)} designators",
                file=_bom_where(line, bom_file),
                line=line.line,
                field="quantity",
                hint="Quote and kit from the designators, or correct the quantity.",
            )
        )
    return findings


def _not_placed(
    lines: Sequence[BomLine], placements: Sequence[Placement], bom_file: str | None
) -> list[Finding]:
    placed = {p.refdes for p in placements}
    findings = []
    reported: set[str] = set()
    for line in lines:
        if line.dnp:
            continue
        for refdes in line.refdes:
            if refdes in placed or refdes in reported:
                continue
            reported.add(refdes)
            findings.append(
                Finding(
                    Severity.WARNING,
                    "crosscheck.bom_not_placed",
                    f"{refdes} is fitted in the BOM (line {line.line}) but has no placement",
                    file=_bom_where(line, bom_file),
                    line=line.line,
                    refdes=refdes,
                    hint="An 'SMD only' position export drops parts whose footprint is marked"
                    " through-hole or virtual: check the footprint attribute, or place the"
                    " part by hand.",
                )
            )
    return findings


def _not_in_bom(
    lines: Sequence[BomLine], placements: Sequence[Placement], placement_file: str | None
) -> list[Finding]:
    in_bom = {refdes for line in lines for refdes in line.refdes}
    findings = []
    for p in placements:
        if p.refdes in in_bom or p.exclude_from_bom:
            continue
        minor = p.dnp or p.mount == Mount.OTHER or is_fiducial(p)
        findings.append(
            Finding(
                Severity.INFO if minor else Severity.WARNING,
                "crosscheck.placed_not_in_bom",
                f"{p.refdes} is placed but no BOM line names it",
                file=_placement_where(p, placement_file),
                line=p.line,
                refdes=p.refdes,
                hint="Add it to the BOM, or remove it from the placements.",
            )
        )
    return findings


def _dnp_placed(placements: Sequence[Placement], placement_file: str | None) -> list[Finding]:
    findings = []
    for p in placements:
        if not p.dnp:
            continue
        # A fiducial is "DNP" in a BOM (nothing to buy) yet belongs in the program: the
        # machine's camera aligns the board on it.
        minor = p.mount == Mount.OTHER or is_fiducial(p)
        findings.append(
            Finding(
                Severity.INFO if minor else Severity.WARNING,
                "crosscheck.dnp_placed",
                f"{p.refdes} is DNP but has a placement: the machine program must skip it"
                + (" (a fiducial: keep it as an alignment mark)" if is_fiducial(p) else ""),
                file=_placement_where(p, placement_file),
                line=p.line,
                refdes=p.refdes,
            )
        )
    return findings


def is_fiducial(p: Placement) -> bool:
    """Whether the placement is a fiducial mark, by designator (FID1, FD2) or package name."""
    return bool(_FIDUCIAL_REFDES.match(p.refdes)) or "fiducial" in p.package.lower()


def _off_board(
    placements: Sequence[Placement], outline: Outline, placement_file: str | None
) -> list[Finding]:
    region = BoardRegion.of(outline)
    if region is None:
        return []
    return [
        Finding(
            Severity.WARNING,
            "crosscheck.off_board",
            f"{p.refdes} at ({p.x:.3f}, {p.y:.3f}) is outside the board outline",
            file=_placement_where(p, placement_file),
            line=p.line,
            refdes=p.refdes,
            hint="A part on a panel rail, a wrong origin, or a stale position.",
        )
        for p in placements
        if math.isfinite(p.x) and math.isfinite(p.y) and not region.contains(p.x, p.y)
    ]


Edge = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class _Polygon:
    """A polygon's edges bucketed in horizontal bands, so a point tests only a few edges."""

    x0: float
    x1: float
    y0: float
    y1: float
    band_height: float
    bands: tuple[tuple[Edge, ...], ...]

    @classmethod
    def of(cls, points: Sequence[tuple[float, float]]) -> _Polygon | None:
        if len(points) < 3 or not all(math.isfinite(x) and math.isfinite(y) for x, y in points):
            return None
        edges = [(*points[i - 1], *points[i]) for i in range(len(points))]
        edges = [e for e in edges if e[1] != e[3]]  # horizontal edges never cross a ray
        y0 = min(y for _, y in points)
        y1 = max(y for _, y in points)
        if not edges or y1 <= y0:
            return None
        count = max(1, min(1024, len(edges)))
        height = (y1 - y0) / count
        bands: list[list[Edge]] = [[] for _ in range(count)]
        for e in edges:
            low, high = sorted((e[1], e[3]))
            first, last = cls._band(low, y0, height, count), cls._band(high, y0, height, count)
            for band in range(first, last + 1):
                bands[band].append(e)
        xs = [x for x, _ in points]
        return cls(min(xs), max(xs), y0, y1, height, tuple(tuple(b) for b in bands))

    @staticmethod
    def _band(y: float, y0: float, height: float, count: int) -> int:
        band = (y - y0) / height
        if band >= count:
            return count - 1
        # Coordinates near the float limits overflow to inf or NaN here; they go to band 0.
        return int(band) if band >= 0 else 0

    def contains(self, x: float, y: float) -> bool:
        """Even-odd ray casting towards +x."""
        if not (self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1):
            return False
        inside = False
        band = self.bands[self._band(y, self.y0, self.band_height, len(self.bands))]
        for x1, y1, x2, y2 in band:
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        return inside


@dataclass(frozen=True, slots=True)
class BoardRegion:
    """The board's area: inside the outer polygon and outside every cut-out."""

    outer: _Polygon
    holes: tuple[_Polygon, ...]

    @classmethod
    def of(cls, outline: Outline) -> BoardRegion | None:
        """The region of an outline, or None when its outer polygon is unusable."""
        if not outline.polygons:
            return None
        outer = _Polygon.of(outline.polygons[0])
        if outer is None:
            return None
        holes = (_Polygon.of(poly) for poly in outline.polygons[1:])
        return cls(outer, tuple(h for h in holes if h is not None))

    def contains(self, x: float, y: float) -> bool:
        """Whether the point is on the board material."""
        return self.outer.contains(x, y) and not any(h.contains(x, y) for h in self.holes)
