"""Merging a revision's files: which file gives what, and centroid files brought into the
board's frame the way real exports need it (edge-rail shifts, mirrored bottom X, 180° − θ
bottom rotations, assembler rotation fixes)."""

from __future__ import annotations

import copy
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boardline.npi.classify import classify
from boardline.npi.crosscheck import cross_check
from boardline.npi.merge import FrameTransform, merge
from boardline.npi.model import (
    BomLine,
    Finding,
    ImportResult,
    Mount,
    Outline,
    Placement,
    Severity,
    Side,
)

OUTLINE = Outline([[(0.0, 0.0), (60.0, 0.0), (60.0, 40.0), (0.0, 40.0)]])


def board_parts() -> list[Placement]:
    """Twelve top and six bottom parts spread over a 60 x 40 mm board, KiCad-style."""
    top = [
        Placement(
            f"R{i}",
            5.0 + 4.0 * i,
            5.0 + 2.5 * (i % 5),
            rotation=float(90 * (i % 4)),
            side=Side.TOP,
            package="R_0402_1005Metric",
            mount=Mount.SMT,
            pin_count=2,
            width=1.0,
            height=0.5,
            pitch=0.5,
            mpn=f"RC0402-{i}",
            manufacturer="Yageo",
            line=100 + i,
        )
        for i in range(1, 13)
    ]
    bottom = [
        Placement(
            f"C{i}",
            8.0 + 7.0 * i,
            30.0 - 1.5 * i,
            rotation=float(45 * i % 360),
            side=Side.BOTTOM,
            package="C_0603_1608Metric",
            mount=Mount.SMT,
            pin_count=2,
        )
        for i in range(1, 7)
    ]
    return top + bottom


def board(**changes: object) -> ImportResult:
    result = ImportResult(
        "board.kicad_pcb",
        "kicad_pcb",
        bom_lines=[BomLine(0, [p.refdes], 1, value="derived") for p in board_parts()],
        placements=board_parts(),
        outline=OUTLINE,
    )
    for key, value in changes.items():
        setattr(result, key, value)
    return result


def centroid(
    parts: list[Placement],
    *,
    file: str = "pos.csv",
    fx: object = None,
    fy: object = None,
    frot: object = None,
) -> ImportResult:
    """A centroid file made from board parts through the given per-part mappings."""
    out = []
    for n, p in enumerate(parts, start=2):
        out.append(
            Placement(
                p.refdes,
                fx(p) if callable(fx) else p.x,
                fy(p) if callable(fy) else p.y,
                frot(p) if callable(frot) else p.rotation,
                p.side,
                value="val",
                line=n,
            )
        )
    return ImportResult(file, "centroid", placements=out)


def bom_file(*lines: BomLine) -> ImportResult:
    return ImportResult("bom.csv", "bom", bom_lines=list(lines))


def codes(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def by_ref(placements: list[Placement]) -> dict[str, Placement]:
    return {p.refdes: p for p in placements}


def assert_in_board_frame(merged: list[Placement]) -> None:
    truth = by_ref(board_parts())
    for p in merged:
        assert p.x == pytest.approx(truth[p.refdes].x, abs=1e-9)
        assert p.y == pytest.approx(truth[p.refdes].y, abs=1e-9)


# Which file gives what


def test_bom_lines_come_from_the_bom_file_when_there_is_one() -> None:
    design, _ = merge([board(), bom_file(BomLine(2, ["R1"], 1, mpn="X"))])
    assert [(b.refdes, b.mpn, b.source) for b in design.bom_lines] == [(["R1"], "X", "bom.csv")]


def test_bom_lines_of_several_bom_files_are_kept_in_order() -> None:
    a = ImportResult("a.csv", "bom", bom_lines=[BomLine(2, ["R1"], 1)])
    b = ImportResult("b.csv", "bom", bom_lines=[BomLine(2, ["R2"], 1)])
    design, _ = merge([a, b])
    assert [(line.refdes, line.source) for line in design.bom_lines] == [
        (["R1"], "a.csv"),
        (["R2"], "b.csv"),
    ]


def test_without_a_bom_file_the_board_derived_bom_is_used() -> None:
    design, _ = merge([board()])
    assert len(design.bom_lines) == len(board_parts())
    assert {line.source for line in design.bom_lines} == {"board.kicad_pcb"}


def test_placements_come_from_the_board_without_centroid_files() -> None:
    design, findings = merge([board()])
    assert [p.refdes for p in design.placements] == [p.refdes for p in board_parts()]
    assert design.outline == OUTLINE
    assert findings == []


def test_placements_come_from_centroid_files_when_given() -> None:
    top = [p for p in board_parts() if p.side == Side.TOP][:5]
    design, _ = merge([board(), centroid(top)])
    assert [p.refdes for p in design.placements] == ["R1", "R2", "R3", "R4", "R5"]
    assert {p.source for p in design.placements} == {"pos.csv"}


def test_centroid_only_keeps_the_files_frame_and_has_no_outline() -> None:
    design, findings = merge([centroid(board_parts(), fx=lambda p: p.x + 7)])
    assert design.outline is None
    assert by_ref(design.placements)["R1"].x == pytest.approx(board_parts()[0].x + 7)
    assert not codes(findings, "centroid.frame_aligned")


def test_an_ipc2581_file_counts_as_the_board() -> None:
    ipc = board()
    ipc.kind, ipc.file = "ipc2581", "board.xml"
    design, _ = merge([ipc, centroid(board_parts())])
    assert design.outline == OUTLINE
    assert by_ref(design.placements)["R1"].mount == Mount.SMT


def test_an_unknown_kind_is_ignored_and_reported() -> None:
    odd = ImportResult("gerber.zip", "gerber", placements=board_parts())
    design, findings = merge([odd])
    assert design.placements == []
    assert [f.code for f in findings] == ["merge.unknown_kind"]


def test_a_second_board_file_is_ignored_and_reported() -> None:
    second = board(file="old.kicad_pcb", outline=None)
    design, findings = merge([board(), second])
    assert design.outline == OUTLINE
    (f,) = codes(findings, "merge.several_boards")
    assert f.file == "old.kicad_pcb"


def test_nothing_in_nothing_out() -> None:
    design, findings = merge([])
    assert (design.bom_lines, design.placements, design.outline, findings) == ([], [], None, [])


def test_inputs_are_not_modified() -> None:
    inputs = [board(), centroid(board_parts(), fx=lambda p: p.x + 7), bom_file()]
    before = copy.deepcopy(inputs)
    merge(inputs)
    assert inputs == before


# Enrichment from the board


def test_centroid_parts_are_enriched_from_the_board_by_refdes() -> None:
    bare = centroid(board_parts())
    design, _ = merge([board(), bare])
    r1 = by_ref(design.placements)["R1"]
    assert (r1.mount, r1.pin_count, r1.width, r1.height, r1.pitch) == (
        Mount.SMT,
        2,
        1.0,
        0.5,
        0.5,
    )
    assert (r1.mpn, r1.manufacturer, r1.package) == ("RC0402-1", "Yageo", "R_0402_1005Metric")
    assert (r1.value, r1.line, r1.source) == ("val", 2, "pos.csv")  # the centroid's own


def test_board_flags_are_carried_over() -> None:
    parts = board_parts()
    parts[0].exclude_from_bom = True
    parts[1].dnp = True
    design, _ = merge([board(placements=parts), centroid(board_parts())])
    merged = by_ref(design.placements)
    assert merged["R1"].exclude_from_bom
    assert merged["R2"].dnp


def test_a_centroid_part_not_on_the_board_is_reported_and_kept() -> None:
    stray = Placement("C79", 10.0, 10.0, 0.0, Side.TOP, line=9)
    pos = centroid(board_parts())
    pos.placements.append(stray)
    design, findings = merge([board(), pos])
    assert "C79" in by_ref(design.placements)
    (f,) = codes(findings, "centroid.not_in_board")
    assert (f.refdes, f.file, f.line, f.severity) == ("C79", "pos.csv", 9, Severity.WARNING)


def test_a_part_on_the_other_side_is_reported_and_not_used_for_alignment() -> None:
    parts = board_parts()
    pos = centroid(parts, fx=lambda p: p.x + 7)
    pos.placements[0].side = Side.BOTTOM
    design, findings = merge([board(), pos])
    assert by_ref(design.placements)["R1"].side == Side.BOTTOM  # the file's side is kept
    (f,) = codes(findings, "centroid.side_differs")
    assert f.refdes == "R1"
    aligned = codes(findings, "centroid.frame_aligned")
    assert {f.message.split(" side")[0] for f in aligned} == {"top", "bottom"}


# Frames


def test_an_edge_rail_shift_is_found_and_removed() -> None:
    """JLC's CPL for OtterCast: every X is 7 mm larger than on the board."""
    design, findings = merge([board(), centroid(board_parts(), fx=lambda p: p.x + 7.0)])
    assert_in_board_frame(design.placements)
    aligned = codes(findings, "centroid.frame_aligned")
    assert len(aligned) == 2
    assert all("board X = x − 7.000 mm, board Y = y," in f.message for f in aligned)
    assert all("median residual 0.000 mm" in f.message for f in aligned)
    assert all(f.severity == Severity.INFO and f.file == "pos.csv" for f in aligned)
    assert not codes(findings, "centroid.position_mismatch")
    assert not codes(findings, "centroid.rotation_differs")


def test_an_aux_origin_with_y_up_and_a_mirrored_bottom_x_is_found() -> None:
    """OrangeCrab: X = pcb X − 134.51 (negated on the bottom), Y = 114.38 − pcb Y."""

    def fx(p: Placement) -> float:
        x = p.x - 134.51
        return -x if p.side == Side.BOTTOM else x

    pos = centroid(board_parts(), fx=fx, fy=lambda p: 114.38 - p.y)
    design, findings = merge([board(), pos])
    assert_in_board_frame(design.placements)
    messages = {f.message.split(" side")[0]: f.message for f in findings}
    assert "board X = x + 134.510 mm, board Y = −y (mirrored) + 114.380 mm" in messages["top"]
    assert "board X = −x (mirrored) + 134.510 mm" in messages["bottom"]
    assert not codes(findings, "centroid.rotation_differs")


def test_a_180_minus_theta_bottom_rotation_is_a_rule_not_a_list_of_differences() -> None:
    """Icepi Zero's Fabrication Toolkit: bottom rotation = 180° − θ, X not mirrored."""

    def frot(p: Placement) -> float:
        return (180.0 - p.rotation) % 360.0 if p.side == Side.BOTTOM else p.rotation

    design, findings = merge([board(), centroid(board_parts(), frot=frot)])
    truth = by_ref(board_parts())
    for p in design.placements:
        assert p.rotation == pytest.approx(truth[p.refdes].rotation)
    bottom = next(f for f in findings if f.message.startswith("bottom"))
    assert "rotation = 180° − θ" in bottom.message
    assert not codes(findings, "centroid.rotation_differs")


def test_assembler_rotation_fixes_are_listed_one_finding_per_part() -> None:
    """JLC turns SOT-23 parts by 180° in the CPL; each one is named."""
    fixed = {"R3": 180.0, "R7": 180.0, "R11": -90.0}

    def frot(p: Placement) -> float:
        return (p.rotation + fixed.get(p.refdes, 0.0)) % 360.0

    design, findings = merge([board(), centroid(board_parts(), frot=frot)])
    turned = codes(findings, "centroid.rotation_differs")
    assert [(f.refdes, f.severity) for f in turned] == [
        ("R3", Severity.INFO),
        ("R7", Severity.INFO),
        ("R11", Severity.INFO),
    ]
    assert "+180°" in turned[0].message
    assert "-90°" in turned[2].message
    assert (turned[0].file, turned[0].line) == ("pos.csv", 4)
    assert by_ref(design.placements)["R3"].rotation == pytest.approx((270.0 + 180.0) % 360.0)
    assert "rotation unchanged" in codes(findings, "centroid.frame_aligned")[0].message


def test_a_moved_part_is_reported_and_does_not_spoil_the_transform() -> None:
    def fx(p: Placement) -> float:
        return p.x + 7.0 + (1.2 if p.refdes in ("R2", "R5") else 0.0)

    design, findings = merge([board(), centroid(board_parts(), fx=fx)])
    moved = codes(findings, "centroid.position_mismatch")
    assert [(f.refdes, f.severity) for f in moved] == [
        ("R2", Severity.WARNING),
        ("R5", Severity.WARNING),
    ]
    assert "1.200 mm" in moved[0].message
    assert by_ref(design.placements)["R1"].x == pytest.approx(board_parts()[0].x)
    assert "10 within 0.5 mm" in codes(findings, "centroid.frame_aligned")[0].message


def test_a_part_within_half_a_millimetre_is_not_reported() -> None:
    pos = centroid(board_parts(), fx=lambda p: p.x + (0.4 if p.refdes == "R4" else 0.0))
    _, findings = merge([board(), pos])
    assert not codes(findings, "centroid.position_mismatch")


def test_each_file_and_side_gets_its_own_transform() -> None:
    top = [p for p in board_parts() if p.side == Side.TOP]
    bottom = [p for p in board_parts() if p.side == Side.BOTTOM]
    a = centroid(top, file="top.csv", fx=lambda p: p.x + 7.0)
    b = centroid(bottom, file="bottom.csv", fx=lambda p: p.x - 3.0)
    design, findings = merge([board(), a, b])
    assert_in_board_frame(design.placements)
    aligned = {f.file: f.message for f in codes(findings, "centroid.frame_aligned")}
    assert "board X = x − 7.000 mm" in aligned["top.csv"]
    assert "board X = x + 3.000 mm" in aligned["bottom.csv"]


def test_a_side_with_one_part_follows_the_y_direction_of_the_other() -> None:
    parts = [p for p in board_parts() if p.side == Side.TOP] + board_parts()[-1:]
    pos = centroid(parts, fy=lambda p: -p.y)
    design, findings = merge([board(), pos])
    assert_in_board_frame(design.placements)
    bottom = next(f for f in findings if f.message.startswith("bottom"))
    assert "board Y = −y (mirrored)" in bottom.message


def test_a_file_that_matches_no_board_part_stays_in_its_frame() -> None:
    strangers = [Placement(f"X{i}", float(i), 1.0, 0.0, Side.TOP) for i in range(3)]
    design, findings = merge([board(), ImportResult("other.csv", "centroid", placements=strangers)])
    assert [p.x for p in design.placements] == [0.0, 1.0, 2.0]
    (f,) = codes(findings, "centroid.frame_unknown")
    assert (f.file, f.severity) == ("other.csv", Severity.WARNING)


def test_frame_transform_describes_itself() -> None:
    assert FrameTransform().describe() == "board X = x, board Y = y, rotation unchanged"
    t = FrameTransform(sx=-1, dx=-2.5, sr=-1, dr=180.0)
    assert t.describe() == "board X = −x (mirrored) − 2.500 mm, board Y = y, rotation = 180° − θ"
    assert FrameTransform(dr=90.0).describe().endswith("rotation = θ + 90°")
    assert FrameTransform(sr=-1).describe().endswith("rotation = −θ")


def test_frame_transform_applies_to_a_placement() -> None:
    p = Placement("U1", 10.0, 20.0, 30.0, Side.BOTTOM)
    moved = FrameTransform(sx=-1, sy=1, dx=100.0, dy=-5.0, sr=-1, dr=180.0).apply(p)
    assert (moved.x, moved.y, moved.rotation) == (90.0, 15.0, 150.0)


def test_bom_designators_missing_from_the_board_are_named() -> None:
    """OtterCast: C79 and C99 are on BOM lines 7 and 8 but nowhere on the board."""
    bom = bom_file(BomLine(7, ["R1", "C79"], 2), BomLine(8, ["C99"], 1, dnp=True))
    _, findings = merge([board(), bom])
    stale = codes(findings, "merge.bom_not_on_board")
    assert [(f.refdes, f.file, f.line) for f in stale] == [
        ("C79", "bom.csv", 7),
        ("C99", "bom.csv", 8),
    ]
    _, board_only = merge([board()])
    assert not codes(board_only, "merge.bom_not_on_board")


# Duplicates and DNP


def test_duplicate_refdes_keep_the_first_with_one_finding_per_refdes() -> None:
    a = centroid(board_parts()[:3], file="a.csv")
    b = centroid(board_parts()[:2], file="b.csv")
    c = centroid(board_parts()[:1], file="c.csv")
    design, findings = merge([a, b, c])
    assert [(p.refdes, p.source) for p in design.placements] == [
        ("R1", "a.csv"),
        ("R2", "a.csv"),
        ("R3", "a.csv"),
    ]
    dups = codes(findings, "merge.duplicate_refdes")
    assert [(f.refdes, f.file, f.line) for f in dups] == [("R1", "b.csv", 2), ("R2", "b.csv", 3)]
    assert "R1 is placed 3 times; kept the one from a.csv line 2" in dups[0].message
    assert "c.csv line 2" in dups[0].message


def test_board_duplicates_are_reduced_when_the_board_gives_the_placements() -> None:
    logos = [Placement("G***", float(i), 1.0, 0.0, Side.TOP, mount=Mount.OTHER) for i in range(8)]
    design, findings = merge([board(placements=board_parts() + logos)])
    assert sum(1 for p in design.placements if p.refdes == "G***") == 1
    (f,) = codes(findings, "merge.duplicate_refdes")
    assert "placed 8 times" in f.message
    assert f.severity == Severity.INFO  # logos: nothing is placed there


def test_a_file_that_fits_no_single_transform_is_a_warning() -> None:
    scrambled = centroid(board_parts(), fx=lambda p: (p.x * 7.3) % 50.0)
    _, findings = merge([board(), scrambled])
    top = codes(findings, "centroid.frame_aligned")[0]
    assert top.severity == Severity.WARNING
    assert "revision" in (top.hint or "")


def test_placements_are_dnp_when_the_bom_says_so() -> None:
    bom = bom_file(BomLine(2, ["R1", "R2"], 2), BomLine(3, ["R3"], 1, dnp=True))
    design, findings = merge([board(), centroid(board_parts()), bom])
    merged = by_ref(design.placements)
    assert (merged["R1"].dnp, merged["R2"].dnp, merged["R3"].dnp) == (False, False, True)
    assert not codes(findings, "merge.dnp_conflict")


def test_the_bom_overrides_a_dnp_flag_it_contradicts() -> None:
    parts = board_parts()
    parts[0].dnp = True
    bom = bom_file(BomLine(2, ["R1"], 1))
    design, findings = merge([board(placements=parts), bom])
    assert not by_ref(design.placements)["R1"].dnp
    (f,) = codes(findings, "merge.dnp_conflict")
    assert (f.refdes, f.file, f.line) == ("R1", "bom.csv", 2)


def test_a_dnp_placement_not_in_the_bom_stays_dnp() -> None:
    parts = board_parts()
    parts[0].dnp = True
    design, _ = merge([board(placements=parts), bom_file(BomLine(2, ["R2"], 1))])
    assert by_ref(design.placements)["R1"].dnp


# Robustness and size


def test_non_finite_coordinates_do_not_break_alignment() -> None:
    pos = centroid(board_parts(), fx=lambda p: math.nan if p.refdes == "R1" else p.x + 7.0)
    design, findings = merge([board(), pos])
    assert by_ref(design.placements)["R2"].x == pytest.approx(board_parts()[1].x)
    assert "board X = x − 7.000 mm" in codes(findings, "centroid.frame_aligned")[0].message


def test_a_50000_part_design_merges_checks_and_classifies() -> None:
    """No quadratic step: this runs in about a second. The figures are in the benchmark."""
    n = 50_000
    parts = [
        Placement(
            f"R{i}",
            1.0 + (i % 250) * 0.8,
            1.0 + (i // 250) * 0.8,
            float(90 * (i % 4)),
            Side.TOP if i % 3 else Side.BOTTOM,
            package="R_0402",
            mount=Mount.SMT,
            pin_count=2,
        )
        for i in range(n)
    ]
    outline = Outline([[(0.0, 0.0), (202.0, 0.0), (202.0, 162.0), (0.0, 162.0)]])
    bom = [
        BomLine(2 + i // 100, [f"R{j}" for j in range(i, i + 100)], 100) for i in range(0, n, 100)
    ]
    pcb = ImportResult("big.kicad_pcb", "kicad_pcb", placements=parts, outline=outline)
    pos = centroid(parts, fx=lambda p: p.x + 7.0)
    design, findings = merge([pcb, pos, ImportResult("big.csv", "bom", bom_lines=bom)])
    assert len(design.placements) == n
    assert len(codes(findings, "centroid.frame_aligned")) == 2
    assert cross_check(design, bom_file="big.csv", placement_file="pos.csv") == []
    assert classify(design).terminations == 2 * n


# Property: the pipeline's pure steps take any small design without raising

REFS = st.sampled_from(["R1", "R2", "C1", "U1", "J1", "FID1", "", "R1 "])
NUMBERS = st.floats(allow_nan=True, allow_infinity=True) | st.floats(-100, 100)
PLACEMENTS = st.builds(
    Placement,
    refdes=REFS,
    x=NUMBERS,
    y=NUMBERS,
    rotation=NUMBERS,
    side=st.sampled_from(Side),
    package=st.sampled_from(["", "R_0402", "SOT-23", "R_Array_4x0402"]),
    mount=st.none() | st.sampled_from(Mount),
    pin_count=st.none() | st.integers(-2, 300),
    dnp=st.booleans(),
    exclude_from_bom=st.booleans(),
    line=st.none() | st.integers(1, 50),
)
BOM_LINES = st.builds(
    BomLine,
    line=st.integers(1, 50),
    refdes=st.lists(REFS, max_size=4),
    quantity=st.none() | st.integers(-1, 5),
    footprint=st.sampled_from(["", "0603", "QFN-32"]),
    mpn=st.sampled_from(["", "X1", "x1"]),
    dnp=st.booleans(),
)
POINTS = st.lists(st.tuples(NUMBERS, NUMBERS), max_size=6)
OUTLINES = st.none() | st.builds(Outline, st.lists(POINTS, max_size=3))
RESULTS = st.builds(
    ImportResult,
    file=st.sampled_from(["a", "b", ""]),
    kind=st.sampled_from(["bom", "centroid", "kicad_pcb", "ipc2581", "other"]),
    bom_lines=st.lists(BOM_LINES, max_size=4),
    placements=st.lists(PLACEMENTS, max_size=6),
    outline=OUTLINES,
)


@settings(max_examples=100, deadline=None)
@given(st.lists(RESULTS, max_size=4))
def test_merge_cross_check_and_classify_never_raise(results: list[ImportResult]) -> None:
    design, _ = merge(results)
    refs = [p.refdes for p in design.placements]
    assert len(refs) == len(set(refs))
    cross_check(design, bom_file="bom.csv", placement_file=None)
    classification = classify(design)
    assert classification.fitted_parts >= classification.unknown_mount
