"""IPC-2581 reader: the handmade rev B and rev C samples, tolerance, and hostile input."""

from __future__ import annotations

import random
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boardline.core.errors import FileRejected
from boardline.npi.importers.ipc2581 import parse_ipc2581
from boardline.npi.model import ImportResult, Mount, Placement, Severity, Side

SAMPLES = Path(__file__).parents[2] / "fixtures" / "ipc2581"
REV_B = (SAMPLES / "sensor-revB.xml").read_bytes()
REV_C = (SAMPLES / "sensor-revC.xml").read_bytes()
NAMESPACE = b' xmlns="http://webstds.ipc.org/2581"'


def by_ref(result: ImportResult) -> dict[str, Placement]:
    return {p.refdes: p for p in result.placements}


def line_of(data: bytes, text: str) -> int:
    return data[: data.index(text.encode())].count(b"\n") + 1


def test_rev_b_sample_in_millimetres() -> None:
    """Rev B: MPNs as Textual characteristics, a DNP resistor, a bottom cap, a THT header."""
    result = parse_ipc2581(REV_B, "sensor-revB.xml")
    assert result.kind == "ipc2581"
    assert result.notes == {"ipc2581_revision": "B", "units": "MILLIMETER"}
    assert result.findings == []
    parts = by_ref(result)
    assert list(parts) == ["C1", "C2", "R1", "R2", "U1", "J1"]
    assert {r for r, p in parts.items() if p.side is Side.BOTTOM} == {"C2"}
    assert {r for r, p in parts.items() if p.mount is Mount.THT} == {"J1"}
    assert {r for r, p in parts.items() if p.dnp} == {"R2"}
    c2, u1, j1 = parts["C2"], parts["U1"], parts["J1"]
    assert (c2.x, c2.y, c2.rotation) == (12.0, 5.0, 90.0)
    assert u1.rotation == 315.0  # -45 normalised
    assert (u1.mpn, u1.manufacturer, u1.value, u1.pin_count) == (
        "TMP117AIDRVR",
        "Texas Instruments",
        "TMP117",
        7,
    )
    assert j1.pin_count == 6  # the mechanical peg is not a pin
    assert c2.line == line_of(REV_B, '<Component refDes="C2"')

    caps, r1, r2, ic, conn, board = result.bom_lines
    assert (caps.refdes, caps.quantity, caps.value, caps.footprint) == (
        ["C1", "C2"],
        2,
        "100nF",
        "C0402",
    )
    assert (caps.mpn, caps.manufacturer) == ("GRM155R71C104KA88D", "Murata")
    assert caps.line == line_of(REV_B, 'OEMDesignNumberRef="CAP-100N-0402"')
    # One BomItem with a fitted and an unfitted part becomes two lines, each counted.
    assert [(r1.refdes, r1.quantity, r1.dnp), (r2.refdes, r2.quantity, r2.dnp)] == [
        (["R1"], 1, False),
        (["R2"], 1, True),
    ]
    assert r1.line == r2.line
    assert ic.description == "Temperature sensor, I2C"
    assert conn.mpn == "61300621121"
    assert (board.refdes, board.quantity, board.description) == ([], 1, "Bare board")
    assert {line.source for line in result.bom_lines} == {"sensor-revB.xml"}

    assert result.outline is not None
    assert result.outline.polygons == [[(0.0, 0.0), (50.0, 0.0), (50.0, 30.0), (0.0, 30.0)]]


def test_rev_c_sample_in_inches_with_avl() -> None:
    """Rev C: inches converted to mm, MPNs from the AVL (chosen first), rounded corners."""
    result = parse_ipc2581(REV_C, "sensor-revC.xml")
    assert result.notes == {"ipc2581_revision": "C", "units": "INCH"}
    parts = by_ref(result)
    assert len(parts) == 6
    c1, c3, j2 = parts["C1"], parts["C3"], parts["J2"]
    assert (c1.x, c1.y) == (10.16, 5.08)
    assert (c3.x, c3.side, c3.rotation) == (12.7, Side.BOTTOM, 270.0)
    assert (j2.x, j2.y, j2.mount, j2.pin_count) == (45.72, 22.86, Mount.THT, 4)
    assert parts["U2"].pin_count == 16
    assert {r for r, p in parts.items() if p.dnp} == {"R5"}

    caps = result.bom_lines[0]
    assert (caps.mpn, caps.manufacturer) == ("CL10A105KB8NNNC", "Samsung Electro-Mechanics")
    assert caps.alternates == [("Murata", "GRM188R61E105KA12D")]
    assert parts["U2"].mpn == "LIS3DHTR"
    assert parts["U2"].manufacturer == "STMicroelectronics"
    assert [line.dnp for line in result.bom_lines] == [False, False, True, False, False]

    assert result.outline is not None
    outer, cutout = result.outline.polygons
    assert result.outline.bbox == pytest.approx((0, 0, 50.8, 30.48))
    corner = 2.54**2 * (4 - 3.14159)  # four 0.1 inch corners rounded off
    assert polygon_area(outer) == pytest.approx(50.8 * 30.48 - corner, abs=0.05)
    assert polygon_area(cutout) == pytest.approx(5.08**2)
    assert all(0 < p.x < 50.8 and 0 < p.y < 30.48 for p in parts.values())


def polygon_area(points: list[tuple[float, float]]) -> float:
    pairs = zip(points, [*points[1:], points[0]], strict=True)
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairs)) / 2


@pytest.mark.parametrize(
    "namespace", [b"", b' xmlns="urn:example:other"', b' xmlns:ipc="http://webstds.ipc.org/2581"']
)
def test_namespace_is_not_needed(namespace: bytes) -> None:
    data = REV_C.replace(NAMESPACE, namespace)
    expected = parse_ipc2581(REV_C, "c.xml")
    result = parse_ipc2581(data, "c.xml")
    assert result.placements == expected.placements
    assert result.bom_lines == expected.bom_lines


def test_prefixed_elements_and_attribute_case() -> None:
    data = (
        b'<ipc:IPC-2581 xmlns:ipc="http://webstds.ipc.org/2581" revision="C">'
        b'<ipc:Ecad><ipc:CadHeader UNITS="MICRON"/><ipc:CadData><ipc:Step name="s">'
        b'<ipc:Component REFDES="Q1" layerRef="L4_BOTTOM" mountType="smt">'
        b'<ipc:Location x="1500" y="-2500"/></ipc:Component>'
        b"</ipc:Step></ipc:CadData></ipc:Ecad></ipc:IPC-2581>"
    )
    [q1] = parse_ipc2581(data, "p.xml").placements
    assert (q1.refdes, q1.x, q1.y, q1.side, q1.mount) == ("Q1", 1.5, -2.5, Side.BOTTOM, Mount.SMT)


@pytest.mark.parametrize(("units", "factor"), [("MILS", 0.0254), ("MICRON", 0.001), ("INCH", 25.4)])
def test_units_convert_to_millimetres(units: str, factor: float) -> None:
    data = REV_B.replace(
        b'<CadHeader units="MILLIMETER"/>', f'<CadHeader units="{units}"/>'.encode()
    )
    result = parse_ipc2581(data, "b.xml")
    assert by_ref(result)["J1"].x == pytest.approx(40 * factor)
    assert result.notes["units"] == units


def test_missing_units_are_assumed_millimetres_with_a_warning() -> None:
    data = REV_B.replace(b'<CadHeader units="MILLIMETER"/>', b"<CadHeader/>").replace(
        b'<DictionaryStandard units="MILLIMETER"/>', b""
    )
    result = parse_ipc2581(data, "b.xml")
    [finding] = result.findings
    assert (finding.code, finding.severity) == ("ipc2581.units_assumed", Severity.WARNING)
    assert by_ref(result)["J1"].x == 40.0


def test_quantity_mismatch_duplicates_and_missing_location() -> None:
    data = (
        REV_B.replace(b'quantity="2" pinCount="2" category="ELECTRICAL">\n      <RefDes name="C1"',
                      b'quantity="3" pinCount="2" category="ELECTRICAL">\n      <RefDes name="C1"')
        .replace(b'<Component refDes="R2"', b'<Component refDes="R1"')
        .replace(b'<Location x="40" y="20"/>', b"")
    )  # fmt: skip
    result = parse_ipc2581(data, "b.xml")
    found = {f.code: f for f in result.findings}
    assert set(found) == {
        "ipc2581.quantity_mismatch",
        "ipc2581.duplicate_refdes",
        "ipc2581.missing_location",
    }
    assert found["ipc2581.quantity_mismatch"].line == line_of(data, "CAP-100N-0402")
    assert found["ipc2581.duplicate_refdes"].refdes == "R1"
    assert found["ipc2581.missing_location"].refdes == "J1"


def test_bom_only_file_is_usable() -> None:
    data = b'<IPC-2581 revision="B"><Bom><BomItem OEMDesignNumberRef="X" quantity="1">' + (
        b'<RefDes name="U9" populate="true"/></BomItem></Bom></IPC-2581>'
    )
    result = parse_ipc2581(data, "bom.xml")
    assert [line.refdes for line in result.bom_lines] == [["U9"]]
    assert (result.placements, result.outline) == ([], None)
    assert result.findings == []  # no coordinates, so no units to worry about


# --- bad input -----------------------------------------------------------------------------


def rejected(data: bytes) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        parse_ipc2581(data, "bad.xml")
    assert caught.value.file == "bad.xml"
    return caught.value


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<IPC-2581 revision="C"><Bom><BomItem OEMDesignNumberRef="&lol3;"/></Bom></IPC-2581>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<IPC-2581 revision="C"><Bom><BomItem OEMDesignNumberRef="&secret;"/></Bom></IPC-2581>"""


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"\n  \n", "empty"),
        (BILLION_LAUGHS, "DTD entities"),
        (EXTERNAL, "DTD entities"),
        (b"Designator,Mid X\nR1,1\n", "not well-formed"),
        (b"<odb><step/></odb>", "root element is <odb>"),
        (b'<IPC-2581 revision="C"><Content/></IPC-2581>', "no BOM, components"),
        (REV_B[: len(REV_B) // 2], "not well-formed"),
        ("<IPC-2581/>".encode("utf-16"), "no BOM, components"),
    ],
)
def test_unusable_files_are_rejected(data: bytes, words: str) -> None:
    assert words in rejected(data).reason


def test_truncated_file_names_the_line() -> None:
    error = rejected(REV_B[: len(REV_B) // 2])
    assert error.line == REV_B[: len(REV_B) // 2].count(b"\n") + 1


def test_a_megabyte_of_random_bytes() -> None:
    rejected(random.Random(2581).randbytes(1024 * 1024))


# --- fuzzing -------------------------------------------------------------------------------

ELEMENTS = [
    "Bom", "BomItem", "RefDes", "Characteristics", "Textual", "Avl", "AvlItem", "AvlVmpn",
    "AvlMpn", "AvlVendor", "Enterprise", "Ecad", "CadHeader", "CadData", "Layer", "Step",
    "StepRef", "Profile", "Polygon", "Cutout", "PolyBegin", "PolyStepSegment", "PolyStepCurve",
    "Package", "Pin", "Component", "Xform", "Location",
]  # fmt: skip
ATTRIBUTES = [
    "name", "refDes", "packageRef", "layerRef", "mountType", "populate", "quantity", "units",
    "side", "x", "y", "centerX", "centerY", "clockwise", "rotation", "mirror", "number",
    "OEMDesignNumberRef", "OEMDesignNumber", "enterpriseRef", "id", "rank", "chosen",
    "textualCharacteristicName", "textualCharacteristicValue", "electricalType",
]  # fmt: skip
VALUES = st.sampled_from([
    "", "1", "-1", "0.5", "1e308", "1e400", "nan", "inf", "-0", "true", "false", "INCH", "MILS",
    "MICRON", "BOTTOM", "TOP", "SMT", "THMT", "MPN", "Value", "R1", "U1", "MECHANICAL", "½",
]) | st.text(max_size=6)  # fmt: skip


def _element(parts: tuple[str, dict[str, str], list[str]]) -> str:
    tag, attributes, children = parts
    attrs = "".join(f" {key}={quoteattr(value)}" for key, value in attributes.items())
    return f"<{tag}{attrs}>{''.join(children)}</{tag}>"


XML = st.recursive(
    st.tuples(
        st.sampled_from(ELEMENTS), st.dictionaries(st.sampled_from(ATTRIBUTES), VALUES), st.just([])
    ).map(_element),
    lambda inner: st.tuples(
        st.sampled_from(ELEMENTS),
        st.dictionaries(st.sampled_from(ATTRIBUTES), VALUES, max_size=4),
        st.lists(inner, max_size=5),
    ).map(_element),
    max_leaves=60,
)
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def only_import_result_or_rejection(data: bytes) -> None:
    try:
        result = parse_ipc2581(data, "fuzz.xml")
    except FileRejected:
        return
    assert isinstance(result, ImportResult)


@FUZZ
@given(st.binary(max_size=2000))
def test_fuzz_bytes(data: bytes) -> None:
    only_import_result_or_rejection(data)


@FUZZ
@given(st.lists(XML, max_size=5))
def test_fuzz_structured_documents(children: list[str]) -> None:
    only_import_result_or_rejection(
        ('<IPC-2581 revision="C">' + "".join(children) + "</IPC-2581>").encode()
    )


@FUZZ
@given(st.data())
def test_fuzz_mutated_sample(data: st.DataObject) -> None:
    text = bytearray(REV_C)
    for _ in range(data.draw(st.integers(1, 5))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 20))
        text[at : at + cut] = data.draw(st.binary(max_size=8) | st.sampled_from([b"<", b'"', b"&"]))
    only_import_result_or_rejection(bytes(text))
