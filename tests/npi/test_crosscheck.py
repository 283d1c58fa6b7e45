"""Cross-checking BOM, placements and outline: one finding per designator, with file, line
and refdes, so each can be followed up (and counted) on its own."""

from __future__ import annotations

import math
from typing import Any

import pytest

from boardline.npi.crosscheck import BoardRegion, cross_check
from boardline.npi.model import (
    BomLine,
    Design,
    Finding,
    Mount,
    Outline,
    Placement,
    Severity,
    Side,
)

SQUARE = [(0.0, 0.0), (50.0, 0.0), (50.0, 30.0), (0.0, 30.0)]
HOLE = [(20.0, 10.0), (30.0, 10.0), (30.0, 20.0), (20.0, 20.0)]


def part(refdes: str, x: float = 10.0, y: float = 5.0, **kw: Any) -> Placement:
    return Placement(refdes, x, y, 0.0, Side.TOP, source="pos.csv", **kw)


def line(n: int, *refs: str, qty: int | None = None, dnp: bool = False) -> BomLine:
    return BomLine(n, list(refs), len(refs) if qty is None else qty, dnp=dnp, source="bom.csv")


def check(design: Design, **kw: Any) -> list[Finding]:
    return cross_check(design, bom_file="bom.csv", placement_file="pos.csv", **kw)


def codes(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def test_a_consistent_design_has_no_findings() -> None:
    design = Design(
        bom_lines=[line(2, "R1", "R2"), line(3, "C1")],
        placements=[part("R1"), part("R2"), part("C1")],
        outline=Outline([SQUARE]),
    )
    assert check(design) == []


# BOM against placements


def test_fitted_bom_parts_without_placement_one_finding_each() -> None:
    """OtterCast: U6, U7, X1 carry a through-hole attribute, so the SMD export dropped them."""
    design = Design(
        bom_lines=[line(2, "R1", "U6", "U7"), line(3, "X1"), line(4, "R9", dnp=True)],
        placements=[part("R1")],
    )
    missing = codes(check(design), "crosscheck.bom_not_placed")
    assert [(f.refdes, f.file, f.line, f.severity) for f in missing] == [
        ("U6", "bom.csv", 2, Severity.WARNING),
        ("U7", "bom.csv", 2, Severity.WARNING),
        ("X1", "bom.csv", 3, Severity.WARNING),
    ]
    assert "through-hole" in (missing[0].hint or "")


def test_placements_the_bom_does_not_name() -> None:
    design = Design(
        bom_lines=[line(2, "R1")],
        placements=[
            part("R1"),
            part("R2", line=7),
            part("FID1", mount=Mount.OTHER),
            part("FID2", mount=Mount.SMT),
            part("TP1", dnp=True),
            part("G***", exclude_from_bom=True),
        ],
    )
    extra = codes(check(design), "crosscheck.placed_not_in_bom")
    assert [(f.refdes, f.severity, f.file, f.line) for f in extra] == [
        ("R2", Severity.WARNING, "pos.csv", 7),
        ("FID1", Severity.INFO, "pos.csv", None),
        ("FID2", Severity.INFO, "pos.csv", None),
        ("TP1", Severity.INFO, "pos.csv", None),
    ]


def test_the_files_passed_in_name_findings_of_parts_without_a_source() -> None:
    design = Design(
        bom_lines=[BomLine(4, ["R1"], 1)],
        placements=[Placement("R2", 1.0, 1.0, 0.0, Side.TOP)],
    )
    findings = cross_check(design, bom_file="b.xlsx", placement_file="c.pos")
    assert {(f.code, f.file) for f in findings} == {
        ("crosscheck.bom_not_placed", "b.xlsx"),
        ("crosscheck.placed_not_in_bom", "c.pos"),
    }


def test_without_a_bom_or_placements_nothing_is_compared() -> None:
    no_bom = check(Design(placements=[part("R1")]))
    assert [(f.code, f.severity) for f in no_bom] == [("crosscheck.no_bom", Severity.INFO)]
    no_pos = check(Design(bom_lines=[line(2, "R1")]))
    assert [(f.code, f.file) for f in no_pos] == [("crosscheck.no_placements", "bom.csv")]


# BOM lines


def test_a_designator_on_two_bom_lines() -> None:
    design = Design(
        bom_lines=[line(2, "R1", "R2"), line(3, "R2", "R3"), line(5, "R2")],
        placements=[part("R1"), part("R2"), part("R3")],
    )
    dups = codes(check(design), "crosscheck.duplicate_refdes")
    assert [(f.refdes, f.line) for f in dups] == [("R2", 3), ("R2", 5)]
    assert "already on line 2" in dups[0].message


def test_a_designator_twice_on_one_line_is_not_a_cross_line_duplicate() -> None:
    design = Design(bom_lines=[line(2, "R1", "R1")], placements=[part("R1")])
    assert codes(check(design), "crosscheck.duplicate_refdes") == []


def test_quantity_that_does_not_match_the_designators() -> None:
    design = Design(
        bom_lines=[line(2, "R1", "R2", qty=3), line(3, "C1", qty=None), line(4, "C2", qty=1)],
        placements=[part("R1"), part("R2"), part("C1"), part("C2")],
    )
    design.bom_lines[1].quantity = None
    (f,) = codes(check(design), "crosscheck.quantity_mismatch")
    assert (f.file, f.line, f.field, f.severity) == ("bom.csv", 2, "quantity", Severity.WARNING)
    assert "quantity 3 but names 2" in f.message


def test_what_the_bom_reader_already_reported_is_not_repeated() -> None:
    design = Design(
        bom_lines=[line(2, "R1", qty=3), line(3, "R1"), line(4, "C1", qty=5)],
        placements=[part("R1"), part("C1")],
    )
    importer = [
        Finding(
            Severity.WARNING, "bom.quantity_mismatch", "q", file="bom.csv", line=2, refdes="R1"
        ),
        Finding(Severity.ERROR, "bom.duplicate_refdes", "d", file="bom.csv", line=3, refdes="r1"),
        Finding(Severity.WARNING, "bom.quantity_mismatch", "other file", file="x.csv", line=4),
    ]
    findings = check(design, reported=importer)
    assert [(f.code, f.line) for f in findings] == [("crosscheck.quantity_mismatch", 4)]
    assert len(check(design)) == 3


# DNP


def test_dnp_parts_with_a_placement_must_be_skipped_by_the_program() -> None:
    design = Design(
        bom_lines=[line(2, "R6", "FID1", dnp=True), line(3, "R1")],
        placements=[
            part("R1"),
            part("R6", dnp=True, mount=Mount.SMT, line=4),
            part("FID1", dnp=True, mount=Mount.OTHER),
        ],
    )
    dnp = codes(check(design), "crosscheck.dnp_placed")
    assert [(f.refdes, f.severity, f.line) for f in dnp] == [
        ("R6", Severity.WARNING, 4),
        ("FID1", Severity.INFO, None),
    ]
    assert "must skip" in dnp[0].message


# Outline


def test_parts_outside_the_outline_or_in_a_cut_out_are_off_board() -> None:
    design = Design(
        bom_lines=[line(2, "R1", "R2", "R3", "R4", "R5")],
        placements=[
            part("R1", 10.0, 5.0),
            part("R2", 57.0, 5.0, line=3),
            part("R3", 25.0, 15.0),
            part("R4", 25.0, -1.0),
            part("R5", 35.0, 15.0),
        ],
        outline=Outline([SQUARE, HOLE]),
    )
    off = codes(check(design), "crosscheck.off_board")
    assert [(f.refdes, f.line) for f in off] == [("R2", 3), ("R3", None), ("R4", None)]
    assert "(57.000, 5.000)" in off[0].message


def test_no_outline_or_an_unusable_one_checks_nothing() -> None:
    placements = [part("R1", 1000.0, 1000.0)]
    bom = [line(2, "R1")]
    assert check(Design(bom_lines=bom, placements=placements)) == []
    for broken in ([], [[(0.0, 0.0), (1.0, 1.0)]], [[(0.0, 0.0), (math.nan, 1.0), (1.0, 0.0)]]):
        assert check(Design(bom_lines=bom, placements=placements, outline=Outline(broken))) == []


def test_non_finite_positions_are_not_called_off_board() -> None:
    design = Design(
        bom_lines=[line(2, "R1")], placements=[part("R1", math.nan, 1.0)], outline=Outline([SQUARE])
    )
    assert check(design) == []


@pytest.mark.parametrize(
    ("x", "y", "inside"),
    [
        (5.0, 5.0, True),  # in the lower bar of the U
        (5.0, 25.0, True),  # in the left arm
        (25.0, 25.0, False),  # in the notch
        (45.0, 25.0, True),  # in the right arm
        (25.0, 15.0, True),  # just below the notch
        (-1.0, 5.0, False),
        (25.0, 31.0, False),
    ],
)
def test_point_in_polygon_on_a_concave_outline(x: float, y: float, inside: bool) -> None:
    u_shape = [(0, 0), (50, 0), (50, 30), (40, 30), (40, 20), (10, 20), (10, 30), (0, 30)]
    region = BoardRegion.of(Outline([[(float(a), float(b)) for a, b in u_shape]]))
    assert region is not None
    assert region.contains(x, y) is inside


def test_point_in_polygon_on_a_finely_segmented_circle() -> None:
    """An outline of many short edges (arcs flattened by the reader)."""
    circle = [
        (20.0 * math.cos(2 * math.pi * k / 3600), 20.0 * math.sin(2 * math.pi * k / 3600))
        for k in range(3600)
    ]
    region = BoardRegion.of(Outline([circle]))
    assert region is not None
    for k in range(100):
        angle = 2 * math.pi * k / 100
        assert region.contains(19.9 * math.cos(angle), 19.9 * math.sin(angle))
        assert not region.contains(20.1 * math.cos(angle), 20.1 * math.sin(angle))
    assert region.contains(0.0, 0.0)


def test_findings_come_in_a_stable_order() -> None:
    design = Design(
        bom_lines=[line(2, "R1", qty=2), line(3, "R1", "R3")],
        placements=[part("R1", 99.0, 5.0), part("R2", dnp=True)],
        outline=Outline([SQUARE]),
    )
    assert [f.code for f in check(design)] == [
        "crosscheck.duplicate_refdes",
        "crosscheck.quantity_mismatch",
        "crosscheck.bom_not_placed",
        "crosscheck.placed_not_in_bom",
        "crosscheck.dnp_placed",
        "crosscheck.off_board",
    ]


def test_every_part_finding_names_one_designator() -> None:
    """Long lists are never packed into one message: a page groups findings by code."""
    refs = [f"R{i}" for i in range(1, 41)]
    design = Design(
        bom_lines=[line(2, *refs), line(3, *refs[:5], dnp=True)],
        placements=[part(f"C{i}", 99.0, 1.0, dnp=True) for i in range(1, 31)],
        outline=Outline([SQUARE]),
    )
    findings = check(design)
    per_part = [f for f in findings if f.code != "crosscheck.quantity_mismatch"]
    assert len(codes(findings, "crosscheck.bom_not_placed")) == 40
    assert len(codes(findings, "crosscheck.placed_not_in_bom")) == 30
    assert len(codes(findings, "crosscheck.dnp_placed")) == 30
    assert len(codes(findings, "crosscheck.off_board")) == 30
    assert all(f.refdes and "," not in f.refdes and f.refdes in f.message for f in per_part)
    assert all(f.file for f in findings)


def test_an_outline_near_the_float_limits_does_not_break_the_check() -> None:
    huge = [(-1e308, -1e308), (1e308, -1e308), (1e308, 1e308), (-1e308, 1e308)]
    region = BoardRegion.of(Outline([huge]))
    assert region is not None
    assert region.contains(0.0, 0.0)
    region.contains(1e308, 1e308)  # on the edge: either answer, but no error


def test_a_dnp_fiducial_is_only_a_note() -> None:
    """OrangeCrab: FID1-6 are DNP in the BOM (nothing to buy) but stay in the program."""
    design = Design(
        bom_lines=[line(2, "FID1", "FD2", "X1", dnp=True)],
        placements=[
            part("FID1", dnp=True, mount=Mount.SMT),
            part("FD2", dnp=True, mount=Mount.SMT),
            part("X1", dnp=True, mount=Mount.SMT, package="Fiducial_1mm_Mask2mm"),
        ],
    )
    dnp = codes(check(design), "crosscheck.dnp_placed")
    assert [(f.refdes, f.severity) for f in dnp] == [
        ("FID1", Severity.INFO),
        ("FD2", Severity.INFO),
        ("X1", Severity.INFO),
    ]
    assert all("a fiducial" in f.message for f in dnp)
