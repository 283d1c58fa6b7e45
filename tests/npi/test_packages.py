"""Package classification from the names real data packages carry.

Most names below come from the boards in ``tests/fixtures/boards`` (KiCad, Olimex, JLCPCB
exports); the rest are KiCad library, EasyEDA/JLCPCB and IPC-7351 (Altium) spellings.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boardline.npi.model import BomLine, Mount, Placement, Side
from boardline.npi.packages import (
    PackageKind,
    imperial_size,
    is_fiducial,
    is_fine_pitch,
    package_class,
    pitch_mm,
)

K = PackageKind

KINDS = [
    # chip passives: imperial, KiCad metric, JLC, IPC-7351
    ("C_0201_0603Metric", K.CHIP),
    ("Capacitor_SMD:C_0402_1005Metric", K.CHIP),
    ("R_0402", K.CHIP),
    ("R_0402_5MIL_DWS", K.CHIP),
    ("R_2512_MM_DWS", K.CHIP),
    ("LED_0603_1608Metric_Castellated", K.CHIP),
    ("Inductor_SMD:L_0805_2012Metric", K.CHIP),
    ("Fuse_1206_3216Metric", K.CHIP),
    ("C0402", K.CHIP),
    ("0603_C", K.CHIP),
    ("RESC1005X40N", K.CHIP),
    ("CAPC0603X33N", K.CHIP),
    ("R_Array_Convex_4x0402", K.CHIP),
    ("CP_EIA-3216-10", K.TANTALUM),
    ("CP_EIA-3528-12", K.TANTALUM),
    # diodes and transistors
    ("D_SMB", K.DIODE),
    ("SMA-KA", K.DIODE),
    ("SOD-123_1C-2A_KA", K.DIODE),
    ("DO214AB(SMC)_1(K)-2(A)", K.DIODE),
    ("Diode_SMD:D_MiniMELF", K.DIODE),
    ("D_DO-41_SOD81_P10.16mm_Horizontal", K.DIODE),
    ("SOT-23", K.SOT),
    ("SOT23-3", K.SOT),
    ("SOT-563-6", K.SOT),
    ("SOT-223-3_TabPin2", K.SOT),
    ("Package_TO_SOT_SMD:SC-70-5", K.SOT),
    ("Package_TO_SOT_SMD:TO-252-2", K.SOT),
    ("Package_TO_SOT_THT:TO-220-3_Vertical", K.TO),
    # ICs
    ("ESOIC-8", K.SOIC),
    ("SOIC-8_5.3x5.3mm_P1.27mm", K.SOIC),
    ("VSSOP-8_2.3x2mm_P0.5mm", K.SOIC),
    ("TSOP-II-54_22.2x10.16mm_P0.8mm", K.SOIC),
    ("MSOP-10_Pitch-0.5mm_3.00x3.00x1.00mm", K.SOIC),
    ("SOIC127P600X175-8N", K.SOIC),
    ("Package_QFP:LQFP-100_14x14mm_P0.5mm", K.QFP),
    ("LQFP-48_L7.0-W7.0-P0.50-LS9.0-BL", K.QFP),
    ("QFN-48-1EP_6x6mm_P0.4mm_EP4.05x4.05mm", K.QFN),
    ("QFN32_EP(33)_5.00x5.00x0.90mm_Pitch_0.50mm", K.QFN),
    ("Texas_RGY_R-PVQFN-N24_EP2.05x3.1mm", K.QFN),
    ("Texas_X2SON-4_1x1mm_P0.65mm", K.QFN),
    ("WSON-8-1EP_6x5mm_P1.27mm_EP3.4x4mm", K.QFN),
    ("LFCSP-28-5x5mm-0.5mm-EP3.14x3.14mm", K.QFN),
    ("Package_DFN_QFN:DFN-8-1EP_3x3mm_P0.5mm_EP1.66x2.38mm", K.QFN),
    ("Package_SON:Texas_S-PVSON-N10", K.QFN),
    ("QFN50P500X500X100-33N", K.QFN),
    ("BGA-96_9.0x13.0mm_Layout2x3x16_P0.8mm", K.BGA),
    ("FBGA-234(Pitch-0.65mm_Pad-0.3mm_11x11x1.08mm)", K.BGA),
    ("Lattice_caBGA-381_17.0x17.0mm_Layout20x20_P0.8mm", K.BGA),
    ("Lattice_csBGA-285_10.0x10.0mm", K.BGA),
    ("WLCSP-20_1.6x2.1mm", K.BGA),
    ("BGA256C80P16X16_1400X1400X170", K.BGA),
    ("LGA_44_12x12mm_0.9mm", K.LGA),
    ("Bosch_LGA-8_2.5x2.5mm_P0.65mm", K.LGA),
    ("Package_DIP:DIP-8_W7.62mm", K.DIP),
    # larger and odd parts
    ("CP_Elec_6.3x5.9", K.ELECTROLYTIC),
    ("CPOL-RM2.5mm_6.3x11mm_PTH", K.ELECTROLYTIC),
    ("Capacitor_THT:CP_Radial_D8.0mm_P3.50mm", K.ELECTROLYTIC),
    ("L_Taiyo-Yuden_MD-3030", K.INDUCTOR),
    ("L_2016_MM", K.INDUCTOR),
    ("Inductor_SMD:L_Bourns_SRN6045TA", K.INDUCTOR),
    ("Oscillator_3225", K.CRYSTAL),
    ("Oscilator_2.5x2.0", K.CRYSTAL),
    ("Oscillator_SMD_SiT_PQFN-4Pin_2.5x2.0mm", K.CRYSTAL),
    ("Crystal_SMD_3215-2Pin_3.2x1.5mm", K.CRYSTAL),
    ("2016_SMD_CRYSTAL", K.CRYSTAL),
    ("Crystal:Crystal_HC49-4H_Vertical", K.CRYSTAL),
    ("USB_C_Receptacle_HRO_TYPE-C-31-M-12", K.CONNECTOR),
    ("USB-C 16Pin", K.CONNECTOR),
    ("molex_microsd_1040310811", K.CONNECTOR),
    ("uSD(TFC-9P-1.xH(ATFFS150A01BR016))", K.CONNECTOR),
    ("microSD_HC_SOFNG_TF-008", K.CONNECTOR),
    ("JST_PH_B2B-PH-SM4-TB_1x02-1MP_P2.00mm_Vertical", K.CONNECTOR),
    ("PinHeader_1x04_P2.00mm_Vertical_nosilk_center", K.CONNECTOR),
    ("PJ-3270", K.CONNECTOR),
    ("RJP-003TC1(LPJ4112CNL)", K.CONNECTOR),
    ("XKB Connection A71-05H4-111N1", K.CONNECTOR),
    ("Connector_Coaxial:U.FL_Hirose_U.FL-R-SMT-1_Vertical", K.CONNECTOR),
    ("LIPO_BAT_VERTICAL_DW02S", K.CONNECTOR),
    ("SW_SPST_PTS810", K.SWITCH),
    ("PTS_810_SMT_Switch", K.SWITCH),
    ("ESP32-WROVER_MODULE", K.MODULE),
    # nothing to place
    ("Fiducial_0.75mm_Mask1.5mm", K.FIDUCIAL),
    ("Fiducial1x3", K.FIDUCIAL),
    ("MountingHole:MountingHole_3.2mm_M3_Pad_Via", K.MOUNTING_HOLE),
    ("NPTH_2.2mm", K.MOUNTING_HOLE),
    ("TestPoint_Pad_D2.0mm", K.TEST_POINT),
    ("OLIMEX_LOGO_TB", K.GRAPHIC),
    ("CE_Sign", K.GRAPHIC),
    ("OtterCastAudioV2_silk_status", K.GRAPHIC),
    ("SJ_Closed", K.NET_TIE),
    # honest unknowns
    ("Texas_DRT-3", K.UNKNOWN),
    ("IT1185AU2_V2", K.UNKNOWN),
    ("", K.UNKNOWN),
]


@pytest.mark.parametrize(("name", "kind"), KINDS)
def test_kind_from_real_names(name: str, kind: PackageKind) -> None:
    assert package_class(name).kind is kind


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("C_0402_1005Metric", "0402"),
        ("R_0201_0603Metric", "0201"),
        ("0603Metric", "0201"),  # metric 0603 is imperial 0201
        ("1005Metric", "0402"),
        ("Resistor_SMD:R_01005_0402Metric", "01005"),
        ("01005", "01005"),
        ("R_0603", "0603"),  # no metric marker: imperial
        ("C0402", "0402"),
        ("0805_C", "0805"),
        ("RESC1005X40N", "0402"),
        ("CAPC0603X33N", "0201"),
        ("LED_0603_1608Metric", "0603"),
        ("C_1206_5MIL_DWS_ISO", "1206"),
        ("CP_EIA-3216-10", "1206"),
        ("SOIC-8", None),
        ("QFN-16-1EP_3x3mm_P0.5mm", None),
        ("Oscillator_3225", None),
        ("L_2016_MM", None),
        ("USB_C_Receptacle_GCT_USB4105-xx-A_16P", None),
        ("0404LED_RGB", None),
        ("", None),
    ],
)
def test_imperial_size(name: str, size: str | None) -> None:
    assert imperial_size(name) == size


@pytest.mark.parametrize(
    ("name", "pitch"),
    [
        ("QFN-48-1EP_6x6mm_P0.4mm_EP4.05x4.05mm", 0.4),
        ("SOIC-8_3.9x4.9mm_P1.27mm", 1.27),
        ("FBGA-234(Pitch-0.65mm_Pad-0.3mm_11x11x1.08mm)", 0.65),
        ("QFN32_EP(33)_5.00x5.00x0.90mm_Pitch_0.50mm", 0.5),
        ("TSSOP-20 0.65mm pitch", 0.65),
        ("LQFP-48_L7.0-W7.0-P0.50-LS9.0-BL", 0.5),
        ("QFN50P500X500X100-33N", 0.5),
        ("BGA256C80P16X16_1400X1400X170", 0.8),
        ("SOIC127P600X175-8N", 1.27),
        ("QFN-16-1EP_3x3mm_P0.5mm_EP1.75x1.75mm", 0.5),  # not the EP size
        ("Texas_RGY_R-PVQFN-N24_EP2.05x3.1mm", None),
        ("LGA_44_12x12mm_0.9mm", None),  # an unlabelled number is not a pitch
        ("PTS_810_SMT_Switch", None),
        ("PJ-3270", None),
    ],
)
def test_pitch_from_names(name: str, pitch: float | None) -> None:
    assert pitch_mm(name) == pitch


def test_pitch_given_as_data_wins_over_the_name() -> None:
    p = Placement("U1", 0, 0, 0, Side.TOP, package="QFN-48-1EP_6x6mm_P0.4mm", pitch=0.5)
    assert pitch_mm(p) == 0.5
    assert pitch_mm(Placement("U2", 0, 0, 0, Side.TOP, package="MyQFN", pitch=0.35)) == 0.35
    broken = Placement("U3", 0, 0, 0, Side.TOP, package="QFN_P0.4mm", pitch=float("nan"))
    assert pitch_mm(broken) == 0.4


@pytest.mark.parametrize(
    ("name", "fine"),
    [
        ("QFN-48-1EP_6x6mm_P0.4mm", True),
        ("Package_QFP:LQFP-100_14x14mm_P0.5mm", True),
        ("SSOP-20_5.3x7.2mm_P0.65mm", False),
        ("SOIC-8", False),  # pitch unknown: not called fine
    ],
)
def test_fine_pitch(name: str, fine: bool) -> None:
    assert is_fine_pitch(name) is fine
    assert package_class(name).fine_pitch is fine


def test_fine_pitch_limit_is_configurable() -> None:
    assert is_fine_pitch("SSOP-20_5.3x7.2mm_P0.65mm", limit_mm=0.65)


@pytest.mark.parametrize(
    ("name", "area_array", "bottom_terminated"),
    [
        ("BGA-256_14.0x14.0mm_Layout16x16_P0.8mm", True, False),
        ("WLCSP-20_1.6x2.1mm", True, False),
        ("LGA_44_12x12mm_0.9mm", True, True),
        ("QFN-48-1EP_6x6mm_P0.4mm", False, True),
        ("LFCSP-16-1EP_3x3mm_P0.5mm", False, True),
        ("SOIC-8", False, False),
        ("C_0402", False, False),
    ],
)
def test_hidden_joints(name: str, area_array: bool, bottom_terminated: bool) -> None:
    cls = package_class(name)
    assert cls.area_array is area_array
    assert cls.bottom_terminated is bottom_terminated
    assert cls.hidden_joints is (area_array or bottom_terminated)


@pytest.mark.parametrize(
    ("name", "mount"),
    [
        ("C_0402_1005Metric", Mount.SMT),
        ("Package_DIP:DIP-8_W7.62mm", Mount.THT),
        ("PinHeader_2x20_P2.54mm_Vertical", Mount.THT),
        ("Connector_PinHeader_2.54mm:PinHeader_2x05_P2.54mm_Vertical_SMD", Mount.SMT),
        ("CPOL-RM2.5mm_6.3x11mm_PTH", Mount.THT),
        ("GBH-254-SMT-10", Mount.SMT),
        ("Fiducial_1mm", Mount.OTHER),
        ("NPTH_2.2mm", Mount.OTHER),  # "PTH" inside NPTH does not make it through-hole
        ("USB_C_Receptacle_HRO_TYPE-C-31-M-12", None),
    ],
)
def test_mount_from_names(name: str, mount: Mount | None) -> None:
    assert package_class(name).mount is mount


def test_body_and_height_from_names() -> None:
    qfn = package_class("QFN32_EP(33)_5.00x5.00x0.90mm_Pitch_0.50mm")
    assert qfn.body_mm == (5.0, 5.0)
    assert qfn.height_mm == 0.9
    assert package_class("QFN50P500X500X100-33N").body_mm == (5.0, 5.0)
    assert package_class("QFN-16-1EP_3x3mm_P0.5mm_EP1.75x1.75mm").body_mm == (3.0, 3.0)


def test_placement_falls_back_to_value_then_refdes() -> None:
    """A centroid line with an empty package still says "100nF 0402" in its value."""
    by_value = Placement("C7", 0, 0, 0, Side.TOP, value="100nF 0402")
    assert package_class(by_value).kind is K.CHIP
    assert package_class(by_value).size == "0402"
    assert package_class(Placement("FID2", 0, 0, 0, Side.TOP)).kind is K.FIDUCIAL
    assert package_class(Placement("TP3", 0, 0, 0, Side.TOP)).kind is K.TEST_POINT
    assert package_class(Placement("J1", 0, 0, 0, Side.TOP, package="KH-5220")).kind is (
        K.CONNECTOR
    )
    # The package name wins over the refdes prefix.
    assert package_class(Placement("J5", 0, 0, 0, Side.TOP, package="R_0402")).kind is K.CHIP


def test_extra_names_are_read_after_the_placement() -> None:
    """A placement without a package takes its class from the BOM line's footprint."""
    bare = Placement("U1", 0, 0, 0, Side.TOP)
    assert package_class(bare, "Package_QFP:LQFP-48_7x7mm_P0.5mm").kind is K.QFP


def test_bom_line_is_classified_from_footprint_value_description() -> None:
    line = BomLine(line=2, refdes=["C1"], quantity=1, footprint="", value="22uF", description="")
    assert package_class(line).kind is K.UNKNOWN
    line.description = "CAP CER 22UF 10V X5R 0805"
    assert package_class(line).size == "0805"
    fiducials = BomLine(line=3, refdes=["FID1", "FID2"], quantity=2, footprint="Fiducial1x3")
    assert not package_class(fiducials).placed


@pytest.mark.parametrize(
    "source",
    [
        "Fiducial_0.75mm_Mask1.5mm",
        "Fiducial1x3_Paste",
        Placement("FID1", 0, 0, 0, Side.TOP),
        Placement("X1", 0, 0, 0, Side.TOP, value="Fiducial"),
        BomLine(line=2, refdes=["FD1"], quantity=1),
    ],
)
def test_is_fiducial(source: Placement | BomLine | str) -> None:
    assert is_fiducial(source)


@pytest.mark.parametrize("name", ["C_0402", "FIDDLE_STICK_0402", "TestPoint_Pad_D1.0mm"])
def test_is_not_fiducial(name: str) -> None:
    assert not is_fiducial(name)


@settings(max_examples=100)
@given(st.text(max_size=80), st.text(max_size=20), st.text(max_size=8))
def test_classification_never_raises(package: str, value: str, refdes: str) -> None:
    cls = package_class(Placement(refdes, 0, 0, 0, Side.TOP, package=package, value=value))
    assert cls.kind in PackageKind
    assert cls.pitch is None or cls.pitch > 0
