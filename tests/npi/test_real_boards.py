"""Merge, cross-check and classify on the five real boards in ``tests/fixtures/boards``, read
by the real readers. Each expectation comes from the board's SOURCE.md (checked there by
script against the .kicad_pcb) unless the comment says it is what the data showed here."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

from boardline.npi.classify import AssemblyType, Classification, classify
from boardline.npi.crosscheck import cross_check
from boardline.npi.importers.bom import parse_bom
from boardline.npi.importers.centroid import parse_centroid
from boardline.npi.importers.kicad import parse_kicad_pcb
from boardline.npi.merge import merge
from boardline.npi.model import Design, Finding, ImportResult, Severity, Side

BOARDS = Path(__file__).parent.parent / "fixtures" / "boards"
OTTERCAST = "ottercast-audio-v2"
ORANGECRAB = "orangecrab-r0.2.1"
ICEPI = "icepi-zero"
OLIMEX = "olimex-esp32-poe-revM"
GLASGOW = "glasgow-revC3"


@cache
def read(board: str, name: str) -> ImportResult:
    data = (BOARDS / board / name).read_bytes()
    if name.endswith(".kicad_pcb"):
        return parse_kicad_pcb(data, name)
    if "bom" in name.lower():
        return parse_bom(data, name)
    return parse_centroid(data, name)


def run(
    board: str, *names: str, results: list[ImportResult] | None = None
) -> tuple[Design, list[Finding], list[Finding], Classification]:
    inputs = results if results is not None else [read(board, name) for name in names]
    design, merged = merge(inputs)
    bom_file = next((r.file for r in inputs if r.kind == "bom"), None)
    placement_file = next((r.file for r in inputs if r.kind == "centroid"), None)
    imported = [f for r in inputs for f in r.findings]
    checked = cross_check(
        design, bom_file=bom_file, placement_file=placement_file, reported=imported
    )
    return design, merged, checked, classify(design)


def refs(findings: list[Finding], code: str) -> set[str | None]:
    return {f.refdes for f in findings if f.code == code}


def aligned(findings: list[Finding]) -> dict[Side, str]:
    return {
        Side(f.message.split(" side")[0]): f.message
        for f in findings
        if f.code == "centroid.frame_aligned"
    }


OTTERCAST_UNPLACED = {
    *("AE1", "C32", "C38", "C92", "J2", "J8"),  # bottom side; C49 too, but it is DNP
    *("J1", "J4", "J5", "J6", "J7", "MK1", "U6", "U7", "X1"),  # dropped by the SMD-only export
    *("C79", "C99"),  # in the BOM, not on the board
}
OTTERCAST_DNP = {"R6", "R22", "R23", "R29", "R47", "R52", "R66", "R67", "R68", "R69"}


def test_ottercast_jlc_cpl_edge_rail_shift_and_rotation_fixes() -> None:
    design, merged, checked, _ = run(
        OTTERCAST, "OtterCastAudioV2.kicad_pcb", "POS_v2.1.csv", "BOM_v2.1.csv"
    )
    assert len(design.placements) == 200
    top = aligned(merged)[Side.TOP]
    assert "board X = x − 7.000 mm, board Y = y, rotation unchanged" in top
    assert "200 parts matched by refdes, 199 within 0.5 mm, median residual 0.000 mm" in top
    assert refs(merged, "centroid.rotation_differs") == {
        *("D4", "D5", "D6", "Q1", "U4", "U5", "J3", "Y3", "Y2"),
    }
    # What the data showed beyond SOURCE.md: JLC also moved J3 (USB-C) by (1.8, -3.5) mm.
    assert refs(merged, "centroid.position_mismatch") == {"J3"}
    assert refs(merged, "merge.bom_not_on_board") == {"C79", "C99"}
    assert refs(checked, "crosscheck.bom_not_placed") == OTTERCAST_UNPLACED
    assert refs(checked, "crosscheck.dnp_placed") == OTTERCAST_DNP
    assert refs(checked, "crosscheck.placed_not_in_bom") == set()
    assert refs(checked, "crosscheck.off_board") == set()


def test_ottercast_kicad_csv_is_already_in_the_boards_frame() -> None:
    _, merged, checked, result = run(
        OTTERCAST, "OtterCastAudioV2.kicad_pcb", "OtterCastAudioV2-top-pos.csv", "BOM_v2.1.csv"
    )
    assert "board X = x, board Y = y, rotation unchanged" in aligned(merged)[Side.TOP]
    assert refs(merged, "centroid.rotation_differs") == set()
    assert refs(merged, "centroid.position_mismatch") == set()
    assert refs(checked, "crosscheck.bom_not_placed") == OTTERCAST_UNPLACED
    assert result.assembly_type == AssemblyType.MIXED
    assert result.fitted_parts == 218 - len(OTTERCAST_DNP) - 1  # C49 is DNP too
    assert result.smt_bottom == 0  # the position files cover the top only


def test_orangecrab_aux_origin_both_sides_and_the_missing_bga() -> None:
    names = ("OrangeCrab.kicad_pcb", "OrangeCrab-top-pos.csv", "OrangeCrab-bottom-pos.csv")
    design, merged, checked, result = run(ORANGECRAB, *names, "OrangeCrab-bom.csv")
    assert len(design.placements) == 144
    # The centroid reader already turned the negated bottom X back, so both sides share
    # one translation: the auxiliary origin (134.51, 114.38) with Y up.
    for side in Side:
        assert "board X = x + 134.510 mm, board Y = y − 114.380 mm" in aligned(merged)[side]
        assert "median residual 0.000 mm" in aligned(merged)[side]
    assert refs(merged, "centroid.rotation_differs") == set()
    assert refs(checked, "crosscheck.bom_not_placed") == {"U3"}
    assert refs(checked, "crosscheck.dnp_placed") == {
        *("R18", "R36", "FID1", "FID2", "FID3", "FID4", "FID5", "FID6"),
    }
    fiducials = [f for f in checked if f.code == "crosscheck.dnp_placed" and f.refdes == "FID1"]
    assert fiducials[0].severity == Severity.INFO
    assert result.assembly_type == AssemblyType.MIXED
    assert result.double_sided
    assert result.unknown_mount_refdes == ("U3",)


def test_orangecrab_mirrored_bottom_x_as_written_is_found_by_the_merge() -> None:
    """The bottom file's X as the exporter wrote it (negated), without the reader's fix."""
    bottom = read(ORANGECRAB, "OrangeCrab-bottom.pos")
    as_written = replace(
        bottom, placements=[replace(p, x=-p.x) for p in bottom.placements], findings=[]
    )
    results = [
        read(ORANGECRAB, "OrangeCrab.kicad_pcb"),
        read(ORANGECRAB, "OrangeCrab-top.pos"),
        as_written,
    ]
    design, merged, _, _ = run(ORANGECRAB, results=results)
    assert "board X = −x (mirrored) + 134.510 mm" in aligned(merged)[Side.BOTTOM]
    assert "board X = x + 134.510 mm" in aligned(merged)[Side.TOP]
    assert refs(merged, "centroid.position_mismatch") == set()
    on_board = {p.refdes: p for p in results[0].placements}
    for p in design.placements:
        assert abs(p.x - on_board[p.refdes].x) < 0.001
        assert abs(p.y - on_board[p.refdes].y) < 0.001


def test_icepi_bottom_rotation_180_minus_theta_and_six_jlc_offsets() -> None:
    _, merged, checked, result = run(ICEPI, "icepi-zero.kicad_pcb", "positions.csv", "bom.csv")
    frames = aligned(merged)
    assert (
        "board X = x + 150.000 mm, board Y = y − 104.750 mm, rotation = 180° − θ"
        in (frames[Side.BOTTOM])
    )
    assert "rotation unchanged" in frames[Side.TOP]
    turned = {f.refdes: f.message for f in merged if f.code == "centroid.rotation_differs"}
    assert set(turned) == {"U1", "U2", "U4", "U5", "U6", "U11"}
    assert "turned +180°" in turned["U1"]
    assert "turned +90°" in turned["U6"]
    assert "turned -90°" in turned["U11"]
    assert refs(merged, "centroid.position_mismatch") == set()
    assert checked == []  # BOM refs and placement refs match 1:1
    assert result.fitted_parts == 118
    assert (result.smt_top + result.tht_top, result.smt_bottom) == (54, 64)


def test_olimex_board_and_bom_without_a_position_file() -> None:
    design, merged, checked, result = run(
        OLIMEX, "ESP32-PoE_Rev_M.kicad_pcb", "ESP32-PoE_Rev_M_BOM.csv"
    )
    assert len(design.placements) == 142  # from the board
    assert merged == []
    assert refs(checked, "crosscheck.bom_not_placed") == set()
    assert refs(checked, "crosscheck.placed_not_in_bom") == set()
    assert refs(checked, "crosscheck.dnp_placed") == {
        *("R44", "R49", "C21", "C29", "R16", "TVS2", "TVS3", "C26", "R43", "EXT1", "EXT2"),
    }
    # What the data showed: the battery connector's origin overhangs the board edge.
    assert refs(checked, "crosscheck.off_board") == {"BAT1"}
    assert result.assembly_type == AssemblyType.MIXED
    assert result.double_sided
    assert result.tht_joints > 0


def test_glasgow_bom_only() -> None:
    design, merged, checked, result = run(GLASGOW, "revC3-bom.csv")
    assert (len(design.bom_lines), design.placements, merged) == (57, [], [])
    assert [f.code for f in checked] == ["crosscheck.no_placements"]
    assert result.assembly_type == AssemblyType.UNKNOWN
    assert result.fitted_parts == 234 - 10  # J6-J10, R6, R8, R40, R50, R51 are DNP
    assert result.unique_parts == 53
    assert result.terminations_estimated > 0
    assert result.terminations_unknown + result.terminations_estimated == result.fitted_parts
