"""DFM rules: each rule fires on the case it is about and stays quiet on its neighbour.

Designs are built in code, a few parts each; ``check`` runs one rule and insists it ran
(so a skipped rule can never pass a test by saying nothing).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boardline.npi.dfm import (
    ALL_RULES,
    RULES,
    DfmConfig,
    Hit,
    Lifecycle,
    PartFacts,
    ReviewInput,
    Rule,
    RuleStatus,
    _Board,
    _close_pairs,
    manufacturer_key,
    mpn_ambiguity,
    msl_level,
    review,
    rule_catalogue,
)
from boardline.npi.model import (
    BomLine,
    Design,
    Finding,
    Mount,
    Outline,
    Placement,
    Severity,
    Side,
    SupplierPart,
)

BOARD = Outline([[(0, 0), (100, 0), (100, 80), (0, 80)]])
TOP, BOTTOM = Side.TOP, Side.BOTTOM


def place(
    refdes: str,
    x: float = 50,
    y: float = 40,
    package: str = "C_0402_1005Metric",
    side: Side = TOP,
    *,
    rotation: float = 0,
    width: float | None = 1.0,
    height: float | None = 0.5,
    **extra: Any,
) -> Placement:
    return Placement(
        refdes, x, y, rotation, side, package=package, width=width, height=height, **extra
    )


def line(n: int, *refdes: str, mpn: str = "GRM155R71C104KA88D", **extra: Any) -> BomLine:
    fields: dict[str, Any] = {"manufacturer": "Murata", "footprint": "C_0402", **extra}
    return BomLine(line=n, refdes=list(refdes), quantity=len(refdes), mpn=mpn, **fields)


def fiducials(side: Side = TOP) -> list[Placement]:
    return [
        place(f"FID{i}{side.value[0]}", x, 5, "Fiducial_1mm", side, width=1, height=1)
        for i, x in enumerate((5, 95))
    ]


# Sizes in these tests are bare bodies, so they ask for a gap; courtyards need none.
BODY_GAP = DfmConfig(part_clearance_mm=0.25)


def check(rule_id: str, design: Design, **inputs: Any) -> list[Finding]:
    """Run one rule and return its findings; fail if the rule did not run."""
    report = review(ReviewInput(design, **inputs), [RULES[rule_id]])
    (run,) = report.runs
    assert run.status is RuleStatus.RAN, run
    assert all(f.code == rule_id for f in report.findings)
    return list(report.findings)


def skipped(rule_id: str, design: Design, **inputs: Any) -> str:
    report = review(ReviewInput(design, **inputs), [RULES[rule_id]])
    (run,) = report.runs
    assert run.status is RuleStatus.SKIPPED
    assert not report.findings
    return run.reason


# --- the catalogue ------------------------------------------------------------------------


def test_catalogue_lists_every_rule_with_its_why_and_what_to_do() -> None:
    catalogue = rule_catalogue()
    assert len(catalogue) >= 22
    assert [r["id"] for r in catalogue] == list(RULES)
    for entry in catalogue:
        assert entry["id"].startswith("dfm.")
        assert entry["severity"] in {"error", "warning", "info"}
        assert entry["title"]
        assert entry["hint"]
        assert len(entry["explanation"]) > 80, entry["id"]


def test_rules_are_tested_here() -> None:
    """Every rule id appears in this file, so a new rule without a test shows up."""
    with open(__file__, encoding="utf-8") as source:
        text = source.read()
    untested = [rule_id for rule_id in RULES if f'"{rule_id}"' not in text]
    assert not untested


# --- BOM rules ----------------------------------------------------------------------------


def test_missing_mpn_is_an_error_without_a_supplier_part() -> None:
    design = Design(bom_lines=[line(2, "R1", "R2", mpn=""), line(3, "C1", mpn="n/a")])
    found = check("dfm.missing_mpn", design)
    assert [(f.severity, f.line, f.field) for f in found] == [
        (Severity.ERROR, 2, "mpn"),
        (Severity.ERROR, 3, "mpn"),
    ]
    assert "BOM line 2 (R1, R2)" in found[0].message
    assert found[1].refdes == "C1"


def test_missing_mpn_is_a_warning_with_a_supplier_part() -> None:
    """A JLCPCB BOM names the LCSC part: buyable, but tied to one supplier."""
    lcsc = line(2, "C1", mpn="", supplier_parts=[SupplierPart("LCSC", "C307331")])
    (finding,) = check("dfm.missing_mpn", Design(bom_lines=[lcsc]))
    assert finding.severity is Severity.WARNING
    assert "LCSC C307331" in finding.message


def test_missing_mpn_ignores_dnp_lines_fiducials_and_lines_with_an_mpn() -> None:
    design = Design(
        bom_lines=[
            line(2, "C1"),
            line(3, "R9", mpn="", dnp=True),
            line(4, "FID1", "FID2", mpn="", footprint="Fiducial1x3"),
            line(5, "H1", mpn="", footprint="MountingHole_3.2mm_M3"),
        ]
    )
    assert check("dfm.missing_mpn", design) == []


@pytest.mark.parametrize(
    "mpn",
    ["RC0402FR-07xxL", "STM32F103xB", "LM358*", "USB4105-xx-A", "TBD", "10k", "100nF", "4k7"],
)
def test_ambiguous_mpn_is_an_error(mpn: str) -> None:
    (finding,) = check("dfm.ambiguous_mpn", Design(bom_lines=[line(2, "U1", mpn=mpn)]))
    assert finding.severity is Severity.ERROR
    assert mpn in finding.message


@pytest.mark.parametrize(
    "mpn", ["LMK107BJ475KAHT, TMK105BJ104KV-F", "LM358DR; LM358DT", "LM358DR or LM358DT"]
)
def test_several_mpns_in_one_cell_are_a_warning(mpn: str) -> None:
    (finding,) = check("dfm.ambiguous_mpn", Design(bom_lines=[line(2, "U1", mpn=mpn)]))
    assert finding.severity is Severity.WARNING
    assert "several" in finding.message


@pytest.mark.parametrize(
    "mpn",
    [
        "LMK107BJ475KAHT",
        "MCP1700T-3302E/TT",
        "1N4148W-7-F",
        "2N7002",
        "BAT54C(SOT23-3)",
        "PTS810 SJM 250 SMTR LFS",
        "ADuM1201ARZ",
        "LTC2050HVCS5#TRMPBF",
        "B2B-PH-SM4-TB(LF)(SN)",
        "",
    ],
)
def test_real_mpns_are_not_ambiguous(mpn: str) -> None:
    assert mpn_ambiguity(mpn) is None
    assert check("dfm.ambiguous_mpn", Design(bom_lines=[line(2, "U1", mpn=mpn)])) == []


def test_missing_manufacturer() -> None:
    design = Design(
        bom_lines=[line(2, "U1", manufacturer=""), line(3, "U2"), line(4, "U3", mpn="")]
    )
    (finding,) = check("dfm.missing_manufacturer", design)
    assert finding.refdes == "U1"
    assert finding.field == "manufacturer"


APPROVED = ["Texas Instruments", "Murata Manufacturing Co., Ltd.", "Würth Elektronik GmbH & Co. KG"]


def test_unapproved_manufacturer_ignores_case_punctuation_and_legal_forms() -> None:
    design = Design(
        bom_lines=[
            line(2, "U1", manufacturer="TEXAS INSTRUMENTS INC."),
            line(3, "C1", manufacturer="Murata Manufacturing"),
            line(4, "L1", manufacturer="Wurth Elektronik"),
            line(5, "R1", manufacturer="Yageo", alternates=[("Vishay Dale", "CRCW0402")]),
            line(6, "R2", manufacturer="Texas Instruments", alternates=[("Panasonic", "ERJ")]),
        ]
    )
    found = check("dfm.unapproved_manufacturer", design, approved_manufacturers=APPROVED)
    assert [(f.line, "alternate" in f.message) for f in found] == [
        (5, False),
        (5, True),
        (6, True),
    ]
    assert "Yageo" in found[0].message


def test_unapproved_manufacturer_is_skipped_without_a_list() -> None:
    design = Design(bom_lines=[line(2, "U1", manufacturer="Yageo")])
    assert "approved manufacturer" in skipped("dfm.unapproved_manufacturer", design)
    assert skipped("dfm.unapproved_manufacturer", design, approved_manufacturers=[])


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Texas Instruments Inc.", "TEXAS INSTRUMENTS"),
        ("Taiyo-Yuden Co., Ltd.", "Taiyo Yuden"),
        ("Würth Elektronik GmbH & Co. KG", "Wurth Elektronik"),
        ("STMicroelectronics", "ST Microelectronics"),
        ("Nexperia B.V.", "Nexperia"),
    ],
)
def test_manufacturer_key(a: str, b: str) -> None:
    assert manufacturer_key(a) == manufacturer_key(b)


def test_manufacturer_key_keeps_different_makers_apart() -> None:
    assert manufacturer_key("Vishay Dale") != manufacturer_key("Vishay")


# --- part facts rules ---------------------------------------------------------------------

FACTS = {
    "OLD1": PartFacts(lifecycle=Lifecycle.OBSOLETE),
    "NRND1": PartFacts(lifecycle=Lifecycle.NRND),
    "NEW1": PartFacts(lifecycle=Lifecycle.ACTIVE, msl="1", sources=3),
    "MSL3": PartFacts(msl="MSL 3"),
    "MSL2A": PartFacts(msl="2a"),
    "MSL5A": PartFacts(msl="5a"),
    "MSL6": PartFacts(msl="6"),
    "ONLY1": PartFacts(sources=1),
}


def facts_design(*mpns: str, **extra: Any) -> Design:
    return Design(bom_lines=[line(i + 2, f"U{i}", mpn=m, **extra) for i, m in enumerate(mpns)])


def test_obsolete_part() -> None:
    found = check("dfm.obsolete_part", facts_design("OLD1", "NEW1"), part_facts=FACTS.get)
    assert [(f.refdes, f.severity) for f in found] == [("U0", Severity.ERROR)]


def test_nrnd_part() -> None:
    found = check("dfm.nrnd_part", facts_design("NRND1", "OLD1", "NEW1"), part_facts=FACTS.get)
    assert [f.refdes for f in found] == ["U0"]


def test_lifecycle_rules_are_skipped_without_part_facts() -> None:
    for rule_id in ("dfm.obsolete_part", "dfm.nrnd_part", "dfm.moisture_sensitive"):
        assert skipped(rule_id, facts_design("OLD1")) == "no part facts lookup"


def test_moisture_sensitive_from_msl_3() -> None:
    design = facts_design("MSL3", "MSL2A", "NEW1", "MSL5A", "MSL6")
    found = check("dfm.moisture_sensitive", design, part_facts=FACTS.get)
    assert [f.refdes for f in found] == ["U0", "U3", "U4"]
    assert "168 h" in found[0].message
    assert "only 24 h" in found[1].message
    assert "baked before every use" in found[2].message


@pytest.mark.parametrize(
    ("text", "level"),
    [("3", "3"), ("MSL3", "3"), ("MSL 2A", "2a"), ("Level 5a", "5a"), ("msl-6", "6"), ("7", None)],
)
def test_msl_level(text: str, level: str | None) -> None:
    assert msl_level(text) == level


def test_single_source_without_alternates() -> None:
    design = Design(
        bom_lines=[
            line(2, "U1", mpn="ONLY1"),
            line(3, "U2", mpn="ONLY1", alternates=[("Other", "ALT1")]),
            line(4, "U3", mpn="NEW1"),
        ]
    )
    found = check("dfm.single_source", design, part_facts=FACTS.get)
    assert [f.refdes for f in found] == ["U1"]


def test_part_facts_missing_names_each_unknown_mpn_once() -> None:
    design = facts_design("NEW1", "TYPO1", "TYPO1", "", "10k")
    found = check("dfm.part_facts_missing", design, part_facts=FACTS.get)
    assert [f.refdes for f in found] == ["U1"]


def test_facts_are_asked_once_per_mpn() -> None:
    asked: list[str] = []

    def lookup(mpn: str) -> PartFacts | None:
        asked.append(mpn)
        return FACTS.get(mpn)

    review(ReviewInput(facts_design("OLD1", "OLD1", "NEW1"), part_facts=lookup))
    assert sorted(asked) == ["NEW1", "OLD1"]


# --- package rules ------------------------------------------------------------------------


def test_fine_pitch_from_name_and_from_data() -> None:
    design = Design(
        placements=[
            place("U1", package="QFN-48-1EP_6x6mm_P0.4mm_EP4.05x4.05mm"),
            place("U2", package="MyCustomQFN", pitch=0.5),
            place("U3", package="SSOP-20_5.3x7.2mm_P0.65mm"),
            place("U4", package="SOIC-8"),
        ]
    )
    found = check("dfm.fine_pitch", design)
    assert [f.refdes for f in found] == ["U1", "U2"]
    wider = check("dfm.fine_pitch", design, config=DfmConfig(fine_pitch_mm=0.65))
    assert [f.refdes for f in wider] == ["U1", "U2", "U3"]


def test_fine_pitch_reads_bom_footprints_without_placements() -> None:
    design = Design(bom_lines=[line(2, "U1", footprint="LQFP-100_14x14mm_P0.5mm")])
    assert [f.refdes for f in check("dfm.fine_pitch", design)] == ["U1"]


def test_xray_for_hidden_joints() -> None:
    design = Design(
        placements=[
            place("U1", package="BGA-256_14.0x14.0mm_Layout16x16_P0.8mm"),
            place("U2", package="QFN-16-1EP_3x3mm_P0.5mm"),
            place("U3", package="LGA_44_12x12mm_0.9mm"),
            place("U4", package="WLCSP-20_1.6x2.1mm"),
            place("U5", package="SOIC-8_3.9x4.9mm_P1.27mm"),
            place("U6", package="BGA-96", dnp=True),
        ]
    )
    found = check("dfm.xray_inspection", design)
    assert [f.refdes for f in found] == ["U1", "U2", "U3", "U4"]
    assert all(f.severity is Severity.INFO for f in found)


def test_micro_passives() -> None:
    design = Design(
        placements=[
            place("C1", package="C_0201_0603Metric"),
            place("C2", package="R_01005_0402Metric"),
            place("C3", package="C_0402_1005Metric"),
        ]
    )
    found = check("dfm.micro_passive", design)
    assert [f.refdes for f in found] == ["C1", "C2"]
    assert "not every line" in found[1].message
    assert "not every line" not in found[0].message


def test_missing_package_uses_the_bom_footprint_as_fallback() -> None:
    design = Design(
        bom_lines=[line(2, "U1", footprint=""), line(3, "U2", footprint="SOIC-8")],
        placements=[place("U1", package=""), place("U2", package=""), place("FID1", package="")],
    )
    (finding,) = check("dfm.missing_package", design)
    assert finding.refdes == "U1"


def test_missing_package_on_a_bom_only_design() -> None:
    design = Design(bom_lines=[line(2, "U1", "U2", footprint=""), line(3, "U3")])
    (finding,) = check("dfm.missing_package", design)
    assert finding.line == 2


def test_package_rules_are_skipped_without_parts() -> None:
    assert skipped("dfm.fine_pitch", Design()) == "no BOM lines or placements"


# --- geometry rules -----------------------------------------------------------------------


def test_part_spacing_flags_close_parts_on_the_same_side_only() -> None:
    design = Design(
        placements=[
            place("C1", 10, 10),
            place("C2", 11.1, 10),  # 0.1 mm gap
            place("C3", 30, 10),
            place("C4", 30.5, 10),  # overlapping bodies
            place("C5", 50, 10),
            place("C6", 51.1, 10, side=BOTTOM),  # close but on the other side
            place("C7", 70, 10),
            place("C8", 71.5, 10),  # 0.5 mm gap
        ]
    )
    found = check("dfm.part_spacing", design, config=BODY_GAP)
    assert [f.refdes for f in found] == ["C1", "C3"]
    assert "0.10 mm apart with C2" in found[0].message
    assert "bodies overlap" in found[1].message


def test_part_spacing_turns_bodies_with_their_rotation() -> None:
    """Two 1.0 x 0.5 mm parts 0.8 mm apart: clear when both stand at 90°, overlapping at 0°."""
    standing = [place("R1", 10, 10, rotation=90), place("R2", 10.8, 10, rotation=270)]
    lying = [place("R1", 10, 10), place("R2", 10.8, 10)]
    assert check("dfm.part_spacing", Design(placements=standing), config=BODY_GAP) == []
    assert len(check("dfm.part_spacing", Design(placements=lying), config=BODY_GAP)) == 1


def test_part_spacing_reports_parts_it_could_not_compare() -> None:
    design = Design(placements=[place("C1", 10, 10), place("U9", 10.2, 10, width=None)])
    (finding,) = check("dfm.part_spacing", design)
    assert finding.severity is Severity.INFO
    assert "U9" in finding.message


def test_part_spacing_is_skipped_without_sizes() -> None:
    design = Design(placements=[place("C1", width=None), place("C2", height=None)])
    assert "size" in skipped("dfm.part_spacing", design)


def test_edge_clearance() -> None:
    design = Design(
        placements=[
            place("C1", 0.9, 40),  # body edge 0.4 mm from x = 0
            place("C2", 50, 40),
            place("J1", 50, 79.8, "USB_C", width=None, height=None),  # centre only
            place("C3", 50, 40.6, side=BOTTOM),
        ],
        outline=BOARD,
    )
    found = check("dfm.edge_clearance", design)
    assert [f.refdes for f in found] == ["C1", "J1"]
    assert "0.40 mm from the board edge" in found[0].message
    assert "centre" in found[1].message


def test_edge_clearance_counts_cutout_edges() -> None:
    cutout = Outline([*BOARD.polygons, [(40, 30), (60, 30), (60, 50), (40, 50)]])
    design = Design(placements=[place("C1", 39.3, 40), place("C2", 20, 40)], outline=cutout)
    assert [f.refdes for f in check("dfm.edge_clearance", design)] == ["C1"]


def test_edge_clearance_on_a_diagonal_edge() -> None:
    """A chamfered corner: the part is 0.3 mm from the 45° edge, far from the others."""
    chamfered = Outline([[(10, 0), (100, 0), (100, 80), (0, 80), (0, 10)]])
    # The edge is x + y = 10; a 1 x 0.5 body whose near corner is 0.3 mm away.
    corner = 10 + 0.3 * math.sqrt(2)
    x, y = corner / 2 + 0.5, corner / 2 + 0.25
    found = check("dfm.edge_clearance", Design(placements=[place("C1", x, y)], outline=chamfered))
    assert len(found) == 1
    assert "0.30 mm" in found[0].message


def test_edge_and_outline_rules_are_skipped_without_an_outline() -> None:
    design = Design(placements=[place("C1")])
    assert skipped("dfm.edge_clearance", design) == "no usable board outline"
    assert skipped("dfm.outside_outline", design) == "no usable board outline"
    broken = Design(placements=[place("C1")], outline=Outline([[(0, 0), (1, 1)]]))
    assert skipped("dfm.outside_outline", broken)


def test_outside_outline_and_in_a_cutout() -> None:
    cutout = Outline([*BOARD.polygons, [(40, 30), (60, 30), (60, 50), (40, 50)]])
    design = Design(
        placements=[
            place("C1", 120, 40),
            place("C2", 50, 40),  # in the cutout
            place("C3", 20, 20),
            place("C4", float("nan"), 20),
            place("FID9", -5, -5, "Fiducial_1mm"),  # panel rail fiducial: not a part
        ],
        outline=cutout,
    )
    found = check("dfm.outside_outline", design)
    assert [(f.refdes, f.severity) for f in found] == [
        ("C1", Severity.ERROR),
        ("C2", Severity.ERROR),
        ("C4", Severity.ERROR),
    ]
    assert "no usable coordinates" in found[2].message


def test_edge_clearance_leaves_parts_outside_to_the_outside_rule() -> None:
    design = Design(placements=[place("C1", 100.2, 40)], outline=BOARD)
    assert check("dfm.edge_clearance", design) == []
    assert len(check("dfm.outside_outline", design)) == 1


# --- process rules ------------------------------------------------------------------------


def test_double_sided_smt() -> None:
    one_side = Design(placements=[place("C1"), place("C2", 60)])
    both = Design(placements=[place("C1"), place("C2", 60, side=BOTTOM)])
    assert check("dfm.double_sided_smt", one_side) == []
    (finding,) = check("dfm.double_sided_smt", both)
    assert "two reflow passes" in finding.message
    assert finding.severity is Severity.INFO


def test_bottom_heavy_by_package_family() -> None:
    design = Design(
        placements=[
            place("C1", package="CP_Elec_6.3x5.9", side=BOTTOM),
            place("J1", package="USB_C_Receptacle_HRO", side=BOTTOM),
            place("L1", package="L_Bourns_SRN6045", side=BOTTOM, width=6, height=6),
            place("L2", package="L_Taiyo-Yuden_MD-3030", side=BOTTOM, width=3, height=3),
            place("C2", package="CP_Elec_6.3x5.9", side=TOP),
            place("R1", package="R_0402", side=BOTTOM),
        ]
    )
    found = check("dfm.bottom_heavy", design)
    assert [f.refdes for f in found] == ["C1", "J1", "L1"]


def test_bottom_heavy_by_part_facts() -> None:
    """Facts win over the family: a light connector is fine, a heavy shield can is not."""
    facts = {
        "HEAVY": PartFacts(weight_g=4.0),
        "TALL": PartFacts(height_mm=8.0),
        "LIGHT": PartFacts(weight_g=0.2, height_mm=1.0),
    }
    design = Design(
        placements=[
            place("U1", package="Shield_Can", side=BOTTOM, mpn="HEAVY"),
            place("U2", package="Custom", side=BOTTOM, mpn="TALL"),
            place("J1", package="Conn_FPC_0.5mm", side=BOTTOM, mpn="LIGHT"),
            place("U3", package="Shield_Can", side=TOP, mpn="HEAVY"),
        ]
    )
    found = check("dfm.bottom_heavy", design, part_facts=facts.get)
    assert [f.refdes for f in found] == ["U1", "U2"]
    assert "weighs 4 g" in found[0].message
    assert "8 mm tall" in found[1].message


def test_double_sided_tht() -> None:
    header = "PinHeader_1x04_P2.54mm_Vertical"
    one_side = Design(placements=[place("J1", package=header), place("J2", 60, package=header)])
    both = Design(
        placements=[place("J1", package=header), place("J2", 60, package=header, side=BOTTOM)]
    )
    assert check("dfm.double_sided_tht", one_side) == []
    (finding,) = check("dfm.double_sided_tht", both)
    assert finding.refdes == "J2"


def test_mixed_technology() -> None:
    smt_only = Design(placements=[place("C1"), place("U1", 60, 40, "SOIC-8")])
    mixed = Design(placements=[place("C1"), place("J1", 60, 40, "x", mount=Mount.THT)])
    assert check("dfm.mixed_technology", smt_only) == []
    (finding,) = check("dfm.mixed_technology", mixed)
    assert "J1" in finding.message


@pytest.mark.parametrize(
    ("rotation", "odd"),
    [(0, False), (270, False), (-90, False), (359.995, False), (45, True), (89.9, True)],
)
def test_odd_rotation(rotation: float, odd: bool) -> None:
    found = check("dfm.odd_rotation", Design(placements=[place("U1", rotation=rotation)]))
    assert bool(found) is odd


def test_odd_rotation_flags_a_rotation_that_is_not_a_number() -> None:
    (finding,) = check("dfm.odd_rotation", Design(placements=[place("U1", rotation=math.inf)]))
    assert "not a number" in finding.message


def test_fiducials_missing_entirely() -> None:
    (finding,) = check("dfm.fiducials", Design(placements=[place("C1")]))
    assert "no fiducials on the top side" in finding.message


def test_fiducials_on_one_side_only_with_smt_on_both() -> None:
    design = Design(placements=[*fiducials(TOP), place("C1"), place("C2", 60, side=BOTTOM)])
    (finding,) = check("dfm.fiducials", design)
    assert "bottom" in finding.message


def test_fiducials_present_on_both_sides() -> None:
    design = Design(
        placements=[*fiducials(TOP), *fiducials(BOTTOM), place("C1"), place("C2", side=BOTTOM)]
    )
    assert check("dfm.fiducials", design) == []


def test_a_single_fiducial_is_not_enough() -> None:
    design = Design(placements=[fiducials(TOP)[0], place("C1")])
    (finding,) = check("dfm.fiducials", design)
    assert "only 1 fiducial " in finding.message


def test_fiducials_not_needed_without_smt() -> None:
    design = Design(placements=[place("J1", package="PinHeader_1x04_P2.54mm_Vertical")])
    assert check("dfm.fiducials", design) == []


def test_side_summary() -> None:
    design = Design(
        placements=[
            place("C1"),
            place("J1", package="PinHeader_1x02_P2.54mm_Vertical"),
            place("X1", package="Mystery"),
            place("C2", side=BOTTOM),
            *fiducials(TOP),
        ]
    )
    found = check("dfm.side_summary", design)
    assert [f.message for f in found] == [
        "top: 3 parts (1 SMT, 1 THT, 0 other, 1 unknown mount)",
        "bottom: 1 parts (1 SMT, 0 THT, 0 other, 0 unknown mount)",
    ]


def test_unknown_mount() -> None:
    design = Design(
        placements=[
            place("X1", package="Mystery"),
            place("X2", package="Mystery", mount=Mount.SMT),
            place("C1"),
            place("FID1", package=""),
        ]
    )
    (finding,) = check("dfm.unknown_mount", design)
    assert finding.refdes == "X1"


def test_no_outline() -> None:
    (finding,) = check("dfm.no_outline", Design(placements=[place("C1")]))
    assert finding.severity is Severity.WARNING
    assert check("dfm.no_outline", Design(placements=[place("C1")], outline=BOARD)) == []


# --- the review ---------------------------------------------------------------------------


def test_review_reports_what_ran_and_what_was_skipped_and_why() -> None:
    design = Design(bom_lines=[line(2, "C1", mpn="")], placements=[place("C1")])
    report = review(ReviewInput(design))
    assert len(report.runs) == len(ALL_RULES)
    skipped_ids = {run.rule_id: run.reason for run in report.skipped}
    assert skipped_ids["dfm.obsolete_part"] == "no part facts lookup"
    assert skipped_ids["dfm.edge_clearance"] == "no usable board outline"
    assert "dfm.unapproved_manufacturer" in skipped_ids
    assert "dfm.missing_mpn" in report.ran
    assert set(report.ran) | set(skipped_ids) == set(RULES)
    assert sum(report.counts.values()) == len(report.findings)
    severities = [f.severity for f in report.findings]
    assert severities == sorted(
        severities, key=[Severity.ERROR, Severity.WARNING, Severity.INFO].index
    )


def test_review_stops_a_rule_that_fires_everywhere() -> None:
    design = Design(placements=[place(f"U{i}", rotation=45) for i in range(10)])
    config = DfmConfig(max_findings_per_rule=3)
    report = review(ReviewInput(design, config=config), [RULES["dfm.odd_rotation"]])
    (run,) = report.runs
    assert run.truncated
    assert run.findings == 3
    assert len(report.findings) == 3


def test_a_broken_rule_is_reported_and_the_others_still_run() -> None:
    def broken(data: ReviewInput) -> Iterator[Hit]:
        """Always breaks."""
        raise ZeroDivisionError("boom")
        yield Hit("never")

    rule = Rule("test.broken", Severity.ERROR, "Broken", "", "", broken)
    report = review(ReviewInput(Design(placements=[place("C1")])), [rule, RULES["dfm.fiducials"]])
    assert report.failed[0].rule_id == "test.broken"
    assert "ZeroDivisionError: boom" in report.failed[0].reason
    assert report.ran == ("dfm.fiducials",)


@pytest.mark.parametrize(
    "config",
    [
        {"part_clearance_mm": -1},
        {"edge_clearance_mm": float("nan")},
        {"max_findings_per_rule": 0},
    ],
)
def test_config_refuses_nonsense_limits(config: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="DFM"):
        DfmConfig(**config)


def big_design(count: int = 50_000) -> Design:
    """A board-sized grid of mixed parts on both sides, with a few planted problems."""
    rng = random.Random(7)
    packages = [
        ("C_0402_1005Metric", 1.0, 0.5),
        ("R_0201_0603Metric", 0.6, 0.3),
        ("SOIC-8_3.9x4.9mm_P1.27mm", 6.0, 4.9),
        ("QFN-32-1EP_5x5mm_P0.5mm", 5.0, 5.0),
        ("SOT-23", 2.9, 2.4),
    ]
    columns, pitch = 250, 8.0
    placements = []
    for i in range(count):
        package, width, height = packages[i % len(packages)]
        placements.append(
            Placement(
                f"U{i}",
                (i % columns) * pitch + 5 + rng.uniform(-0.2, 0.2),
                (i // columns) * pitch + 5 + rng.uniform(-0.2, 0.2),
                rng.choice((0.0, 90.0, 180.0, 270.0)),
                BOTTOM if (i // columns) % 3 == 0 else TOP,
                package=package,
                width=width,
                height=height,
            )
        )
    placements[1].x, placements[1].y = placements[0].x + 0.8, placements[0].y  # too close
    placements[2].x = -50.0  # off the board
    placements += [*fiducials(TOP), *fiducials(BOTTOM)]
    size_x, size_y = columns * pitch + 2, (count // columns + 1) * pitch + 2
    outline = Outline([[(0, 0), (size_x, 0), (size_x, size_y), (0, size_y)]])
    lines = [
        BomLine(
            line=k + 2,
            refdes=[f"U{i}" for i in range(k, count, 500)],
            quantity=None,
            mpn=f"MPN-{k}",
            manufacturer="Acme Inc",
            footprint="",
        )
        for k in range(500)
    ]
    return Design(bom_lines=lines, placements=placements, outline=outline)


def test_a_50000_part_design_is_reviewed_by_every_rule() -> None:
    """Spacing and edge checks use grids, so a large panel reviews in about a second."""
    facts = PartFacts(lifecycle=Lifecycle.ACTIVE, msl="1", sources=2)
    data = ReviewInput(
        big_design(), BODY_GAP, part_facts=lambda _: facts, approved_manufacturers=["ACME"]
    )
    report = review(data)
    assert not report.failed
    assert not report.skipped
    spacing = [f for f in report.findings if f.code == "dfm.part_spacing"]
    assert [f.refdes for f in spacing] == ["U0"]
    outside = [f.refdes for f in report.findings if f.code == "dfm.outside_outline"]
    assert outside == ["U2"]


def test_grid_finds_the_same_pairs_as_comparing_all_pairs() -> None:
    rng = random.Random(3)
    boxes = []
    for _ in range(400):
        x, y = rng.uniform(0, 60), rng.uniform(0, 60)
        w, h = rng.choice([(0.5, 0.25), (1, 0.5), (6, 5), (40, 2)])
        boxes.append((x, y, x + w, y + h))
    gap = 0.25
    brute = {
        (i, j)
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if _gap(boxes[i], boxes[j]) < gap
    }
    found = [(i, j) for i, j, _ in _close_pairs(boxes, gap)]
    assert len(found) == len(set(found))
    assert set(found) == brute


def _gap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    dx = max(a[0] - b[2], b[0] - a[2], 0.0)
    dy = max(a[1] - b[3], b[1] - a[3], 0.0)
    return math.hypot(dx, dy)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-20, 120), st.floats(-20, 100), st.floats(0, 5), st.floats(0, 5)),
        max_size=30,
    )
)
def test_edge_distance_matches_a_scan_of_every_edge(
    boxes: list[tuple[float, float, float, float]],
) -> None:
    polygon = [(0.0, 0.0), (100.0, 0.0), (100.0, 30.0), (60.0, 80.0), (0.0, 80.0)]
    board = _Board.build(Outline([polygon]), 0.5)
    assert board is not None
    for x, y, w, h in boxes:
        box = (x, y, x + w, y + h)
        expected = min(_box_to_segment(box, s) for s in board.segments)
        got = board.edge_distance(box, 2.0)
        if expected < 2.0 - 1e-9:
            assert got is not None
            assert math.isclose(got, expected, abs_tol=1e-6)
        elif expected > 2.0 + 1e-9:
            assert got is None


def _box_to_segment(box: tuple[float, ...], seg: tuple[float, ...]) -> float:
    """Independent reference: the distance to a convex box is convex along the segment, so a
    ternary search over the segment parameter finds its minimum."""
    ax, ay, bx, by = seg

    def at(t: float) -> float:
        x, y = ax + t * (bx - ax), ay + t * (by - ay)
        return math.hypot(max(box[0] - x, 0.0, x - box[2]), max(box[1] - y, 0.0, y - box[3]))

    lo, hi = 0.0, 1.0
    for _ in range(100):
        m1, m2 = lo + (hi - lo) / 3, hi - (hi - lo) / 3
        lo, hi = (lo, m2) if at(m1) <= at(m2) else (m1, hi)
    return min(at(0.0), at(1.0), at(lo))


maybe_float = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True))
small = st.floats(-200, 200)
placements = st.builds(
    Placement,
    refdes=st.sampled_from(["C1", "C2", "R1", "U1", "FID1", "J1", "TP1", "X1", ""]),
    x=st.one_of(small, st.floats()),
    y=st.one_of(small, st.floats()),
    rotation=st.floats(),
    side=st.sampled_from(Side),
    package=st.sampled_from(
        ["", "C_0402_1005Metric", "QFN-48_P0.4mm", "CP_Elec_6.3x5.9", "Fiducial_1mm", "?"]
    ),
    mount=st.one_of(st.none(), st.sampled_from(Mount)),
    width=maybe_float,
    height=maybe_float,
    pitch=maybe_float,
    dnp=st.booleans(),
    exclude_from_pos=st.booleans(),
    mpn=st.sampled_from(["", "OLD1", "MSL6", "10k", "x?"]),
)
bom_lines = st.builds(
    BomLine,
    line=st.integers(1, 500),
    refdes=st.lists(st.sampled_from(["C1", "C2", "R1", "U1", "FID1", "J1"]), max_size=3),
    quantity=st.one_of(st.none(), st.integers(0, 5)),
    mpn=st.text(max_size=12),
    manufacturer=st.text(max_size=12),
    footprint=st.text(max_size=12),
    dnp=st.booleans(),
    alternates=st.lists(st.tuples(st.text(max_size=5), st.text(max_size=5)), max_size=2),
)
outlines = st.one_of(
    st.none(),
    st.builds(
        Outline,
        st.lists(st.lists(st.tuples(small, small), max_size=6), max_size=3),
    ),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(placements, max_size=25),
    st.lists(bom_lines, max_size=6),
    outlines,
    st.booleans(),
)
def test_review_never_raises_on_odd_designs(
    placed: list[Placement], lines: list[BomLine], outline: Outline | None, with_facts: bool
) -> None:
    design = Design(bom_lines=lines, placements=placed, outline=outline)
    facts = FACTS.get if with_facts else None
    report = review(ReviewInput(design, part_facts=facts, approved_manufacturers=["Murata"]))
    assert not report.failed, report.failed
    assert len(report.runs) == len(ALL_RULES)
    assert sum(report.counts.values()) == len(report.findings)
