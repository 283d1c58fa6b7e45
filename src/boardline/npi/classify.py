"""What kind of assembly a design is, and the counts quotes, routings and DPMO start from.

Pure, no I/O. The figures are defined once, in :class:`Classification`, so a quote, a routing
and an IPC-7912A defect rate computed months apart count the same things.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from boardline.npi.model import BomLine, Design, Mount, Placement, Side


class AssemblyType(StrEnum):
    SMT_ONE_SIDE = "smt_one_side"
    SMT_BOTH_SIDES = "smt_both_sides"
    THT_ONLY = "tht_only"
    MIXED = "mixed"
    NOTHING = "nothing"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return ASSEMBLY_LABELS[self]


ASSEMBLY_LABELS = {
    AssemblyType.SMT_ONE_SIDE: "SMT, one side",
    AssemblyType.SMT_BOTH_SIDES: "SMT, both sides",
    AssemblyType.THT_ONLY: "THT only",
    AssemblyType.MIXED: "Mixed SMT and THT",
    AssemblyType.NOTHING: "Nothing to solder",
    AssemblyType.UNKNOWN: "Unknown (no mount data)",
}

# Two-terminal chip packages by name: imperial chip sizes, SOD, MELF and SMA/SMB/SMC diodes.
_TWO_TERMINAL = re.compile(
    r"(?<![0-9])(?:01005|0201|0402|0603|0805|1206|1210|1812|2010|2512)(?![0-9])"
    r"|SOD-?\d{2,3}|MELF|DO-?214|(?<![A-Z])D_SM[ABC](?![A-Z])",
    re.IGNORECASE,
)
# Names that contain a chip size but have more pads: resistor arrays, "4Pin" crystals.
_MULTI_TERMINAL = re.compile(r"array|pack|network|\d+x0\d{3}|\d+-?pin", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Classification:
    """A design's assembly type and counts. Every count is over *fitted parts*.

    A fitted part is a designator that will be assembled: on a BOM line that is not DNP, or
    (for a placement no BOM line names) a placement that is not DNP, not excluded from the
    BOM and not a non-solder item (``Mount.OTHER``). A part whose BOM line or placement says
    DNP is not fitted.

    - ``assembly_type``: from the mounts of fitted parts: SMT on one side or both, THT only,
      mixed (SMT and THT), nothing to solder, or unknown when no fitted part has a known mount.
      Parts of unknown mount do not change it; they are counted in ``unknown_mount``.
    - ``smt_top`` … ``unknown_bottom``: fitted parts with a placement, by side and mount;
      ``other`` is ``Mount.OTHER``, ``unknown`` is no mount given. ``unplaced``: fitted parts
      without a placement (side unknown). These add up to ``fitted_parts``.
    - ``unique_parts``: BOM lines with at least one fitted designator (what a buyer sources);
      without BOM lines, distinct (MPN or value, package) among fitted parts.
      ``unique_mpns``: distinct MPNs (case-insensitive) among those lines.
    - ``fitted_parts``: the number of fitted parts, IPC-7912A's component opportunities
      (the bare board is one more).
    - ``terminations``: solder joints, IPC-7912A's termination opportunities: the sum of the
      pin counts of fitted parts; 0 for ``Mount.OTHER``; 2 for a part with no pin count whose
      package name is a two-terminal chip (0402, SOD-123, MELF, …), counted in
      ``terminations_estimated``; parts with neither are left out and counted in
      ``terminations_unknown``. ``tht_joints``: the share of fitted THT parts (wave or
      selective solder, hand soldering).
    - ``unknown_mount`` / ``unknown_mount_refdes``: fitted parts whose mount no file gives.
    - ``double_sided``: fitted parts are placed on both sides.
    """

    assembly_type: AssemblyType
    assembly_label: str
    double_sided: bool
    smt_top: int
    tht_top: int
    other_top: int
    unknown_top: int
    smt_bottom: int
    tht_bottom: int
    other_bottom: int
    unknown_bottom: int
    unplaced: int
    unique_parts: int
    unique_mpns: int
    fitted_parts: int
    terminations: int
    tht_joints: int
    terminations_estimated: int
    terminations_unknown: int
    unknown_mount: int
    unknown_mount_refdes: tuple[str, ...]

    def as_text(self) -> str:
        """One line for a CLI or a log."""
        text = (
            f"{self.assembly_label}; {self.fitted_parts} fitted parts, {self.unique_parts}"
            f" unique; top {self.smt_top} SMT + {self.tht_top} THT, bottom {self.smt_bottom}"
            f" SMT + {self.tht_bottom} THT; {self.terminations} terminations"
            f" ({self.tht_joints} THT)"
        )
        if self.terminations_estimated or self.terminations_unknown:
            text += (
                f"; pins estimated for {self.terminations_estimated},"
                f" unknown for {self.terminations_unknown}"
            )
        if self.unknown_mount:
            text += f"; mount unknown for {self.unknown_mount}"
        return text


@dataclass(frozen=True, slots=True)
class _Part:
    refdes: str
    placement: Placement | None
    line: BomLine | None

    @property
    def mount(self) -> Mount | None:
        return self.placement.mount if self.placement is not None else None


def classify(design: Design) -> Classification:
    """The design's assembly type and counts, as defined on :class:`Classification`."""
    parts = list(_fitted_parts(design))
    counts = {(side, mount): 0 for side in Side for mount in (*Mount, None)}
    for part in parts:
        if part.placement is not None:
            counts[part.placement.side, part.mount] += 1
    joints, tht_joints, estimated, unknown = _terminations(parts)
    assembly = _assembly_type(parts)
    unknown_mount = tuple(p.refdes for p in parts if p.mount is None)
    return Classification(
        assembly_type=assembly,
        assembly_label=assembly.label,
        double_sided={p.placement.side for p in parts if p.placement is not None} == set(Side),
        smt_top=counts[Side.TOP, Mount.SMT],
        tht_top=counts[Side.TOP, Mount.THT],
        other_top=counts[Side.TOP, Mount.OTHER],
        unknown_top=counts[Side.TOP, None],
        smt_bottom=counts[Side.BOTTOM, Mount.SMT],
        tht_bottom=counts[Side.BOTTOM, Mount.THT],
        other_bottom=counts[Side.BOTTOM, Mount.OTHER],
        unknown_bottom=counts[Side.BOTTOM, None],
        unplaced=sum(1 for p in parts if p.placement is None),
        unique_parts=_unique_parts(design.bom_lines, parts),
        unique_mpns=len({line.mpn.strip().casefold() for line in _fitted_lines(parts)} - {""}),
        fitted_parts=len(parts),
        terminations=joints,
        tht_joints=tht_joints,
        terminations_estimated=estimated,
        terminations_unknown=unknown,
        unknown_mount=len(unknown_mount),
        unknown_mount_refdes=unknown_mount,
    )


def _fitted_parts(design: Design) -> Iterator[_Part]:
    placements: dict[str, Placement] = {}
    for p in design.placements:
        placements.setdefault(p.refdes, p)
    in_bom: set[str] = set()
    for line in design.bom_lines:
        for refdes in line.refdes:
            if refdes in in_bom:
                continue
            in_bom.add(refdes)
            placement = placements.get(refdes)
            if not line.dnp and not (placement is not None and placement.dnp):
                yield _Part(refdes, placement, line)
    for refdes, p in placements.items():
        if refdes not in in_bom and not (p.dnp or p.exclude_from_bom or p.mount == Mount.OTHER):
            yield _Part(refdes, p, None)


def _fitted_lines(parts: Sequence[_Part]) -> list[BomLine]:
    lines: dict[int, BomLine] = {}
    for part in parts:
        if part.line is not None:
            lines.setdefault(id(part.line), part.line)
    return list(lines.values())


def _unique_parts(bom_lines: Sequence[BomLine], parts: Sequence[_Part]) -> int:
    if bom_lines:
        return len(_fitted_lines(parts))
    return len({_part_key(part) for part in parts})


def _part_key(part: _Part) -> tuple[str, str]:
    p = part.placement
    if p is None:
        return ("", "")
    return ((p.mpn or p.value).strip().casefold(), p.package.strip().casefold())


def _terminations(parts: Sequence[_Part]) -> tuple[int, int, int, int]:
    """(joints, THT joints, parts estimated at 2, parts with unknown joints)."""
    joints = tht = estimated = unknown = 0
    for part in parts:
        pins = _pins(part)
        if pins is None:
            unknown += 1
            continue
        count, guessed = pins
        joints += count
        estimated += int(guessed)
        if part.mount == Mount.THT:
            tht += count
    return joints, tht, estimated, unknown


def _pins(part: _Part) -> tuple[int, bool] | None:
    """The part's joints and whether they are estimated, or None when unknown."""
    if part.mount == Mount.OTHER:
        return 0, False
    if part.placement is not None and part.placement.pin_count is not None:
        return max(0, part.placement.pin_count), False
    names = [
        part.placement.package if part.placement else "",
        part.line.footprint if part.line else "",
    ]
    if any(is_two_terminal(name) for name in names):
        return 2, True
    return None


def is_two_terminal(package: str) -> bool:
    """Whether a package or footprint name is a two-terminal chip (``C_0402_1005Metric``,
    ``D_SOD-123``, ``R_MELF``), not an array or a multi-pin part sharing a size code."""
    return bool(_TWO_TERMINAL.search(package)) and not _MULTI_TERMINAL.search(package)


def _assembly_type(parts: Sequence[_Part]) -> AssemblyType:
    smt_sides = {p.placement.side for p in parts if p.mount == Mount.SMT and p.placement}
    has_smt = any(p.mount == Mount.SMT for p in parts)
    has_tht = any(p.mount == Mount.THT for p in parts)
    if has_smt and has_tht:
        return AssemblyType.MIXED
    if has_tht:
        return AssemblyType.THT_ONLY
    if has_smt:
        return AssemblyType.SMT_BOTH_SIDES if len(smt_sides) > 1 else AssemblyType.SMT_ONE_SIDE
    if any(p.mount is None for p in parts):
        return AssemblyType.UNKNOWN
    return AssemblyType.NOTHING
