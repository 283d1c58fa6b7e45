"""Reader for KiCad board files (``.kicad_pcb``, KiCad 5 to 9).

One board file says more than the customer's exports: every footprint becomes a
:class:`~boardline.npi.model.Placement` (also those a position export would drop), the
footprints are grouped into BOM lines, and Edge.Cuts gives the board outline.

Conventions, checked against the real boards in ``tests/fixtures/boards``:

- **Frame.** Output coordinates are Y-up: ``x = pcb x``, ``y = -pcb y`` (KiCad's Y axis points
  down). Rotation is the footprint's as written, normalised to [0, 360). The outline uses
  the same frame.
- **Formats.** KiCad 5 writes ``(module NAME ...)`` and ``(fp_text reference R1 ...)``;
  KiCad 6 and 7 ``(footprint "NAME" ...)`` with ``fp_text``; KiCad 8+ ``(property "Reference"
  "R1" ...)``. KiCad 5 arcs are centre + start point + angle, KiCad 6+ arcs start/mid/end.
- **Mount from the pads.** Any plated through-hole pad makes the part THT, only SMD pads SMT,
  no solderable pad OTHER; ``virtual`` and ``board_only`` footprints are OTHER. A plated hole
  wholly inside an SMD pad of the same number (thermal vias in an exposed pad) is not a lead,
  a larger one (shell tabs, header rows joined by SMD pads) is. The ``attr``
  is only compared: a through-hole (or KiCad 5 "normal") footprint with SMD pads only is a
  warning, because an "SMD only" position export silently drops it.
- **Flags.** ``exclude_from_bom`` is set for footprints left out of the derived BOM:
  ``exclude_from_bom``, ``virtual`` and ``board_only`` footprints, and artwork (no pads and an
  unannotated reference such as ``G***``). ``exclude_from_pos`` follows
  ``exclude_from_pos_files`` and ``virtual``; ``dnp`` the ``dnp`` attribute. KiCad 8+ may also
  write these as ``(dnp yes)`` style fields.
- **Body size** is the local (unrotated) extent of the courtyard, else the fabrication
  layer, else the pads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeAlias

from boardline.core.errors import FileRejected
from boardline.npi.importers.text import decode
from boardline.npi.model import (
    BomLine,
    Finding,
    ImportResult,
    Mount,
    Outline,
    Placement,
    Severity,
    Side,
    SupplierPart,
)

_Sexp: TypeAlias = "str | _SList"
Point: TypeAlias = tuple[float, float]


class _SList(list[_Sexp]):
    """One parenthesised list of the file, remembering the line where it opens."""

    __slots__ = ("line",)
    line: int


# Most of a board is leaf lists such as (at 1 2 90) or (layer "F.Cu"): one token each,
# split in C, keeps the Python loop below to half the tokens. Leaves with a backslash or
# a newline inside take the general path.
_TOKEN = re.compile(
    r'\n|\([^()"\\\n]*(?:"[^"\\\n]*"[^()"\\\n]*)*\)|[()]|"(?:[^"\\]|\\.)*"|[^\s()"]+|"',
    re.DOTALL,
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_HEADER = re.compile(r"\s*\(\s*kicad_pcb(?=[\s()]|\Z)")
_NUMBER_START = frozenset("0123456789-+.")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_MAX_DEPTH = 200
# KiCad coordinates are 32-bit nanometres (about +-2.1 m); anything larger is garbage.
_MAX_ABS = 1e7
_ARC_STEP = math.radians(5.0)
_MAX_PITCH_PADS = 5000
_MAX_OPEN_FINDINGS = 10
_CHAIN_TOLERANCE = 0.01  # mm between endpoints that count as joined

# KiCad file format versions (the date of the last format change) of each release.
_RELEASES = ((20171130, "5"), (20211014, "6"), (20221018, "7"), (20240108, "8"), (20241229, "9"))

_MPN_KEYS = (
    "mpn",
    "manufacturerpartnumber",
    "manufacturerpn",
    "mfrpn",
    "mfrpartnumber",
    "mfgpn",
    "mfgpartnumber",
    "partnumber",
    "pn",
)
_MANUFACTURER_KEYS = ("manufacturer", "manufacturername", "mfr", "mfrname", "mfg")
_SUPPLIERS = {
    "lcsc": "LCSC",
    "jlcpcb": "JLCPCB",
    "jlc": "JLCPCB",
    "digikey": "Digi-Key",
    "mouser": "Mouser",
    "farnell": "Farnell",
    "newark": "Newark",
    "tme": "TME",
}
_SUPPLIER_SUFFIXES = {"", "part", "partnumber", "partno", "pn", "no", "number", "sku", "ref", "id"}
_TOP_LEVEL_ONLY = {
    "footprint",
    "module",
    "segment",
    "via",
    "gr_line",
    "gr_arc",
    "gr_rect",
    "gr_circle",
}
_FLAG_FIELDS = ("dnp", "exclude_from_bom", "exclude_from_pos_files", "board_only")


@dataclass(frozen=True, slots=True)
class _Pad:
    number: str
    kind: str  # smd | thru_hole | np_thru_hole | connect
    x: float
    y: float
    half_w: float
    half_h: float


@dataclass(slots=True)
class _Part:
    """A footprint as read, with what the BOM needs beyond the placement."""

    placement: Placement
    in_bom: bool
    description: str = ""
    supplier_parts: list[SupplierPart] = field(default_factory=list)
    edges: list[tuple[list[Point], int]] = field(default_factory=list)  # Edge.Cuts, board frame


def parse_kicad_pcb(data: bytes, file: str) -> ImportResult:
    """Read a KiCad 5–9 board file into placements, a derived BOM and the board outline.

    Every footprint becomes a placement (flags set, nothing dropped); footprints that belong
    in a BOM are grouped by value, footprint, MPN and DNP. Raises
    :class:`~boardline.core.errors.FileRejected` when the bytes are not a readable KiCad board
    (not text, not starting with ``(kicad_pcb``, unbalanced parentheses); everything else is
    reported as findings.
    """
    text, findings = decode(data, file)
    if not _HEADER.match(text):
        raise FileRejected(file, "not a KiCad board: it does not start with '(kicad_pcb'", line=1)
    root = _parse_sexpr(text, file)
    result = ImportResult(file=file, kind="kicad_pcb", findings=findings)
    result.notes.update(_board_notes(root, file, result.findings))
    parts = [
        _read_footprint(node, file, result.findings)
        for node in _lists(root)
        if node[0] in ("module", "footprint")
    ]
    result.placements = [part.placement for part in parts]
    result.bom_lines = _derive_bom(parts, file)
    result.findings.extend(_refdes_findings(parts, file))
    result.outline = _read_outline(root, parts, file, result.findings)
    return result


# --- S-expressions -----------------------------------------------------------------------


def _parse_sexpr(text: str, file: str) -> _SList:
    """The one top-level list of ``text``; quoted strings are unquoted, atoms stay text.

    Raises :class:`FileRejected` naming the line for unbalanced parentheses, an unterminated
    string, nesting deeper than any KiCad file, or text outside the top-level list.
    """
    line = 1
    stack: list[_SList] = []
    current: _SList | None = None  # stack[-1], kept in a local: this loop is the hot path
    root: _SList | None = None
    for token in _TOKEN.findall(text):
        first = token[0]
        if first == "(" and len(token) > 1:
            node = _leaf(token)
            node.line = line
            if current is not None:
                current.append(node)
            elif root is None:
                root = node
            else:
                raise FileRejected(file, "text after the end of the board", line=line)
        elif first == "(":
            node = _SList()
            node.line = line
            if current is not None:
                current.append(node)
            elif root is not None:
                raise FileRejected(file, "text after the end of the board", line=line)
            stack.append(node)
            current = node
            if len(stack) > _MAX_DEPTH:
                raise FileRejected(file, f"lists nested deeper than {_MAX_DEPTH}", line=line)
        elif first == ")":
            if current is None:
                raise FileRejected(file, "unbalanced parentheses: ')' without '('", line=line)
            closed = stack.pop()
            current = stack[-1] if stack else None
            if current is None:
                root = closed
        elif first == "\n":
            line += 1
        elif current is None:
            where = (
                "after the end of the board" if root is not None else "outside the board's lists"
            )
            raise FileRejected(file, f"text {where}", line=line)
        elif first == '"':
            if len(token) == 1:
                raise FileRejected(file, "a quoted string is never closed", line=line)
            current.append(_unquote(token))
            line += token.count("\n")
        else:
            current.append(token)
    if stack:
        raise _unbalanced(stack, file)
    if root is None:
        raise FileRejected(file, "no S-expression in the file", line=1)
    return root


def _leaf(token: str) -> _SList:
    """A list without sublists from its whole text: ``(layer "F.Cu")`` -> [layer, F.Cu]."""
    inner = token[1:-1]
    if '"' not in inner:
        return _SList(inner.split())
    items = _SList()
    # Splitting on quotes alternates bare text (even parts) and quoted strings (odd parts);
    # the token pattern guarantees the quotes pair up and hold no escapes.
    for i, part in enumerate(inner.split('"')):
        if i % 2:
            items.append(part)
        else:
            items.extend(part.split())
    return items


def _unbalanced(stack: list[_SList], file: str) -> FileRejected:
    """Name the list that lacks its ')', as well as the nesting allows."""
    suspect = stack[-1]
    if len(stack) == 1:
        # A missing ')' inside a top-level item makes the root's ')' close that item, which
        # then holds the items after it: the first item holding a top-level item is the one.
        items = list(_lists(stack[0]))
        suspect = next(
            (item for item in items if any(kid[0] in _TOP_LEVEL_ONLY for kid in _lists(item))),
            items[-1] if items else stack[0],
        )
    return FileRejected(
        file,
        f"unbalanced parentheses: a ')' is missing in or after '({_head(suspect)}' at line "
        f"{suspect.line}, or the file is truncated",
        line=suspect.line,
    )


def _unquote(token: str) -> str:
    body = token[1:-1]
    if "\\" not in body:
        return body
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), body)


def _head(node: _SList) -> str:
    return node[0] if node and isinstance(node[0], str) else ""


def _lists(node: _SList) -> Iterator[_SList]:
    """The child lists of ``node`` that start with an atom."""
    for item in node:
        if isinstance(item, _SList) and item and isinstance(item[0], str):
            yield item


def _by_head(node: _SList) -> dict[str, list[_SList]]:
    index: dict[str, list[_SList]] = {}
    for item in node:
        if isinstance(item, _SList) and item and isinstance(item[0], str):
            index.setdefault(item[0], []).append(item)
    return index


def _kid(node: _SList | None, head: str) -> _SList | None:
    """The first child list called ``head``. A plain loop: this is the hot path."""
    for item in node or ():
        if isinstance(item, _SList) and item and item[0] == head:
            return item
    return None


def _first(index: dict[str, list[_SList]], head: str) -> _SList | None:
    found = index.get(head)
    return found[0] if found else None


def _atom(node: _SList | None, position: int) -> str | None:
    if node is None or len(node) <= position:
        return None
    item = node[position]
    return item if isinstance(item, str) else None


def _num(token: _Sexp) -> float | None:
    if not isinstance(token, str) or not token or token[0] not in _NUMBER_START:
        return None
    try:
        value = float(token)
    except ValueError:
        return None
    return value if abs(value) <= _MAX_ABS else None  # also refuses nan and inf


def _numbers(node: _SList | None) -> list[float]:
    """The leading numbers after the head: ``(at 1 2 90)`` -> ``[1.0, 2.0, 90.0]``."""
    values: list[float] = []
    if node is None:
        return values
    for item in node[1:]:
        value = _num(item)
        if value is None:
            break
        values.append(value)
    return values


def _point(node: _SList | None) -> Point | None:
    values = _numbers(node)
    return (values[0], values[1]) if len(values) >= 2 else None


def _layer(node: _SList) -> str:
    return _atom(_kid(node, "layer"), 1) or ""


def _angle(degrees: float) -> float:
    normalised = degrees % 360.0
    return 0.0 if normalised >= 360.0 else normalised


# --- board header ------------------------------------------------------------------------


def _board_notes(root: _SList, file: str, findings: list[Finding]) -> dict[str, str]:
    notes = {"units": "mm", "frame": "y-up: x = pcb x, y = -pcb y"}
    version_text = _atom(_kid(root, "version"), 1) or ""
    notes["kicad_version"] = version_text
    host = _kid(root, "host")  # KiCad 5: (host pcbnew 5.1.5)
    generator = _kid(root, "generator")
    notes["generator"] = _atom(generator, 1) or _atom(host, 1) or ""
    generator_version = _atom(_kid(root, "generator_version"), 1) or _atom(host, 2)
    if generator_version:
        notes["generator_version"] = generator_version
    release, finding = _release(version_text, file)
    if release:
        notes["kicad_release"] = release
    if finding:
        findings.append(finding)
    return notes


def _release(version_text: str, file: str) -> tuple[str | None, Finding | None]:
    if not re.fullmatch(r"[0-9]{1,9}", version_text):
        return None, Finding(
            Severity.WARNING,
            "kicad.unknown_version",
            f"the board has no readable format version ({version_text or 'none'}); "
            "read with the KiCad 5-9 rules",
            file=file,
            line=1,
            hint="re-save the board with KiCad 5 or newer",
        )
    version = int(version_text)
    if version < _RELEASES[0][0]:
        return "4", Finding(
            Severity.INFO,
            "kicad.old_version",
            f"format version {version} is older than KiCad 5; read with the KiCad 5 rules",
            file=file,
            line=1,
            hint="re-save the board with a current KiCad to be sure",
        )
    for last, release in _RELEASES:
        if version <= last:
            return release, None
    return None, Finding(
        Severity.INFO,
        "kicad.newer_version",
        f"format version {version} is newer than KiCad 9; read with the KiCad 9 rules",
        file=file,
        line=1,
    )


# --- footprints --------------------------------------------------------------------------


def _read_footprint(node: _SList, file: str, findings: list[Finding]) -> _Part:
    kids = _by_head(node)
    properties = _properties(kids)
    fields = _normal_fields(properties)
    refdes = (properties.get("Reference") or _fp_text(kids, "reference")).strip()
    value = (properties.get("Value") or _fp_text(kids, "value")).strip()
    x, y, rotation = _position(kids, node, file, refdes, findings)
    layer = _atom(_first(kids, "layer"), 1) or ""
    attrs = _attributes(kids)
    pads = _pads(kids, rotation)
    virtual = bool(attrs & {"virtual", "board_only"})
    mount = Mount.OTHER if virtual else _pad_mount(pads)
    declared = _declared_mount(attrs, legacy=node[0] == "module")
    findings.extend(_mount_findings(declared, mount, node, file, refdes))
    graphics = [
        (_layer(g), g) for head, items in kids.items() if head.startswith("fp_") for g in items
    ]
    width, height = _body_size(graphics, pads)
    artwork = not pads and _is_placeholder(refdes)
    in_bom = not (virtual or artwork or "exclude_from_bom" in attrs)
    placement = Placement(
        refdes=refdes,
        x=x,
        y=0.0 - y,
        rotation=_angle(rotation),
        side=Side.BOTTOM if layer.startswith("B.") else Side.TOP,
        value=value,
        package=_atom(node, 1) or "",
        mount=mount,
        pin_count=len({p.number for p in pads if p.number and p.kind != "np_thru_hole"}),
        width=width,
        height=height,
        pitch=_pitch(pads),
        dnp="dnp" in attrs,
        exclude_from_bom=not in_bom,
        exclude_from_pos="exclude_from_pos_files" in attrs or "virtual" in attrs,
        mpn=_pick(fields, _MPN_KEYS),
        manufacturer=_pick(fields, _MANUFACTURER_KEYS),
        line=node.line,
        source=file,
    )
    return _Part(
        placement,
        in_bom=in_bom,
        description=(properties.get("Description") or "").strip(),
        supplier_parts=_supplier_parts(fields),
        edges=[
            (_place(path, x, y, rotation), g.line)
            for layer, g in graphics
            if layer == "Edge.Cuts"
            for path in _shape_paths(g)
        ],
    )


def _position(
    kids: dict[str, list[_SList]], node: _SList, file: str, refdes: str, findings: list[Finding]
) -> tuple[float, float, float]:
    """``(at x y [rotation])`` as written (KiCad frame), (0, 0, 0) with a warning if absent."""
    at = _numbers(_first(kids, "at"))
    if len(at) < 2:
        findings.append(
            _finding(
                Severity.WARNING,
                "kicad.missing_position",
                node,
                file,
                refdes,
                "footprint has no position; placed at 0, 0",
                "fix the footprint in KiCad and re-send the board",
            )
        )
        return 0.0, 0.0, 0.0
    return at[0], at[1], at[2] if len(at) > 2 else 0.0


def _properties(kids: dict[str, list[_SList]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for prop in kids.get("property", []):
        key, value = _atom(prop, 1), _atom(prop, 2)
        if key is not None and value is not None:
            found.setdefault(key, value)
    return found


def _fp_text(kids: dict[str, list[_SList]], kind: str) -> str:
    for text in kids.get("fp_text", []):
        if _atom(text, 1) == kind:
            return _atom(text, 2) or ""
    return ""


def _normal_fields(properties: dict[str, str]) -> dict[str, str]:
    """Non-empty property values by normalised key (``"LCSC Part #"`` -> ``"lcscpart"``)."""
    fields: dict[str, str] = {}
    for key, value in properties.items():
        if value.strip():
            fields.setdefault(_NOT_ALNUM.sub("", key.lower()), value.strip())
    return fields


def _pick(fields: dict[str, str], keys: tuple[str, ...]) -> str:
    return next((fields[key] for key in keys if key in fields), "")


def _supplier_parts(fields: dict[str, str]) -> list[SupplierPart]:
    parts: list[SupplierPart] = []
    for normal, number in fields.items():
        for prefix, supplier in _SUPPLIERS.items():
            if normal.startswith(prefix) and normal[len(prefix) :] in _SUPPLIER_SUFFIXES:
                parts.append(SupplierPart(supplier, number))
                break
    return parts


def _attributes(kids: dict[str, list[_SList]]) -> set[str]:
    attrs = {item for attr in kids.get("attr", []) for item in attr[1:] if isinstance(item, str)}
    for flag in _FLAG_FIELDS:
        node = _first(kids, flag)
        if node is not None and (_atom(node, 1) or "yes") in ("yes", "true"):
            attrs.add(flag)
    return attrs


def _declared_mount(attrs: set[str], *, legacy: bool) -> Mount | None:
    if "smd" in attrs:
        return Mount.SMT
    if "through_hole" in attrs:
        return Mount.THT
    if legacy and "virtual" not in attrs:
        return Mount.THT  # KiCad 5 "normal": what its position export calls through-hole
    return None


def _pads(kids: dict[str, list[_SList]], footprint_angle: float) -> list[_Pad]:
    pads: list[_Pad] = []
    for pad in kids.get("pad", []):
        at = _numbers(_kid(pad, "at"))
        size = _numbers(_kid(pad, "size"))
        x, y = (at[0], at[1]) if len(at) >= 2 else (0.0, 0.0)
        w, h = (abs(size[0]), abs(size[1])) if len(size) >= 2 else (0.0, 0.0)
        # Pad angles in the file include the footprint's rotation.
        relative = ((at[2] if len(at) >= 3 else 0.0) - footprint_angle) % 180.0
        if min(relative, 180.0 - relative) < 0.01:
            half_w, half_h = w / 2, h / 2
        elif abs(relative - 90.0) < 0.01:
            half_w, half_h = h / 2, w / 2
        else:
            half_w = half_h = math.hypot(w, h) / 2
        number, kind = _atom(pad, 1) or "", _atom(pad, 2) or ""
        pads.append(_Pad(number.strip(), kind, x, y, half_w, half_h))
    return pads


def _pad_mount(pads: list[_Pad]) -> Mount:
    smd = [pad for pad in pads if pad.kind == "smd"]
    if any(pad.kind == "thru_hole" and not _in_smd_pad(pad, smd) for pad in pads):
        return Mount.THT
    return Mount.SMT if smd else Mount.OTHER


def _in_smd_pad(pad: _Pad, smd: list[_Pad]) -> bool:
    """A plated hole wholly inside an SMD pad of the same number: a thermal via, not a lead."""
    return any(
        other.number == pad.number
        and abs(pad.x - other.x) + pad.half_w <= other.half_w + 1e-6
        and abs(pad.y - other.y) + pad.half_h <= other.half_h + 1e-6
        for other in smd
    )


def _mount_findings(
    declared: Mount | None, mount: Mount, node: _SList, file: str, refdes: str
) -> list[Finding]:
    if declared is Mount.THT and mount is Mount.SMT:
        return [
            _finding(
                Severity.WARNING,
                "kicad.attribute_mismatch",
                node,
                file,
                refdes,
                f"{refdes or 'footprint'} is marked through-hole in the board but has only SMD "
                "pads; a position file exported 'SMD only' will have dropped it",
                "treat it as SMT: add it to the placement data, and ask the designer to set the "
                "footprint attribute to SMD",
            )
        ]
    if declared is Mount.SMT and mount is Mount.THT:
        return [
            _finding(
                Severity.INFO,
                "kicad.smd_with_tht_pads",
                node,
                file,
                refdes,
                f"{refdes or 'footprint'} is marked SMD but has plated through-hole pads "
                "(shell tabs, pegs); counted as THT",
                "plan a THT or pin-in-paste step for its through-hole pads",
            )
        ]
    return []


def _finding(
    severity: Severity, code: str, node: _SList, file: str, refdes: str, message: str, hint: str
) -> Finding:
    return Finding(
        severity, code, message, file=file, line=node.line, refdes=refdes or None, hint=hint
    )


def _pitch(pads: list[_Pad]) -> float | None:
    """Smallest centre distance between pads with different numbers, or None.

    None also beyond ``_MAX_PITCH_PADS`` pad positions, which no real part has, so that a
    hostile file cannot make the sweep quadratic.
    """
    # Sorting along a skewed axis keeps the sweep short for rows and columns of pads.
    ux, uy = math.cos(0.4), math.sin(0.4)
    points = sorted(
        {
            (p.x * ux + p.y * uy, p.x, p.y, p.number)
            for p in pads
            if p.number and p.kind != "np_thru_hole"
        }
    )
    if len(points) > _MAX_PITCH_PADS:
        return None
    best = math.inf
    for i, (key, x, y, number) in enumerate(points):
        for j in range(i + 1, len(points)):
            other_key, ox, oy, other_number = points[j]
            if other_key - key >= best:
                break
            distance = math.hypot(ox - x, oy - y)
            if other_number != number and 1e-6 < distance < best:
                best = distance
    return round(best, 6) if best < math.inf else None


def _body_size(
    graphics: list[tuple[str, _SList]], pads: list[_Pad]
) -> tuple[float | None, float | None]:
    """Local extents of the courtyard, else the fabrication drawing, else the pads."""
    for layers in (("F.CrtYd", "B.CrtYd"), ("F.Fab", "B.Fab")):
        points = [
            point
            for layer, g in graphics
            if layer in layers
            for path in _shape_paths(g)
            for point in path
        ]
        if points:
            return _extent(points)
    if pads:
        corners = [
            (p.x + sx * p.half_w, p.y + sy * p.half_h)
            for p in pads
            for sx in (-1, 1)
            for sy in (-1, 1)
        ]
        return _extent(corners)
    return None, None


def _extent(points: list[Point]) -> tuple[float, float]:
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    return round(max(xs) - min(xs), 6), round(max(ys) - min(ys), 6)


# --- geometry ----------------------------------------------------------------------------


def _shape_paths(node: _SList) -> list[list[Point]]:
    """The polylines of one graphic item (``gr_*`` or ``fp_*``) in its own coordinates."""
    kind = _head(node).partition("_")[2]
    start, end = _point(_kid(node, "start")), _point(_kid(node, "end"))
    if kind == "line" and start and end:
        return [[start, end]]
    if kind == "rect" and start and end:
        (x1, y1), (x2, y2) = start, end
        return [[(x1, y1), (x2, y1), (x2, y2), (x1, y2), (x1, y1)]]
    if kind == "circle":
        centre = _point(_kid(node, "center"))
        if centre and end:
            radius = math.dist(centre, end)
            return [_arc_points(centre, radius, 0.0, math.tau)] if radius > 0 else []
    if kind == "arc" and start and end:
        return [_arc(node, start, end)]
    if kind in ("poly", "curve"):
        return _pts_path(node, closed=kind == "poly")
    return []


def _arc(node: _SList, start: Point, end: Point) -> list[Point]:
    mid = _point(_kid(node, "mid"))
    if mid:
        return _arc_through(start, mid, end)
    angle = _numbers(_kid(node, "angle"))
    if not angle:
        return [start, end]
    # KiCad 5: start is the centre, end the first point, angle the sweep (Y-down frame).
    radius = math.dist(start, end)
    if radius == 0:
        return []
    sweep = math.radians(max(-360.0, min(360.0, angle[0])))
    begin = math.atan2(end[1] - start[1], end[0] - start[0])
    points = _arc_points(start, radius, begin, sweep)
    points[0] = end
    return points


def _arc_through(start: Point, mid: Point, end: Point) -> list[Point]:
    centre = _circumcentre(start, mid, end)
    if centre is None:
        return [start, end]
    radius = math.dist(centre, start)
    a0 = math.atan2(start[1] - centre[1], start[0] - centre[0])
    am = math.atan2(mid[1] - centre[1], mid[0] - centre[0])
    a1 = math.atan2(end[1] - centre[1], end[0] - centre[0])
    sweep = (a1 - a0) % math.tau
    if (am - a0) % math.tau > sweep:
        sweep -= math.tau
    points = _arc_points(centre, radius, a0, sweep)
    points[0], points[-1] = start, end
    return points


def _circumcentre(a: Point, b: Point, c: Point) -> Point | None:
    (ax, ay), (bx, by), (cx, cy) = a, b, c
    d = 2 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by))
    if abs(d) < 1e-9:
        return None
    a2, b2, c2 = ax * ax + ay * ay, bx * bx + by * by, cx * cx + cy * cy
    ux = (a2 * (by - cy) + b2 * (cy - ay) + c2 * (ay - by)) / d
    uy = (a2 * (cx - bx) + b2 * (ax - cx) + c2 * (bx - ax)) / d
    if max(abs(ux), abs(uy)) > _MAX_ABS:
        return None
    return ux, uy


def _arc_points(centre: Point, radius: float, begin: float, sweep: float) -> list[Point]:
    steps = max(1, math.ceil(abs(sweep) / _ARC_STEP))
    cx, cy = centre
    return [
        (
            cx + radius * math.cos(begin + sweep * i / steps),
            cy + radius * math.sin(begin + sweep * i / steps),
        )
        for i in range(steps + 1)
    ]


def _pts_path(node: _SList, *, closed: bool) -> list[list[Point]]:
    pts = _kid(node, "pts")
    if pts is None:
        return []
    path: list[Point] = []
    for item in _lists(pts):
        if item[0] == "xy":
            point = _point(item)
            if point:
                path.append(point)
        elif item[0] == "arc":
            start, mid, end = (_point(_kid(item, k)) for k in ("start", "mid", "end"))
            if start and mid and end:
                path.extend(_arc_through(start, mid, end))
    if not closed:
        return [_bezier(path)] if len(path) == 4 else ([path] if len(path) >= 2 else [])
    if len(path) < 3:
        return []
    return [[*path, path[0]]]


def _bezier(points: list[Point]) -> list[Point]:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    out: list[Point] = []
    for i in range(17):
        t = i / 16
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t**3
        out.append((a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3))
    return out


# --- outline -----------------------------------------------------------------------------


def _read_outline(
    root: _SList, parts: list[_Part], file: str, findings: list[Finding]
) -> Outline | None:
    paths = [*_edge_paths(root), *(edge for part in parts for edge in part.edges)]
    closed, loose = _chain(paths, _CHAIN_TOLERANCE)
    findings.extend(_open_path_findings(loose, file))
    polygons = [path[:-1] for path in closed if abs(_area(path)) > 1e-9]
    if not polygons:
        if not loose:
            findings.append(
                Finding(
                    Severity.WARNING,
                    "kicad.no_outline",
                    "the board has no outline on Edge.Cuts",
                    file=file,
                    hint="ask for the board outline (Edge.Cuts), or a DXF or Gerber of it",
                )
            )
        return None
    polygons.sort(key=lambda polygon: -abs(_area(polygon)))
    return Outline(polygons)


def _open_path_findings(loose: list[tuple[list[Point], int]], file: str) -> list[Finding]:
    findings: list[Finding] = []
    for path, line in loose[:_MAX_OPEN_FINDINGS]:
        (x1, y1), (x2, y2) = path[0], path[-1]
        findings.append(
            Finding(
                Severity.WARNING,
                "kicad.outline_open",
                f"an Edge.Cuts path from ({x1:.3f}, {y1:.3f}) to ({x2:.3f}, {y2:.3f}) does not "
                f"close; it is left out of the outline ({len(loose)} open path(s) in all)",
                file=file,
                line=line,
                hint="close the outline in KiCad (DRC reports the gap) and re-send the board",
            )
        )
    return findings


def _edge_paths(root: _SList) -> Iterator[tuple[list[Point], int]]:
    """The board's own Edge.Cuts polylines in the output frame, each with its line."""
    for node in _lists(root):
        if str(node[0]).startswith("gr_") and _layer(node) == "Edge.Cuts":
            for path in _shape_paths(node):
                yield [(x, 0.0 - y) for x, y in path], node.line


def _place(path: Iterable[Point], fx: float, fy: float, degrees: float) -> list[Point]:
    """Footprint-local points to the output frame (rotation is counter-clockwise on screen)."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return [(fx + x * c + y * s, 0.0 - (fy - x * s + y * c)) for x, y in path]


def _area(path: list[Point]) -> float:
    return 0.5 * sum(
        x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(path, [*path[1:], path[0]], strict=True)
    )


def _near(a: Point, b: Point, tolerance: float) -> bool:
    return abs(a[0] - b[0]) <= tolerance and abs(a[1] - b[1]) <= tolerance


class _Ends:
    """Endpoints of open paths in a grid, to find the path that continues a chain."""

    def __init__(self, paths: list[list[Point]], tolerance: float) -> None:
        self.tolerance = tolerance
        self.paths = paths
        self.used = [False] * len(paths)
        self.cells: dict[tuple[int, int], list[tuple[int, bool]]] = {}
        for index, path in enumerate(paths):
            self.cells.setdefault(self._cell(path[0]), []).append((index, False))
            self.cells.setdefault(self._cell(path[-1]), []).append((index, True))

    def _cell(self, point: Point) -> tuple[int, int]:
        return math.floor(point[0] / self.tolerance), math.floor(point[1] / self.tolerance)

    def take(self, point: Point) -> list[Point] | None:
        """An unused path with an end at ``point``, oriented to start there; marks it used."""
        cx, cy = self._cell(point)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                bucket = self.cells.get((cx + dx, cy + dy), [])
                # Used entries pile up at the tail: dropping them keeps shared ends cheap.
                while bucket and self.used[bucket[-1][0]]:
                    bucket.pop()
                for index, at_end in reversed(bucket):
                    path = self.paths[index]
                    if not self.used[index] and _near(
                        path[-1] if at_end else path[0], point, self.tolerance
                    ):
                        self.used[index] = True
                        return path[::-1] if at_end else path
        return None


def _chain(
    paths: list[tuple[list[Point], int]], tolerance: float
) -> tuple[list[list[Point]], list[tuple[list[Point], int]]]:
    """Join paths end to end: (closed loops ending on their first point, open chains)."""
    closed: list[list[Point]] = []
    open_paths: list[tuple[list[Point], int]] = []
    for path, line in paths:
        if len(path) >= 3 and _near(path[0], path[-1], tolerance):
            closed.append([*path[:-1], path[0]])
        elif len(path) >= 2 and not _near(path[0], path[-1], tolerance):
            open_paths.append((path, line))
    ends = _Ends([path for path, _ in open_paths], tolerance)
    loose: list[tuple[list[Point], int]] = []
    for index, (path, line) in enumerate(open_paths):
        if ends.used[index]:
            continue
        ends.used[index] = True
        chain = list(path)
        if not _grow(chain, ends, tolerance):
            chain.reverse()
            if not _grow(chain, ends, tolerance):
                loose.append((chain, line))
                continue
        chain[-1] = chain[0]
        closed.append(chain)
    return closed, loose


def _grow(chain: list[Point], ends: _Ends, tolerance: float) -> bool:
    """Extend ``chain`` at its end until it closes (True) or nothing continues it."""
    while True:
        if len(chain) >= 4 and _near(chain[0], chain[-1], tolerance):
            return True
        following = ends.take(chain[-1])
        if following is None:
            return False
        chain.extend(following[1:])


# --- BOM and references ------------------------------------------------------------------


def _derive_bom(parts: list[_Part], file: str) -> list[BomLine]:
    groups: dict[tuple[str, str, str, bool], list[_Part]] = {}
    for part in parts:
        p = part.placement
        if part.in_bom:
            groups.setdefault((p.value, p.package, p.mpn, p.dnp), []).append(part)
    lines = [_bom_line(members, file) for members in groups.values()]
    lines.sort(key=lambda line: _natural_key(line.refdes[0]))
    return lines


def _bom_line(members: list[_Part], file: str) -> BomLine:
    first = members[0].placement
    suppliers: list[SupplierPart] = []
    for member in members:
        for part in member.supplier_parts:
            if part not in suppliers:
                suppliers.append(part)
    return BomLine(
        line=min(m.placement.line or 0 for m in members),
        refdes=sorted((m.placement.refdes for m in members), key=_natural_key),
        quantity=len(members),
        mpn=first.mpn,
        manufacturer=next(
            (m.placement.manufacturer for m in members if m.placement.manufacturer), ""
        ),
        value=first.value,
        footprint=first.package,
        description=next((m.description for m in members if m.description), ""),
        dnp=first.dnp,
        supplier_parts=suppliers,
        source=file,
    )


def _natural_key(text: str) -> tuple[str | tuple[int, str], ...]:
    """Sort key putting R2 before R10 (digit runs compare by value, without int())."""
    pieces = re.split(r"([0-9]+)", text)
    return tuple(
        (len(piece.lstrip("0")), piece.lstrip("0")) if i % 2 else piece.casefold()
        for i, piece in enumerate(pieces)
    )


def _is_placeholder(refdes: str) -> bool:
    return refdes.endswith(("**", "?"))


def _refdes_findings(parts: list[_Part], file: str) -> list[Finding]:
    lines_of: dict[str, list[int]] = {}
    for part in parts:
        lines_of.setdefault(part.placement.refdes, []).append(part.placement.line or 0)
    findings: list[Finding] = []
    for refdes, lines in lines_of.items():
        where = ", ".join(str(line) for line in lines[:10])
        if not refdes:
            findings.append(
                Finding(
                    Severity.WARNING,
                    "kicad.missing_refdes",
                    f"{len(lines)} footprint(s) have no reference designator (lines {where})",
                    file=file,
                    line=lines[0],
                    hint="annotate the board in KiCad and re-send it",
                )
            )
        elif _is_placeholder(refdes):
            findings.append(
                Finding(
                    Severity.INFO,
                    "kicad.unannotated_refdes",
                    f"{len(lines)} footprint(s) carry the unannotated reference {refdes} "
                    f"(lines {where}); usually logos or artwork",
                    file=file,
                    line=lines[0],
                    refdes=refdes,
                    hint="nothing to do for artwork; annotate it if it is a real part",
                )
            )
        elif len(lines) > 1:
            findings.append(
                Finding(
                    Severity.WARNING,
                    "kicad.duplicate_refdes",
                    f"reference {refdes} is used by {len(lines)} footprints (lines {where})",
                    file=file,
                    line=lines[1],
                    refdes=refdes,
                    hint="ask the designer to re-annotate: placement and traceability need unique "
                    "references",
                )
            )
    return findings
