"""The NPI domain's plain data: what an imported data package is made of. Pure, no I/O.

Every importer (BOM, centroid, KiCad board, IPC-2581) produces these types; the
cross-check, the classification and the DFM rules read them. Lengths are millimetres,
angles degrees counter-clockwise as seen from the top, coordinates in the file's own frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Side(StrEnum):
    TOP = "top"
    BOTTOM = "bottom"


class Mount(StrEnum):
    """How a part is soldered: the classification, routing and DPMO all start here."""

    SMT = "smt"
    THT = "tht"
    OTHER = "other"  # mechanical, fiducial-only, virtual: nothing to solder


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a person should know about the data package, and exactly where it is.

    ``code`` is stable (``bom.missing_mpn``, ``centroid.negated_bottom_x``, ``dfm.fine_pitch``);
    ``line`` is the 1-based line or row in ``file``; ``refdes`` names the part when one does.
    """

    severity: Severity
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    refdes: str | None = None
    hint: str | None = None  # what to do about it


@dataclass(slots=True)
class SupplierPart:
    supplier: str  # "LCSC", "Digi-Key", "Mouser", "Farnell", "JLCPCB", ...
    part_number: str


@dataclass(slots=True)
class BomLine:
    """One line of a bill of materials: a part and the designators that use it."""

    line: int  # 1-based line/row in the source file (the header is line 1 in a CSV)
    refdes: list[str]
    quantity: int | None  # as stated in the file; None when the file has no quantity
    mpn: str = ""
    manufacturer: str = ""
    value: str = ""
    footprint: str = ""
    description: str = ""
    dnp: bool = False
    supplier_parts: list[SupplierPart] = field(default_factory=list)
    alternates: list[tuple[str, str]] = field(default_factory=list)  # (manufacturer, mpn)
    unit_price: float | None = None  # price per part from the BOM, when the customer gave one
    source: str = ""  # the file it came from


@dataclass(slots=True)
class Placement:
    """Where one part sits on the board."""

    refdes: str
    x: float
    y: float
    rotation: float
    side: Side
    value: str = ""
    package: str = ""  # footprint / package name
    mount: Mount | None = None  # None when the source does not say
    pin_count: int | None = None
    # Part body or courtyard extents in mm, centred on (x, y) before rotation.
    width: float | None = None
    height: float | None = None
    pitch: float | None = None  # smallest pad-to-pad pitch, when known
    dnp: bool = False
    exclude_from_bom: bool = False
    exclude_from_pos: bool = False
    mpn: str = ""
    manufacturer: str = ""
    line: int | None = None  # 1-based line in the source file
    source: str = ""


@dataclass(slots=True)
class Outline:
    """The board outline (Edge.Cuts) as closed polygons; the first is the outer edge."""

    polygons: list[list[tuple[float, float]]]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        xs = [x for poly in self.polygons for x, _ in poly]
        ys = [y for poly in self.polygons for _, y in poly]
        return min(xs), min(ys), max(xs), max(ys)


@dataclass(slots=True)
class ImportResult:
    """What one file contributed: any of BOM lines, placements, an outline, and findings."""

    file: str
    kind: str  # "bom" | "centroid" | "kicad_pcb" | "ipc2581"
    bom_lines: list[BomLine] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    outline: Outline | None = None
    findings: list[Finding] = field(default_factory=list)
    # How the columns were understood (BOM and CSV centroid files): canonical -> header text.
    column_map: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # units, format version, origin, ...


@dataclass(slots=True)
class Design:
    """A revision's assembly data after import and merge: what checks and quotes read.

    ``placements`` has one entry per refdes (fitted and DNP), in the board's frame when a
    board file was given, otherwise in the centroid file's frame; ``outline`` is in the
    same frame.
    """

    bom_lines: list[BomLine] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    outline: Outline | None = None

    def fitted_placements(self) -> list[Placement]:
        return [p for p in self.placements if not p.dnp]
