"""What a part's package is, read from footprint, package and value names. Pure, no I/O.

Names come from KiCad (``Capacitor_SMD:C_0402_1005Metric``, ``QFN-48-1EP_6x6mm_P0.4mm``),
EasyEDA/JLCPCB (``LQFP-48_L7.0-W7.0-P0.50-LS9.0-BL``, ``C0402``), IPC-7351 land pattern
names used by Altium libraries (``RESC1005X40N``, ``QFN50P500X500X100-33N``) and whatever a
customer typed. The classification is a best effort from the name: it never raises, and a
name it cannot place is ``PackageKind.UNKNOWN``.

Chip sizes are reported as imperial (EIA) codes, the ones a pick-and-place programmer and a
feeder list use. KiCad and IPC-7351 names carry metric codes (``1005Metric`` is an imperial
0402); a four-digit code without a metric marker is read as imperial, because that is what
``R_0402`` and ``C0402`` mean in practice.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from typing import TypeVar

from boardline.npi.model import BomLine, Mount, Placement

FINE_PITCH_MM = 0.5
_T = TypeVar("_T")

# EIA imperial chip code -> metric code (IEC 60115-8 / EIA-198 case sizes).
IMPERIAL_TO_METRIC: dict[str, str] = {
    "008004": "0201",
    "009005": "03015",
    "01005": "0402",
    "0201": "0603",
    "0402": "1005",
    "0603": "1608",
    "0805": "2012",
    "1008": "2520",
    "1206": "3216",
    "1210": "3225",
    "1806": "4516",
    "1812": "4532",
    "1825": "4564",
    "2010": "5025",
    "2220": "5750",
    "2512": "6332",
    "2920": "7451",
    "0306": "0816",
    "0612": "1632",
}
METRIC_TO_IMPERIAL: dict[str, str] = {m: i for i, m in IMPERIAL_TO_METRIC.items()} | {
    "6432": "2512"  # some vendors round 2512 to 6.4 x 3.2 mm
}
MICRO_SIZES = frozenset({"008004", "009005", "01005", "0201"})


class PackageKind(StrEnum):
    """The package families the factory treats differently."""

    CHIP = "chip"  # two-terminal chip passive, LED, ferrite, fuse: R_0402, C0603, RESC1005X40N
    TANTALUM = "tantalum"  # molded polarised chip capacitor, EIA case: CP_EIA-3216-10
    DIODE = "diode"  # SOD-123, SMA/SMB/SMC, DO-214, MELF, DO-35/DO-41
    SOT = "sot"  # SOT-23/89/223/563, SC-70, DPAK/D2PAK (TO-252/263)
    SOIC = "soic"  # gull-wing on two sides: SOIC, SOP, SSOP, TSSOP, MSOP, TSOP
    QFP = "qfp"  # gull-wing or J-lead on four sides: QFP, LQFP, TQFP, PLCC
    QFN = "qfn"  # bottom-terminated, leadless: QFN, DFN, SON, LFCSP, MLF
    BGA = "bga"  # ball grid: BGA, FBGA, CABGA, csBGA, CSP, WLCSP
    LGA = "lga"  # land grid, bottom-terminated
    DIP = "dip"  # dual in-line, through-hole
    TO = "to"  # through-hole transistor outlines: TO-92, TO-220, TO-247
    LEADED = "leaded"  # axial or radial leaded through-hole parts
    ELECTROLYTIC = "electrolytic"  # aluminium electrolytic, SMD can or radial: tall
    INDUCTOR = "inductor"  # wound or molded inductors, chokes, transformers (not chip sizes)
    CRYSTAL = "crystal"  # crystals, oscillators, resonators
    CONNECTOR = "connector"
    SWITCH = "switch"
    MODULE = "module"  # radio and compute modules
    TEST_POINT = "test_point"
    FIDUCIAL = "fiducial"
    MOUNTING_HOLE = "mounting_hole"
    GRAPHIC = "graphic"  # logos, marks, silkscreen art
    NET_TIE = "net_tie"  # solder jumpers and net ties: copper only
    UNKNOWN = "unknown"


# Copper or holes only: on the board file but nothing for a machine or an operator to place.
NOT_PLACED = frozenset(
    {PackageKind.FIDUCIAL, PackageKind.MOUNTING_HOLE, PackageKind.GRAPHIC, PackageKind.NET_TIE}
)
AREA_ARRAY = frozenset({PackageKind.BGA, PackageKind.LGA})
BOTTOM_TERMINATED = frozenset({PackageKind.QFN, PackageKind.LGA})
_SIZED_KINDS = frozenset({PackageKind.CHIP, PackageKind.TANTALUM})
_SMT_KINDS = (
    PackageKind.CHIP,
    PackageKind.TANTALUM,
    PackageKind.DIODE,
    PackageKind.SOT,
    PackageKind.SOIC,
    PackageKind.QFP,
    PackageKind.QFN,
    PackageKind.BGA,
    PackageKind.LGA,
)
_KIND_MOUNT: dict[PackageKind, Mount] = {
    **dict.fromkeys(_SMT_KINDS, Mount.SMT),
    **dict.fromkeys((PackageKind.DIP, PackageKind.TO, PackageKind.LEADED), Mount.THT),
    **dict.fromkeys(NOT_PLACED, Mount.OTHER),
}


@dataclass(frozen=True, slots=True)
class PackageClass:
    """A package as far as its names tell.

    ``size`` is the imperial chip code (``"0402"``) for chip and molded chip parts; ``pitch``
    the smallest lead or ball pitch in mm; ``mount`` what the name says (``_SMD``, ``THT``,
    ``DIP``) or else what the family always is, ``None`` when neither tells; ``body_mm`` and
    ``height_mm`` the body size a name such as ``6x6mm`` or ``11x11x1.08mm`` states.
    """

    kind: PackageKind
    size: str | None = None
    pitch: float | None = None
    mount: Mount | None = None
    body_mm: tuple[float, float] | None = None
    height_mm: float | None = None

    @property
    def area_array(self) -> bool:
        """Terminations in a grid under the body (BGA, CSP, LGA)."""
        return self.kind in AREA_ARRAY

    @property
    def bottom_terminated(self) -> bool:
        """Leadless terminations under the body edge (QFN, DFN, SON, LGA)."""
        return self.kind in BOTTOM_TERMINATED

    @property
    def hidden_joints(self) -> bool:
        """Solder joints that optical inspection cannot see: X-ray territory."""
        return self.area_array or self.bottom_terminated

    @property
    def fine_pitch(self) -> bool:
        """Pitch of 0.5 mm or less, when the pitch is known."""
        return self.pitch is not None and self.pitch <= FINE_PITCH_MM + 1e-9

    @property
    def micro_chip(self) -> bool:
        """A 0201 or smaller chip: needs fine nozzles, 8 mm paper tape at 2 mm pitch, care."""
        return self.kind is PackageKind.CHIP and self.size in MICRO_SIZES

    @property
    def placed(self) -> bool:
        """Something a machine or an operator places (not a fiducial, hole, logo, jumper)."""
        return self.kind not in NOT_PLACED


@dataclass(frozen=True, slots=True)
class _Parsed:
    kind: PackageKind
    size: str | None
    pitch: float | None
    mount: Mount | None
    body_mm: tuple[float, float] | None
    height_mm: float | None


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# In these patterns "~" and "@" are word edges where "_", "-", digits and punctuation separate.
def _words(pattern: str) -> re.Pattern[str]:
    return _rx(pattern.replace("~", "(?:^|[^A-Z])").replace("@", "(?:[^A-Z]|$)"))


# First match wins: the order settles names that fit two families ("Oscillator_..._PQFN"
# is a crystal, "LFCSP" is a QFN, "USB_C_Receptacle" is not a capacitor).
_KIND_PATTERNS: tuple[tuple[PackageKind, re.Pattern[str]], ...] = (
    (PackageKind.FIDUCIAL, _words(r"FIDUCIAL|~FID@|~FID\d")),
    (
        PackageKind.MOUNTING_HOLE,
        _words(r"MOUNTING_?HOLE|MOUNT_?HOLE|~NPTH|~HOLE@|STANDOFF|~MH\d"),
    ),
    (
        PackageKind.GRAPHIC,
        _words(r"LOGO|~SYMBOL|CE_?SIGN|CE_?MARK|OSHW|OPEN_?HARDWARE|~SILK|GRAPHIC|ARTWORK|~WEEE"),
    ),
    (PackageKind.NET_TIE, _words(r"SOLDER_?JUMPER|NET_?TIE|~SJ(?:[_\d]|$)|JUMPER_?SMD")),
    (PackageKind.TEST_POINT, _words(r"TEST_?POINT|TEST_?PAD|~TP[_-]?\d|~TP@")),
    (
        PackageKind.CRYSTAL,
        _words(r"CRYSTAL|XTAL|OSCILL?AT|~OSC@|HC-?49|RESONATOR|[TVO]CXO|~XO@"),
    ),
    (PackageKind.MODULE, _words(r"MODULE|WROOM|WROVER")),
    (
        PackageKind.CONNECTOR,
        _words(
            r"CONN|USB|HDMI|~RJ-?\d\d|~RJP|MAGJACK|PIN_?HEADER|PIN_?SOCKET|HEADER|JST|MOLEX"
            r"|HIROSE|SAMTEC|MICRO_?SD|~U?SD@|SD_?CARD|SIM_?CARD|TERMINAL|BARREL|JACK|~PJ-?\d"
            r"|FPC|FFC|~IDC@|D-?SUB|U\.FL|~UFL@|IPEX|COAX|BNC|RECEPTACLE|PLUG|SOCKET|LIPO"
            r"|BATTERY|CARD_?EDGE|WAGO|PHOENIX|AMPHENOL|~M\.2"
        ),
    ),
    (PackageKind.SWITCH, _words(r"~SW[_-]|SWITCH|BUTTON|~TACT|~PTS_?\d|~TL\d{4}")),
    (
        PackageKind.ELECTROLYTIC,
        _words(r"CP_ELEC|~ELEC(?:TROLYTIC)?@|CPOL|CAPAE|CP_RADIAL|ALUMINI?UM"),
    ),
    (PackageKind.TANTALUM, _words(r"CP_EIA|~EIA-?\d{4}|TANTAL|CAPM\d|CAPMP")),
    (PackageKind.QFN, _words(r"QFN|DFN|LFCSP|~MLF|~MLP|~[A-Z0-9]{0,3}SON@")),
    (PackageKind.BGA, _words(r"BGA|WLCSP|(?<!LF)CSP|~WLP@")),
    (PackageKind.LGA, _words(r"~[A-Z]{0,2}LGA@")),
    (PackageKind.QFP, _words(r"QFP|PLCC")),
    (PackageKind.SOIC, _words(r"SOIC|SOP|~SO-?\d|~SOJ")),
    (PackageKind.SOT, _words(r"SOT|~SC-?\d\d|DPAK|D2PAK|D3PAK|TO-?252|TO-?263|TO-?268")),
    (PackageKind.DIP, _words(r"~[A-Z]?DIP@|~DIL")),
    (PackageKind.TO, _words(r"~TO-?(?:92|126|220|247|264|3P|18|39)(?!\d)")),
    (
        PackageKind.DIODE,
        _words(r"SOD-?\d|~SM[ABC]@|DO-?21[34]|MELF|POWERDI|~SM[AB]J|~DO-?(?:35|41|15|201)"),
    ),
    (PackageKind.LEADED, _words(r"AXIAL|RADIAL|~C_DISC|~C_RECT")),
)
_INDUCTOR = _words(r"~L_|INDUCTOR|~IND(?:[MPC]|@)|CHOKE|FERRITE|COIL|TRANSFORMER|~XFMR")

_SMT_MARK = _words(r"SMD|SMT|SURFACE")
_THT_MARK = _words(
    r"THT|PTH|THROUGH|~TH@|AXIAL|RADIAL|~[A-Z]?DIP@|~TO-?(?:92|220|247)(?!\d)"
    r"|~DO-?(?:35|41|15|201)(?!\d)|HC-?49|PIN_?HEADER|PIN_?SOCKET"
)

_IPC_CHIP = _rx(r"(?:RES|CAP|IND|LED|DIO|FUS)[CM](\d{4,5})X")
_METRIC_CODE = _rx(r"(\d{4,5})_?METRIC")
_EIA_CODE = _rx(r"EIA-?(\d{4})")
_PLAIN_CODE = _rx(
    r"(?:^|[^0-9A-Z.]|(?<![A-Z])(?:R|C|L|D|F|FB|LED|RES|CAP|IND|X))(\d{4,6})(?=$|[^0-9A-Z.])"
)

_PITCH_PATTERNS = (
    _rx(r"(?<!\d)(\d{2,3})P\d{2,4}X"),  # IPC-7351 QFN50P500X500X100: 0.50 mm, in 1/100 mm
    _rx(r"PITCH[-_ ]?(\d+(?:\.\d+)?)"),
    _rx(r"(\d+(?:\.\d+)?) ?MM[-_ ]?PITCH"),
    _rx(r"(?:^|[^A-Z])P(\d+\.\d+|\d+(?=MM))(?:MM)?(?![\d.])"),
)
_BODY = _rx(r"(?:^|[^\dA-Z.])(\d+(?:\.\d+)?)X(\d+(?:\.\d+)?)(?:X(\d+(?:\.\d+)?))?MM")
_IPC_BODY = _rx(r"P(\d{3,4})X(\d{3,4})X(\d{2,4})")
_LIBRARY = _rx(r"^[^:()\s]+:")
_REFDES_PREFIX = _rx(r"^[A-Z_]+")

_REFDES_KINDS: dict[str, PackageKind] = {
    "FID": PackageKind.FIDUCIAL,
    "FD": PackageKind.FIDUCIAL,
    "FIDUCIAL": PackageKind.FIDUCIAL,
    "MH": PackageKind.MOUNTING_HOLE,
    "H": PackageKind.MOUNTING_HOLE,
    "HOLE": PackageKind.MOUNTING_HOLE,
    "TP": PackageKind.TEST_POINT,
    "J": PackageKind.CONNECTOR,
    "CN": PackageKind.CONNECTOR,
    "CON": PackageKind.CONNECTOR,
    "Y": PackageKind.CRYSTAL,
    "XTAL": PackageKind.CRYSTAL,
    "SW": PackageKind.SWITCH,
    "LOGO": PackageKind.GRAPHIC,
    "SJ": PackageKind.NET_TIE,
    "NT": PackageKind.NET_TIE,
}


def _number(text: str, scale: float = 1.0) -> float | None:
    try:
        value = float(text) / scale
    except ValueError:
        return None
    return value if math.isfinite(value) and value > 0 else None


def _size(name: str) -> str | None:
    """The imperial chip code in an upper-cased name, metric markers taken into account."""
    for pattern in (_IPC_CHIP, _METRIC_CODE, _EIA_CODE):
        for match in pattern.finditer(name):
            if match.group(1) in METRIC_TO_IMPERIAL:
                return METRIC_TO_IMPERIAL[match.group(1)]
    for match in _PLAIN_CODE.finditer(name):
        if match.group(1) in IMPERIAL_TO_METRIC:
            return match.group(1)
    return None


def _pitch(name: str) -> float | None:
    ipc, *labelled = _PITCH_PATTERNS
    match = ipc.search(name)
    if match:
        return _number(match.group(1), 100.0)
    for pattern in labelled:
        match = pattern.search(name)
        if match:
            return _number(match.group(1))
    return None


def _body(name: str) -> tuple[tuple[float, float] | None, float | None]:
    match = _IPC_BODY.search(name)
    scale = 100.0
    if not match:
        match = _BODY.search(name)
        scale = 1.0
    if not match:
        return None, None
    width, length = _number(match.group(1), scale), _number(match.group(2), scale)
    height = _number(match.group(3), scale) if match.group(3) else None
    return ((width, length) if width and length else None), height


def _kind(name: str, size: str | None) -> PackageKind:
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(name):
            return kind
    if size is not None:
        return PackageKind.CHIP
    if _INDUCTOR.search(name):
        return PackageKind.INDUCTOR
    return PackageKind.UNKNOWN


def _mount_mark(text: str) -> Mount | None:
    if _SMT_MARK.search(text):
        return Mount.SMT
    if _THT_MARK.search(text):
        return Mount.THT
    return None


@lru_cache(maxsize=4096)
def _parse(text: str) -> _Parsed:
    upper = text.strip().upper()
    name = _LIBRARY.sub("", upper)
    size = _size(name)
    kind = _kind(name, size)
    body, height = _body(name)
    return _Parsed(
        kind=kind,
        size=size if kind in _SIZED_KINDS else None,
        pitch=_pitch(name),
        mount=_mount_mark(upper),
        body_mm=body,
        height_mm=height,
    )


def _refdes_kind(refdes: str) -> PackageKind:
    match = _REFDES_PREFIX.match(refdes.strip().upper())
    prefix = match.group(0).rstrip("_") if match else ""
    return _REFDES_KINDS.get(prefix, PackageKind.UNKNOWN)


def _valid_pitch(pitch: float | None) -> float | None:
    if pitch is None or not math.isfinite(pitch) or pitch <= 0:
        return None
    return pitch


def _sources(
    source: Placement | BomLine | str, more: tuple[str, ...]
) -> tuple[list[str], str, float | None]:
    """The names to read in order of trust, the refdes, and a pitch stated as data."""
    if isinstance(source, Placement):
        return [source.package, source.value, *more], source.refdes, _valid_pitch(source.pitch)
    if isinstance(source, BomLine):
        texts = [source.footprint, source.value, source.description, *more]
        return texts, (source.refdes[0] if source.refdes else ""), None
    return [source, *more], "", None


def _first(values: list[_T | None]) -> _T | None:
    return next((v for v in values if v is not None), None)


def package_class(source: Placement | BomLine | str, *more: str) -> PackageClass:
    """Classify a part from its package/footprint name, then its value and description.

    ``source`` is a placement (package, value, refdes and ``pitch`` are read), a BOM line
    (footprint, value, description, first refdes) or a name; ``more`` adds names to fall back
    on, such as the BOM line's footprint for a placement without a package. The first name
    that names a family decides the kind; the refdes prefix (``FID``, ``TP``, ``J``, ``Y``)
    decides when no name does. A pitch given as data wins over one read from a name.
    """
    texts, refdes, data_pitch = _sources(source, more)
    key = tuple(t for t in texts if t and t.strip())
    found = _classify(key, PackageKind.UNKNOWN)
    if found.kind is PackageKind.UNKNOWN and refdes:
        found = _classify(key, _refdes_kind(refdes))
    if data_pitch is not None and data_pitch != found.pitch:
        return replace(found, pitch=data_pitch)
    return found


@lru_cache(maxsize=16384)
def _classify(texts: tuple[str, ...], fallback: PackageKind) -> PackageClass:
    parsed = [_parse(t) for t in texts]
    decided = next((p for p in parsed if p.kind is not PackageKind.UNKNOWN), None)
    kind = decided.kind if decided else fallback
    size = None
    if kind in _SIZED_KINDS:
        size = decided.size if decided and decided.size else _first([p.size for p in parsed])
    mount = _first([p.mount for p in parsed]) or _KIND_MOUNT.get(kind)
    if kind in NOT_PLACED:
        mount = Mount.OTHER
    return PackageClass(
        kind=kind,
        size=size,
        pitch=_first([p.pitch for p in parsed]),
        mount=mount,
        body_mm=_first([p.body_mm for p in parsed]),
        height_mm=_first([p.height_mm for p in parsed]),
    )


def imperial_size(name: str) -> str | None:
    """The imperial chip code (``"0402"``) of a chip or molded-chip package name, else None.

    ``C_0402_1005Metric``, ``R_0402``, ``C0402``, ``RESC1005X40N`` and ``1005Metric`` all give
    ``"0402"``; ``0603Metric`` gives ``"0201"``; an IC package (``SOIC-8``, ``QFN-16``) gives
    None even when a number in its name looks like a chip code.
    """
    return package_class(name).size


def pitch_mm(source: Placement | BomLine | str, *more: str) -> float | None:
    """The part's smallest pitch in mm: ``Placement.pitch`` when given, else from its names
    (``P0.4mm``, ``Pitch_0.50mm``, ``0.5mm pitch``, EasyEDA ``-P0.50-``, IPC ``QFN50P…``)."""
    return package_class(source, *more).pitch


def is_fine_pitch(source: Placement | BomLine | str, limit_mm: float = FINE_PITCH_MM) -> bool:
    """True when the part's known pitch is at most ``limit_mm`` (0.5 mm by default)."""
    pitch = pitch_mm(source)
    return pitch is not None and pitch <= limit_mm + 1e-9


def is_fiducial(source: Placement | BomLine | str) -> bool:
    """True for a fiducial mark, by package name (``Fiducial_1mm``), value or refdes (FID1)."""
    return package_class(source).kind is PackageKind.FIDUCIAL
