"""The centroid reader: real position files, units, sides, bad rows, and fuzzing."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boardline.core.errors import FileRejected
from boardline.npi.importers.centroid import parse_centroid
from boardline.npi.model import ImportResult, Mount, Placement, Severity, Side

BOARDS = Path(__file__).parents[2] / "fixtures" / "boards"
ORANGECRAB = BOARDS / "orangecrab-r0.2.1"
OTTERCAST = BOARDS / "ottercast-audio-v2"
ICEPI = BOARDS / "icepi-zero"


def read(path: Path, **options: object) -> ImportResult:
    return parse_centroid(path.read_bytes(), path.name, **options)  # type: ignore[arg-type]


def parse_text(text: str, file: str = "pos.csv", **options: object) -> ImportResult:
    return parse_centroid(text.encode(), file, **options)  # type: ignore[arg-type]


def by_refdes(result: ImportResult) -> dict[str, Placement]:
    return {p.refdes: p for p in result.placements}


def codes(result: ImportResult) -> list[str]:
    return [f.code for f in result.findings]


def finding(result: ImportResult, code: str) -> list:  # type: ignore[type-arg]
    return [f for f in result.findings if f.code == code]


# --- real boards --------------------------------------------------------------------------------


def test_orangecrab_top_ascii_pos() -> None:
    """KiCad 5 ASCII top file: 78 top placements, mm from the header, long packages intact."""
    result = read(ORANGECRAB / "OrangeCrab-top.pos")

    assert len(result.placements) == 78
    assert {p.side for p in result.placements} == {Side.TOP}
    assert result.notes == {"format": "kicad_pos", "units": "mm"}
    assert result.findings == []
    u10 = by_refdes(result)["U10"]
    assert (u10.value, u10.package) == ("NCP115-2.5", "Texas_X2SON-4_1x1mm_P0.65mm")
    assert (u10.x, u10.y, u10.rotation) == (20.705, 4.32, 180.0)
    assert u10.line == 83
    assert u10.source == "OrangeCrab-top.pos"
    assert u10.mount is None


def test_orangecrab_bottom_ascii_pos_negated_x_is_turned_back() -> None:
    """Bottom file written with negated X: every X comes back as pcb X − 134.51, rotation kept."""
    result = read(ORANGECRAB / "OrangeCrab-bottom.pos")

    assert len(result.placements) == 66
    assert {p.side for p in result.placements} == {Side.BOTTOM}
    assert result.notes["bottom_x"] == "negated"
    [note] = finding(result, "centroid.negated_bottom_x")
    assert note.severity is Severity.INFO
    assert note.file == "OrangeCrab-bottom.pos"
    parts = by_refdes(result)
    # C1 sits at pcb X 163.902 and C27 at 179.51 in OrangeCrab.kicad_pcb (aux origin 134.51).
    assert parts["C1"].x == pytest.approx(163.902 - 134.51)
    assert parts["C27"].x == pytest.approx(179.51 - 134.51)
    assert parts["C1"].y == pytest.approx(17.22)
    assert parts["C1"].rotation == 90.0
    assert all(p.x >= 0 for p in result.placements)


@pytest.mark.parametrize("side", ["top", "bottom"])
def test_orangecrab_csv_gives_the_same_placements_as_ascii(side: str) -> None:
    """The -pos.csv twin of each .pos file: same parts, coordinates within 0.001 mm."""
    ascii_pos = read(ORANGECRAB / f"OrangeCrab-{side}.pos")
    csv_pos = read(ORANGECRAB / f"OrangeCrab-{side}-pos.csv")

    assert csv_pos.notes["format"] == "kicad_csv"
    assert [p.refdes for p in csv_pos.placements] == [p.refdes for p in ascii_pos.placements]
    for a, c in zip(ascii_pos.placements, csv_pos.placements, strict=True):
        assert c.x == pytest.approx(a.x, abs=0.001)
        assert c.y == pytest.approx(a.y, abs=0.001)
        assert (c.rotation, c.side, c.value, c.package) == (a.rotation, a.side, a.value, a.package)
    assert csv_pos.notes.get("bottom_x") == ascii_pos.notes.get("bottom_x")


def test_ottercast_kicad_csv_with_negative_y() -> None:
    """KiCad CSV on the page origin: 200 top parts, negative Y kept as it is."""
    result = read(OTTERCAST / "OtterCastAudioV2-top-pos.csv")

    assert len(result.placements) == 200
    assert {p.side for p in result.placements} == {Side.TOP}
    assert result.notes["format"] == "kicad_csv"
    assert "bottom_x" not in result.notes
    assert all(p.y < 0 for p in result.placements)
    assert result.column_map["x"] == "PosX"
    assert codes(result) == ["centroid.units_assumed"]


def test_ottercast_jlc_cpl_is_the_kicad_csv_shifted_seven_mm() -> None:
    """JLC CPL of the same board: X is the KiCad X + 7.000 mm (edge rails), Y the same.

    J3 (USB-C) is the exception in the file itself: its row was corrected by hand (moved to
    the last line, +180° and shifted to the body centre), so it is compared on its own.
    """
    kicad = by_refdes(read(OTTERCAST / "OtterCastAudioV2-top-pos.csv"))
    jlc = read(OTTERCAST / "POS_v2.1.csv")

    assert jlc.notes["format"] == "jlc_cpl"
    assert len(jlc.placements) == 200
    assert {p.refdes for p in jlc.placements} == set(kicad)
    for p in jlc.placements:
        if p.refdes == "J3":
            continue
        assert p.x - kicad[p.refdes].x == pytest.approx(7.0, abs=1e-6)
        assert p.y == pytest.approx(kicad[p.refdes].y, abs=1e-6)
    j3 = by_refdes(jlc)["J3"]
    assert (j3.x, j3.y, j3.rotation, j3.package, j3.line) == (
        108.8,
        -120.3,
        180.0,
        "USB-C 16Pin",
        201,
    )


def test_icepi_fabrication_toolkit_positions() -> None:
    """UTF-8 BOM, CRLF, both sides; bottom X is not negated and must stay as written."""
    result = read(ICEPI / "positions.csv")

    assert len(result.placements) == 118
    sides = [p.side for p in result.placements]
    assert (sides.count(Side.TOP), sides.count(Side.BOTTOM)) == (54, 64)
    assert result.notes["bottom_x"] == "as_is"
    assert "centroid.negated_bottom_x" not in codes(result)
    parts = by_refdes(result)
    assert parts["C1"].line == 2
    assert parts["C1"].x == -20.25
    assert parts["C10"].side is Side.BOTTOM
    assert parts["C10"].x == -1.05
    assert result.column_map["refdes"] == "Designator"


# --- units --------------------------------------------------------------------------------------


def test_mil_columns_convert_to_mm() -> None:
    """Bracketed units in the header ("X (mil)") apply to the whole column."""
    result = parse_text(
        "Designator,X (mil),Y (mil),Rotation,Side\nR1,1000,-500,90,Top\nR2,39.37,0,0,Top\n"
    )

    r1, r2 = result.placements
    assert (r1.x, r1.y) == (pytest.approx(25.4), pytest.approx(-12.7))
    assert r2.x == pytest.approx(1.0, abs=1e-4)
    assert result.notes["units"] == "mil"
    assert "centroid.units_assumed" not in codes(result)


def test_kicad_ascii_in_inches_converts_to_mm() -> None:
    """A KiCad ASCII file exported in inches ("## Unit = inches")."""
    text = (
        "### Module positions - created on Mon Jan  1 00:00:00 2024 ###\n"
        "## Unit = inches, Angle = deg.\n"
        "## Side : top\n"
        "# Ref     Val       Package        PosX       PosY       Rot  Side\n"
        "R1        10k       R_0603         1.0000    -0.5000   90.0000  top\n"
        "C1        100n      C_0402         0.2500     2.0000  -90.0000  top\n"
        "## End\n"
    )
    result = parse_text(text, "board-top.pos")

    r1, c1 = result.placements
    assert (r1.x, r1.y) == (pytest.approx(25.4), pytest.approx(-12.7))
    assert (c1.x, c1.y, c1.rotation) == (pytest.approx(6.35), pytest.approx(50.8), 270.0)
    assert result.notes == {"format": "kicad_pos", "units": "inch"}


def test_suffixed_values_carry_their_units() -> None:
    """JLC CPL with "12.5mm" values: units from the suffix, no assumption reported."""
    result = parse_text(
        "Designator,Mid X,Mid Y,Layer,Rotation\nU1,12.5mm,-3.25mm,T,180\nU2,490mil,0.5in,B,-90\n"
    )

    u1, u2 = result.placements
    assert (u1.x, u1.y, u1.side) == (12.5, -3.25, Side.TOP)
    assert (u2.x, u2.y, u2.side, u2.rotation) == (
        pytest.approx(12.446),
        pytest.approx(12.7),
        Side.BOTTOM,
        270.0,
    )
    assert result.notes["units"] == "mixed"
    assert "centroid.units_assumed" not in codes(result)


def test_units_argument_fills_in_when_the_file_is_silent() -> None:
    """A unitless file read with units="mil"."""
    result = parse_text("Ref,X,Y,Rot,Side\nR1,100,200,0,top\n", units="mil")

    assert (result.placements[0].x, result.placements[0].y) == (
        pytest.approx(2.54),
        pytest.approx(5.08),
    )
    assert result.notes["units"] == "mil"
    assert result.findings == []


def test_file_units_beat_a_conflicting_argument() -> None:
    """The file says mm, the caller says inch: the file wins, with a warning."""
    result = parse_text("Ref,X (mm),Y (mm),Rot,Side\nR1,10,20,0,top\n", units="inch")

    assert result.placements[0].x == 10.0
    [conflict] = finding(result, "centroid.units_conflict")
    assert conflict.severity is Severity.WARNING
    assert "inch" in conflict.message


def test_unknown_units_argument_is_rejected() -> None:
    """units="furlong" is refused, naming the field."""
    with pytest.raises(FileRejected) as caught:
        parse_text("Ref,X,Y\nR1,1,2\n", units="furlong")
    assert caught.value.field == "units"


def test_no_units_assumes_mm_and_says_so() -> None:
    """No units anywhere: millimetres, an info finding; mil-sized values make it a warning."""
    small = parse_text("Ref,X,Y,Rot,Side\nR1,10,20,0,top\n")
    large = parse_text("Ref,X,Y,Rot,Side\nR1,2500,3000,0,top\n")

    [info] = finding(small, "centroid.units_assumed")
    assert info.severity is Severity.INFO
    assert info.file == "pos.csv"
    assert small.notes["units"] == "mm"
    [warning] = finding(large, "centroid.units_assumed")
    assert warning.severity is Severity.WARNING
    assert "mil" in warning.message


def test_altium_preamble_states_units() -> None:
    """Altium pick-and-place: text above the header, units stated there, Center-X columns."""
    text = (
        "Altium Designer Pick and Place Locations\n"
        "C:\\Projects\\board.PcbDoc\n"
        "\n"
        "Units used in this file : Imperial (mil)\n"
        "\n"
        '"Designator","Comment","Layer","Footprint","Center-X","Center-Y","Ref-X","Ref-Y",'
        '"Rotation","Description"\n'
        '"C1","100nF","TopLayer","0402","1000","2000","990","2000","90",""\n'
        '"U1","MCU","BottomLayer","QFN32","500","500","500","500","270",""\n'
    )
    result = parse_text(text, "Pick Place for board.csv")

    c1, u1 = result.placements
    assert (c1.x, c1.y, c1.side, c1.value) == (
        pytest.approx(25.4),
        pytest.approx(50.8),
        Side.TOP,
        "100nF",
    )
    assert (u1.side, u1.package, u1.line) == (Side.BOTTOM, "QFN32", 8)
    assert result.column_map["x"] == "Center-X"
    assert result.notes["units"] == "mil"


def test_semicolon_file_with_decimal_commas() -> None:
    """EU-style ``;`` file: "12,5" is 12.5 there; in a comma file "1,250" is refused."""
    eu = parse_text("RefDes;X;Y;Angle;TB\nR1;12,5;-3,25;45;B\n")
    us = parse_text('Ref,X,Y,Rot,Side\nR1,"1,250",0,0,top\n')

    assert (eu.placements[0].x, eu.placements[0].y, eu.placements[0].side) == (
        12.5,
        -3.25,
        Side.BOTTOM,
    )
    assert us.placements == []
    assert finding(us, "centroid.bad_number")[0].field == "X"


# --- sides and rotation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "side"),
    [
        ("Top", Side.TOP),
        ("T", Side.TOP),
        ("F.Cu", Side.TOP),
        ("front", Side.TOP),
        ("F", Side.TOP),
        ("TopLayer", Side.TOP),
        ("bottom", Side.BOTTOM),
        ("B", Side.BOTTOM),
        ("B.Cu", Side.BOTTOM),
        ("Back", Side.BOTTOM),
        ("BottomLayer", Side.BOTTOM),
        ("BOT", Side.BOTTOM),
    ],
)
def test_side_words(word: str, side: Side) -> None:
    """Every common spelling of a side."""
    result = parse_text(f"Designator,X,Y,Rotation,Layer\nR1,-1,1,0,{word}\nR2,-2,1,0,{word}\n")
    assert [p.side for p in result.placements] == [side, side]


def test_mirror_column_means_bottom() -> None:
    """A Mirror column: yes/true is bottom, no/false is top."""
    result = parse_text("Part,X,Y,Rot,Mirror\nR1,1,1,0,yes\nR2,2,2,0,no\nR3,3,3,0,False\n")
    assert [p.side for p in result.placements] == [Side.BOTTOM, Side.TOP, Side.TOP]


def test_unknown_side_skips_the_row() -> None:
    """A side that is neither top nor bottom: the row is skipped with a warning."""
    result = parse_text("Ref,X,Y,Rot,Side\nR1,1,1,0,top\nR2,2,2,0,inner2\n")

    assert [p.refdes for p in result.placements] == ["R1"]
    [bad] = finding(result, "centroid.bad_side")
    assert (bad.line, bad.field, bad.refdes) == (3, "Side", "R2")


@pytest.mark.parametrize(
    ("file", "side"),
    [
        ("board-bottom.csv", Side.BOTTOM),
        ("board_bot.csv", Side.BOTTOM),
        ("PickPlaceBottom.csv", Side.BOTTOM),
        ("board-top.csv", Side.TOP),
        ("out/Front_xy.csv", Side.TOP),
    ],
)
def test_side_from_file_name(file: str, side: Side) -> None:
    """No side column: the file name says which side."""
    result = parse_text("Ref,X,Y,Rot\nR1,1,1,0\n", file)

    assert result.placements[0].side is side
    assert "centroid.side_assumed" not in codes(result)


def test_side_argument_beats_the_file_name() -> None:
    """No side column: the caller's side comes first."""
    result = parse_text("Ref,X,Y,Rot\nR1,1,1,0\n", "board-top.csv", side=Side.BOTTOM)
    assert result.placements[0].side is Side.BOTTOM


def test_no_side_anywhere_is_top_with_a_warning() -> None:
    """No side column, no argument, nothing in the name: top, and a warning says so."""
    result = parse_text("Ref,X,Y,Rot\nR1,1,1,0\n", "xy.csv")

    assert result.placements[0].side is Side.TOP
    [assumed] = finding(result, "centroid.side_assumed")
    assert assumed.severity is Severity.WARNING


@pytest.mark.parametrize(
    ("written", "normalised"),
    [("0", 0.0), ("-90", 270.0), ("360", 0.0), ("725.5", 5.5), ("-0", 0.0), ("-1e-20", 0.0)],
)
def test_rotation_is_normalised(written: str, normalised: float) -> None:
    """Rotation comes back in [0, 360)."""
    result = parse_text(f"Ref,X,Y,Rot,Side\nR1,1,1,{written},top\n")
    assert result.placements[0].rotation == pytest.approx(normalised)
    assert 0.0 <= result.placements[0].rotation < 360.0


def test_negated_bottom_x_in_a_two_sided_file() -> None:
    """Top X all positive, bottom X all negative: bottom X turned back, top untouched."""
    result = parse_text(
        "Ref,X,Y,Rot,Side\nR1,10,5,0,top\nR2,20,5,0,top\nR3,-12,5,90,bottom\nR4,-0.5,5,0,bottom\n"
    )

    assert [p.x for p in result.placements] == [10.0, 20.0, 12.0, 0.5]
    assert result.placements[2].rotation == 90.0
    assert result.notes["bottom_x"] == "negated"


def test_bottom_only_file_with_positive_x_is_left_alone() -> None:
    """Bottom parts on both sides of the origin were not negated."""
    result = parse_text("Ref,X,Y,Rot,Side\nR1,-10,5,0,bottom\nR2,20,5,0,bottom\n")

    assert [p.x for p in result.placements] == [-10.0, 20.0]
    assert result.notes["bottom_x"] == "as_is"


def test_bottom_only_file_named_bottom_is_turned_back() -> None:
    """No side column, the name says bottom, every X ≤ 0: the exporter negated them."""
    result = parse_text("Ref,X,Y,Rot\nR1,-10,5,0\nR2,0,5,0\n", "board_bot.csv")

    assert [p.x for p in result.placements] == [10.0, 0.0]
    assert result.notes["bottom_x"] == "negated"


def test_mount_column() -> None:
    """A Type column saying SMD/THT sets the mount; anything else leaves it unknown."""
    result = parse_text(
        "Ref,X,Y,Rot,Side,Type\nR1,1,1,0,top,SMD\nJ1,2,2,0,top,THT\nX1,3,3,0,top,other\n"
    )
    assert [p.mount for p in result.placements] == [Mount.SMT, Mount.THT, None]


def test_kicad_ascii_value_with_spaces_split_at_the_package_column() -> None:
    """Values with spaces: the header's Package column tells value from package."""
    text = (
        "## Unit = mm, Angle = deg.\n"
        "# Ref     Val                 Package              PosX       PosY       Rot  Side\n"
        "C1        10uF 16V X5R        C_0805_2012Metric  1.0000     2.0000    0.0000  top\n"
        "R1        1k                  R_0402             3.0000     4.0000   90.0000  top\n"
        "U1                            QFN-32             5.0000     6.0000    0.0000  top\n"
    )
    result = parse_text(text, "x.pos")

    c1, r1, u1 = result.placements
    assert (c1.value, c1.package) == ("10uF 16V X5R", "C_0805_2012Metric")
    assert (r1.value, r1.package, r1.rotation) == ("1k", "R_0402", 90.0)
    assert (u1.value, u1.package) == ("", "QFN-32")


# --- bad input ----------------------------------------------------------------------------------


def test_bom_given_as_centroid_is_rejected() -> None:
    """A BOM has designators but no X/Y: rejected, naming the file and the headers seen."""
    with pytest.raises(FileRejected) as caught:
        read(ORANGECRAB / "OrangeCrab-bom.csv")

    message = str(caught.value)
    assert message.startswith("OrangeCrab-bom.csv, line 1:")
    assert "'Reference(s)'" in message
    assert "X and Y" in message


def test_utf8_bom() -> None:
    """A UTF-8 byte-order mark does not end up in the first header."""
    result = parse_centroid(b"\xef\xbb\xbfRef,X,Y,Rot,Side\r\nR1,1,2,0,top\r\n", "bom.csv")

    assert result.column_map["refdes"] == "Ref"
    assert result.placements[0].line == 2


def test_utf16_le_with_bom() -> None:
    """UTF-16 LE (as Excel's "Unicode text" saves it): tab-delimited, read normally."""
    data = "Designator\tX\tY\tRotation\tLayer\r\nµ1\t1.5\t2\t90\tTop\r\n".encode("utf-16")
    result = parse_centroid(data, "xy.txt")

    assert data[:2] == b"\xff\xfe"
    assert [(p.refdes, p.x, p.rotation) for p in result.placements] == [("µ1", 1.5, 90.0)]


def test_latin1_is_read_with_a_warning() -> None:
    """Latin-1 bytes: read as Windows-1252, the value keeps its µ, a finding says so."""
    data = "Ref,Val,X,Y,Rot,Side\nC1,10µF,1,2,0,top\n".encode("latin-1")
    result = parse_centroid(data, "xy.csv")

    assert result.placements[0].value == "10µF"
    assert "file.encoding_guessed" in codes(result)


def test_empty_file_is_rejected() -> None:
    """Empty (or blank) files are rejected, naming the file."""
    for data in (b"", b"  \n\r\n"):
        with pytest.raises(FileRejected, match=r"^empty\.csv: file is empty"):
            parse_centroid(data, "empty.csv")


def test_header_only_file_is_empty_not_rejected() -> None:
    """A header with no rows (a side without parts) gives no placements and a warning."""
    result = parse_text("Ref,Val,Package,PosX,PosY,Rot,Side\n")

    assert result.placements == []
    assert codes(result) == ["centroid.empty"]


def test_duplicated_headers() -> None:
    """Two columns read as X: the first is used, a warning names the header line and field."""
    result = parse_text("Ref,X,Y,X,Rot,Side\nR1,1,2,9,0,top\n")

    assert result.placements[0].x == 1.0
    [duplicate] = finding(result, "centroid.duplicate_column")
    assert (duplicate.line, duplicate.field, duplicate.file) == (1, "X", "pos.csv")


def test_better_column_wins_without_a_warning() -> None:
    """Center-X beats Ref-X beats Pad-X, whatever the order."""
    result = parse_text("Designator,Pad-X,Ref-X,Center-X,Y,Rot,Side\nU1,1,2,3,0,0,top\n")

    assert result.placements[0].x == 3.0
    assert result.column_map["x"] == "Center-X"
    assert "centroid.duplicate_column" not in codes(result)


def test_non_numeric_coordinates_skip_the_row() -> None:
    """X "abc" and rotation "north": each named by line, field and refdes; other rows kept."""
    result = parse_text(
        "Ref,PosX,PosY,Rot,Side\nR1,abc,1,0,top\nR2,1,1,north,top\nR3,1,1,0,top\nR4,nan,1,0,top\n"
    )

    assert [p.refdes for p in result.placements] == ["R3"]
    bad = finding(result, "centroid.bad_number")
    assert [(f.line, f.field, f.refdes) for f in bad] == [
        (2, "PosX", "R1"),
        (3, "Rot", "R2"),
        (5, "PosX", "R4"),
    ]
    assert all(f.severity is Severity.WARNING and f.file == "pos.csv" for f in bad)
    assert "'abc'" in bad[0].message


def test_missing_refdes_short_row_and_duplicates() -> None:
    """Missing designator and short rows are skipped; a duplicate refdes is an error."""
    result = parse_text(
        "Ref,X,Y,Rot,Side,Val\n"
        ",1,1,0,top,x\n"  # line 2: no designator
        "R1,1,1\n"  # line 3: too few cells
        "R2,1,1,0,top\n"  # line 4: only the value missing
        "R3,1,1,0,top,1k\n"  # line 5
        "R3,2,2,0,bottom,1k\n"  # line 6: duplicate of line 5
    )

    assert [p.refdes for p in result.placements] == ["R2", "R3", "R3"]
    [missing] = finding(result, "centroid.missing_refdes")
    assert missing.line == 2
    short = finding(result, "centroid.short_row")
    assert [f.line for f in short] == [3, 4]
    assert "skipped" in short[0].message
    assert "empty" in short[1].message
    [duplicate] = finding(result, "centroid.duplicate_refdes")
    assert duplicate.severity is Severity.ERROR
    assert (duplicate.line, duplicate.refdes) == (6, "R3")
    assert "lines 5 and 6" in duplicate.message


def test_repeated_header_from_joined_files() -> None:
    """Top and bottom files pasted together: the second header is skipped."""
    result = parse_text("Ref,X,Y,Rot,Side\nR1,1,1,0,top\nRef,X,Y,Rot,Side\nR2,-1,1,0,bottom\n")

    assert [p.refdes for p in result.placements] == ["R1", "R2"]
    assert finding(result, "centroid.repeated_header")[0].line == 3


def test_findings_are_capped_per_code() -> None:
    """Thousands of bad rows: a hundred listed, then one finding counting the rest."""
    rows = "".join(f"R{i},x,1,0,top\n" for i in range(1000))
    result = parse_text("Ref,X,Y,Rot,Side\n" + rows)

    assert len(finding(result, "centroid.bad_number")) == 100
    (summary,) = finding(result, "centroid.findings_truncated")
    assert "900 more 'centroid.bad_number'" in summary.message


def test_one_megabyte_of_random_bytes_is_rejected() -> None:
    """Random binary data is refused as a whole."""
    data = random.Random(20261127).randbytes(1024 * 1024)
    with pytest.raises(FileRejected, match=r"^noise\.csv: "):
        parse_centroid(data, "noise.csv")


def test_fifty_thousand_rows_read_completely() -> None:
    """A 50,000-part KiCad CSV reads completely (its speed is in `boardline bench npi`)."""
    rng = random.Random(1)
    lines = ["Ref,Val,Package,PosX,PosY,Rot,Side"]
    for i in range(50_000):
        side = "top" if i % 2 else "bottom"
        lines.append(
            f'"R{i}","10k","R_0402",{rng.uniform(1, 300):.6f},{rng.uniform(-200, 0):.6f},'
            f"{rng.choice((0, 90, 180, 270))}.000000,{side}"
        )
    data = ("\n".join(lines) + "\n").encode()

    result = parse_centroid(data, "big-pos.csv")

    assert len(result.placements) == 50_000
    assert result.notes["bottom_x"] == "as_is"


# --- fuzzing ------------------------------------------------------------------------------------

HEADERS = [
    "Designator", "Ref", "RefDes", "Reference", "Part", "X", "PosX", "Mid X", "Center-X",
    "X (mm)", "X (mil)", "Ref X", "Y", "PosY", "Mid Y", "Center-Y", "Y (in)", "Rot",
    "Rotation", "Angle", "Side", "Layer", "TB", "Mirror", "Val", "Comment", "Package",
    "Footprint", "Type", "", "Qty",
]  # fmt: skip
CELLS = st.one_of(
    st.sampled_from(
        ["R1", "C1", "", "top", "bottom", "T", "B", "F.Cu", "12.5mm", "490mil", "0.5in",
         "-3", "1e400", "nan", "1,5", "90deg", "-0", "SMD", "THT", '"', "x y", "#"]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=12),
)  # fmt: skip


@st.composite
def centroid_texts(draw: st.DrawFn) -> str:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|", "  "]))
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=0, max_size=9))
    rows = draw(st.lists(st.lists(CELLS, max_size=10), max_size=12))
    preamble = draw(
        st.sampled_from(["", "## Unit = inches, Angle = deg.\n# Ref Val Package PosX\n"])
    )
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    return preamble + draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)


def check_result(result: ImportResult) -> None:
    assert result.kind == "centroid"
    for p in result.placements:
        assert p.refdes
        assert p.refdes == p.refdes.strip()
        assert 0.0 <= p.rotation < 360.0
        assert math.isfinite(p.x)
        assert math.isfinite(p.y)
        assert p.side in (Side.TOP, Side.BOTTOM)
    assert result.notes["format"] in {"kicad_pos", "kicad_csv", "jlc_cpl", "generic_csv"}


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2000), name=st.sampled_from(["a.csv", "b-bottom.pos", ""]))
def test_fuzz_arbitrary_bytes_raise_only_file_rejected(data: bytes, name: str) -> None:
    """Whatever the bytes, the reader returns a result or raises FileRejected."""
    try:
        result = parse_centroid(data, name)
    except FileRejected:
        return
    check_result(result)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=centroid_texts(),
    units=st.sampled_from([None, "mm", "mil", "inch"]),
    side=st.sampled_from([None, Side.TOP, Side.BOTTOM]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]),
)
def test_fuzz_centroid_like_text_raises_only_file_rejected(
    text: str, units: str | None, side: Side | None, encoding: str
) -> None:
    """Plausible headers and hostile cells: a result with sane placements, or FileRejected."""
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    try:
        result = parse_centroid(data, "fuzz-pos.csv", units=units, side=side)
    except FileRejected:
        return
    check_result(result)
