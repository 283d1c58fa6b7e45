"""Classifying a design: assembly type and the counts quotes, routings and IPC-7912A DPMO
use. Each test states which parts count and why."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import pytest

from boardline.npi.classify import ASSEMBLY_LABELS, AssemblyType, classify, is_two_terminal
from boardline.npi.model import BomLine, Design, Mount, Placement, Side


def smt(refdes: str, side: Side = Side.TOP, pins: int | None = 2, **kw: Any) -> Placement:
    return Placement(refdes, 1.0, 1.0, 0.0, side, mount=Mount.SMT, pin_count=pins, **kw)


def tht(refdes: str, side: Side = Side.TOP, pins: int | None = 4, **kw: Any) -> Placement:
    return Placement(refdes, 1.0, 1.0, 0.0, side, mount=Mount.THT, pin_count=pins, **kw)


def line(n: int, *refs: str, mpn: str = "", dnp: bool = False, footprint: str = "") -> BomLine:
    return BomLine(n, list(refs), len(refs), mpn=mpn, dnp=dnp, footprint=footprint)


@pytest.mark.parametrize(
    ("placements", "expected"),
    [
        ([smt("R1"), smt("R2")], AssemblyType.SMT_ONE_SIDE),
        ([smt("R1", Side.BOTTOM)], AssemblyType.SMT_ONE_SIDE),
        ([smt("R1"), smt("R2", Side.BOTTOM)], AssemblyType.SMT_BOTH_SIDES),
        ([tht("J1"), tht("J2", Side.BOTTOM)], AssemblyType.THT_ONLY),
        ([smt("R1"), tht("J1")], AssemblyType.MIXED),
        ([smt("R1", Side.BOTTOM), tht("J1")], AssemblyType.MIXED),
        ([Placement("R1", 0.0, 0.0, 0.0, Side.TOP)], AssemblyType.UNKNOWN),
        ([], AssemblyType.NOTHING),
    ],
)
def test_assembly_type(placements: list[Placement], expected: AssemblyType) -> None:
    result = classify(Design(placements=placements))
    assert result.assembly_type == expected
    assert result.assembly_label == expected.label == ASSEMBLY_LABELS[expected]


def test_every_assembly_type_has_a_label() -> None:
    assert set(ASSEMBLY_LABELS) == set(AssemblyType)


def test_dnp_and_non_solder_parts_do_not_make_a_board_mixed_or_double_sided() -> None:
    design = Design(
        bom_lines=[line(2, "R1"), line(3, "J1", dnp=True)],
        placements=[
            smt("R1"),
            tht("J1", dnp=True),
            smt("R9", Side.BOTTOM, dnp=True),
            Placement("H1", 0.0, 0.0, 0.0, Side.BOTTOM, mount=Mount.OTHER),
        ],
    )
    result = classify(design)
    assert result.assembly_type == AssemblyType.SMT_ONE_SIDE
    assert not result.double_sided
    assert result.fitted_parts == 1


def test_parts_of_unknown_mount_are_counted_not_guessed() -> None:
    design = Design(
        placements=[smt("R1"), Placement("U1", 0.0, 0.0, 0.0, Side.BOTTOM, pin_count=8)]
    )
    result = classify(design)
    assert result.assembly_type == AssemblyType.SMT_ONE_SIDE
    assert (result.unknown_mount, result.unknown_mount_refdes) == (1, ("U1",))
    assert (result.unknown_bottom, result.terminations) == (1, 10)
    assert result.double_sided


def test_counts_per_side_and_mount_add_up_to_the_fitted_parts() -> None:
    design = Design(
        bom_lines=[line(2, "R1", "R2", "R3", "J1", "J2", "U1", "U9", "MH1")],
        placements=[
            smt("R1"),
            smt("R2"),
            smt("R3", Side.BOTTOM),
            tht("J1"),
            tht("J2", Side.BOTTOM),
            Placement("U1", 0.0, 0.0, 0.0, Side.TOP),
            Placement("MH1", 0.0, 0.0, 0.0, Side.TOP, mount=Mount.OTHER),
        ],
    )
    r = classify(design)
    assert (r.smt_top, r.tht_top, r.other_top, r.unknown_top) == (2, 1, 1, 1)
    assert (r.smt_bottom, r.tht_bottom, r.other_bottom, r.unknown_bottom) == (1, 1, 0, 0)
    assert r.unplaced == 1  # U9: in the BOM, no placement
    placed = r.smt_top + r.tht_top + r.other_top + r.unknown_top
    placed += r.smt_bottom + r.tht_bottom + r.other_bottom + r.unknown_bottom
    assert placed + r.unplaced == r.fitted_parts == 8
    assert r.unknown_mount_refdes == ("U1", "U9")


def test_fitted_parts_are_bom_designators_plus_unlisted_solderable_placements() -> None:
    """With a BOM, what is fitted is its non-DNP designators; a placement the BOM does not
    name still counts when it will be soldered, unless the board leaves it out of the BOM
    (logos, fiducials) or it is DNP."""
    design = Design(
        bom_lines=[line(2, "R1", "R2"), line(3, "R3", dnp=True)],
        placements=[
            smt("R1"),
            smt("R2", dnp=True),  # the placement says DNP: not fitted
            smt("R3"),  # the BOM line says DNP: not fitted
            smt("R4"),  # not in the BOM, will be placed
            smt("FID1", exclude_from_bom=True),
            Placement("H1", 0.0, 0.0, 0.0, Side.TOP, mount=Mount.OTHER),
            smt("R5", dnp=True),
        ],
    )
    assert classify(design).fitted_parts == 2  # R1, R4


def test_a_designator_on_two_lines_is_one_part() -> None:
    design = Design(bom_lines=[line(2, "R1"), line(3, "R1")], placements=[smt("R1")])
    assert classify(design).fitted_parts == 1


def test_unique_parts_are_fitted_bom_lines_and_mpns_are_distinct() -> None:
    design = Design(
        bom_lines=[
            line(2, "R1", "R2", mpn="RC0402FR-0710KL"),
            line(3, "R3", mpn="rc0402fr-0710kl "),  # same MPN, another line
            line(4, "C1", mpn=""),
            line(5, "C2", mpn="GRM155", dnp=True),
            line(6),  # no designators
        ],
        placements=[smt("R1"), smt("R2"), smt("R3"), smt("C1"), smt("C2")],
    )
    r = classify(design)
    assert (r.unique_parts, r.unique_mpns) == (3, 1)


def test_without_a_bom_unique_parts_are_distinct_mpn_or_value_and_package() -> None:
    design = Design(
        placements=[
            smt("R1", value="10k", package="R_0402"),
            smt("R2", value="10K ", package="R_0402"),
            smt("R3", value="10k", package="R_0603"),
            smt("U1", value="MCU", package="QFN-32", mpn="STM32G0"),
            smt("U2", value="other", package="QFN-32", mpn="STM32G0"),
        ]
    )
    assert classify(design).unique_parts == 3


def test_terminations_sum_pin_counts_and_estimate_two_terminal_chips() -> None:
    design = Design(
        bom_lines=[line(2, "U9", footprint="Capacitor_SMD:C_0603_1608Metric"), line(3, "Q1")],
        placements=[
            smt("U1", pins=48),
            smt("R1", pins=None, package="R_0402_1005Metric"),
            smt("D1", pins=None, package="D_SOD-123"),
            smt("RN1", pins=None, package="R_Array_Convex_4x0402"),
            smt("U2", pins=None, package="SOT-23"),
            tht("J1", pins=10),
            tht("J2", pins=None, package="PinHeader_1x04_P2.54mm_Vertical"),
            Placement("MH1", 0.0, 0.0, 0.0, Side.TOP, mount=Mount.OTHER, pin_count=1),
            smt("R9", pins=2, dnp=True),
        ],
    )
    r = classify(design)
    # 48 + 2 (R1) + 2 (D1) + 10 (J1) + 2 (U9, unplaced, by its BOM footprint); MH1 has none.
    assert r.terminations == 64
    assert r.tht_joints == 10
    assert r.terminations_estimated == 3  # R1, D1, U9
    assert r.terminations_unknown == 4  # RN1, U2, J2, Q1


@pytest.mark.parametrize(
    ("name", "two"),
    [
        ("R_0402_1005Metric", True),
        ("Capacitor_SMD:C_0603_1608Metric", True),
        ("0603", True),
        ("C_01005_0402Metric", True),
        ("LED_0805_2012Metric", True),
        ("Fuse_1206_3216Metric", True),
        ("D_SOD-123", True),
        ("D_SOD-323F", True),
        ("D_MiniMELF", True),
        ("D_SMA", True),
        ("DO-214AC", True),
        ("R_Array_Convex_4x0402", False),
        ("Crystal_SMD_2016-4Pin_2.0x1.6mm", False),
        ("SOT-23", False),
        ("QFN-32-1EP_5x5mm_P0.5mm", False),
        ("SMA_Amphenol_132289_EdgeMount", False),
        ("BGA-256_14.0x14.0mm_Layout16x16_P0.8mm", False),
        ("TSSOP-20_4.4x6.5mm_P0.65mm", False),
        ("R_20402", False),
        ("", False),
    ],
)
def test_two_terminal_packages_by_name(name: str, two: bool) -> None:
    assert is_two_terminal(name) is two


def test_negative_pin_counts_count_as_none() -> None:
    assert classify(Design(placements=[smt("U1", pins=-3)])).terminations == 0


def test_the_classification_is_plain_json_for_the_revision_summary() -> None:
    """The import service stores ``asdict(classification)`` and the page reads it."""
    design = Design(
        bom_lines=[line(2, "R1", mpn="A"), line(3, "J1", mpn="B")],
        placements=[smt("R1", Side.BOTTOM), tht("J1")],
    )
    stored = json.loads(json.dumps(asdict(classify(design))))
    assert stored["assembly_type"] == "mixed"
    assert stored["assembly_label"] == "Mixed SMT and THT"
    assert (stored["smt_bottom"], stored["tht_top"], stored["tht_joints"]) == (1, 1, 4)
    assert (stored["unique_parts"], stored["fitted_parts"], stored["terminations"]) == (2, 2, 6)


def test_as_text_summarises_the_figures() -> None:
    design = Design(placements=[smt("R1"), tht("J1", pins=None), Placement("X", 0, 0, 0, Side.TOP)])
    text = classify(design).as_text()
    assert text.startswith("Mixed SMT and THT; 3 fitted parts")
    assert "2 terminations (0 THT); pins estimated for 0, unknown for 2" in text
    assert text.endswith("; mount unknown for 1")
