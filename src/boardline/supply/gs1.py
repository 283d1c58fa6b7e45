"""GS1 element strings on material package labels, and Boardline's package IDs. Pure.

Every reel, tray, tube or bag that is received gets a unique package ID (:func:`new_package_id`)
and a label whose GS1 DataMatrix carries these application identifiers (AIs):

    AI    meaning                                  format      FNC1 after it
    01    GTIN-14, with check digit                N14         no (predefined length)
    11    production date                          YYMMDD      no (predefined length)
    17    expiry date                              YYMMDD      no (predefined length)
    240   additional item id: our item number      X..30       yes
    10    batch/lot                                X..20       yes
    21    serial: our unique package ID            X..20       yes
    30    count of items (quantity)                N..8        yes
    400   customer purchase order number           X..30       yes
    90    internal, agreed between partners        X..30       yes

``X`` is GS1's character set 82 (digits, letters and ``!"%&'()*+,-./:;<=>?_``; no space).
A variable-length field ends with FNC1, which a scanner transmits as the GS character
(``\\x1d``); :func:`encode` puts one after every variable-length field but the last and
orders the fields with the predefined-length ones first, so few separators are needed.

:func:`parse` reads what a scanner sends: the raw element string (with or without an AIM
symbology identifier such as ``]d2`` for GS1 DataMatrix or ``]C1`` for GS1-128, and with or
without a leading GS for the first FNC1), the human-readable form ``(01)…(10)…``, or a bare
package ID typed or scanned from a plain barcode. Anything else raises
:class:`~boardline.core.errors.InvalidInput` naming the AI and the problem, never another
exception. Scanners should be set to transmit symbology identifiers: without one, a plain
EAN-13 that happens to start with ``400`` cannot be told from a GS1 element string.

What is deliberately not checked: GS1's associations between AIs (strictly, (21) and (10)
belong with a (01) GTIN, so a verifier flags an internal label without a GTIN) and the
meaning GS1 gives (240) (an id assigned by the manufacturer; Boardline puts its own item
number there). Both are checked by nobody on the shop floor but GS1 verifiers.
"""

from __future__ import annotations

import calendar
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from boardline.core.errors import InvalidInput

GS: Final = "\x1d"
"""The group separator a scanner sends for FNC1."""


class Kind(StrEnum):
    GTIN = "gtin"
    DATE = "date"
    DIGITS = "digits"
    TEXT = "text"


@dataclass(frozen=True)
class AiSpec:
    """One application identifier: its number, name, value format and length."""

    ai: str
    title: str
    kind: Kind
    length: int
    fixed: bool

    @property
    def label(self) -> str:
        return f"({self.ai}) {self.title}"


AIS: Final[dict[str, AiSpec]] = {
    spec.ai: spec
    for spec in (
        AiSpec("01", "GTIN", Kind.GTIN, 14, fixed=True),
        AiSpec("11", "production date", Kind.DATE, 6, fixed=True),
        AiSpec("17", "expiry date", Kind.DATE, 6, fixed=True),
        AiSpec("240", "item number", Kind.TEXT, 30, fixed=False),
        AiSpec("10", "batch/lot", Kind.TEXT, 20, fixed=False),
        AiSpec("21", "serial (package ID)", Kind.TEXT, 20, fixed=False),
        AiSpec("30", "quantity", Kind.DIGITS, 8, fixed=False),
        AiSpec("400", "customer PO", Kind.TEXT, 30, fixed=False),
        AiSpec("90", "internal", Kind.TEXT, 30, fixed=False),
    )
}
"""The supported AIs, in the order :func:`encode` writes them."""

GTIN: Final = "01"
PRODUCTION_DATE: Final = "11"
EXPIRY_DATE: Final = "17"
ITEM: Final = "240"
LOT: Final = "10"
SERIAL: Final = "21"
QUANTITY: Final = "30"
CUSTOMER_PO: Final = "400"
INTERNAL: Final = "90"

# Symbology identifiers (ISO/IEC 15424) that announce GS1 data: DataMatrix, GS1-128, QR,
# DataBar, DotCode.
GS1_SYMBOLOGIES: Final = frozenset({"]d2", "]C1", "]Q3", "]e0", "]J1"})
_SYMBOLOGY = re.compile(r"\][A-Za-z][0-9A-Za-z]")
_CSET82 = re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*")
_DIGITS = re.compile(r"[0-9]*")
_BRACKETED_AI = re.compile(r"\(([0-9]{2,4})\)")
_NEXT_KNOWN_AI = re.compile(r"\((?:" + "|".join(AIS) + r")\)")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://|www\.", re.IGNORECASE)
_ISO15434 = "[)>"
_SCAN_PADDING = " \t\r\n"  # not str.strip(): Python counts GS as whitespace

# Package IDs: "PKG-", a body in Crockford's base32 and a Luhn mod 32 check character, which
# catches every single mistyped character and most swaps of neighbours. Sequence numbers
# give bodies of 6 to 10 characters, random ids exactly 12, so the two never collide.
PACKAGE_ID_PREFIX: Final = "PKG-"
_B32: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_B32_ALIASES: Final = str.maketrans({"O": "0", "I": "1", "L": "1"})
PACKAGE_ID_PATTERN: Final = re.compile(rf"{PACKAGE_ID_PREFIX}[{_B32}]{{7,13}}")
_SEQ_MIN_WIDTH: Final = 6
_SEQ_MAX_WIDTH: Final = 10
_SEQ_LIMIT: Final = 32**_SEQ_MAX_WIDTH
_RANDOM_WIDTH: Final = 12
_ID_LENGTHS: Final = frozenset({*range(_SEQ_MIN_WIDTH + 1, _SEQ_MAX_WIDTH + 2), _RANDOM_WIDTH + 1})


def encode(fields: Mapping[str, str]) -> str:
    """The GS1 element string for ``fields`` (AI -> value), as a scanner would transmit it.

    Predefined-length fields come first, each field is its AI then its value, and a GS
    (FNC1) follows every variable-length field except the last. The FNC1 that starts a GS1
    symbol is not included: it is the symbology's business (:mod:`boardline.supply.labels`).
    Raises ``InvalidInput`` for an unknown AI or an invalid value.
    """
    ordered = _checked(fields)
    parts: list[str] = []
    for index, (spec, value) in enumerate(ordered):
        parts.append(spec.ai + value)
        if not spec.fixed and index < len(ordered) - 1:
            parts.append(GS)
    return "".join(parts)


def human_readable(fields: Mapping[str, str]) -> str:
    """The text printed under a GS1 barcode: ``(01)09506000134352(10)LOT-7…``, in the order
    :func:`encode` uses. Raises ``InvalidInput`` like :func:`encode`."""
    return "".join(f"({spec.ai}){value}" for spec, value in _checked(fields))


def bracketed(fields: Mapping[str, str]) -> str:
    """The fields as ``[01]…[10]…``, the unambiguous input barcode encoders take for GS1 mode
    (square brackets are outside GS1's character set, parentheses are not)."""
    return "".join(f"[{spec.ai}]{value}" for spec, value in _checked(fields))


def parse(text: str) -> dict[str, str]:
    """The fields (AI -> value) in one scan or typed text; see the module doc for the forms.

    A bare package ID comes back as ``{"21": id}`` in canonical form. Raises ``InvalidInput``
    for anything that is not a valid label of ours, naming the AI and the problem.
    """
    if not isinstance(text, str):
        raise InvalidInput(f"scan must be text, not {type(text).__name__}")
    body = text.strip(_SCAN_PADDING)
    symbology = None
    if _SYMBOLOGY.match(body):
        symbology, body = body[:3], body[3:].strip(_SCAN_PADDING)
    if not body:
        raise InvalidInput("empty scan: no label data")
    if body.startswith("("):
        return _parse_bracketed(body)
    if symbology in GS1_SYMBOLOGIES or (
        symbology is None and (body.startswith(GS) or body[0] in "0123456789")
    ):
        return _parse_element_string(body)
    try:
        return {SERIAL: check_package_id(body)}
    except InvalidInput:
        raise InvalidInput(_other_format(body, symbology)) from None


def check_gtin(value: str) -> str:
    """``value`` if it is a GTIN-14 with a correct check digit, else ``InvalidInput``."""
    if len(value) != 14 or not _DIGITS.fullmatch(value):
        raise InvalidInput(f"(01) GTIN must be 14 digits, got {_show(value)}")
    expected = gtin_check_digit(value[:-1])
    if value[-1] != expected:
        raise InvalidInput(
            f"(01) GTIN {value} has a bad check digit: {value[-1]}, expected {expected}"
        )
    return value


def normalize_gtin(value: str) -> str:
    """A GTIN-8, -12 (UPC-A), -13 (EAN) or -14 as the 14 digits AI (01) carries, check digit
    verified. Raises ``InvalidInput`` otherwise."""
    clean = value.strip()
    if len(clean) not in (8, 12, 13, 14) or not _DIGITS.fullmatch(clean):
        raise InvalidInput(f"(01) GTIN must be 8, 12, 13 or 14 digits, got {_show(value)}")
    return check_gtin(clean.rjust(14, "0"))


def gtin_check_digit(digits: str) -> str:
    """The GS1 mod-10 check digit for ``digits`` (a GTIN without its last digit)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str(-total % 10)


def yymmdd(day: date) -> str:
    """``day`` as AI (11)/(17) write it."""
    return day.strftime("%y%m%d")


def parse_date(value: str, *, today: date) -> date:
    """The date an AI (11)/(17) value means, by GS1's rule for the century: the year is
    taken within 49 years before and 50 years after ``today``'s. Day ``00`` means the last
    day of the month. Raises ``InvalidInput`` for a value that is not a date."""
    _check_date("(11)/(17) date", value)
    yy, month, day = int(value[:2]), int(value[2:4]), int(value[4:])
    century = today.year - today.year % 100
    difference = yy - today.year % 100
    if difference >= 51:
        century -= 100
    elif difference <= -50:
        century += 100
    year = century + yy
    last = calendar.monthrange(year, month)[1]
    if day > last:
        raise InvalidInput(f"(11)/(17) date {value}: day {day} is not in {year}-{month:02}")
    return date(year, month, day or last)


def new_package_id(seq: int | None = None) -> str:
    """A new package ID: from a database sequence number when given (short, ``PKG-00001AX``),
    else from 60 random bits (``PKG-`` and 13 characters). Always at most 20 characters, the
    limit of AI (21), and only characters every barcode and printer language takes."""
    if seq is None:
        body = _base32(secrets.randbits(5 * _RANDOM_WIDTH), _RANDOM_WIDTH)
    elif 0 <= seq < _SEQ_LIMIT:
        body = _base32(seq, _SEQ_MIN_WIDTH)
    else:
        raise InvalidInput(f"package sequence number must be 0 to {_SEQ_LIMIT - 1}, got {seq}")
    return PACKAGE_ID_PREFIX + body + _check_char(body)


def check_package_id(text: str) -> str:
    """``text`` as a canonical package ID (upper case; ``O``, ``I`` and ``L`` typed for the
    digits ``0`` and ``1`` corrected), or ``InvalidInput`` if it is not one or its check
    character is wrong."""
    clean = text.strip(_SCAN_PADDING).upper()
    if clean.startswith(PACKAGE_ID_PREFIX):
        clean = PACKAGE_ID_PREFIX + clean[len(PACKAGE_ID_PREFIX) :].translate(_B32_ALIASES)
    if (
        not PACKAGE_ID_PATTERN.fullmatch(clean)
        or len(clean) - len(PACKAGE_ID_PREFIX) not in _ID_LENGTHS
    ):
        raise InvalidInput(f"not a package ID (PKG- and 7 to 13 base32 characters): {_show(text)}")
    body, check = clean[len(PACKAGE_ID_PREFIX) : -1], clean[-1]
    if _SEQ_MIN_WIDTH < len(body) <= _SEQ_MAX_WIDTH and body[0] == "0":
        # A zero the check character cannot see: one number, one ID.
        raise InvalidInput(f"not a package ID (a superfluous leading zero): {_show(text)}")
    if _check_char(body) != check:
        raise InvalidInput(f"package ID {clean} has a bad check character: mistyped?")
    return clean


def _checked(fields: Mapping[str, str]) -> list[tuple[AiSpec, str]]:
    if not fields:
        raise InvalidInput("no GS1 fields to encode")
    for ai in fields:
        _spec(ai)
    ordered = [(spec, fields[ai]) for ai, spec in AIS.items() if ai in fields]
    for spec, value in ordered:
        _check_value(spec, value)
    return ordered


def _spec(ai: object) -> AiSpec:
    spec = AIS.get(ai) if isinstance(ai, str) else None
    if spec is None:
        raise InvalidInput(f"unknown or unsupported application identifier ({_show(ai)})")
    return spec


def _check_value(spec: AiSpec, value: object) -> None:
    if not isinstance(value, str):
        raise InvalidInput(f"{spec.label} must be text, not {type(value).__name__}")
    if spec.kind is Kind.GTIN:
        check_gtin(value)
    elif spec.kind is Kind.DATE:
        _check_date(spec.label, value)
    elif not value:
        raise InvalidInput(f"{spec.label} is empty")
    elif len(value) > spec.length:
        raise InvalidInput(f"{spec.label} too long: {len(value)} characters, at most {spec.length}")
    elif spec.kind is Kind.DIGITS and not _DIGITS.fullmatch(value):
        raise InvalidInput(f"{spec.label} must be digits only, got {_show(value)}")
    elif not _CSET82.fullmatch(value):
        bad = next(ch for ch in value if not _CSET82.fullmatch(ch))
        raise InvalidInput(f"{spec.label} has a character GS1 does not allow: {bad!r}")


def _check_date(label: str, value: str) -> None:
    if len(value) != 6 or not _DIGITS.fullmatch(value):
        raise InvalidInput(f"{label} must be 6 digits YYMMDD, got {_show(value)}")
    month, day = int(value[2:4]), int(value[4:])
    # 2000 + YY has the right leap years for every YY the sliding century can give but 00.
    if not 1 <= month <= 12 or day > calendar.monthrange(2000 + int(value[:2]), month)[1]:
        raise InvalidInput(f"{label} {value} is not a date (YYMMDD)")


def _parse_element_string(body: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    pos, end = 0, len(body)
    while pos < end:
        if body[pos] == GS:  # the leading FNC1, or one a printer put after a fixed field
            pos += 1
            continue
        spec = next((AIS[body[pos : pos + n]] for n in (2, 3) if body[pos : pos + n] in AIS), None)
        if spec is None:
            raise InvalidInput(
                f"unknown or unsupported application identifier at position {pos}: "
                f"{_show(body[pos : pos + 4])}…"
            )
        start = pos + len(spec.ai)
        if spec.fixed:
            stop = start + spec.length
            value = body[start:stop]
            if len(value) < spec.length or GS in value:
                raise InvalidInput(f"{spec.label} too short: needs {spec.length} characters")
        else:
            stop = body.find(GS, start)
            stop = end if stop < 0 else stop
            value = body[start:stop]
            if len(value) > spec.length:
                raise InvalidInput(
                    f"{spec.label} too long: {len(value)} characters, at most {spec.length}"
                    " (did the scanner drop the GS separators?)"
                )
        _add(fields, spec, value)
        pos = stop
    if not fields:
        raise InvalidInput("empty scan: no label data")
    return fields


def _parse_bracketed(body: str) -> dict[str, str]:
    # A value runs to the next "(AI)" of a supported AI: a value that itself contains such
    # a text cannot be read back from the printed form, only from the barcode.
    fields: dict[str, str] = {}
    pos = 0
    while pos < len(body):
        match = _BRACKETED_AI.match(body, pos)
        if match is None:
            raise InvalidInput(f"expected '(AI)' at position {pos} of {_show(body)}")
        spec = _spec(match.group(1))
        following = _NEXT_KNOWN_AI.search(body, match.end())
        pos = following.start() if following else len(body)
        _add(fields, spec, body[match.end() : pos].strip(" "))
    return fields


def _add(fields: dict[str, str], spec: AiSpec, value: str) -> None:
    if spec.ai in fields:
        raise InvalidInput(f"{spec.label} appears twice")
    _check_value(spec, value)
    fields[spec.ai] = value


def _other_format(body: str, symbology: str | None) -> str:
    if _URL.match(body):
        kind = "a web address (a QR code or GS1 Digital Link?), which Boardline does not read"
    elif body.startswith(_ISO15434):
        kind = "an ISO/IEC 15434 label (ANSI MH10.8.2, as on distributors' reels), not GS1"
    elif symbology is not None:
        kind = f"a barcode without GS1 data (symbology {symbology})"
    else:
        kind = "neither a GS1 element string nor a package ID"
    return f"a label from another format: {kind}: {_show(body)}"


def _base32(number: int, width: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, 32)
        digits = _B32[rest] + digits
    return digits.rjust(width, "0")


def _check_char(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        addend = _B32.index(char) * (2 if index % 2 == 0 else 1)
        total += addend // 32 + addend % 32
    return _B32[-total % 32]


def _show(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
