"""The BOM reader: real customer BOMs, header and column detection, designators, quantities,
DNP evidence, supplier numbers, encodings, spreadsheets, bad files, and fuzzing."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import random
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boardline.core.errors import FileRejected
from boardline.npi.importers import bom
from boardline.npi.importers.bom import SYNONYMS, expand_designators, parse_bom
from boardline.npi.model import BomLine, Finding, ImportResult, Severity, SupplierPart

BOARDS = Path(__file__).parents[2] / "fixtures" / "boards"
GLASGOW = BOARDS / "glasgow-revC3"
ICEPI = BOARDS / "icepi-zero"
ORANGECRAB = BOARDS / "orangecrab-r0.2.1"
OTTERCAST = BOARDS / "ottercast-audio-v2"
OLIMEX = BOARDS / "olimex-esp32-poe-revM"


def read(path: Path) -> ImportResult:
    return parse_bom(path.read_bytes(), path.name)


def parse_text(
    text: str, file: str = "bom.csv", column_map: dict[str, str] | None = None
) -> ImportResult:
    return parse_bom(text.encode(), file, column_map=column_map)


def refs(result: ImportResult) -> list[str]:
    return [ref for line in result.bom_lines for ref in line.refdes]


def dnp_refs(result: ImportResult) -> list[str]:
    return [ref for line in result.bom_lines if line.dnp for ref in line.refdes]


def findings(result: ImportResult, code: str) -> list[Finding]:
    return [f for f in result.findings if f.code == code]


def line_of(result: ImportResult, ref: str) -> BomLine:
    return next(line for line in result.bom_lines if ref in line.refdes)


def rejected(data: bytes, file: str = "bom.csv", **options: object) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        parse_bom(data, file, **options)  # type: ignore[arg-type]
    assert caught.value.file == file
    assert file in str(caught.value)
    return caught.value


def xlsx(*sheets: list[list[object]], titles: tuple[str, ...] = ()) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for number, rows in enumerate(sheets):
        sheet = book.create_sheet(titles[number] if titles else f"Sheet{number + 1}")
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- real BOMs ----------------------------------------------------------------------------


def test_glasgow_revc3_space_separated_refs_and_dnp_column() -> None:
    """Glasgow revC3 (KiCad): header cells with leading spaces, refs separated by spaces with
    a trailing space, and an explicit DNP column on four lines."""
    result = read(GLASGOW / "revC3-bom.csv")
    assert len(result.bom_lines) == 57
    assert len(refs(result)) == 234
    assert sum(line.quantity or 0 for line in result.bom_lines) == 234
    assert result.column_map["refdes"] == "Reference"
    assert result.column_map["quantity"] == "Quantity"
    assert result.column_map["manufacturer"] == "Mfg"
    assert result.column_map["description"] == "Characteristics"
    assert result.column_map["dnp"] == "DNP"
    # SOURCE.md says "9 refs" but lists J10, J6-J9, R40, R50, R51, R6, R8: ten designators.
    assert sorted(dnp_refs(result)) == sorted(
        ["J10", "J6", "J7", "J8", "J9", "R40", "R50", "R51", "R6", "R8"]
    )
    assert sum(line.dnp for line in result.bom_lines) == 4
    first = result.bom_lines[0]
    assert first.line == 2
    assert first.source == "revC3-bom.csv"
    assert first.refdes[:3] == ["C1", "C14", "C19"]
    assert first.refdes[-1] == "C92"
    assert line_of(result, "U36").mpn == "TLV73312PQDRVRQ1"
    assert sum(1 for line in result.bom_lines if line.mpn and line.manufacturer) == 52
    # The DNP column says so: nothing needed inferring, and nothing else was odd.
    assert result.findings == []


def test_glasgow_revc2_has_the_older_parts() -> None:
    """The older Glasgow revision still lists test points and mounting holes."""
    result = read(GLASGOW / "revC2-bom.csv")
    assert len(result.bom_lines) == 70
    assert len(refs(result)) == 256
    assert {"TP1", "TP19", "MK1", "MK4"} <= set(refs(result))


def test_icepi_zero_jlc_bom_with_utf8_bom_crlf_and_padded_lcsc_numbers() -> None:
    """Icepi Zero (JLC format): UTF-8 BOM and CRLF; LCSC numbers with trailing spaces are
    trimmed silently; two lines have no LCSC number."""
    result = read(ICEPI / "bom.csv")
    assert len(result.bom_lines) == 31
    assert len(refs(result)) == 118
    assert result.column_map["refdes"] == "Designator"
    assert result.column_map["lcsc"] == "LCSC Part #"
    with_lcsc = [line for line in result.bom_lines if line.supplier_parts]
    assert len(with_lcsc) == 29
    assert line_of(result, "C1").supplier_parts == [SupplierPart("LCSC", "C59461")]
    assert all(
        p.supplier == "LCSC" and p.part_number == p.part_number.strip()
        for line in with_lcsc
        for p in line.supplier_parts
    )
    assert line_of(result, "C19").supplier_parts == []
    assert dnp_refs(result) == []
    assert result.findings == []


def test_orangecrab_dnp_via_pn_column_and_alternates_from_numbered_columns() -> None:
    """OrangeCrab (KiCad with extra fields): the MPN column is called PN and says DNP for 15
    refs; PN_1/Mfg_1 are alternate sources; the variant columns are left alone."""
    result = read(ORANGECRAB / "OrangeCrab-bom.csv")
    assert len(result.bom_lines) == 47
    assert len(refs(result)) == 152
    assert result.column_map["refdes"] == "Reference(s)"
    assert result.column_map["mpn"] == "PN"
    assert result.column_map["manufacturer"] == "Mfg"
    assert result.column_map["alt_mpn_1"] == "PN_1"
    assert result.column_map["alt_manufacturer_1"] == "Mfg_1"
    assert not any("variant" in header for header in result.column_map.values())
    expected = [f"FID{n}" for n in range(1, 7)] + ["H1", "H2", "H3", "H4", "J1", "J2", "J6"]
    assert sorted(dnp_refs(result)) == sorted([*expected, "R18", "R36"])
    assert line_of(result, "FID1").mpn == ""  # "DNP" is not a part number
    assert sum(1 for line in result.bom_lines if line.alternates) == 32
    assert line_of(result, "C1").alternates == [("YAGEO", "CC0201KRX5R7BB103")]
    assert line_of(result, "J4").alternates == []
    inferred = findings(result, "bom.dnp_inferred")
    assert {f.field for f in inferred} == {"PN", "Value"}
    assert all(f.severity == Severity.INFO and f.file == "OrangeCrab-bom.csv" for f in inferred)
    assert line_of(result, "R1").manufacturer == "Yageo"  # invisible LRM marks trimmed


def test_ottercast_jlc_bom_dnp_lines_and_lcsc_remarks() -> None:
    """OtterCast Audio (JLCPCB format): Comment is the value; the 11 DNP refs say DNP in
    the value and 'dnp' in the LCSC column. Fitted parts with 'dnp' or 'order' in the LCSC
    column (the SoC, hand-fitted connectors) stay fitted but are reported."""
    result = read(OTTERCAST / "BOM_v2.1.csv")
    assert len(result.bom_lines) == 57
    assert len(refs(result)) == 218
    assert result.column_map == {
        "value": "Comment",
        "refdes": "Designator",
        "footprint": "Footprint",
        "lcsc": "LCSC",
    }
    assert sorted(dnp_refs(result)) == sorted(
        ["C49", "R6", "R22", "R23", "R29", "R47", "R52", "R66", "R67", "R68", "R69"]
    )
    assert all(line.quantity is None for line in result.bom_lines)
    assert not findings(result, "bom.quantity_mismatch")
    assert line_of(result, "AE1").supplier_parts == [SupplierPart("LCSC", "C504003")]
    assert sum(1 for line in result.bom_lines if line.supplier_parts) == 46
    assert not line_of(result, "U1").dnp
    asked = findings(result, "bom.supplier_dnp")
    assert sorted(f.refdes or "" for f in asked) == ["J1", "J4", "U1", "U6", "U7"]
    assert all(f.severity == Severity.WARNING and f.field == "LCSC" for f in asked)
    assert len(findings(result, "bom.supplier_remark")) == 4  # 'order' on J2, J5-7, J8, MK1
    inferred = findings(result, "bom.dnp_inferred")
    assert [f.line for f in inferred] == [9, 37]
    assert "Comment is 'DNP'" in inferred[0].message


def test_olimex_semicolons_short_header_and_na_values() -> None:
    """Olimex ESP32-PoE: ';'-delimited, the header has 7 fields but rows 8 (not an error),
    DNP written as NA / NA(...) / NS(...) in the Designation (value) column, and refdes with
    '-' and '_' that are not ranges."""
    result = read(OLIMEX / "ESP32-PoE_Rev_M_BOM.csv")
    assert result.notes["delimiter"] == "semicolon"
    assert len(result.bom_lines) == 81
    assert len(refs(result)) == 142
    assert result.column_map["value"] == "Designation"
    assert not findings(result, "bom.extra_cells")
    na = ["R44", "R49", "C21", "C29", "R16", "TVS2", "TVS3", "C26", "R43"]
    assert sorted(dnp_refs(result)) == sorted([*na, "EXT1", "EXT2"])
    assert line_of(result, "EXT1").value == "NS(HN1x10)"
    assert {"USB-UART1", "LAN_CON1", "Sign_PB-Free", "BAT_SENS_E1", "CE"} <= set(refs(result))
    assert {f.code for f in result.findings} == {"bom.dnp_inferred"}


# --- header detection ---------------------------------------------------------------------


def test_title_rows_above_the_header_are_skipped() -> None:
    """Customer templates put a title, a revision and a blank line above the header."""
    result = parse_text("Widget BOM\nRev B;2024-01-01\n\nDesignator;Qty;Value\nC1;1;10uF\n")
    assert result.notes["header_line"] == "4"
    assert [(line.line, line.refdes, line.value) for line in result.bom_lines] == [
        (5, ["C1"], "10uF")
    ]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Reference(s)", "refdes"),
        (" Ref Des ", "refdes"),
        ("REF.DES.", "refdes"),
        ("Part Reference", "refdes"),
        ("Qnty", "quantity"),
        ("Mfr. #", "mpn"),
        ("Mfg Part #", "mpn"),
        ("Manufacturer_PN", "mpn"),
        ("Mfr", "manufacturer"),
        ("Manufacturer Name", "manufacturer"),
        ("Case", "footprint"),
        ("Desc.", "description"),
        ("Do-Not-Populate", "dnp"),
        ("Fitted", "fitted"),
        ("LCSC Part Number", "lcsc"),
        ("JLCPCB Part #", "lcsc"),
        ("Digikey", "digikey"),
        ("DK PN", "digikey"),
        ("Mouser Part Number", "mouser"),
        ("Farnell", "farnell"),
        ("Unit Price", "unit_price"),
    ],
)
def test_header_synonyms_ignore_case_spaces_and_punctuation(header: str, field: str) -> None:
    """Header cells match their field whatever the case, spacing and punctuation."""
    designator = "Qty" if field == "refdes" else "Designator"
    result = parse_text(f"{designator},{header}\n1,1\n")
    assert result.column_map[field] == header.strip()


def test_no_designator_column_is_rejected_listing_the_headers_seen() -> None:
    """Without a designator column the file cannot be a BOM; the message shows what was
    there so the person can see why."""
    error = rejected(b"Part,Count,Value\nX,1,10k\n")
    assert "designator" in error.reason
    assert "'Part', 'Count', 'Value'" in error.reason


def test_a_designator_column_alone_is_not_a_header() -> None:
    """One recognised column is not enough: a title cell saying 'Reference' is not a header."""
    rejected(b"Reference\nR1\n")


def test_competing_columns_take_the_stronger_synonym_and_ask() -> None:
    """PN and MPN both look like the part number: MPN wins, and the page is told to ask."""
    result = parse_text("PN,MPN,Designator,Value,Comment\nINT-1,RC0402,R1,10k,note\n")
    assert result.column_map["mpn"] == "MPN"
    assert result.column_map["value"] == "Value"
    assert result.bom_lines[0].mpn == "RC0402"
    assert result.notes["unsure"] == "mpn,value"
    ambiguous = findings(result, "bom.column_ambiguous")
    assert [(f.severity, f.line, f.field) for f in ambiguous] == [
        (Severity.INFO, 1, "MPN"),
        (Severity.INFO, 1, "Value"),
    ]
    assert "'PN'" in ambiguous[0].message


def test_duplicated_header_warns_naming_both_columns_and_uses_the_first() -> None:
    """Two columns called Qty: the first is used and both positions are named."""
    result = parse_text("Designator,Qty,Value,Qty\nR1,1,10k,7\n")
    assert result.bom_lines[0].quantity == 1
    (dup,) = findings(result, "bom.duplicate_header")
    assert dup.severity == Severity.WARNING
    assert (dup.line, dup.field) == (1, "Qty")
    assert "columns 2 and 4" in dup.message


def test_column_map_overrides_detection() -> None:
    """A person mapped 'Part' as the MPN and 'Comment' as the description by hand."""
    result = parse_text(
        "Designator,Qty,Part,Comment\nR1,1,RC0402FR-0710KL,10k 1%\n",
        column_map={"mpn": "part", "description": "Comment"},
    )
    line = result.bom_lines[0]
    assert (line.mpn, line.description, line.value) == ("RC0402FR-0710KL", "10k 1%", "")
    assert result.column_map["mpn"] == "Part"
    assert result.column_map["description"] == "Comment"
    assert "value" not in result.column_map


def test_column_map_settles_an_ambiguity() -> None:
    """Once a person chose the MPN column, it is no longer unsure."""
    result = parse_text("PN,MPN,Designator\nINT-1,RC0402,R1\n", column_map={"mpn": "PN"})
    assert result.bom_lines[0].mpn == "INT-1"
    assert "unsure" not in result.notes


def test_column_map_can_name_an_alternate_source() -> None:
    """A 'Second Source' column mapped by hand as an alternate stays an alternate."""
    result = parse_text(
        "Designator,Qty,Second Source\nR1,1,ERJ-2RKF\n", column_map={"alt_mpn_2": "Second Source"}
    )
    assert result.bom_lines[0].mpn == ""
    assert result.bom_lines[0].alternates == [("", "ERJ-2RKF")]


def test_column_map_with_an_unknown_header_is_rejected_naming_it() -> None:
    """A mapping to a header the file does not have cannot be applied."""
    error = rejected(b"Designator,Qty\nR1,1\n", column_map={"mpn": "Mfr Part"})
    assert error.field == "Mfr Part"
    assert "'Mfr Part'" in str(error)


def test_column_map_with_an_unknown_field_is_rejected() -> None:
    """A mapping may only use the canonical field names."""
    error = rejected(b"Designator,Qty\nR1,1\n", column_map={"colour": "Qty"})
    assert "'colour'" in error.reason


def test_numbered_sources_without_a_plain_mpn_column() -> None:
    """Altium-style templates number every source: the first is the part, the rest alternates;
    'Alt MPN' style columns are alternates too."""
    result = parse_text(
        "Designator,Manufacturer 1,Manufacturer Part Number 1,Manufacturer 2,"
        "Manufacturer Part Number 2,Alt MPN\nR1,Yageo,RC0402,Vishay,CRCW0402,ERJ-2RKF\n"
    )
    line = result.bom_lines[0]
    assert (line.manufacturer, line.mpn) == ("Yageo", "RC0402")
    assert line.alternates == [("Vishay", "CRCW0402"), ("", "ERJ-2RKF")]


# --- designators --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("R1-R4, R7", ["R1", "R2", "R3", "R4", "R7"]),
        ("C1,C2 C3", ["C1", "C2", "C3"]),
        ("C1;C2;  C3 ", ["C1", "C2", "C3"]),
        ("R1-4", ["R1", "R2", "R3", "R4"]),
        ("R1..R3", ["R1", "R2", "R3"]),
        ("R1 - R3", ["R1", "R2", "R3"]),
        ("R08-R10", ["R08", "R09", "R10"]),
        ("C9, C10-C11, C1", ["C9", "C10", "C11", "C1"]),
        ("USB-UART1", ["USB-UART1"]),
        ("LAN_CON1", ["LAN_CON1"]),
        ("Sign_PB-Free", ["Sign_PB-Free"]),
        ("BAT_SENS_E1", ["BAT_SENS_E1"]),
        ("U1-C4", ["U1-C4"]),
        ("R1,,R2, -", ["R1", "R2"]),
    ],
)
def test_designator_lists_and_ranges(cell: str, expected: list[str]) -> None:
    """Lists, ranges of the same prefix, and refdes with '-' or '_' that are not ranges."""
    assert expand_designators(cell) == (expected, [], [])


def test_designator_cell_in_a_file_keeps_order_and_counts() -> None:
    """Quoted lists with ranges and non-range refdes, read from a file, in the order given."""
    result = parse_text('Designator,Qty\n"R1-R4, R7",5\n"USB-UART1 LAN_CON1",2\n')
    assert [line.refdes for line in result.bom_lines] == [
        ["R1", "R2", "R3", "R4", "R7"],
        ["USB-UART1", "LAN_CON1"],
    ]
    assert result.findings == []


def test_huge_range_is_an_error_and_the_line_is_kept_without_it() -> None:
    """'R1-R20000' would make 20,000 parts: refused, the rest of the line kept."""
    result = parse_text('Designator,Qty\n"R1-R20000, C1",1\nC2,1\n')
    assert [line.refdes for line in result.bom_lines] == [["C1"], ["C2"]]
    (error,) = findings(result, "bom.range_too_large")
    assert (error.severity, error.line, error.field) == (Severity.ERROR, 2, "Designator")
    assert "R1-R20000" in error.message
    assert not findings(result, "bom.quantity_mismatch")


def test_descending_range_is_kept_as_written_with_a_warning() -> None:
    """'R4-R1' counts down, so it is no range: kept as one designator and flagged."""
    result = parse_text("Designator,Qty\nR4-R1,1\n")
    assert result.bom_lines[0].refdes == ["R4-R1"]
    assert findings(result, "bom.range_descending")[0].refdes == "R4-R1"


def test_same_designator_on_two_lines_or_twice_on_one() -> None:
    """A designator may be on one line once; both places are named."""
    result = parse_text("Designator,Qty\nR1 R2,2\nC1 C1,2\nR2,1\n")
    dups = findings(result, "bom.duplicate_refdes")
    assert [(f.severity, f.line, f.refdes) for f in dups] == [
        (Severity.ERROR, 3, "C1"),
        (Severity.ERROR, 4, "R2"),
    ]
    assert "twice on line 3" in dups[0].message
    assert "line 2 and on line 4" in dups[1].message


def test_line_with_cells_but_no_designator_is_kept_with_a_warning() -> None:
    """A logo line with a value but an empty designator cell is returned with no refs."""
    result = parse_text("Designator,Qty,Value\n,1,Logo\nR1,1,10k\n")
    assert [line.refdes for line in result.bom_lines] == [[], ["R1"]]
    (warning,) = findings(result, "bom.no_designators")
    assert (warning.severity, warning.line, warning.field) == (Severity.WARNING, 2, "Designator")


def test_too_many_designators_in_a_file_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the file's designator limit the BOM is refused, naming the line that crossed it."""
    monkeypatch.setattr(bom, "MAX_DESIGNATORS", 5)
    error = rejected(b"Designator,Qty\nR1-R3,3\nC1-C3,3\n")
    assert error.line == 3


@given(
    prefix=st.from_regex(r"[A-Z]{1,3}", fullmatch=True),
    start=st.integers(0, 5000),
    length=st.integers(0, 50),
    style=st.sampled_from(["{p}{a}-{p}{b}", "{p}{a}-{b}", "{p}{a}..{p}{b}"]),
)
@settings(max_examples=200, deadline=None)
def test_ranges_expand_to_every_number(prefix: str, start: int, length: int, style: str) -> None:
    """Property: a range gives each number from its start to its end once, in order."""
    cell = style.format(p=prefix, a=start, b=start + length)
    expected = [f"{prefix}{n}" for n in range(start, start + length + 1)]
    assert expand_designators(cell) == (expected, [], [])


# --- quantity -----------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["4", "4.0", " 4 ", "+4", "4."])
def test_quantity_accepts_whole_numbers_in_any_dress(cell: str) -> None:
    """Spreadsheet exports write 4 as '4.0', with spaces, or with a sign."""
    result = parse_text(f'Designator,Qty\n"R1-R4","{cell}"\n')
    assert result.bom_lines[0].quantity == 4
    assert result.findings == []


@pytest.mark.parametrize("cell", ["four", "2.5", "-1", "", "99999999999999999999"])
def test_bad_quantity_warns_naming_row_and_field(cell: str) -> None:
    """A quantity that is not a whole number is a warning on that row; the line stays."""
    result = parse_text(f'Designator,Quantity,Value\nR1,10k,x\nR2,"{cell}",1k\n')
    line = result.bom_lines[1]
    assert line.quantity is None
    assert line.refdes == ["R2"]
    bad = findings(result, "bom.bad_quantity")
    assert [(f.severity, f.line, f.field) for f in bad] == [
        (Severity.WARNING, 2, "Quantity"),
        (Severity.WARNING, 3, "Quantity"),
    ]


def test_quantity_different_from_the_designators_warns_also_on_dnp_lines() -> None:
    """Quantity 3 with two designators is flagged, on fitted and DNP lines alike."""
    result = parse_text("Designator,Qty,DNP\nR1 R2,3,\nR3 R4,1,DNP\nR5,1,\n")
    mismatch = findings(result, "bom.quantity_mismatch")
    assert [(f.severity, f.line, f.field) for f in mismatch] == [
        (Severity.WARNING, 2, "Qty"),
        (Severity.WARNING, 3, "Qty"),
    ]
    assert "quantity is 3" in mismatch[0].message
    assert result.bom_lines[0].quantity == 3  # as stated in the file


def test_missing_quantity_column_is_not_a_problem() -> None:
    """JLC-style BOMs have no quantity: None, and nothing to report."""
    result = parse_text("Designator,Value\nR1 R2,10k\n")
    assert result.bom_lines[0].quantity is None
    assert result.findings == []


# --- DNP ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell", ["DNP", "yes", "Y", "x", "1", "TRUE", "do not populate", "Not Fitted", "DNF"]
)
def test_dnp_column_truthy_values(cell: str) -> None:
    """The ways people say 'not fitted' in a DNP column; empty and 'no' mean fitted."""
    result = parse_text(f"Designator,Qty,DNP\nR1,1,{cell}\nR2,1,\nR3,1,no\n")
    assert [line.dnp for line in result.bom_lines] == [True, False, False]
    assert result.findings == []


@pytest.mark.parametrize("header", ["Populate", "Fitted", "Mount", "Place"])
def test_populate_style_columns_are_inverted(header: str) -> None:
    """In a Populate/Fitted/Mount/Place column, 'no' means the part is not fitted."""
    result = parse_text(f"Designator,Qty,{header}\nR1,1,no\nR2,1,0\nR3,1,yes\nR4,1,\nR5,1,N\n")
    assert [line.dnp for line in result.bom_lines] == [True, True, False, False, True]


def test_unclear_dnp_cell_warns_and_counts_as_fitted() -> None:
    """A DNP cell that is neither yes nor no is a question, not a decision."""
    result = parse_text("Designator,Qty,DNP\nR1,1,maybe\n")
    assert not result.bom_lines[0].dnp
    (unclear,) = findings(result, "bom.dnp_unclear")
    assert (unclear.line, unclear.field) == (2, "DNP")


@pytest.mark.parametrize(
    "value", ["DNP", "NF", "NP", "NC", "NA", "do not populate", "NA(10k/R0402)", "NS(HN1x10)"]
)
def test_dnp_inferred_from_the_value_names_the_cell(value: str) -> None:
    """A value of DNP, NA, NA(...) or NS(...) marks the part not fitted, saying which cell did."""
    result = parse_text(f'Designator,Qty,Value\nR1,1,"{value}"\n')
    line = result.bom_lines[0]
    assert line.dnp
    assert line.value == value
    (inferred,) = findings(result, "bom.dnp_inferred")
    assert (inferred.severity, inferred.line, inferred.field) == (Severity.INFO, 2, "Value")
    assert inferred.refdes == "R1"
    assert repr(value) in inferred.message


@pytest.mark.parametrize("value", ["10k", "NP0 10pF", "NC7SZ04", "NAND", "N/A cap", "100nF/NP0"])
def test_values_that_only_look_like_dnp(value: str) -> None:
    """NP0 dielectrics, NC7 logic and NAND parts are real values, not DNP."""
    result = parse_text(f'Designator,Qty,Value\nR1,1,"{value}"\n')
    assert not result.bom_lines[0].dnp


@pytest.mark.parametrize("mpn", ["DNP", "NF"])
def test_dnp_inferred_from_the_mpn_column(mpn: str) -> None:
    """'DNP' or 'NF' in the MPN column marks the part not fitted and is no MPN."""
    result = parse_text(f"Designator,Qty,MPN\nFID1,1,{mpn}\n")
    assert result.bom_lines[0].dnp
    assert result.bom_lines[0].mpn == ""
    assert findings(result, "bom.dnp_inferred")[0].field == "MPN"


def test_lcsc_dnp_alone_asks_rather_than_drops_the_part() -> None:
    """A JLC BOM with 'dnp' in the LCSC column and a real value: the assembler will not
    place it, which is not the same as not fitted."""
    result = parse_text("Comment,Designator,LCSC\nAllWinner-S3,U1,dnp\nDNP,R6,dnp\n")
    assert [line.dnp for line in result.bom_lines] == [False, True]
    assert all(not line.supplier_parts for line in result.bom_lines)
    (asked,) = findings(result, "bom.supplier_dnp")
    assert (asked.line, asked.field, asked.refdes) == (2, "LCSC", "U1")


# --- suppliers, alternates, price, cells ------------------------------------------------------


def test_supplier_columns_become_supplier_parts_trimmed() -> None:
    """Distributor columns give supplier parts; trailing spaces go silently."""
    result = parse_text(
        "Designator,Qty,Digi-Key Part Number,Mouser,Farnell,LCSC\n"
        'R1,1,"311-10KJRCT-ND  ",71-CRCW0402-10K ,1234567,"C25744 "\n'
    )
    assert result.bom_lines[0].supplier_parts == [
        SupplierPart("LCSC", "C25744"),
        SupplierPart("Digi-Key", "311-10KJRCT-ND"),
        SupplierPart("Mouser", "71-CRCW0402-10K"),
        SupplierPart("Farnell", "1234567"),
    ]
    assert result.findings == []


@pytest.mark.parametrize(
    ("cell", "price"), [("0.12", 0.12), ("$1.50", 1.5), ("0,35 €", 0.35), ("1,234.5", 1234.5)]
)
def test_unit_price(cell: str, price: float) -> None:
    """Prices with currency signs, decimal commas or thousands separators."""
    result = parse_text(f'Designator,Qty,Unit Price\nR1,1,"{cell}"\n')
    assert result.bom_lines[0].unit_price == pytest.approx(price)


def test_bad_unit_price_warns() -> None:
    """A price that is not a number is left out with a warning."""
    result = parse_text("Designator,Qty,Price\nR1,1,call us\n")
    assert result.bom_lines[0].unit_price is None
    assert findings(result, "bom.bad_price")[0].field == "Price"


def test_cells_beyond_the_header_are_reported_once() -> None:
    """Stray cells to the right of the header are noted once per file, at the first line."""
    result = parse_text("Designator,Qty\nR1,1,stray\nR2,1,more\n")
    (extra,) = findings(result, "bom.extra_cells")
    assert (extra.severity, extra.line) == (Severity.INFO, 2)


def test_a_repeated_header_row_is_skipped() -> None:
    """Multi-page exports repeat the header; the repeat is not a part."""
    result = parse_text("Designator,Qty\nR1,1\nDesignator,Qty\nR2,1\n")
    assert refs(result) == ["R1", "R2"]
    assert findings(result, "bom.repeated_header")[0].line == 3


def test_findings_of_one_kind_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    """One systematic fault on every line is listed up to the cap, then summarised."""
    monkeypatch.setattr(bom, "MAX_FINDINGS_PER_CODE", 3)
    result = parse_text("Designator,Qty\n" + "".join(f"R{n},x\n" for n in range(10)))
    assert len(findings(result, "bom.bad_quantity")) == 3
    (summary,) = findings(result, "bom.findings_truncated")
    assert "7 more 'bom.bad_quantity'" in summary.message


# --- encodings ----------------------------------------------------------------------------


def test_utf8_with_bom() -> None:
    """Excel's 'CSV UTF-8': a byte-order mark before the header and CRLF lines."""
    result = parse_bom("\ufeffDesignator,Qty,Value\r\nC1,1,10µF\r\n".encode(), "bom.csv")
    assert result.column_map["refdes"] == "Designator"
    assert result.bom_lines[0].value == "10µF"
    assert result.findings == []


def test_utf16_le_with_bom_tab_separated() -> None:
    """Excel's 'Unicode text': UTF-16 LE with a BOM, tab-separated."""
    text = "Designator\tQty\tValue\r\nC1 C2\t2\t100nF\r\n"
    result = parse_bom(codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "bom.txt")
    assert result.notes["delimiter"] == "tab"
    assert result.bom_lines[0].refdes == ["C1", "C2"]


def test_latin1_with_micro_sign_warns_and_reads() -> None:
    """A Latin-1 file with 'µF' is read, with a warning to check special characters."""
    result = parse_bom("Designator;Qty;Value\nC1;1;4,7µF\n".encode("latin-1"), "bom.csv")
    assert result.bom_lines[0].value == "4,7µF"
    (guessed,) = findings(result, "file.encoding_guessed")
    assert guessed.severity == Severity.WARNING
    assert guessed.file == "bom.csv"


# --- spreadsheets -------------------------------------------------------------------------


def test_xlsx_with_title_row_uses_spreadsheet_row_numbers() -> None:
    """An XLSX made by hand: a title and a blank row above the header, numbers as floats."""
    data = xlsx(
        [
            ["Widget BOM rev B"],
            [],
            ["Designator", "Qty", "MPN", "DNP"],
            ["R1, R2", 2.0, "RC0402FR-0710KL", None],
            ["C1", 1, "GRM155", True],
            [None, None, None, None],
            ["U1", 1, 1234, None],
        ]
    )
    result = parse_bom(data, "bom.xlsx")
    assert result.notes["format"] == "xlsx"
    assert result.notes["header_line"] == "3"
    assert [(line.line, line.refdes, line.quantity) for line in result.bom_lines] == [
        (4, ["R1", "R2"], 2),
        (5, ["C1"], 1),
        (7, ["U1"], 1),
    ]
    assert [line.dnp for line in result.bom_lines] == [False, True, False]
    assert result.bom_lines[2].mpn == "1234"
    assert result.findings == []


def test_xlsx_takes_the_first_sheet_with_a_header() -> None:
    """A read-me sheet before the BOM sheet is passed over."""
    data = xlsx(
        [["Notes"], ["see sheet 2"]], [["Ref", "Qty"], ["R9", 1]], titles=("Read me", "BOM")
    )
    result = parse_bom(data, "bom.xlsx")
    assert result.notes["sheet"] == "BOM"
    assert refs(result) == ["R9"]


def test_xlsx_without_a_header_is_rejected_naming_the_sheets() -> None:
    """No sheet has a BOM header: the message names the sheets looked at."""
    error = rejected(xlsx([["a", "b"], [1, 2]], titles=("Data",)), "bom.xlsx")
    assert "'Data'" in error.reason


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_corrupt_xlsx_is_rejected(cut: float) -> None:
    """Truncated workbooks and a bare ZIP header are rejected, not crashed on."""
    data = xlsx([["Designator", "Qty"], ["R1", 1]])
    rejected(data[: int(len(data) * cut)], "bom.xlsx")
    rejected(b"PK\x03\x04" + bytes(200), "bom.xlsx")


# --- files that are not BOMs --------------------------------------------------------------


def test_kicad_board_given_as_bom_is_rejected_saying_what_it_is() -> None:
    """A .kicad_pcb uploaded as the BOM: rejected, saying it looks like a KiCad board."""
    data = (ORANGECRAB / "OrangeCrab.kicad_pcb").read_bytes()[:400]
    error = rejected(data, "OrangeCrab.kicad_pcb")
    assert "KiCad board" in error.reason


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  "])
def test_empty_and_whitespace_files_are_rejected(data: bytes) -> None:
    """Nothing to read is a rejection, not an empty BOM."""
    assert "empty" in rejected(data).reason


def test_a_megabyte_of_random_bytes_is_rejected() -> None:
    """Random binary data is rejected quickly."""
    rejected(random.Random(7).randbytes(1 << 20), "noise.csv")


@pytest.mark.parametrize(
    ("data", "says"),
    [(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), ".xls"), (b"%PDF-1.7\n", "PDF")],
)
def test_other_office_formats_are_rejected_saying_what_to_do(data: bytes, says: str) -> None:
    """Old .xls files and PDFs are refused with what to export instead."""
    assert says in rejected(data, "bom.xls").reason


def test_unsplittable_text_is_rejected_naming_the_line() -> None:
    """A cell larger than the CSV reader allows: the line is named."""
    data = b'Designator,Qty\nR1,1\nR2,1\nR3,"' + b"x" * 200_000 + b'"\n'
    error = rejected(data)
    assert error.line == 4


# --- size ---------------------------------------------------------------------------------


def test_fifty_thousand_lines_count_right() -> None:
    """A generated 50,000-line BOM: every line and designator read (speed: `boardline bench`)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Designator", "Qty", "Value", "Footprint", "MPN", "Manufacturer", "LCSC"])
    for n in range(50_000):
        writer.writerow([f"R{2 * n + 1} R{2 * n + 2}", 2, "10k", "0402", f"RC-{n}", "Yageo", "C1"])
    data = out.getvalue().encode()
    result = parse_bom(data, "big.csv")
    assert len(result.bom_lines) == 50_000
    assert len(refs(result)) == 100_000
    assert result.bom_lines[-1].line == 50_001
    assert result.findings == []


# --- fuzzing: only FileRejected may escape ------------------------------------------------------

_HEADER_WORDS = [name for names in SYNONYMS.values() for name in names] + [
    "PN_1",
    "Mfg_1",
    "Alt MPN",
    "Item",
    "Notes",
    "",
]
_CELLS = st.one_of(
    st.from_regex(r"[A-Z]{1,3}[0-9]{1,6}", fullmatch=True),
    st.from_regex(r"[A-Za-z_]{0,4}[0-9]{0,20}(-|\.\.| - )[A-Za-z]{0,4}[0-9]{0,20}", fullmatch=True),
    st.sampled_from(
        ["DNP", "dnp", "NA(10k)", "NS(x)", "yes", "no", "order", "1", "4.0", "-3", "1e999", "nan"]
    ),
    st.sampled_from(["$1.5", "0,12", "C12345 ", "", " ", '"', "R1 R1", "Designator"]),
    st.text(max_size=12),
)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=3000), name=st.sampled_from(["bom.csv", "bom.xlsx", ""]))
def test_fuzz_arbitrary_bytes_only_reject(data: bytes, name: str) -> None:
    """Whatever the bytes, the reader answers or rejects the file."""
    with contextlib.suppress(FileRejected):
        parse_bom(data, name)


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=2000))
def test_fuzz_zip_like_bytes_only_reject(data: bytes) -> None:
    """Broken 'spreadsheets': ZIP magic followed by anything."""
    with pytest.raises(FileRejected):
        parse_bom(b"PK\x03\x04" + data, "bom.xlsx")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.lists(st.sampled_from(_HEADER_WORDS), min_size=1, max_size=8),
    rows=st.lists(st.lists(_CELLS, max_size=10), max_size=12),
    title_rows=st.integers(0, 3),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    quote=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]),
    map_first=st.booleans(),
)
def test_fuzz_structured_bom_text_only_rejects(
    header: list[str],
    rows: list[list[str]],
    title_rows: int,
    delimiter: str,
    quote: bool,
    encoding: str,
    map_first: bool,
) -> None:
    """CSV-ish text made of real header synonyms and awkward cells: a result or a rejection,
    and a result always accounts for its lines."""
    out = io.StringIO()
    lines = [["My BOM"]] * title_rows + [header, *rows]
    if quote:
        csv.writer(out, delimiter=delimiter).writerows(lines)
    else:
        out.write("\n".join(delimiter.join(cells) for cells in lines))
    data = out.getvalue().encode(encoding, errors="replace")
    column_map = {"refdes": header[0]} if map_first else None
    try:
        result = parse_bom(data, "fuzz.csv", column_map=column_map)
    except FileRejected:
        return
    assert result.kind == "bom"
    assert "refdes" in result.column_map
    assert all(line.source == "fuzz.csv" and line.line >= 1 for line in result.bom_lines)
    assert all(f.file == "fuzz.csv" for f in result.findings if f.code.startswith("bom."))
