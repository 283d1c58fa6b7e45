"""Reader for IPC-2581 files (revisions B and C): BOM, component placements, board profile.

The XML is parsed with :mod:`defusedxml`, so DTD entity tricks (billion laughs, external
entities) are refused rather than expanded. Element names are matched without their
namespace (``http://webstds.ipc.org/2581``, another one, or none) and attribute names
without regard to case, because writers differ.

What is read:

- **Units** from ``Ecad/CadHeader@units`` (else a ``Dictionary*@units``): MILLIMETER, MICRON,
  INCH, MILS; every length is converted to mm.
- **BOM**: each ``Bom/BomItem`` with its ``RefDes`` children (``populate="false"`` is DNP) and
  ``Characteristics/Textual`` name/value pairs (MPN, manufacturer, value). An ``Avl/AvlItem``
  for the item's ``OEMDesignNumberRef`` gives the MPNs in preference order; the first is the
  MPN, the others alternates. Manufacturer names are resolved through ``Enterprise@id``.
- **Placements**: ``Step/Component`` with ``Location`` and ``Xform`` (rotation, mirror). A
  component is on the bottom when mirrored or when its ``layerRef`` names a layer whose
  ``side`` is BOTTOM (or that is called BOTTOM, BOT, B.Cu). ``mountType`` SMT / THMT / OTHER
  gives the mount; ``Package/Pin`` the pin count. Coordinates are IPC-2581's own (Y up).
- **Outline**: ``Step/Profile`` polygons (``PolyBegin``, ``PolyStepSegment``,
  ``PolyStepCurve`` approximated by short segments); the outer edge first.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import XMLParser

from boardline.core.errors import FileRejected
from boardline.npi.importers.text import MAX_FILE_BYTES
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

_UNITS = {
    "MILLIMETER": 1.0,
    "MILLIMETERS": 1.0,
    "MM": 1.0,
    "MICRON": 0.001,
    "MICRONS": 0.001,
    "MICROMETER": 0.001,
    "INCH": 25.4,
    "INCHES": 25.4,
    "IN": 25.4,
    "MIL": 0.0254,
    "MILS": 0.0254,
    "THOU": 0.0254,
    "CENTIMETER": 10.0,
}
_MOUNTS = {"SMT": Mount.SMT, "THMT": Mount.THT, "THT": Mount.THT, "OTHER": Mount.OTHER}
_NUMBER = re.compile(r"\s*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*")
_BOTTOM_NAME = re.compile(r"(?:^|[^a-z])(?:bottom|bot|b\.cu)(?:[^a-z]|$)", re.IGNORECASE)
_MAX_ABS = 1e9  # raw coordinates beyond this are garbage, whatever the unit
_ARC_STEP = math.radians(5.0)
_MPN_KEYS = (
    "mpn",
    "manufacturerpartnumber",
    "manufacturerpn",
    "mfrpn",
    "mfrpartnumber",
    "mfgpn",
    "partnumber",
    "vendorpn",
    "vendorpartnumber",
    "pn",
)
_MANUFACTURER_KEYS = ("manufacturer", "manufacturername", "mfr", "mfg", "vendor")


@dataclass(frozen=True, slots=True)
class _Avl:
    """Approved (manufacturer, MPN) pairs per OEM design number, preferred first."""

    parts: dict[str, list[tuple[str, str]]]


def parse_ipc2581(data: bytes, file: str) -> ImportResult:
    """Read an IPC-2581 (rev B or C) file into BOM lines, placements and the board outline.

    Raises :class:`~boardline.core.errors.FileRejected` when the bytes are not well-formed
    XML, use DTD entities, are not an ``<IPC-2581>`` document, or hold neither a BOM, nor
    components, nor a profile; other problems become findings.
    """
    root, lines = _parse_xml(data, file)
    if root.tag != "IPC-2581":
        raise FileRejected(file, f"not an IPC-2581 file: the root element is <{root.tag}>", line=1)
    result = ImportResult(file=file, kind="ipc2581")
    result.notes["ipc2581_revision"] = _attr(root, "revision")
    declared = _declared_units(root)
    result.notes["units"] = declared or "MILLIMETER (assumed)"
    scale = _UNITS.get(declared.upper())
    result.bom_lines = _read_bom(root, _read_avl(root), lines, file, result.findings)
    step = _main_step(root)
    if step is not None:
        result.placements = _read_components(root, step, scale or 1.0, lines, file, result)
        result.outline = _read_profile(step, scale or 1.0)
    if not (result.bom_lines or result.placements or result.outline):
        raise FileRejected(file, "no BOM, components or board profile in this IPC-2581 file")
    if scale is None and (result.placements or result.outline):
        result.findings.append(_units_assumed(declared, file))
    return result


# --- XML ---------------------------------------------------------------------------------


class _LineRecorder:
    """A tree builder that remembers the line where each element starts."""

    def __init__(self) -> None:
        self._builder = TreeBuilder()
        self.lines: dict[Element, int] = {}
        self.position: Callable[[], int] = lambda: 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = self._builder.start(tag, attrs)
        self.lines[element] = self.position()
        return element

    def end(self, tag: str) -> Element:
        return self._builder.end(tag)

    def data(self, text: str) -> None:
        self._builder.data(text)

    def close(self) -> Element:
        return self._builder.close()


def _parse_xml(data: bytes, file: str) -> tuple[Element, dict[Element, int]]:
    if len(data) > MAX_FILE_BYTES:
        raise FileRejected(file, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise FileRejected(file, "file is empty")
    recorder = _LineRecorder()
    parser: Any = XMLParser(target=recorder)
    recorder.position = lambda: int(parser.parser.CurrentLineNumber)
    try:
        parser.feed(data)
        root: Element = parser.close()
    except DefusedXmlException as exc:
        raise FileRejected(file, f"XML uses DTD entities, refused for safety ({exc})") from None
    except ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise FileRejected(file, f"not well-formed XML: {exc}", line=line) from None
    except (ValueError, LookupError) as exc:
        raise FileRejected(file, f"unreadable XML: {exc}") from None
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.rsplit("}", 1)[1]
    return root, recorder.lines


def _attr(element: Element | None, name: str) -> str:
    """An attribute by name, whatever its case or namespace; "" when absent."""
    if element is None:
        return ""
    value = element.get(name)
    if value is None:
        wanted = name.lower()
        value = next(
            (v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1].lower() == wanted), ""
        )
    return value.strip()


def _num(text: str) -> float | None:
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if abs(value) <= _MAX_ABS else None


def _count(text: str) -> int | None:
    value = _num(text)
    return int(value) if value is not None and value >= 0 and value == int(value) else None


def _normal_key(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


# --- units -------------------------------------------------------------------------------


def _declared_units(root: Element) -> str:
    declared = _attr(next(root.iter("CadHeader"), None), "units")
    if declared:
        return declared
    return next((_attr(e, "units") for e in root.iter() if str(e.tag).startswith("Dictionary")), "")


def _units_assumed(declared: str, file: str) -> Finding:
    return Finding(
        Severity.WARNING,
        "ipc2581.units_assumed",
        f"units {declared!r} not understood; read as millimetres"
        if declared
        else "the file states no units (CadHeader units); read as millimetres",
        file=file,
        field="units",
        hint="check the board size against the drawing before using the placements",
    )


# --- BOM ---------------------------------------------------------------------------------


def _read_avl(root: Element) -> _Avl:
    names = {_attr(e, "id"): _attr(e, "name") or _attr(e, "id") for e in root.iter("Enterprise")}
    parts: dict[str, list[tuple[str, str]]] = {}
    for item in root.iter("AvlItem"):
        ranked: list[tuple[bool, float, int, str, str]] = []
        for vmpn in item.iter("AvlVmpn"):
            vendor = _attr(next(vmpn.iter("AvlVendor"), None), "enterpriseRef")
            manufacturer = names.get(vendor, vendor)
            chosen = _attr(vmpn, "chosen").lower() == "true"
            for mpn in vmpn.iter("AvlMpn"):
                if _attr(mpn, "name"):
                    rank = _num(_attr(mpn, "rank"))
                    rank = math.inf if rank is None else rank
                    ranked.append((not chosen, rank, len(ranked), manufacturer, _attr(mpn, "name")))
        if ranked:
            parts[_attr(item, "OEMDesignNumber")] = [(m, n) for *_, m, n in sorted(ranked)]
    return _Avl(parts)


def _characteristics(item: Element) -> dict[str, str]:
    """Textual characteristics by normalised name (``"Mfr PN"`` -> ``"mfrpn"``)."""
    found: dict[str, str] = {}
    for textual in item.iter("Textual"):
        name = (
            _attr(textual, "textualCharacteristicName")
            or _attr(textual, "definitionName")
            or _attr(textual, "name")
        )
        value = (
            _attr(textual, "textualCharacteristicValue")
            or _attr(textual, "value")
            or (textual.text or "").strip()
        )
        if name and value:
            found.setdefault(_normal_key(name), value)
    return found


def _pick(characteristics: dict[str, str], keys: Iterable[str]) -> str:
    return next((characteristics[k] for k in keys if k in characteristics), "")


def _read_bom(
    root: Element, avl: _Avl, lines: dict[Element, int], file: str, findings: list[Finding]
) -> list[BomLine]:
    bom_lines: list[BomLine] = []
    for item in root.iter("BomItem"):
        refs = [r for r in item.iter("RefDes") if _attr(r, "name")]
        line = lines.get(item, 0)
        stated = _count(_attr(item, "quantity"))
        if stated is not None and refs and stated != len(refs):
            findings.append(
                Finding(
                    Severity.WARNING,
                    "ipc2581.quantity_mismatch",
                    f"BomItem {_attr(item, 'OEMDesignNumberRef')!r} states quantity {stated} "
                    f"but lists {len(refs)} reference designators",
                    file=file,
                    line=line,
                    field="quantity",
                    hint="ask which is right; the reference designators are used for placement",
                )
            )
        fitted = [r for r in refs if not _unpopulated(r)]
        dnp = [r for r in refs if _unpopulated(r)]
        groups = [(group, flag) for group, flag in ((fitted, False), (dnp, True)) if group]
        for group, flag in groups or [([], False)]:
            quantity = stated if len(groups) <= 1 else len(group)
            bom_lines.append(_bom_line(item, group, quantity, flag, avl, line, file))
    return bom_lines


def _unpopulated(refdes: Element) -> bool:
    return _attr(refdes, "populate").lower() in ("false", "0", "no")


def _bom_line(
    item: Element,
    refs: list[Element],
    quantity: int | None,
    dnp: bool,
    avl: _Avl,
    line: int,
    file: str,
) -> BomLine:
    characteristics = _characteristics(item)
    approved = avl.parts.get(_attr(item, "OEMDesignNumberRef"), [])
    textual = (_pick(characteristics, _MANUFACTURER_KEYS), _pick(characteristics, _MPN_KEYS))
    choices = approved + ([textual] if textual[1] and textual not in approved else [])
    manufacturer, mpn = choices[0] if choices else textual
    return BomLine(
        line=line,
        refdes=[_attr(r, "name") for r in refs],
        quantity=quantity,
        mpn=mpn,
        manufacturer=manufacturer,
        value=characteristics.get("value", ""),
        footprint=_attr(refs[0], "packageRef") if refs else "",
        description=_attr(item, "description") or characteristics.get("description", ""),
        dnp=dnp,
        alternates=[choice for choice in choices[1:] if choice[1] != mpn],
        source=file,
    )


# --- placements --------------------------------------------------------------------------


def _main_step(root: Element) -> Element | None:
    """The step the content names, else the first step with components, else the first."""
    steps = list(root.iter("Step"))
    named = _attr(next(root.iter("StepRef"), None), "name")
    for step in steps:
        if named and _attr(step, "name") == named and step.find("Component") is not None:
            return step
    return next((s for s in steps if s.find("Component") is not None), steps[0] if steps else None)


def _read_components(
    root: Element,
    step: Element,
    scale: float,
    lines: dict[Element, int],
    file: str,
    result: ImportResult,
) -> list[Placement]:
    bottom_layers = {_attr(e, "name") for e in root.iter("Layer") if _attr(e, "side") == "BOTTOM"}
    pins = _package_pins(root)
    bom = {ref: line for line in result.bom_lines for ref in line.refdes}
    placements: list[Placement] = []
    for component in step.findall("Component"):
        placement, located = _placement(component, scale, bottom_layers, pins, lines.get(component))
        bom_line = bom.get(placement.refdes)
        if bom_line is not None:
            placement.value, placement.mpn = bom_line.value, bom_line.mpn
            placement.manufacturer, placement.dnp = bom_line.manufacturer, bom_line.dnp
        if not located:
            result.findings.append(_no_location(placement, file))
        placement.source = file
        placements.append(placement)
    result.findings.extend(_duplicates(placements, file))
    return placements


def _placement(
    component: Element,
    scale: float,
    bottom_layers: set[str],
    pins: dict[str, int],
    line: int | None,
) -> tuple[Placement, bool]:
    """The component as a placement, and whether it had a usable location."""
    location = component.find("Location")
    x, y = _num(_attr(location, "x")), _num(_attr(location, "y"))
    xform = component.find("Xform")
    layer = _attr(component, "layerRef")
    mirrored = _attr(xform, "mirror").lower() == "true"
    bottom = mirrored or layer in bottom_layers or bool(_BOTTOM_NAME.search(layer))
    rotation = (_num(_attr(xform, "rotation")) or 0.0) % 360.0
    package = _attr(component, "packageRef")
    placement = Placement(
        refdes=_attr(component, "refDes"),
        x=round((x or 0.0) * scale, 6),
        y=round((y or 0.0) * scale, 6),
        rotation=0.0 if rotation >= 360.0 else rotation,
        side=Side.BOTTOM if bottom else Side.TOP,
        package=package,
        mount=_MOUNTS.get(_attr(component, "mountType").upper()),
        pin_count=pins.get(package),
        line=line,
    )
    return placement, x is not None and y is not None


def _no_location(placement: Placement, file: str) -> Finding:
    return Finding(
        Severity.WARNING,
        "ipc2581.missing_location",
        f"component {placement.refdes or '(no refDes)'} has no usable Location; placed at 0, 0",
        file=file,
        line=placement.line,
        refdes=placement.refdes or None,
        hint="ask for a corrected export; this part cannot be placed from this file",
    )


def _package_pins(root: Element) -> dict[str, int]:
    """Distinct electrical pins per package name (mechanical pins such as NPTH left out)."""
    return {
        _attr(package, "name"): len(
            {
                _attr(pin, "number")
                for pin in package.findall("Pin")
                if _attr(pin, "electricalType").upper() != "MECHANICAL"
            }
        )
        for package in root.iter("Package")
        if package.find("Pin") is not None
    }


def _duplicates(placements: list[Placement], file: str) -> list[Finding]:
    counts = Counter(p.refdes for p in placements if p.refdes)
    first_line: dict[str, int | None] = {}
    for p in placements:
        first_line.setdefault(p.refdes, p.line)
    return [
        Finding(
            Severity.WARNING,
            "ipc2581.duplicate_refdes",
            f"reference {refdes} is used by {count} components",
            file=file,
            line=first_line[refdes],
            refdes=refdes,
            hint="ask the designer to re-annotate: placement and traceability need unique "
            "references",
        )
        for refdes, count in counts.items()
        if count > 1
    ]


# --- outline -----------------------------------------------------------------------------


def _read_profile(step: Element, scale: float) -> Outline | None:
    profile = step.find("Profile")
    if profile is None:
        return None
    shapes = [*profile.iter("Polygon"), *profile.iter("Cutout")]
    polygons = [p for p in (_polygon(shape, scale) for shape in shapes) if len(p) >= 3]
    polygons = [p for p in polygons if abs(_area(p)) > 1e-9]
    if not polygons:
        return None
    polygons.sort(key=lambda polygon: -abs(_area(polygon)))
    return Outline(polygons)


def _polygon(shape: Element, scale: float) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for step in shape:
        x, y = _num(_attr(step, "x")), _num(_attr(step, "y"))
        if x is None or y is None:
            continue
        end = (round(x * scale, 6), round(y * scale, 6))
        if step.tag == "PolyStepCurve" and points:
            cx, cy = _num(_attr(step, "centerX")), _num(_attr(step, "centerY"))
            if cx is not None and cy is not None:
                clockwise = _attr(step, "clockwise").lower() == "true"
                points.extend(_arc(points[-1], end, (cx * scale, cy * scale), clockwise)[1:-1])
        if step.tag in ("PolyBegin", "PolyStepSegment", "PolyStepCurve"):
            points.append(end)
    if len(points) > 1 and math.dist(points[0], points[-1]) < 1e-9:
        points.pop()
    return points


def _arc(
    start: tuple[float, float], end: tuple[float, float], centre: tuple[float, float], cw: bool
) -> list[tuple[float, float]]:
    radius = math.dist(centre, start)
    a0 = math.atan2(start[1] - centre[1], start[0] - centre[0])
    a1 = math.atan2(end[1] - centre[1], end[0] - centre[0])
    sweep = -((a0 - a1) % math.tau) if cw else (a1 - a0) % math.tau
    if sweep == 0:
        sweep = -math.tau if cw else math.tau  # start == end: a full circle
    steps = max(1, math.ceil(abs(sweep) / _ARC_STEP))
    return [
        (
            centre[0] + radius * math.cos(a0 + sweep * i / steps),
            centre[1] + radius * math.sin(a0 + sweep * i / steps),
        )
        for i in range(steps + 1)
    ]


def _area(points: list[tuple[float, float]]) -> float:
    pairs = zip(points, [*points[1:], points[0]], strict=True)
    return 0.5 * sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairs)
