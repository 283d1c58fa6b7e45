"""Unit serial numbers from a configurable pattern, with a check character. Pure.

A process engineer configures a pattern per customer or product, such as
``{CUST}{YY}{WW}-{SEQ:6}{CHECK}`` or ``OC-{REV}-{SEQ:5}{CHECK}``. It is literal text with
these fields in braces:

    field       gives                                          width
    {CUST}      the customer code                              as the code
    {PROD}      the product code                               as the code
    {REV}       the revision label                             as the label
    {YYYY}      year                                           4
    {YY}        year, last two digits                          2
    {WW}        ISO 8601 week, 01-53                           2
    {DDD}       day of the year, 001-366                       3
    {MM}        month, 01-12                                   2
    {DD}        day of the month, 01-31                        2
    {SEQ:n}     the sequence number, decimal, zero-padded      n (1 to 12)
    {SEQ36:n}   the sequence number, base 36 (0-9 then A-Z)    n (1 to 12)
    {CHECK}     check character over everything before it     1

Rules, each refused by :meth:`SerialPattern.parse` with ``InvalidInput`` naming the field:
exactly one sequence field; ``{CHECK}`` at most once and last; each other field at most
once and one year field at most; a serial at most :data:`MAX_LENGTH` characters, and only
the characters ``A-Z 0-9 - . /`` (what every barcode, printer language and laser marker
takes, and nobody misreads as a separator in a CSV or a file name).

Decisions:

- **The check character is ISO/IEC 7064 MOD 37,36**, the standard's hybrid system over
  ``0-9A-Z``. Its check character is always a letter or digit; the pure system MOD 37-2
  needs a 37th symbol, ``*``, in one serial of 37: Code 39's start/stop character, a
  wildcard in shells and SQL tools, and not allowed in Windows file names (test stations
  name their logs after the serial). What it catches, proved exhaustively in the tests:
  every single substituted character, and every swap of neighbours **except** a swap of
  two characters next to each other in ``0…9A…Z`` (counted round, so ``Z`` and ``0`` too)
  where the running sum happens to be 18: one in 36 such swaps, one in 630 of all swaps of
  two different characters. MOD 37-2 would catch those too, at the price of the ``*``.
  The separators ``- . /`` are not in the alphabet: the check covers the letters and
  digits, the pattern's literals check the separators.
- **With {WW}, the year is the ISO week-based year**, so 2024-12-30 (week 1 of 2025) gives
  ``2501``, never ``2401``, a date code a year off. For the same reason {WW} cannot be
  combined with {MM}, {DD} or {DDD}.
- **Reading a serial back.** :func:`check_serial` normalises what a scanner or a person
  sends (surrounding whitespace, CR/LF, an AIM symbology identifier such as ``]d1``, lower
  case), then checks the structure, then the check character. Pass the context (the codes
  the serial was made with) when it is known, as at a station running a work order: the
  codes are then checked too, and so is every separator. Without it, {CUST}, {PROD} and
  {REV} match any run of serial characters; a separator typed or moved next to or inside
  such a code can then go unnoticed, so a pattern may not put {SEQ} or a date field
  between two of them (it could not be read back).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from boardline.core.errors import InvalidInput

MAX_LENGTH: Final = 40
"""Longest serial: short enough for a small DataMatrix and one line of label text."""
MAX_SEQ_WIDTH: Final = 12
MAX_BATCH: Final = 100_000
"""Most serials :meth:`SerialPattern.generate` makes in one call; larger is a typo."""

ALPHANUMERIC: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SEPARATORS: Final = "-./"
SERIAL_CHARACTERS: Final = ALPHANUMERIC + SEPARATORS

_FIELD = re.compile(r"\{([^{}]*)\}")
_SYMBOLOGY = re.compile(r"\][A-Za-z][0-9A-Za-z]")
_SCANNED = re.compile(r"[0-9A-Za-z./-]*")
_VALUE = {ch: index for index, ch in enumerate(ALPHANUMERIC)}


class Kind(StrEnum):
    LITERAL = "literal"
    CODE = "code"  # customer, product, revision: text from the context
    DATE = "date"
    SEQ = "seq"
    CHECK = "check"


CODE_FIELDS: Final[Mapping[str, str]] = {
    "CUST": "customer",
    "PROD": "product",
    "REV": "revision",
}
"""Code fields and the :class:`SerialContext` attribute each takes its text from."""
DATE_FIELDS: Final[Mapping[str, int]] = {"YYYY": 4, "YY": 2, "WW": 2, "DDD": 3, "MM": 2, "DD": 2}
"""Date fields and their widths."""
SEQ_FIELDS: Final[Mapping[str, int]] = {"SEQ": 10, "SEQ36": 36}
"""Sequence fields and their bases."""
_FIELD_NAMES: Final = ", ".join([*CODE_FIELDS, *DATE_FIELDS, "SEQ:n", "SEQ36:n", "CHECK"])
_RANGES: Final[Mapping[str, tuple[int, int]]] = {
    "WW": (1, 53),
    "DDD": (1, 366),
    "MM": (1, 12),
    "DD": (1, 31),
}


@dataclass(frozen=True, slots=True)
class Part:
    """One piece of a pattern: literal text or a field. ``width`` is ``None`` for a code."""

    kind: Kind
    text: str  # the literal, or the field's name ("CUST", "YY", "SEQ36", "CHECK")
    width: int | None

    @property
    def label(self) -> str:
        """The field as written in the pattern, e.g. ``{SEQ:6}``; a literal as quoted."""
        if self.kind is Kind.LITERAL:
            return repr(self.text)
        return f"{{{self.text}:{self.width}}}" if self.kind is Kind.SEQ else f"{{{self.text}}}"


@dataclass(frozen=True, slots=True)
class SerialContext:
    """What a serial is made for: the codes its pattern may show and the day it is made.

    Codes are compared and printed in upper case; surrounding spaces are ignored.
    """

    customer: str = ""
    product: str = ""
    revision: str = ""
    date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class SerialParts:
    """A serial read back by :func:`check_serial`.

    ``dates`` holds the date fields as printed, by field name (``{"YY": 26, "WW": 3}``);
    a two-digit year is not guessed into a century. ``codes`` holds the code fields by
    name when they can be told apart: always with a context, else when the pattern has at
    most one code field.
    """

    serial: str
    sequence: int
    dates: Mapping[str, int] = field(default_factory=dict)
    codes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SerialPattern:
    """A parsed, valid serial pattern; make one with :meth:`parse`."""

    text: str
    parts: tuple[Part, ...]

    @classmethod
    def parse(cls, text: str) -> SerialPattern:
        """The pattern written in ``text``, or ``InvalidInput`` naming the field at fault."""
        if not isinstance(text, str):
            raise InvalidInput(f"serial pattern must be text, not {type(text).__name__}")
        parts = _tokens(text)
        _check_structure(text, parts)
        return cls(text, tuple(parts))

    @property
    def has_check(self) -> bool:
        return self.parts[-1].kind is Kind.CHECK

    @property
    def sequence(self) -> Part:
        """The pattern's one sequence field."""
        return next(part for part in self.parts if part.kind is Kind.SEQ)

    def capacity(self) -> int:
        """The largest sequence number the pattern can show (the smallest is 0)."""
        part = self.sequence
        assert part.width is not None
        return int(SEQ_FIELDS[part.text] ** part.width - 1)

    def format(self, seq: int, context: SerialContext) -> str:
        """The serial for sequence number ``seq``.

        Raises ``InvalidInput`` when ``seq`` is negative or above :meth:`capacity`, when
        the context lacks a code or the date the pattern needs, or when the result would
        be too long or hold a character serials may not.
        """
        self._check_seq(seq, 1)
        return self._format(seq, self._fill(context))

    def generate(self, first_seq: int, count: int, context: SerialContext) -> list[str]:
        """``count`` serials with the sequence numbers ``first_seq`` onward, in order.

        All or nothing: raises ``InvalidInput`` (as :meth:`format` does) before making any
        serial if the last one would overflow the sequence field.
        """
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InvalidInput(f"count must be a whole number ≥ 0, got {count!r}", field="count")
        if count > MAX_BATCH:
            raise InvalidInput(
                f"count {count} is more than {MAX_BATCH} serials at once", field="count"
            )
        self._check_seq(first_seq, count)
        if count == 0:
            return []
        fixed = self._fill(context)
        return [self._format(seq, fixed) for seq in range(first_seq, first_seq + count)]

    def _check_seq(self, first: int, count: int) -> None:
        if isinstance(first, bool) or not isinstance(first, int):
            raise InvalidInput(
                f"sequence number must be a whole number, got {first!r}", field="seq"
            )
        if first < 0:
            raise InvalidInput(f"sequence number must be ≥ 0, got {first}", field="seq")
        last = first + max(count, 1) - 1
        if last > self.capacity():
            raise InvalidInput(
                f"sequence overflow: {self.sequence.label} in {self.text!r} holds up to "
                f"{self.capacity()}, sequence number {last} does not fit",
                field="seq",
            )

    def _fill(self, context: SerialContext) -> dict[str, str]:
        values: dict[str, str] = {}
        has_week = any(part.text == "WW" for part in self.parts)
        for part in self.parts:
            if part.kind is Kind.CODE:
                values[part.text] = _code(part, context)
            elif part.kind is Kind.DATE:
                if context.date is None:
                    raise InvalidInput(
                        f"{part.label} needs the date the serial is made", field="date"
                    )
                values[part.text] = _date_text(part.text, context.date, iso_year=has_week)
        return values

    def _format(self, seq: int, values: Mapping[str, str]) -> str:
        out: list[str] = []
        for part in self.parts:
            if part.kind is Kind.LITERAL:
                out.append(part.text)
            elif part.kind is Kind.SEQ:
                assert part.width is not None
                out.append(_digits(seq, SEQ_FIELDS[part.text], part.width))
            elif part.kind is Kind.CHECK:
                out.append(check_char("".join(out)))
            else:
                out.append(values[part.text])
        serial = "".join(out)
        if len(serial) > MAX_LENGTH:
            raise InvalidInput(
                f"serial {serial} is {len(serial)} characters, at most {MAX_LENGTH}: "
                f"shorten the codes or the pattern {self.text!r}",
                field="pattern",
            )
        return serial


def check_serial(
    pattern: SerialPattern, serial: str, context: SerialContext | None = None
) -> SerialParts:
    """Read a scanned or typed serial made with ``pattern``: its sequence number and dates.

    ``serial`` is normalised first (whitespace and CR/LF around it, an AIM symbology
    identifier, lower case). With ``context`` the code fields must equal its codes; its date
    is not compared (a unit may be checked on another day). Raises ``InvalidInput`` saying
    why: a character serials never hold, "does not match pattern …", a date field out of
    range, or "bad check character: mistyped?".
    """
    clean = normalize_serial(serial)
    match = _regex(pattern, context).fullmatch(clean)
    if match is None:
        raise InvalidInput(
            f"{clean} does not match pattern {pattern.text!r}"
            + (" for this customer, product and revision" if _uses_codes(pattern, context) else ""),
            field="serial",
        )
    if pattern.has_check and not has_valid_check(clean):
        raise InvalidInput(f"{clean} has a bad check character: mistyped?", field="serial")
    groups = match.groupdict()
    seq_part = pattern.sequence
    sequence = int(groups[seq_part.text], SEQ_FIELDS[seq_part.text])
    dates = {part.text: int(groups[part.text]) for part in pattern.parts if part.kind is Kind.DATE}
    _check_dates(clean, dates)
    code_parts = [part.text for part in pattern.parts if part.kind is Kind.CODE]
    codes = (
        {name: groups[name] for name in code_parts}
        if context is not None or len(code_parts) == 1
        else {}
    )
    return SerialParts(clean, sequence, dates, codes)


def normalize_serial(text: str) -> str:
    """``text`` as a scanner or a person sent it, trimmed and in upper case.

    Raises ``InvalidInput`` for an empty text or a character no serial holds (spaces inside,
    other punctuation, letters outside A-Z), naming the first one.
    """
    if not isinstance(text, str):
        raise InvalidInput(f"serial must be text, not {type(text).__name__}", field="serial")
    clean = text.strip()
    if _SYMBOLOGY.match(clean):
        clean = clean[3:].strip()
    if not clean:
        raise InvalidInput("empty serial: nothing scanned", field="serial")
    # Checked before upper-casing: str.upper() turns "ı" into "I" and "ß" into "SS".
    if not _SCANNED.fullmatch(clean):
        bad = next(ch for ch in clean if not _SCANNED.fullmatch(ch))
        raise InvalidInput(
            f"serial {clean[:MAX_LENGTH]!r} has a character serials never contain: {bad!r}",
            field="serial",
        )
    if len(clean) > MAX_LENGTH:
        raise InvalidInput(
            f"serial is {len(clean)} characters, at most {MAX_LENGTH}: two scans run together?",
            field="serial",
        )
    return clean.upper()


def check_char(text: str) -> str:
    """The ISO/IEC 7064 MOD 37,36 check character for the letters and digits of ``text``
    (upper case; the separators ``- . /`` are skipped)."""
    product = _product(text)
    return ALPHANUMERIC[(1 - product) % 36]


def has_valid_check(text: str) -> bool:
    """Whether the last character of ``text`` is the check character of the rest."""
    if not text or text[-1] not in _VALUE or any(ch not in SERIAL_CHARACTERS for ch in text):
        return False
    return check_char(text[:-1]) == text[-1]


def _product(text: str) -> int:
    # ISO 7064 hybrid system, M = 36: start at M; per character s = (p + value) mod M, with
    # 0 read as M, then p = 2s mod (M + 1). Every step permutes 1..36 (37 is prime), which
    # is why one changed character always changes the result.
    product = 36
    for ch in text:
        if ch in SEPARATORS:
            continue
        value = _VALUE.get(ch)
        if value is None:
            raise InvalidInput(f"check character: {ch!r} is not A-Z, 0-9 or - . /")
        product = 2 * ((product + value) % 36 or 36) % 37
    return product


def _tokens(text: str) -> list[Part]:
    parts: list[Part] = []
    pos = 0
    for match in _FIELD.finditer(text):
        if match.start() > pos:
            parts.append(_literal(text[pos : match.start()]))
        parts.append(_field(match.group(1)))
        pos = match.end()
    if pos < len(text):
        parts.append(_literal(text[pos:]))
    return parts


def _literal(text: str) -> Part:
    for brace in "{}":
        if brace in text:
            raise InvalidInput(
                f"serial pattern has an unmatched {brace!r} in {text!r}", field="pattern"
            )
    bad = next((ch for ch in text if ch not in SERIAL_CHARACTERS), None)
    if bad is not None:
        raise InvalidInput(
            f"serial pattern text {text!r} has {bad!r}: serials hold only A-Z, 0-9 and - . /",
            field="pattern",
        )
    return Part(Kind.LITERAL, text, len(text))


def _field(spec: str) -> Part:
    name, colon, width_text = spec.partition(":")
    if name in SEQ_FIELDS:
        if not colon or not width_text.isdecimal() or not width_text.isascii():
            raise InvalidInput(
                f"{{{spec}}} needs a width: {{{name}:n}} with n from 1 to {MAX_SEQ_WIDTH}",
                field="pattern",
            )
        width = int(width_text)
        if not 1 <= width <= MAX_SEQ_WIDTH:
            raise InvalidInput(
                f"{{{spec}}}: width {width} is out of range, 1 to {MAX_SEQ_WIDTH}",
                field="pattern",
            )
        return Part(Kind.SEQ, name, width)
    known = name in CODE_FIELDS or name in DATE_FIELDS or name == "CHECK"
    if not known:
        raise InvalidInput(
            f"unknown field {{{spec}}} in serial pattern; fields are {_FIELD_NAMES}",
            field="pattern",
        )
    if colon:
        raise InvalidInput(f"{{{spec}}}: {{{name}}} takes no width", field="pattern")
    if name in CODE_FIELDS:
        return Part(Kind.CODE, name, None)
    if name in DATE_FIELDS:
        return Part(Kind.DATE, name, DATE_FIELDS[name])
    return Part(Kind.CHECK, name, 1)


def _check_structure(text: str, parts: list[Part]) -> None:
    seqs = [part for part in parts if part.kind is Kind.SEQ]
    if len(seqs) != 1:
        what = "no sequence field" if not seqs else f"{len(seqs)} sequence fields"
        raise InvalidInput(
            f"serial pattern {text!r} has {what}: it needs exactly one {{SEQ:n}} or {{SEQ36:n}}",
            field="pattern",
        )
    names = [part.text for part in parts if part.kind is not Kind.LITERAL]
    for name in names:
        if names.count(name) > 1:
            raise InvalidInput(f"{{{name}}} appears twice in {text!r}", field="pattern")
    if "YY" in names and "YYYY" in names:
        raise InvalidInput(f"{{YY}} and {{YYYY}} both give the year in {text!r}", field="pattern")
    if "WW" in names:
        clash = next((name for name in ("MM", "DD", "DDD") if name in names), None)
        if clash:
            raise InvalidInput(
                f"{{WW}} and {{{clash}}} in {text!r}: the ISO week's year differs from the "
                "calendar year around New Year, so a serial could name a day a year off",
                field="pattern",
            )
    check_at = [index for index, part in enumerate(parts) if part.kind is Kind.CHECK]
    if check_at and check_at[0] != len(parts) - 1:
        raise InvalidInput(
            f"{{CHECK}} must be the last thing in {text!r}: it covers everything before it",
            field="pattern",
        )
    fixed = sum(part.width or 0 for part in parts)
    code_count = sum(part.kind is Kind.CODE for part in parts)
    if fixed + code_count > MAX_LENGTH:
        raise InvalidInput(
            f"serial pattern {text!r} makes serials longer than {MAX_LENGTH} characters",
            field="pattern",
        )
    codes = [index for index, part in enumerate(parts) if part.kind is Kind.CODE]
    if len(codes) >= 2:
        between = parts[codes[0] + 1 : codes[-1]]
        stuck = next((p for p in between if p.kind in (Kind.SEQ, Kind.DATE)), None)
        if stuck is not None:
            raise InvalidInput(
                f"{stuck.label} sits between two code fields in {text!r}: where one code ends "
                "could not be told when reading a serial back; move it before or after them",
                field="pattern",
            )


def _code(part: Part, context: SerialContext) -> str:
    attribute = CODE_FIELDS[part.text]
    value = str(getattr(context, attribute)).strip().upper()
    if not value:
        raise InvalidInput(f"{part.label} needs the {attribute} code", field=attribute)
    bad = next((ch for ch in value if ch not in SERIAL_CHARACTERS), None)
    if bad is not None:
        raise InvalidInput(
            f"{part.label}: {attribute} code {value!r} has {bad!r}; serials hold only A-Z, "
            "0-9 and - . /",
            field=attribute,
        )
    return value


def _date_text(name: str, day: dt.date, *, iso_year: bool) -> str:
    iso = day.isocalendar()
    year = iso.year if iso_year else day.year
    values = {
        "YYYY": year,
        "YY": year % 100,
        "WW": iso.week,
        "DDD": day.timetuple().tm_yday,
        "MM": day.month,
        "DD": day.day,
    }
    return str(values[name]).rjust(DATE_FIELDS[name], "0")


def _digits(number: int, base: int, width: int) -> str:
    out = ""
    while number:
        number, rest = divmod(number, base)
        out = ALPHANUMERIC[rest] + out
    return out.rjust(width, "0")


def _uses_codes(pattern: SerialPattern, context: SerialContext | None) -> bool:
    return context is not None and any(part.kind is Kind.CODE for part in pattern.parts)


def _regex(pattern: SerialPattern, context: SerialContext | None) -> re.Pattern[str]:
    pieces: list[str] = []
    for part in pattern.parts:
        name = part.text
        if part.kind is Kind.LITERAL:
            pieces.append(re.escape(name))
        elif part.kind is Kind.CODE:
            value = re.escape(_code(part, context)) if context else "[0-9A-Z./-]+"
            pieces.append(f"(?P<{name}>{value})")
        elif part.kind is Kind.DATE:
            pieces.append(f"(?P<{name}>[0-9]{{{part.width}}})")
        elif part.kind is Kind.SEQ:
            digits = "0-9" if name == "SEQ" else "0-9A-Z"
            pieces.append(f"(?P<{name}>[{digits}]{{{part.width}}})")
        else:
            pieces.append("[0-9A-Z]")
    return re.compile("".join(pieces))


def _check_dates(serial: str, dates: Mapping[str, int]) -> None:
    for name, value in dates.items():
        low, high = _RANGES.get(name, (0, 9999))
        if not low <= value <= high:
            raise InvalidInput(
                f"{serial}: {{{name}}} is {value:0{DATE_FIELDS[name]}}, not {low} to {high}",
                field="serial",
            )
    year = dates.get("YYYY")
    try:
        if year is not None and "WW" in dates:
            dt.date.fromisocalendar(year, dates["WW"], 1)
        if "MM" in dates and "DD" in dates:
            # Without the full year a leap year is assumed: 29 February may be real.
            dt.date(year or 2000, dates["MM"], dates["DD"])
        if year is not None and dates.get("DDD") == 366 and not calendar.isleap(year):
            raise ValueError("day 366 of a common year")
    except ValueError:
        shown = ", ".join(f"{{{name}}}={value}" for name, value in dates.items())
        raise InvalidInput(f"{serial}: not a real date ({shown})", field="serial") from None
