"""KiCad board reader: real boards from KiCad 5, 7 and 9, handmade boards, and bad input."""

from __future__ import annotations

import csv
import random
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boardline.core.errors import FileRejected
from boardline.npi.importers.kicad import parse_kicad_pcb
from boardline.npi.model import ImportResult, Mount, Placement, Severity, Side, SupplierPart

BOARDS = Path(__file__).parents[2] / "fixtures" / "boards"
ORANGECRAB = "orangecrab-r0.2.1/OrangeCrab.kicad_pcb"
ICEPI = "icepi-zero/icepi-zero.kicad_pcb"
OLIMEX = "olimex-esp32-poe-revM/ESP32-PoE_Rev_M.kicad_pcb"
OTTERCAST = "ottercast-audio-v2/OtterCastAudioV2.kicad_pcb"
ALL_BOARDS = [ORANGECRAB, ICEPI, OLIMEX, OTTERCAST]


@cache
def board(name: str) -> ImportResult:
    return parse_kicad_pcb((BOARDS / name).read_bytes(), Path(name).name)


def by_ref(result: ImportResult) -> dict[str, Placement]:
    return {p.refdes: p for p in result.placements}


def codes(result: ImportResult, code: str) -> list[str | None]:
    return sorted((f.refdes for f in result.findings if f.code == code), key=str)


def bom_refs(result: ImportResult, *, dnp: bool = False) -> set[str]:
    return {ref for line in result.bom_lines if line.dnp == dnp for ref in line.refdes}


def customer_bom_refs(name: str, column: int, delimiter: str = ",") -> set[str]:
    text = (BOARDS / name).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))[1:]
    return {
        ref for row in rows if len(row) > column for ref in re.split(r"[,\s]+", row[column])
    } - {""}


# --- real boards ---------------------------------------------------------------------------


def test_orangecrab_kicad5_modules() -> None:
    """KiCad 5 `module` board: counts, the BGA the position export lost, logos, virtual TPs."""
    result = board(ORANGECRAB)
    parts = by_ref(result)
    assert result.kind == "kicad_pcb"
    assert result.notes["kicad_version"] == "20171130"
    assert result.notes["kicad_release"] == "5"
    assert result.notes["generator"] == "pcbnew"
    assert len(result.placements) == 163
    assert Counter(p.side for p in result.placements) == {Side.TOP: 88, Side.BOTTOM: 75}

    u3 = parts["U3"]
    assert (u3.mount, u3.pin_count, u3.pitch) == (Mount.SMT, 285, 0.5)
    [mismatch] = [f for f in result.findings if f.code == "kicad.attribute_mismatch"]
    assert (mismatch.refdes, mismatch.severity, mismatch.line) == ("U3", Severity.WARNING, 506)
    assert "SMD only" in mismatch.message
    assert mismatch.hint

    virtual = {f"TP{n}" for n in (19, 20, 26, 27, 29, 30, 31, 32)}
    for ref in virtual:
        assert (parts[ref].exclude_from_bom, parts[ref].exclude_from_pos) == (True, True)
        assert parts[ref].mount is Mount.OTHER
    [logos] = [f for f in result.findings if f.code == "kicad.unannotated_refdes"]
    assert (logos.refdes, logos.severity) == ("G***", Severity.INFO)
    assert "3 footprint" in logos.message
    assert codes(result, "kicad.duplicate_refdes") == []

    assert parts["J3"].mount is Mount.THT  # USB-C: smd attribute, through-hole shell tabs
    assert codes(result, "kicad.smd_with_tht_pads") == ["J3"]
    assert {parts[j].mount for j in ("J1", "J2", "J6")} == {Mount.THT}


def test_orangecrab_bom_matches_the_customer_bom_except_virtual_holes() -> None:
    result = board(ORANGECRAB)
    theirs = customer_bom_refs("orangecrab-r0.2.1/OrangeCrab-bom.csv", column=2)
    assert theirs - bom_refs(result) == {"H1", "H2", "H3", "H4"}  # virtual in the board
    assert bom_refs(result) <= theirs


def test_icepi_kicad9_dnp_and_lcsc() -> None:
    """KiCad 9 properties, the dnp attribute on 15 parts, LCSC numbers on the BOM lines."""
    result = board(ICEPI)
    parts = by_ref(result)
    assert (result.notes["kicad_version"], result.notes["kicad_release"]) == ("20241229", "9")
    assert result.notes["generator_version"] == "9.0"
    assert len(result.placements) == 134
    assert Counter(p.side for p in result.placements) == {Side.TOP: 59, Side.BOTTOM: 75}
    dnp = {p.refdes for p in result.placements if p.dnp}
    assert dnp == {"H1", "H2", "H3", "H4", "J1"} | {f"TP{n}" for n in range(1, 11)}

    # TP1-TP10 lack exclude_from_bom: in the BOM, marked DNP; H1-H4 and J1 are excluded.
    assert bom_refs(result, dnp=True) == {f"TP{n}" for n in range(1, 11)}
    assert bom_refs(result) == customer_bom_refs("icepi-zero/bom.csv", column=0)
    [line] = [line for line in result.bom_lines if "C1" in line.refdes]
    assert line.refdes == ["C1", "C2", "C3", "C13", "C14", "C18"]  # natural order
    assert line.supplier_parts == [SupplierPart("LCSC", "C59461")]  # trailing space trimmed
    assert (line.quantity, line.value, line.source) == (6, "22uF", "icepi-zero.kicad_pcb")
    assert line.line == min(parts[ref].line or 0 for ref in line.refdes)

    h3, c23 = parts["H3"], parts["C23"]
    assert (h3.x, h3.y, h3.mount, h3.pin_count) == (119.5, -116.5, Mount.OTHER, 0)
    assert (h3.exclude_from_bom, h3.exclude_from_pos) == (True, True)
    assert (c23.x, c23.y, c23.rotation) == (131.57, -111.0, 270.0)
    assert (c23.width, c23.height, c23.pitch, c23.pin_count) == (1.82, 0.92, 0.96, 2)
    assert {parts[j].mount for j in ("J2", "J3", "J4", "J5")} == {Mount.THT}
    assert codes(result, "kicad.smd_with_tht_pads") == ["J2", "J3", "J4", "J5"]


def test_olimex_kicad7_mounts_from_pads() -> None:
    """Thermal vias inside an exposed pad do not make a QFN through-hole; NPTH holes are OTHER."""
    result = board(OLIMEX)
    parts = by_ref(result)
    assert (result.notes["kicad_version"], result.notes["kicad_release"]) == ("20221018", "7")
    assert len(result.placements) == 142
    assert Counter(p.side for p in result.placements) == {Side.BOTTOM: 83, Side.TOP: 59}
    raw = (BOARDS / OLIMEX).read_text()
    assert (raw.count("(attr smd)"), raw.count("(attr through_hole)")) == (127, 15)

    tht = {p.refdes for p in result.placements if p.mount is Mount.THT}
    assert tht == {"LAN_CON1", "C25", "C27", "BAT1", "EXT1", "EXT2", "USB-UART1"}
    for ref in ("U4", "U5", "U6", "U9"):  # exposed pads with plated thermal vias
        assert parts[ref].mount is Mount.SMT
    assert {parts[f"MH{n}"].mount for n in (1, 2, 3)} == {Mount.OTHER}
    assert parts["FID1"].mount is Mount.OTHER
    assert codes(result, "kicad.attribute_mismatch") == []
    assert bom_refs(result) == customer_bom_refs(
        "olimex-esp32-poe-revM/ESP32-PoE_Rev_M_BOM.csv", column=1, delimiter=";"
    )


def test_ottercast_attribute_mismatches_and_stale_bom_refs() -> None:
    result = board(OTTERCAST)
    parts = by_ref(result)
    assert len(result.placements) == 224
    assert Counter(p.side for p in result.placements) == {Side.TOP: 214, Side.BOTTOM: 10}
    # U6, U7, X1, MK1 are the top-side parts the SMD-only position export lost; AE1 and J8
    # carry the same wrong attribute on the bottom.
    assert codes(result, "kicad.attribute_mismatch") == ["AE1", "J8", "MK1", "U6", "U7", "X1"]
    for ref in ("U6", "U7", "X1", "MK1"):
        assert parts[ref].mount is Mount.SMT
        assert not parts[ref].exclude_from_pos
    assert not {"C79", "C99"} & parts.keys()
    theirs = customer_bom_refs("ottercast-audio-v2/BOM_v2.1.csv", column=1)
    assert theirs - bom_refs(result) == {"C79", "C99"}
    [logos] = [f for f in result.findings if f.code == "kicad.unannotated_refdes"]
    assert "8 footprint" in logos.message


@pytest.mark.parametrize("name", ALL_BOARDS)
def test_outline_surrounds_the_parts(name: str) -> None:
    result = board(name)
    assert result.outline is not None
    outer = result.outline.polygons[0]
    assert len(outer) >= 4
    assert outer[0] != outer[-1]  # closed implicitly
    x0, y0, x1, y1 = result.outline.bbox
    inside = [p for p in result.placements if x0 <= p.x <= x1 and y0 <= p.y <= y1]
    assert len(inside) >= 0.98 * len(result.placements)  # a battery connector may overhang
    assert codes(result, "kicad.no_outline") == codes(result, "kicad.outline_open") == []


@pytest.mark.parametrize(
    ("name", "area"),
    [
        (ORANGECRAB, 50.8 * 22.86 - (4 - 3.14159) * 2.54**2),
        (ICEPI, 65 * 30 - (4 - 3.14159) * 3.5**2),
    ],
)
def test_rounded_corners_bulge_the_right_way(name: str, area: float) -> None:
    """KiCad 5 (centre, point, angle) and KiCad 9 (start, mid, end) arcs both round inward."""
    result = board(name)
    assert result.outline is not None
    assert polygon_area(result.outline.polygons[0]) == pytest.approx(area, abs=0.1)


def polygon_area(points: list[tuple[float, float]]) -> float:
    pairs = zip(points, [*points[1:], points[0]], strict=True)
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairs)) / 2


# --- handmade boards -------------------------------------------------------------------------

SMD_PADS = """
    (fp_line (start -1.48 -0.73) (end 1.48 -0.73) (layer "F.CrtYd") (width 0.05))
    (fp_line (start 1.48 0.73) (end -1.48 0.73) (layer "F.CrtYd") (width 0.05))
    (pad "1" smd roundrect (at -0.825 0 {rot}) (size 0.8 0.95) (layers "F.Cu" "F.Mask"))
    (pad "2" smd roundrect (at 0.825 0 {rot}) (size 0.8 0.95) (layers "F.Cu" "F.Mask"))"""
THT_PADS = """
    (pad "1" thru_hole rect (at 0 0) (size 1.7 1.7) (drill 1) (layers "*.Cu" "*.Mask"))
    (pad "2" thru_hole oval (at 0 2.54) (size 1.7 1.7) (drill 1) (layers "*.Cu" "*.Mask"))"""
RECT_EDGE = '(gr_rect (start 0 0) (end 50 30) (layer "Edge.Cuts") (width 0.1))'


def footprint(
    ref: str,
    value: str = "10k",
    *,
    at: str = "10 20",
    layer: str = "F.Cu",
    attr: str = "smd",
    extra: str = "",
    pads: str = SMD_PADS,
    name: str = "Resistor_SMD:R_0603_1608Metric",
) -> str:
    rot = float([*at.split(), "0"][2])
    return f"""
  (footprint "{name}" (layer "{layer}")
    (at {at})
    {extra}
    (attr {attr})
    (fp_text reference "{ref}" (at 0 -1.4) (layer "F.SilkS"))
    (fp_text value "{value}" (at 0 1.4) (layer "F.Fab"))
    {pads.format(rot=rot)}
  )"""


def kicad6(*items: str, edges: str = RECT_EDGE) -> bytes:
    body = "".join(items)
    return f"(kicad_pcb (version 20211014) (generator pcbnew)\n{body}\n  {edges}\n)\n".encode()


def test_tiny_kicad6_board() -> None:
    data = kicad6(
        footprint("R10", at="30 20 180", layer="B.Cu", extra='(property "MPN" "RC0603FR-0710KL")'),
        footprint(
            "R2",
            at="10 20 90",
            extra='(property "MPN" "RC0603FR-0710KL") (property "Manufacturer" "Yageo") '
            '(property "LCSC" " C98220 ")',
        ),
        footprint("J1", "Conn", at="20 10", attr="through_hole", pads=THT_PADS, name="Conn:PH"),
    )
    result = parse_kicad_pcb(data, "tiny.kicad_pcb")
    parts = by_ref(result)
    r2, r10, j1 = parts["R2"], parts["R10"], parts["J1"]
    assert (r2.x, r2.y, r2.rotation, r2.side, r2.line) == (10.0, -20.0, 90.0, Side.TOP, 15)
    assert (r10.side, r10.rotation) == (Side.BOTTOM, 180.0)
    assert (r2.mount, r2.pin_count, r2.pitch, r2.width, r2.height) == (
        Mount.SMT, 2, 1.65, 2.96, 1.46,
    )  # fmt: skip
    assert (r2.mpn, r2.manufacturer, r2.value) == ("RC0603FR-0710KL", "Yageo", "10k")
    assert (j1.mount, j1.pitch, j1.width, j1.height) == (Mount.THT, 2.54, 1.7, 4.24)

    conn, resistors = result.bom_lines
    assert (conn.refdes, conn.quantity, conn.footprint) == (["J1"], 1, "Conn:PH")
    assert resistors.refdes == ["R2", "R10"]
    assert (resistors.quantity, resistors.mpn, resistors.manufacturer) == (
        2,
        "RC0603FR-0710KL",
        "Yageo",
    )
    assert resistors.supplier_parts == [SupplierPart("LCSC", "C98220")]
    assert resistors.line == 3  # R10, the first of the two in the file
    assert result.outline is not None
    assert result.outline.polygons == [[(0.0, 0.0), (50.0, 0.0), (50.0, -30.0), (0.0, -30.0)]]
    assert result.findings == []


@pytest.mark.parametrize(
    "key", ["MPN", "Manufacturer Part Number", "Mfr PN", "Part Number", "PN", "mpn", "Mfr. P/N"]
)
def test_mpn_property_spellings(key: str) -> None:
    extra = f'(property "{key}" "GRM155R71C104KA88D") (property "Mfr" "Murata")'
    [part] = parse_kicad_pcb(kicad6(footprint("C1", extra=extra)), "b").placements
    assert (part.mpn, part.manufacturer) == ("GRM155R71C104KA88D", "Murata")


def test_supplier_fields_go_to_the_bom_line() -> None:
    extra = (
        '(property "LCSC Part #" "C1525") (property "JLCPCB Part #" "C1525 ") '
        '(property "Digikey PN" "490-1318-1-ND") (property "Sheetfile" "a.kicad_sch")'
    )
    [line] = parse_kicad_pcb(kicad6(footprint("C1", extra=extra)), "b").bom_lines
    assert line.supplier_parts == [
        SupplierPart("LCSC", "C1525"),
        SupplierPart("JLCPCB", "C1525"),
        SupplierPart("Digi-Key", "490-1318-1-ND"),
    ]


def test_kicad8_flag_fields_and_attributes() -> None:
    data = kicad6(
        footprint("R1", extra="(dnp yes)"),
        footprint("R2", attr="smd exclude_from_bom"),
        footprint("R3", extra="(exclude_from_bom yes) (exclude_from_pos_files yes)"),
        footprint("R4", attr="smd dnp exclude_from_pos_files"),
        footprint("R5", extra="(dnp no)"),
        footprint("LOGO1", attr="board_only exclude_from_pos_files exclude_from_bom", pads=""),
    )
    result = parse_kicad_pcb(data, "b")
    parts = by_ref(result)
    assert [parts[r].dnp for r in ("R1", "R2", "R3", "R4", "R5")] == [
        True,
        False,
        False,
        True,
        False,
    ]
    assert [parts[r].exclude_from_bom for r in ("R1", "R2", "R3", "R4", "R5", "LOGO1")] == [
        False, True, True, False, False, True,
    ]  # fmt: skip
    assert [parts[r].exclude_from_pos for r in ("R1", "R3", "R4")] == [False, True, True]
    assert parts["LOGO1"].mount is Mount.OTHER
    dnp, fitted = result.bom_lines
    assert (fitted.refdes, fitted.dnp) == (["R5"], False)
    assert (dnp.refdes, dnp.dnp, dnp.quantity) == (["R1", "R4"], True, 2)


def test_kicad8_properties_and_unquoted_kicad5_fields() -> None:
    kicad8 = """(kicad_pcb (version 20240108) (generator "pcbnew") (generator_version "8.0")
  (footprint "R_0402" (layer "F.Cu") (at 1 2)
    (property "Reference" "R7" (at 0 0 0) (layer "F.SilkS"))
    (property "Value" "4k7" (at 0 0 0) (layer "F.Fab"))
    (attr smd)
    (pad "1" smd rect (at -0.5 0) (size 0.5 0.5) (layers "F.Cu"))))"""
    [part] = parse_kicad_pcb(kicad8.encode(), "b").placements
    assert (part.refdes, part.value, part.width) == ("R7", "4k7", 0.5)
    kicad5 = """(kicad_pcb (version 20171130) (host pcbnew 5.1.9)
  (module lib:R_0402 (layer B.Cu) (tedit 0) (at 1 2 -90)
    (fp_text reference R8 (at 0 0) (layer B.SilkS))
    (fp_text value 10k (at 0 0) (layer B.Fab))
    (pad 1 smd rect (at -0.5 0) (size 0.5 0.5) (layers B.Cu))
    (pad 2 smd rect (at 0.5 0) (size 0.5 0.5) (layers B.Cu))))"""
    result = parse_kicad_pcb(kicad5.encode(), "b")
    [part] = result.placements
    assert (part.refdes, part.value, part.package, part.side) == (
        "R8",
        "10k",
        "lib:R_0402",
        Side.BOTTOM,
    )
    assert (part.rotation, part.mount) == (270.0, Mount.SMT)
    assert codes(result, "kicad.attribute_mismatch") == ["R8"]  # KiCad 5 "normal" = THT
    assert result.notes["generator_version"] == "5.1.9"


def test_duplicate_and_missing_references() -> None:
    data = kicad6(footprint("R1"), footprint("R1", at="20 20"), footprint(""), footprint("U?"))
    result = parse_kicad_pcb(data, "b")
    [duplicate] = [f for f in result.findings if f.code == "kicad.duplicate_refdes"]
    assert (duplicate.refdes, duplicate.severity, duplicate.line) == ("R1", Severity.WARNING, 15)
    assert codes(result, "kicad.missing_refdes") == [None]
    assert codes(result, "kicad.unannotated_refdes") == ["U?"]
    assert [f.severity for f in result.findings if f.code == "kicad.unannotated_refdes"] == [
        Severity.INFO
    ]


def test_outline_from_lines_arcs_and_footprint_edges_with_a_hole() -> None:
    edges = """
  (gr_line (start 0 0) (end 40 0) (layer "Edge.Cuts"))
  (gr_line (start 40 0) (end 40 20) (layer "Edge.Cuts"))
  (gr_arc (start 40 20) (mid 20 40) (end 0 20) (layer "Edge.Cuts"))
  (gr_line (start 0.005 20) (end 0 0) (layer "Edge.Cuts"))
  (gr_circle (center 20 10) (end 22 10) (layer "Edge.Cuts"))
  (footprint "slot" (layer "F.Cu") (at 10 10 90)
    (fp_text reference "SL1" (at 0 0) (layer "F.SilkS"))
    (fp_rect (start -1 -2) (end 1 2) (layer "Edge.Cuts")))"""
    result = parse_kicad_pcb(kicad6(edges=edges), "b")
    assert result.outline is not None
    outer, *holes = result.outline.polygons
    assert result.outline.bbox == pytest.approx((0, -40, 40, 0), abs=1e-6)
    assert polygon_area(outer) == pytest.approx(800 + 3.14159 * 400 / 2, rel=1e-3)
    slot, circle = sorted(holes, key=polygon_area)
    assert polygon_area(slot) == pytest.approx(8)
    assert polygon_area(circle) == pytest.approx(3.14159 * 4, rel=0.01)
    xs, ys = [x for x, _ in slot], [y for _, y in slot]
    assert (min(xs), max(xs), min(ys), max(ys)) == pytest.approx((8, 12, -11, -9))  # rotated 90°


def test_open_outline_and_missing_outline_are_findings() -> None:
    open_edges = '(gr_line (start 0 0) (end 10 0) (layer "Edge.Cuts"))'
    result = parse_kicad_pcb(kicad6(footprint("R1"), edges=open_edges), "b")
    assert result.outline is None
    [gap] = [f for f in result.findings if f.code == "kicad.outline_open"]
    assert (gap.severity, gap.line) == (Severity.WARNING, 15)
    result = parse_kicad_pcb(kicad6(footprint("R1"), edges=""), "b")
    assert result.outline is None
    assert [f.code for f in result.findings] == ["kicad.no_outline"]


def test_version_findings() -> None:
    newer = b'(kicad_pcb (version 20260101) (generator "pcbnew"))'
    assert [f.code for f in parse_kicad_pcb(newer, "b").findings] == [
        "kicad.newer_version",
        "kicad.no_outline",
    ]
    missing = parse_kicad_pcb(b"(kicad_pcb)", "b")
    assert [f.code for f in missing.findings] == ["kicad.unknown_version", "kicad.no_outline"]
    assert missing.notes["kicad_version"] == ""


def test_utf16_board_with_bom_is_read() -> None:
    data = kicad6(footprint("R1")).decode().encode("utf-16")
    assert [p.refdes for p in parse_kicad_pcb(data, "b").placements] == ["R1"]


# --- bad input -------------------------------------------------------------------------------


def rejected(data: bytes) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        parse_kicad_pcb(data, "bad.kicad_pcb")
    assert caught.value.file == "bad.kicad_pcb"
    return caught.value


def test_csv_given_as_a_board() -> None:
    error = rejected((BOARDS / "icepi-zero/positions.csv").read_bytes())
    assert "(kicad_pcb" in error.reason


def test_truncated_board_names_the_open_list() -> None:
    data = (BOARDS / ICEPI).read_bytes()
    error = rejected(data[: len(data) // 2])
    assert "unbalanced" in error.reason
    assert (error.line or 0) > 1000


def test_missing_close_paren_points_at_the_footprint() -> None:
    text = kicad6(footprint("R1"), footprint("R2", at="1 1")).decode()
    broken = text.replace('(layer "F.Fab"))', '(layer "F.Fab")', 1)
    error = rejected(broken.encode())
    assert "unbalanced" in error.reason
    assert error.line == 3  # the first footprint swallowed the rest


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"(kicad_pcb (version 1)))", "')' without '('"),
        (b'(kicad_pcb (title "no end))', "never closed"),
        (b"(kicad_pcb) (kicad_pcb)", "after the end"),
        (b"(kicad_pcb " + b"(" * 500 + b")" * 501, "nested deeper"),
        (b"(kicad_sch (version 20231120))", "(kicad_pcb"),
        ("Ref,Val\nR1,10k\n".encode("utf-16"), "(kicad_pcb"),
        ("(kicad_pcb)".encode("utf-16-le"), "NUL"),
    ],
)
def test_unusable_files_are_rejected(data: bytes, words: str) -> None:
    assert words in rejected(data).reason


def test_a_megabyte_of_random_bytes() -> None:
    rejected(random.Random(2581).randbytes(1024 * 1024))


# --- fuzzing -----------------------------------------------------------------------------------

HEADS = [
    "footprint", "module", "pad", "at", "layer", "attr", "fp_text", "property", "fp_line",
    "fp_arc", "fp_circle", "fp_rect", "fp_poly", "gr_line", "gr_arc", "gr_circle", "gr_rect",
    "gr_poly", "gr_curve", "start", "mid", "end", "center", "angle", "pts", "xy", "arc", "size",
    "version", "host", "generator", "dnp", "exclude_from_bom",
]  # fmt: skip
ATOMS = st.sampled_from([
    *HEADS, "smd", "thru_hole", "np_thru_hole", "connect", "through_hole", "virtual",
    "board_only", "F.Cu", "B.Cu", "Edge.Cuts", "F.CrtYd", "B.Fab", "reference", "value",
    '"Reference"', '"MPN"', '"LCSC"', '"R1"', '"G***"', '""', "yes", "0", "1", "-1", "90", "1e400",
    "nan", "inf", "99999999999", "0.0000001", "360", "-720",
]) | st.from_regex(r"-?[0-9]{1,3}(\.[0-9]{1,2})?", fullmatch=True)  # fmt: skip


def _as_list(head_and_items: tuple[str, list[str]]) -> str:
    head, items = head_and_items
    return "(" + " ".join([head, *items]) + ")"


SEXPS = st.recursive(
    ATOMS,
    lambda inner: st.tuples(st.sampled_from(HEADS), st.lists(inner, max_size=6)).map(_as_list),
    max_leaves=80,
)
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def only_import_result_or_rejection(data: bytes) -> None:
    try:
        result = parse_kicad_pcb(data, "fuzz.kicad_pcb")
    except FileRejected:
        return
    assert isinstance(result, ImportResult)


@FUZZ
@given(st.binary(max_size=2000))
def test_fuzz_bytes(data: bytes) -> None:
    only_import_result_or_rejection(data)


@FUZZ
@given(st.text(alphabet='() "\n\\abkicd_pcb0123456789.-', max_size=400))
def test_fuzz_sexpr_text(text: str) -> None:
    only_import_result_or_rejection(("(kicad_pcb " + text).encode())


@FUZZ
@given(st.lists(SEXPS, max_size=6))
def test_fuzz_structured_boards(items: list[str]) -> None:
    only_import_result_or_rejection(
        ("(kicad_pcb (version 20221018) " + " ".join(items) + ")").encode()
    )


TINY = kicad6(
    footprint("R1", extra='(property "MPN" "X")'),
    footprint("J1", attr="through_hole", pads=THT_PADS),
    edges=RECT_EDGE + '(gr_arc (start 0 0) (end 5 0) (angle 90) (layer "Edge.Cuts"))',
)


@FUZZ
@given(st.data())
def test_fuzz_mutated_board(data: st.DataObject) -> None:
    text = bytearray(TINY)
    for _ in range(data.draw(st.integers(1, 5))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 20))
        insert = data.draw(st.binary(max_size=8) | st.sampled_from([b"(", b")", b'"', b"-1e9"]))
        text[at : at + cut] = insert
    only_import_result_or_rejection(bytes(text))
