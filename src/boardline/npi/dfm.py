"""DFM review: rules that read an imported design and say what will hurt on the line. Pure, no I/O.

A rule has a stable id (``dfm.fine_pitch``), a default severity, a title, an explanation (the
docstring of its check: the why), a hint (what to do) and the data it needs. :func:`review`
runs rules over a :class:`ReviewInput`; a rule whose data is missing (no outline, no part
facts, no approved manufacturer list) is reported as skipped with the reason, never as passed,
and a rule that breaks on odd data is reported as failed while the others still run.

Geometry: a part's body is the axis-aligned bounding box of its ``width`` x ``height``
rectangle turned by its rotation. Part-to-part spacing uses a uniform grid of cells so each
body is compared only with bodies in nearby cells; edge clearance and point-in-outline use a
grid of outline segments and horizontal strips. The work grows with the number of parts, not
with its square.

Moisture sensitivity follows J-STD-033 (floor life per MSL); the X-ray and fine-pitch
guidance follows common EMS practice (IPC-7095 for BGA, IPC-7093 for bottom-terminated parts).
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from itertools import islice
from typing import TypedDict

from boardline.catalog.rules import manufacturer_key
from boardline.npi.model import BomLine, Design, Finding, Mount, Outline, Placement, Severity, Side
from boardline.npi.packages import MICRO_SIZES, PackageClass, PackageKind, package_class

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
Segment = tuple[float, float, float, float]  # ax, ay, bx, by

# --- inputs -------------------------------------------------------------------------------


class Lifecycle(StrEnum):
    ACTIVE = "active"
    NRND = "nrnd"  # not recommended for new designs
    OBSOLETE = "obsolete"


@dataclass(frozen=True, slots=True)
class PartFacts:
    """What a catalogue or distributor knows about one MPN; any field may be unknown.

    ``msl`` is the J-STD-020 moisture sensitivity level as printed ("1", "2a", "MSL 3").
    ``sources`` counts manufacturers offering the part (1: single source).
    """

    lifecycle: Lifecycle | None = None
    msl: str | None = None
    sources: int | None = None
    height_mm: float | None = None
    weight_g: float | None = None


@dataclass(frozen=True, slots=True)
class DfmConfig:
    """The limits a factory sets; the defaults are common EMS values.

    ``part_clearance_mm``: minimum gap between part outlines on the same side. The default 0
    means "must not overlap": KiCad sizes come from courtyards, which already carry the
    IPC-7351 courtyard excess around the body; raise it when sizes are bare bodies.
    ``edge_clearance_mm``: minimum gap from a body to the board outline (rails, depanelling).
    ``bottom_max_height_mm`` / ``bottom_max_weight_g``: what may sit on the bottom side when it
    goes through reflow upside down or over a wave pallet. ``large_inductor_mm2``: body area
    from which an inductor counts as heavy. ``max_findings_per_rule`` stops a rule that fires
    everywhere (a design in the wrong units) from burying the rest.
    """

    part_clearance_mm: float = 0.0
    edge_clearance_mm: float = 0.5
    fine_pitch_mm: float = 0.5
    bottom_max_height_mm: float = 3.0
    bottom_max_weight_g: float = 1.0
    large_inductor_mm2: float = 25.0
    min_fiducials_per_side: int = 2
    max_findings_per_rule: int = 1000

    def __post_init__(self) -> None:
        limits = (
            self.part_clearance_mm,
            self.edge_clearance_mm,
            self.fine_pitch_mm,
            self.bottom_max_height_mm,
            self.bottom_max_weight_g,
            self.large_inductor_mm2,
        )
        if not all(math.isfinite(v) and v >= 0 for v in limits):
            raise ValueError(f"DFM limits must be finite and not negative: {self}")
        if self.min_fiducials_per_side < 0 or self.max_findings_per_rule < 1:
            raise ValueError(f"DFM counts out of range: {self}")


@dataclass(frozen=True, slots=True, eq=False)
class Part:
    """One designator as the rules see it: its placement (if any), BOM line and package."""

    refdes: str
    placement: Placement | None
    line: BomLine | None
    package: PackageClass
    box: Box | None = None  # body bounding box when the placement has a usable size

    @property
    def fitted(self) -> bool:
        """Assembled: neither the placement nor the BOM line says DNP."""
        placement_dnp = self.placement is not None and self.placement.dnp
        return not placement_dnp and not (self.line is not None and self.line.dnp)

    @property
    def mount(self) -> Mount | None:
        """The mount the data states, else the one the package name implies."""
        stated = self.placement.mount if self.placement is not None else None
        return stated or self.package.mount

    @property
    def mpn(self) -> str:
        from_line = self.line.mpn.strip() if self.line is not None else ""
        return from_line or (self.placement.mpn.strip() if self.placement is not None else "")

    @property
    def package_name(self) -> str:
        name = self.placement.package if self.placement is not None else ""
        return name or (self.line.footprint if self.line is not None else "")


Located = tuple[Part, Placement]


@dataclass(frozen=True)
class ReviewInput:
    """Everything a review reads: the design, the limits and the optional lookups.

    ``part_facts`` answers by MPN (``None`` when the MPN is unknown to it);
    ``approved_manufacturers`` is the customer's approved manufacturer list, compared without
    case, punctuation or legal suffixes (an empty list counts as no list). Derived views are
    computed once per review and shared by the rules.
    """

    design: Design
    config: DfmConfig = field(default_factory=DfmConfig)
    part_facts: Callable[[str], PartFacts | None] | None = None
    approved_manufacturers: Collection[str] | None = None
    _facts_cache: dict[str, PartFacts | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def facts(self, mpn: str) -> PartFacts | None:
        """The part facts for an MPN, asked once per MPN; None without a lookup or an MPN."""
        key = mpn.strip()
        if self.part_facts is None or _is_missing(key):
            return None
        if key not in self._facts_cache:
            self._facts_cache[key] = self.part_facts(key)
        return self._facts_cache[key]

    @cached_property
    def fitted_lines(self) -> list[BomLine]:
        return [line for line in self.design.bom_lines if not line.dnp]

    @cached_property
    def line_by_refdes(self) -> dict[str, BomLine]:
        found: dict[str, BomLine] = {}
        for line in self.design.bom_lines:
            for refdes in line.refdes:
                found.setdefault(refdes.strip().upper(), line)
        return found

    @cached_property
    def parts(self) -> list[Part]:
        """One per placement when there are placements, else one per BOM designator."""
        if self.design.placements:
            return [self._placed_part(p) for p in self.design.placements]
        return [
            Part(refdes, None, line, package_class(line))
            for line in self.design.bom_lines
            for refdes in line.refdes
        ]

    def _placed_part(self, placement: Placement) -> Part:
        line = self.line_by_refdes.get(placement.refdes.strip().upper())
        fallback = (line.footprint, line.value, line.description) if line is not None else ()
        package = package_class(placement, *fallback)
        return Part(placement.refdes, placement, line, package, _body_box(placement))

    @cached_property
    def fitted_parts(self) -> list[Part]:
        return [part for part in self.parts if part.fitted]

    @cached_property
    def on_board(self) -> list[Located]:
        """Fitted parts with a placement that something places (no fiducials, holes, logos)."""
        return [
            (part, part.placement)
            for part in self.fitted_parts
            if part.placement is not None and part.package.placed
        ]

    @cached_property
    def by_side(self) -> dict[Side, list[Located]]:
        sides: dict[Side, list[Located]] = {side: [] for side in Side}
        for part, p in self.on_board:
            sides.setdefault(p.side, []).append((part, p))
        return sides

    @cached_property
    def by_side_and_mount(self) -> dict[tuple[Side, Mount | None], list[Part]]:
        groups: dict[tuple[Side, Mount | None], list[Part]] = {}
        for part, p in self.on_board:
            groups.setdefault((p.side, part.mount), []).append(part)
        return groups

    @cached_property
    def outside(self) -> list[Located]:
        """Parts on the board whose centre is not inside the outline (or not a number)."""
        board = self.board
        if board is None:
            return []
        return [
            (part, p)
            for part, p in self.on_board
            if not (_finite(p.x, p.y) and board.contains(p.x, p.y))
        ]

    @cached_property
    def board(self) -> _Board | None:
        return _Board.build(self.design.outline, self.config.edge_clearance_mm)

    @cached_property
    def approved_keys(self) -> frozenset[str]:
        return frozenset(manufacturer_key(m) for m in self.approved_manufacturers or ())


# --- rules --------------------------------------------------------------------------------


class Need(StrEnum):
    """Data a rule cannot do without; missing data skips the rule, with the reason."""

    BOM = "bom"
    PLACEMENTS = "placements"
    PARTS = "parts"
    OUTLINE = "outline"
    BODY_SIZES = "body_sizes"
    PART_FACTS = "part_facts"
    APPROVED_MANUFACTURERS = "approved_manufacturers"


_NEEDS: dict[Need, tuple[Callable[[ReviewInput], bool], str]] = {
    Need.BOM: (lambda d: bool(d.design.bom_lines), "no BOM lines"),
    Need.PLACEMENTS: (lambda d: bool(d.design.placements), "no placement (centroid) data"),
    Need.PARTS: (lambda d: bool(d.parts), "no BOM lines or placements"),
    Need.OUTLINE: (lambda d: d.board is not None, "no usable board outline"),
    Need.BODY_SIZES: (
        lambda d: any(part.box is not None for part, _ in d.on_board),
        "no fitted part has a body or courtyard size",
    ),
    Need.PART_FACTS: (lambda d: d.part_facts is not None, "no part facts lookup"),
    Need.APPROVED_MANUFACTURERS: (
        lambda d: bool(d.approved_keys),
        "no approved manufacturer list for this customer",
    ),
}


@dataclass(frozen=True, slots=True)
class Hit:
    """What a check reports; the rule turns it into a Finding with its code and defaults."""

    message: str
    refdes: str | None = None
    line: int | None = None
    file: str | None = None
    field: str | None = None
    severity: Severity | None = None  # None: the rule's severity
    hint: str | None = None  # None: the rule's hint


Check = Callable[[ReviewInput], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A DFM rule: stable id, default severity, what it is about and what to do."""

    id: str
    severity: Severity
    title: str
    explanation: str
    hint: str
    check: Check
    needs: tuple[Need, ...] = ()

    def missing(self, data: ReviewInput) -> list[str]:
        """Why this rule cannot run on ``data``; empty when it can."""
        reasons = []
        for need in self.needs:
            available, reason = _NEEDS[need]
            if not available(data):
                reasons.append(reason)
        return reasons

    def findings(self, data: ReviewInput) -> Iterator[Finding]:
        """Run the check and stamp each hit with the rule's code, severity and hint."""
        for hit in self.check(data):
            yield Finding(
                severity=hit.severity or self.severity,
                code=self.id,
                message=hit.message,
                file=hit.file,
                line=hit.line,
                field=hit.field,
                refdes=hit.refdes,
                hint=hit.hint or self.hint,
            )


RULES: dict[str, Rule] = {}


def _rule(
    rule_id: str, severity: Severity, title: str, hint: str, *needs: Need
) -> Callable[[Check], Check]:
    """Register a check as a rule; its docstring is the rule's explanation."""

    def register(check: Check) -> Check:
        RULES[rule_id] = Rule(
            rule_id, severity, title, inspect.cleandoc(check.__doc__ or ""), hint, check, needs
        )
        return check

    return register


# --- hits and labels ----------------------------------------------------------------------


def _line_label(line: BomLine) -> str:
    shown = ", ".join(line.refdes[:4])
    more = f" +{len(line.refdes) - 4} more" if len(line.refdes) > 4 else ""
    return f"BOM line {line.line} ({shown}{more})" if shown else f"BOM line {line.line}"


def _line_hit(
    line: BomLine,
    message: str,
    *,
    field: str | None = None,
    severity: Severity | None = None,
    hint: str | None = None,
) -> Hit:
    return Hit(
        f"{_line_label(line)}: {message}",
        refdes=line.refdes[0] if len(line.refdes) == 1 else None,
        line=line.line,
        file=line.source or None,
        field=field,
        severity=severity,
        hint=hint,
    )


def _part_label(part: Part) -> str:
    return f"{part.refdes} ({part.package_name})" if part.package_name else part.refdes


def _part_hit(part: Part, message: str, *, field: str | None = None) -> Hit:
    where = part.placement if part.placement is not None else part.line
    return Hit(
        f"{_part_label(part)}: {message}",
        refdes=part.refdes,
        line=where.line if where is not None else None,
        file=(where.source or None) if where is not None else None,
        field=field,
    )


def _names(parts: Iterable[Part], limit: int = 8) -> str:
    refs = [p.refdes for p in parts]
    more = f" +{len(refs) - limit} more" if len(refs) > limit else ""
    return ", ".join(refs[:limit]) + more


# --- MPN and manufacturer text ------------------------------------------------------------

_MISSING = frozenset({"", "-", "--", "—", "–", "/", "n/a", "na", "none", "null", "nil"})
_UNDECIDED = frozenset({"tbd", "tbc", "tba", "any", "generic", "various", "unknown", "?"})
_EQUIVALENT = re.compile(r"\bor (?:equivalent|equal|similar)\b|\bequiv", re.IGNORECASE)
_WILDCARD = re.compile(r"[?*…]|\.\.\.|[xX]{2,}")
_LIST_SEPARATOR = re.compile(r"[,;|\n]|\s+or\s+|\s+/\s+", re.IGNORECASE)
_MULTIPLIER = r"(?:[pnuµμmkg]|meg)"
_UNIT = r"(?:f|h|ohms?|Ω|r|v|a|w|hz)"
_VALUE = re.compile(
    rf"^\d+(?:[.,]\d+)?\s*(?:{_MULTIPLIER}{_UNIT}?|{_UNIT}|%)$"  # 10k, 100nF, 16V, 1%
    r"|^\d{1,3}[rkmpnuµμv]\d{1,2}$",  # 4k7, 2R2, 4u7, 3V3
    re.IGNORECASE,
)


def _is_missing(mpn: str) -> bool:
    return mpn.strip().lower() in _MISSING


def mpn_ambiguity(mpn: str) -> str | None:
    """Why an MPN cell does not name exactly one orderable part, or None when it does.

    Catches placeholders and wildcards (``RC0402FR-07xxL``, ``STM32F103xB``, ``LM358*``),
    several part numbers in one cell, "TBD"/"or equivalent", and a value typed into the MPN
    column (``10k``, ``100nF``, ``4k7``).
    """
    problem = _mpn_problem(mpn)
    return problem[0] if problem else None


def _mpn_problem(mpn: str) -> tuple[str, bool] | None:
    """The problem and whether the cell may just list alternates (several MPNs)."""
    text = mpn.strip()
    if _is_missing(text):
        return None
    if text.lower() in _UNDECIDED or _EQUIVALENT.search(text):
        return f"'{text}' leaves the part undecided", False
    if _WILDCARD.search(text) or _lowercase_placeholder(text):
        return f"'{text}' has a wildcard or placeholder", False
    if _VALUE.match(re.split(r"[\s/]+", text)[0]):
        return f"'{text}' is a value, not a part number", False
    if len([t for t in _LIST_SEPARATOR.split(text) if t.strip()]) > 1 or _several_words(text):
        return f"'{text}' holds several part numbers", True
    return None


def _lowercase_placeholder(text: str) -> bool:
    # Datasheets write the variant letters as lowercase x (STM32F103xB); real MPNs are upper.
    letters = [c for c in text if c.isalpha()]
    lower = [c for c in letters if c.islower()]
    return bool(lower) and set(lower) == {"x"} and len(lower) < len(letters)


def _several_words(text: str) -> bool:
    words = text.split()
    return len(words) > 1 and all(
        len(w) >= 5 and any(c.isdigit() for c in w) and any(c.isalpha() for c in w) for w in words
    )


_MSL_LEVELS = ("1", "2", "2a", "3", "4", "5", "5a", "6")
_MSL_MESSAGES = {
    "3": "168 h floor life once the dry bag is opened",
    "4": "72 h floor life once the dry bag is opened",
    "5": "48 h floor life once the dry bag is opened",
    "5a": "only 24 h floor life once the dry bag is opened: open it at the line and place "
    "the reel at once",
    "6": "must be baked before every use and reflowed within the time on its label",
}


def msl_level(text: str | None) -> str | None:
    """A moisture sensitivity level as "1", "2", "2a", "3", "4", "5", "5a" or "6", read from
    "3", "MSL3", "MSL 2A", "Level 5a"; None when it is not one."""
    if text is None:
        return None
    level = re.sub(r"^(?:msl|level)+", "", re.sub(r"[\s\-_:]", "", text.lower()))
    return level if level in _MSL_LEVELS else None


# --- BOM rules ----------------------------------------------------------------------------


def _needs_a_part(line: BomLine) -> bool:
    return package_class(line).placed


@_rule(
    "dfm.missing_mpn",
    Severity.ERROR,
    "Fitted part without a manufacturer part number",
    "Ask the customer for the manufacturer and MPN, or have them approve the supplier part "
    "as the part to build with.",
    Need.BOM,
)
def _missing_mpn(data: ReviewInput) -> Iterator[Hit]:
    """Purchasing buys and incoming inspection checks by manufacturer part number. A fitted
    line without one cannot be quoted or bought with certainty: "100nF 0402" has dozens of
    dielectrics, voltages and tolerances. A distributor part number (LCSC, Digi-Key) does
    identify a part, so that case is a warning: it ties the build to one supplier and the
    MPN behind it should be recorded. Fiducials, holes and logos need no part."""
    for line in data.fitted_lines:
        if not _is_missing(line.mpn) or not _needs_a_part(line):
            continue
        suppliers = [s for s in line.supplier_parts if s.part_number.strip()]
        if suppliers:
            named = ", ".join(f"{s.supplier} {s.part_number}" for s in suppliers)
            yield _line_hit(
                line,
                f"no MPN, only a supplier part number ({named})",
                field="mpn",
                severity=Severity.WARNING,
                hint="Confirm with the customer that the supplier part is the one they mean, "
                "and record its manufacturer and MPN.",
            )
        else:
            yield _line_hit(line, "no MPN and no supplier part number", field="mpn")


@_rule(
    "dfm.ambiguous_mpn",
    Severity.ERROR,
    "MPN does not name exactly one part",
    "Ask the customer for the exact orderable MPN; list alternates on their own lines or in "
    "the alternates columns.",
    Need.BOM,
)
def _ambiguous_mpn(data: ReviewInput) -> Iterator[Hit]:
    """A buyer orders exactly what the MPN cell says. Wildcards and datasheet placeholders
    (``xx``, ``*``, ``?``, ``STM32F103xB``), "TBD" or "or equivalent", and values typed into
    the MPN column (``10k``) cannot be ordered as written. Several MPNs in one cell may be
    approved alternates: that is a warning, the customer must say which ones are allowed."""
    for line in data.fitted_lines:
        problem = _mpn_problem(line.mpn)
        if problem is not None:
            message, several = problem
            severity = Severity.WARNING if several else None
            yield _line_hit(line, message, field="mpn", severity=severity)


@_rule(
    "dfm.missing_manufacturer",
    Severity.WARNING,
    "MPN without a manufacturer",
    "Add the manufacturer: it decides which part the MPN means and whether it is approved.",
    Need.BOM,
)
def _missing_manufacturer(data: ReviewInput) -> Iterator[Hit]:
    """The same part number can exist at two manufacturers (generic 74-series logic, many
    discretes), and the approved manufacturer list is checked by manufacturer. An MPN
    without its manufacturer leaves both open."""
    for line in data.fitted_lines:
        if not _is_missing(line.mpn) and not line.manufacturer.strip():
            yield _line_hit(
                line, f"MPN {line.mpn.strip()} has no manufacturer", field="manufacturer"
            )


@_rule(
    "dfm.unapproved_manufacturer",
    Severity.WARNING,
    "Manufacturer not on the customer's approved list",
    "Ask the customer to approve the manufacturer or name an approved alternate.",
    Need.BOM,
    Need.APPROVED_MANUFACTURERS,
)
def _unapproved_manufacturer(data: ReviewInput) -> Iterator[Hit]:
    """Customers in regulated work (medical, automotive, aerospace) qualify manufacturers,
    and building with parts from anyone else is a nonconformance even when the part is
    identical. Names are compared without case, punctuation and legal forms (Inc, Ltd,
    GmbH), so "Murata Manufacturing Co., Ltd." matches "MURATA MANUFACTURING"."""
    for line in data.fitted_lines:
        candidates = [(line.manufacturer, line.mpn, "")]
        candidates += [(m, mpn, "alternate ") for m, mpn in line.alternates]
        for manufacturer, mpn, role in candidates:
            if manufacturer.strip() and manufacturer_key(manufacturer) not in data.approved_keys:
                yield _line_hit(
                    line,
                    f"{role}manufacturer {manufacturer.strip()} ({mpn.strip() or 'no MPN'}) "
                    "is not on the approved list",
                    field="manufacturer",
                )


# --- part facts rules ---------------------------------------------------------------------


def _lines_with_facts(data: ReviewInput) -> Iterator[tuple[BomLine, PartFacts]]:
    for line in data.fitted_lines:
        facts = data.facts(line.mpn)
        if facts is not None:
            yield line, facts


@_rule(
    "dfm.obsolete_part",
    Severity.ERROR,
    "Obsolete part",
    "Find a form-fit-function replacement with the customer, or source from stock with "
    "counterfeit controls (AS6081) and their written approval.",
    Need.BOM,
    Need.PART_FACTS,
)
def _obsolete_part(data: ReviewInput) -> Iterator[Hit]:
    """An obsolete part is no longer made: what is left is distributor and broker stock,
    with rising prices and counterfeit risk. A build that depends on it can stop at any
    time, so it must be settled before quoting volume."""
    for line, facts in _lines_with_facts(data):
        if facts.lifecycle is Lifecycle.OBSOLETE:
            yield _line_hit(line, f"{line.mpn.strip()} is obsolete", field="mpn")


@_rule(
    "dfm.nrnd_part",
    Severity.WARNING,
    "Part not recommended for new designs",
    "Tell the customer; plan a replacement or a last-time buy for the product's life.",
    Need.BOM,
    Need.PART_FACTS,
)
def _nrnd_part(data: ReviewInput) -> Iterator[Hit]:
    """NRND parts are still made but the manufacturer has announced the end: an
    end-of-life notice usually follows. Fine for a prototype, a risk for a product meant
    to be built for years."""
    for line, facts in _lines_with_facts(data):
        if facts.lifecycle is Lifecycle.NRND:
            yield _line_hit(line, f"{line.mpn.strip()} is not recommended for new designs")


@_rule(
    "dfm.moisture_sensitive",
    Severity.WARNING,
    "Moisture-sensitive part (MSL 3 or higher)",
    "Keep it in dry storage, track its floor life from the moment the bag is opened, and "
    "bake it when the floor life is exceeded (J-STD-033).",
    Need.BOM,
    Need.PART_FACTS,
)
def _moisture_sensitive(data: ReviewInput) -> Iterator[Hit]:
    """Plastic packages absorb moisture that turns to steam in reflow and cracks the body
    or lifts the die ("popcorning"). From MSL 3 the floor life out of the dry bag at
    30 °C / 60 % RH is short (168 h at MSL 3, 72 h at 4, 48 h at 5, 24 h at 5a), so reels
    need dry storage and a floor-life clock; MSL 6 parts must be baked before every use
    (J-STD-033)."""
    for line, facts in _lines_with_facts(data):
        level = msl_level(facts.msl)
        if level is None or _MSL_LEVELS.index(level) < _MSL_LEVELS.index("3"):
            continue
        yield _line_hit(line, f"{line.mpn.strip()} is MSL {level}: {_MSL_MESSAGES[level]}")


@_rule(
    "dfm.single_source",
    Severity.WARNING,
    "Single-source part without alternates",
    "Ask the customer for approved alternates, or plan buffer stock for this part.",
    Need.BOM,
    Need.PART_FACTS,
)
def _single_source(data: ReviewInput) -> Iterator[Hit]:
    """A part only one manufacturer makes, with no alternate on the BOM, stops the build
    when that manufacturer is on allocation or has a fire. It is often unavoidable (a
    specific microcontroller) but the customer should know and stock should be planned."""
    for line, facts in _lines_with_facts(data):
        if facts.sources is not None and facts.sources <= 1 and not line.alternates:
            yield _line_hit(line, f"{line.mpn.strip()} has a single source and no alternates")


@_rule(
    "dfm.part_facts_missing",
    Severity.INFO,
    "No part facts for an MPN",
    "Check the MPN's spelling; add the part to the catalogue so lifecycle and MSL are known.",
    Need.BOM,
    Need.PART_FACTS,
)
def _part_facts_missing(data: ReviewInput) -> Iterator[Hit]:
    """The lifecycle, MSL and sourcing rules can only judge parts the lookup knows. Listing
    the unknown ones keeps a clean report from meaning "not checked"; an unknown MPN is
    often a typo."""
    seen: set[str] = set()
    for line in data.fitted_lines:
        mpn = line.mpn.strip()
        if _is_missing(mpn) or mpn in seen or mpn_ambiguity(mpn) is not None:
            continue
        seen.add(mpn)
        if data.facts(mpn) is None:
            yield _line_hit(line, f"no part facts for {mpn}: lifecycle and MSL not checked")


# --- package rules ------------------------------------------------------------------------


def _fitted_placed(data: ReviewInput) -> Iterator[Part]:
    return (part for part in data.fitted_parts if part.package.placed)


@_rule(
    "dfm.fine_pitch",
    Severity.WARNING,
    "Fine-pitch part (pitch 0.5 mm or less)",
    "Use a stencil of 0.1 mm or thinner with area ratio above 0.66, SPI after printing and "
    "AOI for bridges; check the land pattern against IPC-7351.",
    Need.PARTS,
)
def _fine_pitch(data: ReviewInput) -> Iterator[Hit]:
    """At 0.5 mm pitch and below the gaps between pads are narrow enough that paste
    printing decides the yield: bridging and insufficient solder become the main defects,
    and the stencil thickness and apertures must be chosen for these parts. The pitch comes
    from the placement data or the package name (``P0.4mm``, ``0.5mm pitch``)."""
    limit = data.config.fine_pitch_mm
    for part in _fitted_placed(data):
        pitch = part.package.pitch
        if pitch is not None and pitch <= limit + 1e-9:
            yield _part_hit(part, f"pitch {pitch:g} mm is fine pitch (limit {limit:g} mm)")


@_rule(
    "dfm.xray_inspection",
    Severity.INFO,
    "Hidden solder joints: X-ray inspection",
    "Plan AXI (X-ray) sampling or 100 % inspection for these parts and quote it.",
    Need.PARTS,
)
def _xray_inspection(data: ReviewInput) -> Iterator[Hit]:
    """BGA, CSP and LGA joints sit under the body and QFN/DFN/SON thermal pads and
    terminations are under it too; AOI cannot see them. Voids, bridges and head-in-pillow
    defects only show on X-ray (IPC-7095, IPC-7093), which adds a station and cost."""
    for part in _fitted_placed(data):
        if part.package.hidden_joints:
            kind = part.package.kind.value.upper()
            yield _part_hit(part, f"{kind} joints are under the body: AOI cannot see them")


@_rule(
    "dfm.micro_passive",
    Severity.WARNING,
    "0201 or 01005 passive",
    "Check the line has nozzles, feeders and placement accuracy for these sizes; use a "
    "thin stencil and expect a higher price per placement.",
    Need.PARTS,
)
def _micro_passive(data: ReviewInput) -> Iterator[Hit]:
    """0201 (0.6 x 0.3 mm) and 01005 (0.4 x 0.2 mm) chips need dedicated nozzles, 8 mm
    tape feeders with fine pitch, a thin stencil and tight placement accuracy; tombstoning
    and missing parts rise. Not every line or every EMS can place 01005."""
    for part in _fitted_placed(data):
        if part.package.kind is not PackageKind.CHIP or part.package.size not in MICRO_SIZES:
            continue
        size = part.package.size
        extra = "" if size == "0201" else "; not every line can place this size"
        yield _part_hit(part, f"{size} chip{extra}")


@_rule(
    "dfm.missing_package",
    Severity.WARNING,
    "Fitted part without a package or footprint",
    "Ask for the footprint or package; without it the part cannot be taught or checked.",
    Need.PARTS,
)
def _missing_package(data: ReviewInput) -> Iterator[Hit]:
    """The package decides the nozzle, the feeder, the vision model, the stencil aperture
    and half of these rules. A fitted part without one cannot be programmed or reviewed."""
    if data.design.placements:
        for part in _fitted_placed(data):
            if not part.package_name.strip():
                yield _part_hit(part, "no package or footprint", field="package")
        return
    for line in data.fitted_lines:
        if not line.footprint.strip():
            yield _line_hit(line, "no footprint", field="footprint")


# --- geometry -----------------------------------------------------------------------------

_MAX_COORD = 1e6  # mm: beyond a kilometre it is broken data, not a board
_MAX_CELLS = 64  # a body spanning more cells is compared by a scan instead
_BOARD_CELLS = 512  # outline index resolution: cells along the board's longer side


def _finite(*values: float) -> bool:
    # Chained comparisons are False for NaN and infinities.
    return all(-_MAX_COORD <= v <= _MAX_COORD for v in values)


def _body_box(p: Placement) -> Box | None:
    """The axis-aligned box around the rotated body, or None without a usable size."""
    w, h, x, y = p.width, p.height, p.x, p.y
    if w is None or h is None or not _finite(x, y, w, h):
        return None
    w, h = abs(w), abs(h)
    if math.isfinite(p.rotation):
        angle = math.radians(p.rotation % 360.0)
        cos, sin = abs(math.cos(angle)), abs(math.sin(angle))
        half_w, half_h = (w * cos + h * sin) / 2, (w * sin + h * cos) / 2
    else:
        half_w = half_h = math.hypot(w, h) / 2
    return (x - half_w, y - half_h, x + half_w, y + half_h)


def _box_gap(a: Box, b: Box) -> float:
    dx = max(a[0] - b[2], b[0] - a[2], 0.0)
    dy = max(a[1] - b[3], b[1] - a[3], 0.0)
    return math.hypot(dx, dy)


def _cell_size(boxes: Sequence[Box], gap: float) -> float:
    extents = sorted(max(b[2] - b[0], b[3] - b[1]) for b in boxes)
    typical = extents[(len(extents) * 3) // 4] if extents else 0.0
    return max(typical + gap, 0.05)


def _close_pairs(boxes: Sequence[Box], gap: float) -> Iterator[tuple[int, int, float]]:
    """Pairs (i, j, distance), i < j, of boxes closer than ``gap``, without comparing all pairs.

    Each box, grown by half the gap, is entered in the grid cells it covers. Two boxes closer
    than the gap have overlapping grown boxes, so they share a cell; the pair is compared only
    in the cell holding the lower-left corner of that overlap, so once. Boxes covering many
    cells (a logo or a large connector among 0402s) are compared with every box by a scan,
    which stays cheap while they are few.
    """
    half = gap / 2
    cell = _cell_size(boxes, gap)
    grid: dict[tuple[int, int], list[int]] = {}
    large: list[int] = []
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        cx0, cy0 = math.floor((x0 - half) / cell), math.floor((y0 - half) / cell)
        cx1, cy1 = math.floor((x1 + half) / cell), math.floor((y1 + half) / cell)
        if (cx1 - cx0 + 1) * (cy1 - cy0 + 1) > _MAX_CELLS:
            large.append(i)
            continue
        for cx in range(cx0, cx1 + 1):
            for cy in range(cy0, cy1 + 1):
                grid.setdefault((cx, cy), []).append(i)
    for (cx, cy), members in grid.items():
        for a, i in enumerate(members):
            bi = boxes[i]
            for j in members[a + 1 :]:
                bj = boxes[j]
                if (
                    math.floor((max(bi[0], bj[0]) - half) / cell) == cx
                    and math.floor((max(bi[1], bj[1]) - half) / cell) == cy
                    and (distance := _box_gap(bi, bj)) < gap
                ):
                    yield i, j, distance
    yield from _scan_pairs(boxes, large, gap)


def _scan_pairs(
    boxes: Sequence[Box], large: list[int], gap: float
) -> Iterator[tuple[int, int, float]]:
    is_large = set(large)
    for i in large:
        for j in range(len(boxes)):
            if j != i and (j not in is_large or j > i):
                distance = _box_gap(boxes[i], boxes[j])
                if distance < gap:
                    yield min(i, j), max(i, j), distance


def _point_box_distance(x: float, y: float, box: Box) -> float:
    dx = max(box[0] - x, 0.0, x - box[2])
    dy = max(box[1] - y, 0.0, y - box[3])
    return math.hypot(dx, dy)


def _point_segment_distance(x: float, y: float, seg: Segment) -> float:
    ax, ay, bx, by = seg
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length2))
    return math.hypot(x - (ax + t * dx), y - (ay + t * dy))


def _segment_hits_box(seg: Segment, box: Box) -> bool:
    """Liang-Barsky: does the segment pass through the box?"""
    ax, ay, bx, by = seg
    t0, t1 = 0.0, 1.0
    for p, q in (
        (-(bx - ax), ax - box[0]),
        (bx - ax, box[2] - ax),
        (-(by - ay), ay - box[1]),
        (by - ay, box[3] - ay),
    ):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def _box_segment_distance(box: Box, seg: Segment) -> float:
    if _segment_hits_box(seg, box):
        return 0.0
    # Disjoint convex shapes: the closest points include a vertex of one of them.
    corners = ((box[0], box[1]), (box[0], box[3]), (box[2], box[1]), (box[2], box[3]))
    return min(
        _point_box_distance(seg[0], seg[1], box),
        _point_box_distance(seg[2], seg[3], box),
        *(_point_segment_distance(x, y, seg) for x, y in corners),
    )


class _Board:
    """The outline's edges indexed for "how far to the nearest edge" and "inside or not"."""

    def __init__(self, segments: list[Segment], cell: float) -> None:
        self.segments = segments
        self.cell = cell
        self.cells: dict[tuple[int, int], list[int]] = {}
        self.strips: dict[int, list[int]] = {}
        for index, seg in enumerate(segments):
            self._index(index, seg)

    @classmethod
    def build(cls, outline: Outline | None, clearance: float) -> _Board | None:
        """The indexed board, or None when the outline has no usable polygon."""
        if outline is None:
            return None
        segments: list[Segment] = []
        for polygon in outline.polygons:
            points = [(x, y) for x, y in polygon if _finite(x, y)]
            if len(points) < 3:
                continue
            segments += [(*a, *b) for a, b in zip(points, points[1:] + points[:1], strict=True)]
        if not segments:
            return None
        xs = [v for s in segments for v in (s[0], s[2])]
        ys = [v for s in segments for v in (s[1], s[3])]
        extent = max(max(xs) - min(xs), max(ys) - min(ys))
        # Tied to the board's size, the cell keeps the index small whatever the units.
        return cls(segments, max(2 * clearance, extent / _BOARD_CELLS, 0.5))

    def _index(self, index: int, seg: Segment) -> None:
        ax, ay, bx, by = seg
        cell = self.cell
        samples = math.ceil(math.hypot(bx - ax, by - ay) / (cell / 2)) + 1
        # Samples are half a cell apart, so the segment may clip a cell between two samples:
        # entering the neighbours of each sampled cell too covers every cell it touches.
        sampled = {
            (
                math.floor((ax + k / samples * (bx - ax)) / cell),
                math.floor((ay + k / samples * (by - ay)) / cell),
            )
            for k in range(samples + 1)
        }
        covered = {
            (cx + dx, cy + dy) for cx, cy in sampled for dx in (-1, 0, 1) for dy in (-1, 0, 1)
        }
        for key in covered:
            self.cells.setdefault(key, []).append(index)
        if ay != by:
            strip0, strip1 = sorted((math.floor(ay / cell), math.floor(by / cell)))
            for strip in range(strip0, strip1 + 1):
                self.strips.setdefault(strip, []).append(index)

    def contains(self, x: float, y: float) -> bool:
        """Even-odd rule over all polygons: inside the outer edge and not in a cutout."""
        inside = False
        for index in self.strips.get(math.floor(y / self.cell), ()):
            ax, ay, bx, by = self.segments[index]
            if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
                inside = not inside
        return inside

    def edge_distance(self, box: Box, limit: float) -> float | None:
        """Distance from the box to the nearest edge when it is below ``limit``, else None."""
        cell = self.cell
        x0, y0 = math.floor((box[0] - limit) / cell), math.floor((box[1] - limit) / cell)
        x1, y1 = math.floor((box[2] + limit) / cell), math.floor((box[3] + limit) / cell)
        if (x1 - x0 + 1) * (y1 - y0 + 1) > len(self.cells):
            # A body larger than the indexed outline: walking the index is cheaper.
            keys: Iterable[tuple[int, int]] = (
                k for k in self.cells if x0 <= k[0] <= x1 and y0 <= k[1] <= y1
            )
        else:
            keys = ((cx, cy) for cx in range(x0, x1 + 1) for cy in range(y0, y1 + 1))
        found = {i for key in keys for i in self.cells.get(key, ())}
        if not found:
            return None
        nearest = min(_box_segment_distance(box, self.segments[i]) for i in found)
        return nearest if nearest < limit else None


# --- placement rules ----------------------------------------------------------------------


def _on_side(data: ReviewInput, side: Side) -> list[Located]:
    return data.by_side.get(side, [])


def _with_mount(data: ReviewInput, mount: Mount, side: Side | None = None) -> list[Part]:
    sides = list(Side) if side is None else [side]
    return [part for s in sides for part in data.by_side_and_mount.get((s, mount), [])]


@_rule(
    "dfm.part_spacing",
    Severity.WARNING,
    "Parts closer than the minimum clearance",
    "Move the parts apart or confirm the courtyards overlap on purpose (a shield can, a "
    "part under a connector); check nozzle clearance with the process engineer.",
    Need.PLACEMENTS,
    Need.BODY_SIZES,
)
def _part_spacing(data: ReviewInput) -> Iterator[Hit]:
    """Bodies or courtyards closer than the clearance leave no room for the nozzle, shadow
    each other in AOI, and invite bridging and tombstoning; overlapping bodies usually mean
    wrong coordinates or rotations. Bodies are the bounding boxes of the rotated
    width x height rectangles, compared on the same side only; parts without a size are
    not compared."""
    gap = data.config.part_clearance_mm
    for side in Side:
        located = _on_side(data, side)
        sized = [(part, part.box) for part, _ in located if part.box is not None]
        if len(sized) < len(located):
            unsized = [part for part, _ in located if part.box is None]
            yield Hit(
                f"{len(unsized)} parts on the {side} have no body size and were not compared: "
                f"{_names(unsized)}",
                severity=Severity.INFO,
                hint="Import the board file or the package sizes to check these parts.",
            )
        for i, j, distance in _close_pairs([box for _, box in sized], gap):
            first, second = sized[i][0], sized[j][0]
            how = "bodies overlap" if distance == 0 else f"{distance:.2f} mm apart"
            yield _part_hit(
                first, f"{how} with {_part_label(second)} on the {side} (minimum {gap:g} mm)"
            )


@_rule(
    "dfm.edge_clearance",
    Severity.WARNING,
    "Part too close to the board edge",
    "Move the part inward, or plan the panel so this edge has a rail and is not routed or "
    "scored next to the part.",
    Need.PLACEMENTS,
    Need.OUTLINE,
)
def _edge_clearance(data: ReviewInput) -> Iterator[Hit]:
    """The conveyor rails hold the board by its edges, and depanelling (routing, V-score,
    breaking tabs) stresses everything near them: ceramic capacitors crack. Parts need a
    keep-out from the outline; a part without a size is checked by its centre, which can
    only miss problems, not invent them."""
    board, limit = data.board, data.config.edge_clearance_mm
    assert board is not None  # Need.OUTLINE
    outside = {part for part, _ in data.outside}  # dfm.outside_outline reports those
    for part, p in data.on_board:
        if part in outside:
            continue
        distance = board.edge_distance(part.box or (p.x, p.y, p.x, p.y), limit)
        if distance is not None:
            what = "body" if part.box else "centre (no body size)"
            yield _part_hit(
                part, f"{what} is {distance:.2f} mm from the board edge (minimum {limit:g} mm)"
            )


@_rule(
    "dfm.outside_outline",
    Severity.ERROR,
    "Part centre outside the board outline",
    "Check the placement file's origin, units and bottom-side mirroring against the board; "
    "fix the coordinates before programming.",
    Need.PLACEMENTS,
    Need.OUTLINE,
)
def _outside_outline(data: ReviewInput) -> Iterator[Hit]:
    """A part whose centre is off the board, or in a cutout, cannot be placed: usually the
    centroid file uses another origin, unit or bottom-side mirroring than the board. One
    such part can also mean every coordinate is shifted."""
    for part, p in data.outside:
        if not _finite(p.x, p.y):
            yield _part_hit(part, "has no usable coordinates", field="x")
        else:
            yield _part_hit(part, f"centre ({p.x:g}, {p.y:g}) is outside the board outline")


@_rule(
    "dfm.double_sided_smt",
    Severity.INFO,
    "SMT parts on both sides: second reflow",
    "Quote two SMT passes; put heavy parts on the top side, check the bottom-side parts "
    "survive a second reflow.",
    Need.PLACEMENTS,
)
def _double_sided_smt(data: ReviewInput) -> Iterator[Hit]:
    """SMT on both sides means the board goes through printing, placement and reflow twice;
    the side placed first is reflowed again, upside down. It doubles set-up and line time
    and limits what may go on the first side."""
    top, bottom = _with_mount(data, Mount.SMT, Side.TOP), _with_mount(data, Mount.SMT, Side.BOTTOM)
    if top and bottom:
        yield Hit(
            f"{len(top)} SMT parts on top and {len(bottom)} on the bottom "
            f"({_names(bottom)}): two reflow passes"
        )


@_rule(
    "dfm.bottom_heavy",
    Severity.WARNING,
    "Heavy or tall part on the bottom side",
    "Move it to the top side, or plan glue dots, a reflow carrier or a selective/hand step for it.",
    Need.PLACEMENTS,
)
def _bottom_heavy(data: ReviewInput) -> Iterator[Hit]:
    """Bottom-side parts hang upside down in the second reflow: surface tension holds light
    parts, heavy ones (large electrolytics, inductors, connectors, modules) drop or skew.
    Tall parts on the bottom also collide with wave pallets, fixtures and conveyors. Weight
    and height come from part facts when known, else from the package family."""
    for part, p in _on_side(data, Side.BOTTOM):
        if part.mount is Mount.THT:
            continue  # THT on the bottom is dfm.double_sided_tht's concern
        reasons = _heavy_reasons(data, part, p)
        if reasons:
            yield _part_hit(part, f"on the bottom side {' and '.join(reasons)}")


_HEAVY_KINDS = frozenset({PackageKind.ELECTROLYTIC, PackageKind.CONNECTOR, PackageKind.MODULE})


def _heavy_reasons(data: ReviewInput, part: Part, p: Placement) -> list[str]:
    cfg, facts = data.config, data.facts(part.mpn)
    weight = facts.weight_g if facts else None
    height = facts.height_mm if facts and facts.height_mm is not None else part.package.height_mm
    reasons = []
    if weight is not None and weight > cfg.bottom_max_weight_g:
        reasons.append(f"weighs {weight:g} g (limit {cfg.bottom_max_weight_g:g} g)")
    if height is not None and height > cfg.bottom_max_height_mm:
        reasons.append(f"is {height:g} mm tall (limit {cfg.bottom_max_height_mm:g} mm)")
    if reasons or weight is not None or height is not None:
        return reasons
    kind = part.package.kind
    if kind in _HEAVY_KINDS:
        return [f"is a {kind.value.replace('_', ' ')}, usually heavy or tall"]
    area = _body_area(part, p)
    if kind is PackageKind.INDUCTOR and area is not None and area >= cfg.large_inductor_mm2:
        return [f"is an inductor of {area:g} mm² body"]
    return []


def _body_area(part: Part, p: Placement) -> float | None:
    if p.width is not None and p.height is not None and _finite(p.width, p.height):
        return abs(p.width * p.height)
    body = part.package.body_mm
    return body[0] * body[1] if body else None


@_rule(
    "dfm.double_sided_tht",
    Severity.WARNING,
    "Through-hole parts on both sides",
    "Put all THT parts on one side if possible; otherwise quote selective or hand "
    "soldering for the other side.",
    Need.PLACEMENTS,
)
def _double_sided_tht(data: ReviewInput) -> Iterator[Hit]:
    """Wave and selective soldering solder from one side. THT parts inserted from both
    sides mean the second set is soldered by hand or with a second selective program and
    pallet, with its own cost and quality risk."""
    top, bottom = _with_mount(data, Mount.THT, Side.TOP), _with_mount(data, Mount.THT, Side.BOTTOM)
    if top and bottom:
        yield Hit(
            f"THT parts on both sides: top {_names(top)}; bottom {_names(bottom)}",
            refdes=bottom[0].refdes,
        )


@_rule(
    "dfm.mixed_technology",
    Severity.INFO,
    "Mixed SMT and THT: wave or selective soldering",
    "Quote a THT step (wave with a pallet, selective, or hand) after reflow; check the SMT "
    "parts near THT pins fit the pallet or nozzle keep-outs.",
    Need.PLACEMENTS,
)
def _mixed_technology(data: ReviewInput) -> Iterator[Hit]:
    """A board with both SMT and through-hole parts needs a second soldering process after
    reflow: wave soldering with a pallet, selective soldering, or hand soldering. It adds
    a station, tooling and cost, and SMT parts near THT pins need keep-outs."""
    smt, tht = _with_mount(data, Mount.SMT), _with_mount(data, Mount.THT)
    if smt and tht:
        yield Hit(f"{len(smt)} SMT and {len(tht)} THT parts; THT: {_names(tht)}")


_ROTATION_TOLERANCE = 0.01


@_rule(
    "dfm.odd_rotation",
    Severity.WARNING,
    "Rotation not a multiple of 90°",
    "Confirm the angle is intended; teach the part with its real angle and check the "
    "machine supports it.",
    Need.PLACEMENTS,
)
def _odd_rotation(data: ReviewInput) -> Iterator[Hit]:
    """Placement machines can place at any angle, but off-axis parts need care in the
    program, in AOI models and in the stencil; an angle like 89.9° is usually an export
    rounding error, and 45° parts are often a design choice the programmer should know of."""
    for part, p in data.on_board:
        if not math.isfinite(p.rotation):
            yield _part_hit(part, "rotation is not a number", field="rotation")
            continue
        off = p.rotation % 90.0
        if min(off, 90.0 - off) > _ROTATION_TOLERANCE:
            yield _part_hit(
                part, f"rotation {p.rotation:g}° is not a multiple of 90°", field="rotation"
            )


@_rule(
    "dfm.fiducials",
    Severity.WARNING,
    "Missing fiducials",
    "Add at least two (better three) global fiducials per side with SMT parts, or confirm "
    "the panel rails carry them.",
    Need.PLACEMENTS,
)
def _fiducials(data: ReviewInput) -> Iterator[Hit]:
    """The placement machine's camera finds the board by its fiducials and corrects offset
    and rotation from them; printers and AOI use them too. Each side with SMT parts needs
    its own, at least two and ideally three. Panel-rail fiducials can stand in: say so on
    the panel drawing."""
    per_side: dict[Side, int] = {}
    for part in data.parts:
        if part.placement is not None and part.package.kind is PackageKind.FIDUCIAL:
            per_side[part.placement.side] = per_side.get(part.placement.side, 0) + 1
    minimum = data.config.min_fiducials_per_side
    for side in Side:
        smt, count = _with_mount(data, Mount.SMT, side), per_side.get(side, 0)
        if not smt or count >= minimum:
            continue
        found = "no fiducials" if count == 0 else f"only {count} fiducial{'s' if count > 1 else ''}"
        yield Hit(f"{found} on the {side} side, which has {len(smt)} SMT parts (minimum {minimum})")


@_rule(
    "dfm.side_summary",
    Severity.INFO,
    "Parts per side",
    "Use these counts for the quote and the line balance.",
    Need.PLACEMENTS,
)
def _side_summary(data: ReviewInput) -> Iterator[Hit]:
    """Placement counts per side and mount drive the quote (placements per hour, number of
    passes) and the line programme; printing them makes the review show what it looked at."""
    for side in Side:
        located = _on_side(data, side)
        if not located:
            continue
        counts = {m: sum(1 for part, _ in located if part.mount is m) for m in Mount}
        unknown = sum(1 for part, _ in located if part.mount is None)
        yield Hit(
            f"{side}: {len(located)} parts ({counts[Mount.SMT]} SMT, {counts[Mount.THT]} THT, "
            f"{counts[Mount.OTHER]} other, {unknown} unknown mount)"
        )


@_rule(
    "dfm.unknown_mount",
    Severity.WARNING,
    "Mount type unknown",
    "Set the mount (SMT or THT) in the data or the catalogue; the package name did not tell.",
    Need.PLACEMENTS,
)
def _unknown_mount(data: ReviewInput) -> Iterator[Hit]:
    """Whether a part is SMT or through-hole decides its process step, its side rules and
    the quote. When neither the data nor the package name says, the part would be missed
    by every count above and must be settled by a person."""
    for part, _ in data.on_board:
        if part.mount is None:
            yield _part_hit(part, "neither SMT nor THT is known", field="mount")


@_rule(
    "dfm.no_outline",
    Severity.WARNING,
    "No board outline",
    "Import the board file (KiCad, Gerber Edge.Cuts, IPC-2581) so edge and outline checks can run.",
)
def _no_outline(data: ReviewInput) -> Iterator[Hit]:
    """Without the outline the review cannot check edge clearance, parts outside the
    board or panel design, and nobody can confirm the centroid file's origin. Those rules
    are skipped, not passed."""
    if data.board is None:
        why = "no outline" if data.design.outline is None else "the outline has no usable polygon"
        yield Hit(f"{why}: edge clearance and outside-outline checks were skipped")


ALL_RULES: tuple[Rule, ...] = tuple(RULES.values())


# --- review -------------------------------------------------------------------------------


class RuleStatus(StrEnum):
    RAN = "ran"
    SKIPPED = "skipped"  # data missing: not checked, never counted as passed
    FAILED = "failed"  # the rule broke on this data: not checked


@dataclass(frozen=True, slots=True)
class RuleRun:
    """What became of one rule in a review."""

    rule_id: str
    status: RuleStatus
    reason: str = ""  # why skipped or failed
    findings: int = 0
    truncated: bool = False  # stopped at DfmConfig.max_findings_per_rule


_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class DfmReport:
    """The findings, most severe first, and what each rule did."""

    findings: tuple[Finding, ...]
    runs: tuple[RuleRun, ...]

    @property
    def counts(self) -> dict[Severity, int]:
        counts = dict.fromkeys(Severity, 0)
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    @property
    def ran(self) -> tuple[str, ...]:
        return tuple(r.rule_id for r in self.runs if r.status is RuleStatus.RAN)

    @property
    def skipped(self) -> tuple[RuleRun, ...]:
        return tuple(r for r in self.runs if r.status is RuleStatus.SKIPPED)

    @property
    def failed(self) -> tuple[RuleRun, ...]:
        return tuple(r for r in self.runs if r.status is RuleStatus.FAILED)


def review(data: ReviewInput, rules: Iterable[Rule] = ALL_RULES) -> DfmReport:
    """Run ``rules`` over ``data``: each runs, is skipped (data missing) or fails (reported,
    the others still run). Never raises for odd design data."""
    findings: list[Finding] = []
    runs: list[RuleRun] = []
    limit = max(data.config.max_findings_per_rule, 0)
    for rule in rules:
        missing = rule.missing(data)
        if missing:
            runs.append(RuleRun(rule.id, RuleStatus.SKIPPED, "; ".join(missing)))
            continue
        try:
            found = list(islice(rule.findings(data), limit + 1))
        except Exception as exc:  # one broken rule must not hide the others' results
            runs.append(RuleRun(rule.id, RuleStatus.FAILED, f"{type(exc).__name__}: {exc}"))
            continue
        truncated = len(found) > limit
        found = found[:limit]
        findings += found
        reason = f"stopped after {limit} findings" if truncated else ""
        runs.append(RuleRun(rule.id, RuleStatus.RAN, reason, len(found), truncated))
    findings.sort(key=lambda f: _SEVERITY_ORDER[f.severity])
    return DfmReport(tuple(findings), tuple(runs))


class RuleInfo(TypedDict):
    id: str
    severity: str
    title: str
    explanation: str
    hint: str
    needs: list[str]


def rule_catalogue() -> list[RuleInfo]:
    """Every rule's id, severity, title, explanation, hint and needed data, for a help page."""
    return [
        RuleInfo(
            id=r.id,
            severity=r.severity.value,
            title=r.title,
            explanation=r.explanation,
            hint=r.hint,
            needs=[n.value for n in r.needs],
        )
        for r in ALL_RULES
    ]
