"""Bills of materials from CSV, TSV, semicolon files and XLSX, whatever tool or template made them.

``parse_bom`` reads the rows (:mod:`boardline.npi.importers.text` for delimited text, openpyxl for
XLSX), finds the header row among the first 20, matches header texts to canonical fields by
synonym, and turns each row below it into a :class:`~boardline.npi.model.BomLine`: designator
lists and ranges expanded, the quantity checked against them, DNP decided from the evidence the
row gives. Anything odd becomes a :class:`~boardline.npi.model.Finding`; only a file that cannot
be used at all raises :class:`~boardline.core.errors.FileRejected`.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice
from typing import Any

import openpyxl

from boardline.core.errors import FileRejected
from boardline.npi.importers.report import FindingReport
from boardline.npi.importers.text import MAX_FILE_BYTES, decode, read_rows, sniff_delimiter
from boardline.npi.model import BomLine, Finding, ImportResult, Severity, SupplierPart

Row = tuple[int, list[str]]  # (1-based line or spreadsheet row, cells)

HEADER_SEARCH_ROWS = 20
MAX_RANGE = 10_000  # designators one range may produce
MAX_DESIGNATORS = 1_000_000  # per file: a BOM past this is an attack or a mistake
MAX_SHEET_ROWS = 1_000_000
MAX_FINDINGS_PER_CODE = 200

ZIP_MAGIC = b"PK\x03\x04"

# Canonical field -> header synonyms, strongest first. When two columns claim one field the
# stronger synonym wins: "MPN" beats "PN", which is often an internal part number.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "refdes": (
        "Designator",
        "Designators",
        "Reference",
        "References",
        "Reference(s)",
        "RefDes",
        "Ref Des",
        "Reference Designator",
        "Reference Designators",
        "Part Reference",
        "Designator List",
        "Ref",
        "Refs",
    ),
    "quantity": (
        "Quantity",
        "Qty",
        "Qnty",
        "Quantity Per PCB",
        "Qty Per PCB",
        "Qty Per Board",
        "Count",
    ),
    "mpn": (
        "MPN",
        "Manufacturer Part Number",
        "Manufacturer Part No",
        "Mfr Part Number",
        "Mfr Part No",
        "Mfg Part Number",
        "Mfg Part No",
        "Manufacturer PN",
        "Mfr PN",
        "Mfg PN",
        "Mfr #",
        "Mfg #",
        "Manufacturer Part",
        "Part Number",
        "Part No",
        "PN",
    ),
    "manufacturer": (
        "Manufacturer",
        "Manufacturer Name",
        "Mfr",
        "Mfg",
        "Mfr Name",
        "Mfg Name",
        "Make",
        "Brand",
    ),
    "value": ("Value", "Val", "Part Value", "Comment", "Designation"),
    "footprint": (
        "Footprint",
        "PCB Footprint",
        "Package",
        "Case",
        "Case/Package",
        "Package/Case",
    ),
    "description": ("Description", "Desc", "Part Description", "Characteristics"),
    "dnp": ("DNP", "Do Not Populate", "DNF", "Do Not Fit", "Not Fitted", "No Stuff"),
    # Inverted: "no" in these columns means the part is not fitted.
    "fitted": (
        "Populate",
        "Populated",
        "Fitted",
        "Fit",
        "Mount",
        "Mounted",
        "Place",
        "Placed",
        "Assemble",
        "Install",
    ),
    "lcsc": (
        "LCSC",
        "LCSC Part #",
        "LCSC Part",
        "LCSC PN",
        "LCSC #",
        "JLCPCB Part #",
        "JLCPCB Part",
        "JLCPCB PN",
        "JLC Part #",
    ),
    "digikey": (
        "Digi-Key",
        "Digi-Key Part Number",
        "Digi-Key PN",
        "DK PN",
        "DK Part #",
    ),
    "mouser": ("Mouser", "Mouser Part Number", "Mouser PN", "Mouser No"),
    "farnell": (
        "Farnell",
        "Farnell Part Number",
        "Farnell PN",
        "Farnell Order Code",
        "Farnell Code",
        "Element14",
    ),
    "unit_price": ("Unit Price", "Price", "Unit Cost", "Price Each", "Price Per Unit"),
}

FIELDS: tuple[str, ...] = tuple(SYNONYMS)
"""The canonical field names a ``column_map`` may use (besides ``alt_mpn_N`` and
``alt_manufacturer_N`` for alternate sources)."""

SUPPLIERS = {"lcsc": "LCSC", "digikey": "Digi-Key", "mouser": "Mouser", "farnell": "Farnell"}

_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

# Cells the DNP or fitted column may hold, as header keys (lower case, letters and digits).
_SAYS_DNP = frozenset(
    {
        *("dnp", "dnf", "nf", "np", "nofit", "nostuff"),
        *("donotpopulate", "donotfit", "donotplace", "donotmount"),
        *("notfitted", "notpopulated", "notplaced", "notmounted"),
    }
)
_SAYS_FITTED = frozenset(
    {
        *("fitted", "fit", "populate", "populated", "place", "placed"),
        *("mount", "mounted", "assemble", "assembled", "install", "installed"),
    }
)
_YES = frozenset({"yes", "y", "x", "1", "true"})
_NO = frozenset({"no", "n", "0", "false"})
# Supplier cells that are a remark, not a part number.
_NOT_A_PART = frozenset({"order", "na", "none", "tbd", "tba", "consigned", "customer"})

# Value cells that mean "not fitted": DNP, "do not populate", or NA/NF/NP/NC/NS alone or
# followed by the would-be value, as in "NA(10k/R0402)" and "NS(HN1x10)" ("not supplied").
_VALUE_DNP = re.compile(
    r"(?:dnp|dnf|do\s*not\s*(?:populate|fit|place|mount)|not\s*(?:fitted|populated|placed)"
    r"|no\s*(?:fit|stuff))\b"
    r"|(?:na|nf|np|nc|ns)\s*(?:$|[(/])",
    re.IGNORECASE,
)
_TRIM = " \t\r\n\v\f\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
_TRIM += "\u200a\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
_NOT_ALNUM = re.compile(r"[\W_]+")
_ALNUM = re.compile(r"[^\W_]")
_REFDES_SPLIT = re.compile(r"[\s,;]+")
_RANGE_GAP = re.compile(r"\s*(\.\.|[-–])\s*")
_RANGE = re.compile(r"([A-Za-z]+)(\d{1,18})(?:-|–|\.\.)([A-Za-z]*)(\d{1,18})")
_QUANTITY = re.compile(r"\+?(\d{1,9})(?:\.0*)?")
_DECIMAL = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_CURRENCY = re.compile(r"[$€£¥]|USD|EUR|GBP|CHF|CNY|RMB")
_ALT_BASE = re.compile(r"(.*?[a-z])(\d*)")
_ALT_FIELD = re.compile(r"alt_(?:mpn|manufacturer)(?:_\d+)?")
_ALT_PREFIXES = ("alternative", "alternate", "alt", "")

# Things people upload as a BOM by mistake, by how the text starts.
_WRONG_FORMATS = (
    ("(kicad_pcb", "a KiCad board file (.kicad_pcb)"),
    ("(kicad_sch", "a KiCad schematic"),
    ("(export", "a KiCad netlist"),
    ("<", "XML or HTML"),
    ("{", "JSON"),
    ("%FS", "a Gerber file"),
    ("G04", "a Gerber file"),
    ("M48", "an Excellon drill file"),
)


def header_key(text: str) -> str:
    """A header text as compared: lower case, '#' read as 'number', '(s)' and punctuation gone.

    ``"Reference(s)"`` -> ``"reference"``, ``" Mfr. #"`` -> ``"mfrnumber"``,
    ``"LCSC Part #"`` -> ``"lcscpartnumber"``.
    """
    text = text.casefold().replace("(s)", "").replace("#", "number")
    return _NOT_ALNUM.sub("", text)


# header key -> (canonical field, rank); the first synonym that gives a key keeps it.
_LOOKUP: dict[str, tuple[str, int]] = {}
for _field, _names in SYNONYMS.items():
    for _rank, _name in enumerate(_names):
        _LOOKUP.setdefault(header_key(_name), (_field, _rank))


def parse_bom(data: bytes, file: str, *, column_map: dict[str, str] | None = None) -> ImportResult:
    """The BOM lines in ``data`` (CSV, TSV, semicolon-delimited text or XLSX), with findings.

    Promises: one :class:`BomLine` per data row below the header (line = source line or
    spreadsheet row, source = ``file``), designators expanded and in the order given; every
    problem that leaves the rest usable as a finding with a stable ``bom.*`` code;
    ``column_map`` of the result says which header text fed each canonical field, and
    ``notes["unsure"]`` lists the fields where two columns competed. ``column_map`` given
    here (canonical field -> header text) overrides detection for those fields.

    Raises :class:`FileRejected`, and nothing else, when the file cannot be used: empty,
    binary, not a table, no designator column, a ``column_map`` header that is not there.
    """
    _check_column_map(file, column_map)
    _reject_other_formats(data, file)
    if data.startswith(ZIP_MAGIC):
        table = _read_xlsx(data, file, column_map)
    else:
        table = _read_text(data, file, column_map)
    report = FindingReport(file, cap=MAX_FINDINGS_PER_CODE, truncated_code="bom.findings_truncated")
    report.findings += table.findings + table.header.findings
    reader = _LineReader(file, table.header, report)
    lines = [bom for line, cells in table.body if (bom := reader.read(line, cells)) is not None]
    # The header cells as JSON, so a page can offer them for a manual column mapping.
    notes = dict(
        table.notes, header_line=str(table.header.line), headers=json.dumps(table.header.texts)
    )
    if table.header.unsure:
        notes["unsure"] = ",".join(table.header.unsure)
    return ImportResult(
        file=file,
        kind="bom",
        bom_lines=lines,
        findings=report.close(),
        column_map=table.header.column_map(),
        notes=notes,
    )


def expand_designators(text: str) -> tuple[list[str], list[str], list[str]]:
    """The designators a BOM cell lists, in order: ``(refdes, too_large, descending)``.

    Separators are commas, semicolons and whitespace; ``R1-R4``, ``R1-4`` and ``R1..R4``
    expand to R1 R2 R3 R4. A range needs a letter prefix and number on both sides, the same
    prefix, and ascending numbers, so ``USB-UART1`` and ``Sign_PB-Free`` stay as they are.
    Ranges of more than :data:`MAX_RANGE` designators are left out and returned in
    ``too_large``; descending ones (``R4-R1``) are kept as written and returned in
    ``descending``.
    """
    if "-" not in text and "–" not in text and ".." not in text:
        return [t for t in _REFDES_SPLIT.split(text) if t.isalnum() or _ALNUM.search(t)], [], []
    text = _RANGE_GAP.sub(r"\1", text)
    refs: list[str] = []
    too_large: list[str] = []
    descending: list[str] = []
    for token in _REFDES_SPLIT.split(text):
        match = None if token.isalnum() else _RANGE.fullmatch(token)
        if match is None:
            if _ALNUM.search(token):  # a lone "-" or "/" is a separator, not a designator
                refs.append(token)
            continue
        prefix, first, other, last = match.groups()
        if other and other.casefold() != prefix.casefold():
            refs.append(token)
            continue
        start, stop = int(first), int(last)
        if stop < start:
            descending.append(token)
            refs.append(token)
        elif stop - start + 1 > MAX_RANGE:
            too_large.append(token)
        else:
            width = len(first) if first.startswith("0") and len(first) > 1 else 0
            refs.extend(f"{prefix}{n:0{width}d}" for n in range(start, stop + 1))
    return refs, too_large, descending


# --- reading the table --------------------------------------------------------------------


@dataclass(slots=True)
class _Header:
    """The header row and what its columns were understood to be."""

    line: int
    texts: list[str]
    keys: list[str]
    fields: dict[str, int]  # canonical field -> 0-based column
    findings: list[Finding]
    unsure: list[str]

    @property
    def usable(self) -> bool:
        return "refdes" in self.fields and len(self.fields) > 1

    def column_map(self) -> dict[str, str]:
        by_column = sorted(self.fields.items(), key=lambda item: item[1])
        return {name: self.texts[column] for name, column in by_column}


@dataclass(slots=True)
class _Table:
    header: _Header
    body: list[Row]
    findings: list[Finding]
    notes: dict[str, str]


def _check_column_map(file: str, column_map: dict[str, str] | None) -> None:
    for name in column_map or {}:
        if name not in SYNONYMS and not _ALT_FIELD.fullmatch(name):
            raise FileRejected(
                file, f"column map names unknown field {name!r}; known: {', '.join(FIELDS)}"
            )


def _reject_other_formats(data: bytes, file: str) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise FileRejected(file, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected(file, "legacy Excel .xls (OLE2) file: save it as .xlsx or CSV")
    if data.startswith(b"%PDF"):
        raise FileRejected(file, "a PDF, not a BOM table: export the BOM as CSV or XLSX")
    if data.startswith(ZIP_MAGIC) and b"opendocument" in data[:200]:
        raise FileRejected(file, "an OpenDocument (.ods) file: save it as .xlsx or CSV")


def _read_text(data: bytes, file: str, column_map: dict[str, str] | None) -> _Table:
    text, findings = decode(data, file)
    sniffed = sniff_delimiter(text)
    # The sniffer can be misled by title rows above the header, so try the others too; on the
    # first 200 lines only, to keep a bad file's rejection cheap.
    head_text = "\n".join(text.split("\n", 200)[:200])
    first_head: list[Row] | None = None
    first_error: FileRejected | None = None
    for delimiter in dict.fromkeys((sniffed, *_DELIMITER_NAMES)):
        try:
            head = read_rows(head_text, file, delimiter)[:HEADER_SEARCH_ROWS]
        except FileRejected as exc:
            first_error = first_error or exc
            continue
        first_head = head if first_head is None else first_head
        header = _find_header(head, file, column_map)
        if header is not None:
            body = [row for row in read_rows(text, file, delimiter) if row[0] > header.line]
            notes = {"format": "csv", "delimiter": _DELIMITER_NAMES[delimiter]}
            return _Table(header, body, findings, notes)
    if first_head is None and first_error is not None:
        raise first_error
    raise _no_header(file, first_head or [], column_map, _wrong_format(text))


def _read_xlsx(data: bytes, file: str, column_map: dict[str, str] | None) -> _Table:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; none of that matters here.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                return _pick_sheet(book, file, column_map)
            finally:
                book.close()
    except FileRejected:
        raise
    except Exception as exc:  # a broken workbook can fail anywhere inside openpyxl or zipfile
        reason = f"{type(exc).__name__}: {exc}"[:200]
        raise FileRejected(file, f"not a readable XLSX workbook ({reason})") from None


def _pick_sheet(book: Any, file: str, column_map: dict[str, str] | None) -> _Table:
    first_head: list[Row] = []
    names: list[str] = []
    for sheet in book.worksheets:
        names.append(str(sheet.title))
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # read-only sheets trust the stored size, which lies often
        rows = _sheet_rows(sheet, file)
        head = list(islice(rows, HEADER_SEARCH_ROWS))
        header = _find_header(head, file, column_map)
        if header is not None:
            body = [row for row in head if row[0] > header.line] + list(rows)
            return _Table(header, body, [], {"format": "xlsx", "sheet": names[-1]})
        first_head = first_head or head
    where = f" (sheets: {', '.join(repr(n) for n in names[:10])})" if names else " (no sheets)"
    raise _no_header(file, first_head, column_map, where)


def _sheet_rows(sheet: Any, file: str) -> Iterator[Row]:
    rows = sheet.iter_rows(min_row=1, values_only=True)
    for number, values in enumerate(rows, start=1):
        if number > MAX_SHEET_ROWS:
            raise FileRejected(file, f"sheet has more than {MAX_SHEET_ROWS:,} rows")
        cells = [_spreadsheet_text(value) for value in values]
        if any(cell.strip() for cell in cells):
            yield number, cells


def _spreadsheet_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _wrong_format(text: str) -> str:
    start = text.lstrip()[:20]
    for prefix, what in _WRONG_FORMATS:
        if start.startswith(prefix):
            return f"; this looks like {what}, not a BOM"
    return ""


# --- the header ---------------------------------------------------------------------------


def _find_header(
    head: Sequence[Row], file: str, column_map: dict[str, str] | None
) -> _Header | None:
    for line, cells in head:
        if column_map:
            fixed = _override_columns(cells, column_map)
            if fixed is None:
                continue
            header = _map_header(line, cells, file, fixed)
        else:
            header = _map_header(line, cells, file, {})
        if header.usable:
            return header
    return None


def _override_columns(cells: list[str], column_map: dict[str, str]) -> dict[str, int] | None:
    texts = [_clean(cell) for cell in cells]
    fixed: dict[str, int] = {}
    for name, header in column_map.items():
        column = _column_of(header, texts)
        if column is None:
            return None
        fixed[name] = column
    return fixed


def _column_of(header: str, texts: list[str]) -> int | None:
    wanted = _clean(header).casefold()
    for column, text in enumerate(texts):
        if text.casefold() == wanted:
            return column
    key = header_key(header)
    if not key:
        return None
    for column, text in enumerate(texts):
        if header_key(text) == key:
            return column
    return None


def _map_header(line: int, cells: list[str], file: str, fixed: dict[str, int]) -> _Header:
    texts = [_clean(cell) for cell in cells]
    keys = [header_key(text) for text in texts]
    findings: list[Finding] = []
    first_column: dict[str, int] = {}
    candidates: dict[str, list[tuple[int, int]]] = {}  # field -> [(rank, column)]
    for column, key in enumerate(keys):
        if not key:
            continue
        if key in first_column:
            findings.append(_duplicate_header(file, line, texts[column], first_column[key], column))
            continue
        first_column[key] = column
        match = _classify(key)
        if match is not None and match[0] not in fixed and column not in fixed.values():
            candidates.setdefault(match[0], []).append((match[1], column))
    fields = dict(fixed)
    unsure: list[str] = []
    for name, options in candidates.items():
        _, column = min(options)
        fields[name] = column
        if len(options) > 1:
            unsure.append(name)
            others = [texts[c] for _, c in options if c != column]
            findings.append(_ambiguous(file, line, name, texts[column], others))
    _promote_alternate(fields, fixed)
    return _Header(line, texts, keys, fields, findings, unsure)


def _classify(key: str) -> tuple[str, int] | None:
    """The field and rank a header key names, alternates (``PN_1``, ``Alt MPN``) included."""
    found = _LOOKUP.get(key)
    if found is not None:
        return found
    for prefix in _ALT_PREFIXES:
        if not key.startswith(prefix):
            continue
        match = _ALT_BASE.fullmatch(key[len(prefix) :])
        if match is None:
            continue
        base, number = match.groups()
        found = _LOOKUP.get(base)
        if (prefix or number) and found is not None and found[0] in ("mpn", "manufacturer"):
            suffix = f"_{number.lstrip('0') or '0'}" if number else ""
            return f"alt_{found[0]}{suffix}", found[1]
    return None


def _alternate_order(name: str) -> tuple[int, int, str]:
    number = name.rpartition("_")[2]
    return (0, len(number), number) if number.isdigit() else (1, 0, "")


def _promote_alternate(fields: dict[str, int], fixed: dict[str, int]) -> None:
    # Altium-style templates number every source ("Manufacturer Part Number 1", "... 2"):
    # without an unnumbered MPN column, the first numbered one is the primary part. One a
    # person mapped as an alternate by hand stays one.
    if "mpn" in fields:
        return
    detected = (n for n in fields if n.startswith("alt_mpn") and n not in fixed)
    groups = sorted(detected, key=_alternate_order)
    if not groups:
        return
    fields["mpn"] = fields.pop(groups[0])
    maker = "alt_manufacturer" + groups[0].removeprefix("alt_mpn")
    if maker in fields and "manufacturer" not in fields:
        fields["manufacturer"] = fields.pop(maker)


def _alternate_columns(fields: dict[str, int]) -> list[tuple[str | None, str]]:
    """The (manufacturer field, MPN field) of each alternate source, in order."""
    found: list[tuple[str | None, str]] = []
    for name in sorted((n for n in fields if n.startswith("alt_mpn")), key=_alternate_order):
        maker = "alt_manufacturer" + name.removeprefix("alt_mpn")
        found.append((maker if maker in fields else None, name))
    return found


def _duplicate_header(file: str, line: int, text: str, first: int, again: int) -> Finding:
    return Finding(
        Severity.WARNING,
        "bom.duplicate_header",
        f"header {text!r} appears in columns {first + 1} and {again + 1}; using column {first + 1}",
        file=file,
        line=line,
        field=text,
        hint="Rename or delete one of the columns, or map the columns by hand.",
    )


def _ambiguous(file: str, line: int, name: str, chosen: str, others: list[str]) -> Finding:
    rivals = ", ".join(repr(o) for o in others)
    return Finding(
        Severity.INFO,
        "bom.column_ambiguous",
        f"{chosen!r} and {rivals} could each be the {name} column; using {chosen!r}",
        file=file,
        line=line,
        field=chosen,
        hint=f"Check the {name} column, and map the columns by hand if it is the wrong one.",
    )


def _no_header(
    file: str, head: Sequence[Row], column_map: dict[str, str] | None, extra: str
) -> FileRejected:
    seen = _headers_seen(head, file)
    if column_map:
        missing = _missing_override(head, column_map)
        if missing is not None:
            return FileRejected(
                file,
                f"no column {missing!r} in the first {HEADER_SEARCH_ROWS} rows; "
                f"headers seen: {seen}{extra}",
                field=missing,
            )
    return FileRejected(
        file,
        f"no designator column (such as Designator, Reference or RefDes) next to another known "
        f"column in the first {HEADER_SEARCH_ROWS} rows; headers seen: {seen}{extra}",
    )


def _headers_seen(head: Sequence[Row], file: str) -> str:
    if not head:
        return "none"
    best = max(head, key=lambda row: len(_map_header(row[0], row[1], file, {}).fields))
    texts = [_clean(cell)[:40] for cell in best[1] if cell.strip()][:15]
    return f"line {best[0]}: " + ", ".join(repr(t) for t in texts)


def _missing_override(head: Sequence[Row], column_map: dict[str, str]) -> str | None:
    best: list[str] = list(column_map.values())
    for _, cells in head:
        texts = [_clean(cell) for cell in cells]
        missing = [h for h in column_map.values() if _column_of(h, texts) is None]
        if len(missing) < len(best):
            best = missing
    return best[0] if best else None


# --- the lines ----------------------------------------------------------------------------


def _clean(cell: str) -> str:
    """A cell without surrounding whitespace, invisible marks, or a stray pair of quotes."""
    text = cell.strip(_TRIM)
    if len(text) >= 2 and text[0] == '"' == text[-1]:
        text = text[1:-1].strip(_TRIM)
    return text


def _label(refs: Sequence[str], line: int) -> str:
    if not refs:
        return f"line {line}"
    more = f" and {len(refs) - 4} more" if len(refs) > 4 else ""
    return ", ".join(refs[:4]) + more


class _LineReader:
    """Turns the data rows below one header into BOM lines, reporting as it goes."""

    def __init__(self, file: str, header: _Header, report: FindingReport) -> None:
        self.file = file
        self.header = header
        self.report = report
        self.fields = header.fields
        self.columns = sorted(header.fields.items(), key=lambda item: item[1])
        self.width = max((i + 1 for i, key in enumerate(header.keys) if key), default=0)
        self.header_refdes = header.texts[header.fields["refdes"]].casefold()
        self.alternates = _alternate_columns(header.fields)
        self.suppliers = [(f, name) for f, name in SUPPLIERS.items() if f in header.fields]
        self.first_line_of: dict[str, int] = {}
        self.designators = 0
        self.extra_reported = False

    def name(self, field: str) -> str:
        return self.header.texts[self.fields[field]]

    def read(self, line: int, cells: list[str]) -> BomLine | None:
        width = len(cells)
        values = {f: _clean(cells[c]) if c < width else "" for f, c in self.columns}
        if values["refdes"].casefold() == self.header_refdes:
            self.report.add(
                Severity.INFO, "bom.repeated_header", "the header row again; skipped", line=line
            )
            return None
        if width > self.width and not self.extra_reported:
            self._check_extra_cells(line, cells)
        refs, complete = self._designators(line, values["refdes"])
        mpn = values.get("mpn", "")
        dnp = self._dnp(line, values, refs)
        bom = BomLine(
            line=line,
            refdes=refs,
            quantity=self._quantity(line, values),
            mpn="" if _word(mpn) in _SAYS_DNP else mpn,
            manufacturer=values.get("manufacturer", ""),
            value=values.get("value", ""),
            footprint=values.get("footprint", ""),
            description=values.get("description", ""),
            dnp=dnp,
            supplier_parts=self._supplier_parts(line, values, refs, dnp),
            alternates=self._alternates(values, mpn),
            unit_price=self._price(line, values.get("unit_price", "")),
            source=self.file,
        )
        if complete:
            self._check_quantity(bom)
        self._check_duplicates(line, refs)
        return bom

    def _check_extra_cells(self, line: int, cells: list[str]) -> None:
        if any(cell.strip() for cell in cells[self.width :]):
            self.extra_reported = True
            self.report.add(
                Severity.INFO,
                "bom.extra_cells",
                f"line {line} has cells beyond the header's {self.width} columns; ignored "
                "(reported once per file)",
                line=line,
                hint="Give those columns a header if they matter.",
            )

    def _designators(self, line: int, text: str) -> tuple[list[str], bool]:
        refs, too_large, descending = expand_designators(text)
        field = self.name("refdes")
        for token in too_large:
            self.report.add(
                Severity.ERROR,
                "bom.range_too_large",
                f"range {token!r} would give more than {MAX_RANGE:,} designators; left out",
                line=line,
                field=field,
                hint="List the designators, or fix the range.",
            )
        for token in descending:
            self.report.add(
                Severity.WARNING,
                "bom.range_descending",
                f"{token!r} looks like a range but counts down; kept as one designator",
                line=line,
                field=field,
                refdes=token,
                hint="Write ranges low to high (R1-R4).",
            )
        if not refs and not too_large:
            self.report.add(
                Severity.WARNING,
                "bom.no_designators",
                "the line has no designators",
                line=line,
                field=field,
                hint="Add the designators, or delete the line if it is not a part on the board.",
            )
        self.designators += len(refs)
        if self.designators > MAX_DESIGNATORS:
            raise FileRejected(
                self.file, f"more than {MAX_DESIGNATORS:,} designators", line=line, field=field
            )
        return refs, not too_large

    def _quantity(self, line: int, values: dict[str, str]) -> int | None:
        if "quantity" not in values:
            return None
        text = values["quantity"]
        match = _QUANTITY.fullmatch(text)
        if match is not None:
            return int(match.group(1))
        said = f"{text[:40]!r} is not a whole number" if text else "is empty"
        self.report.add(
            Severity.WARNING,
            "bom.bad_quantity",
            f"quantity {said}; the designators are counted instead",
            line=line,
            field=self.name("quantity"),
            hint="Give the quantity as a whole number.",
        )
        return None

    def _check_quantity(self, bom: BomLine) -> None:
        if bom.quantity is None or not bom.refdes or bom.quantity == len(bom.refdes):
            return
        self.report.add(
            Severity.WARNING,
            "bom.quantity_mismatch",
            f"quantity is {bom.quantity} but {_label(bom.refdes, bom.line)} "
            f"{'is' if len(bom.refdes) == 1 else 'are'} {len(bom.refdes)} designators",
            line=bom.line,
            field=self.name("quantity"),
            refdes=bom.refdes[0] if len(bom.refdes) == 1 else None,
            hint="Fix the quantity or the designator list; the designators are used.",
        )

    def _dnp(self, line: int, values: dict[str, str], refs: list[str]) -> bool:
        if self._dnp_column(line, values):
            return True
        value, mpn = values.get("value", ""), values.get("mpn", "")
        if value and _VALUE_DNP.match(value):
            field, said = "value", value
        elif mpn and _word(mpn) in _SAYS_DNP:
            field, said = "mpn", mpn
        else:
            return False
        self.report.add(
            Severity.INFO,
            "bom.dnp_inferred",
            f"{_label(refs, line)} taken as not fitted (DNP) because "
            f"{self.name(field)} is {said[:60]!r}",
            line=line,
            field=self.name(field),
            refdes=refs[0] if len(refs) == 1 else None,
            hint="Check that these parts are really not fitted.",
        )
        return True

    def _dnp_column(self, line: int, values: dict[str, str]) -> bool:
        for field, inverted in (("dnp", False), ("fitted", True)):
            text = values.get(field, "")
            if not text:
                continue
            verdict = _says_dnp(text, inverted=inverted)
            if verdict:
                return True
            if verdict is None:
                self.report.add(
                    Severity.WARNING,
                    "bom.dnp_unclear",
                    f"{self.name(field)} is {text[:40]!r}: neither yes nor no; taken as fitted",
                    line=line,
                    field=self.name(field),
                    hint="Use yes/no (or DNP / empty) in that column.",
                )
        return False

    def _supplier_parts(
        self, line: int, values: dict[str, str], refs: list[str], dnp: bool
    ) -> list[SupplierPart]:
        parts: list[SupplierPart] = []
        for field, supplier in self.suppliers:
            text = values[field]
            word = _word(text)
            if not word:
                continue
            if word in _SAYS_DNP:
                if not dnp:
                    self._supplier_says_dnp(line, refs, field, text)
            elif word in _NOT_A_PART:
                self.report.add(
                    Severity.INFO,
                    "bom.supplier_remark",
                    f"{self.name(field)} is {text!r}, not a part number",
                    line=line,
                    field=self.name(field),
                    hint="Give a supplier part number, or record how the part is sourced.",
                )
            else:
                parts.append(SupplierPart(supplier, text))
        return parts

    def _supplier_says_dnp(self, line: int, refs: list[str], field: str, text: str) -> None:
        # JLCPCB-style BOMs write "dnp" in the LCSC column for parts the assembler will not
        # place, including the main SoC when it is consigned or hand-fitted. On its own that is
        # not enough to leave a part off the board, so it only asks the question.
        self.report.add(
            Severity.WARNING,
            "bom.supplier_dnp",
            f"{self.name(field)} says {text!r} for {_label(refs, line)} but nothing else on the "
            "line does; taken as fitted (the assembler may only be saying it will not place it)",
            line=line,
            field=self.name(field),
            refdes=refs[0] if len(refs) == 1 else None,
            hint="If the part is not fitted, say DNP in the value or a DNP column; if it is "
            "consigned or hand-fitted, plan for that.",
        )

    def _alternates(self, values: dict[str, str], mpn: str) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for maker_field, mpn_field in self.alternates:
            alt = values[mpn_field]
            if alt and alt != mpn and _word(alt) not in _SAYS_DNP:
                found.append((values.get(maker_field, "") if maker_field else "", alt))
        return found

    def _price(self, line: int, text: str) -> float | None:
        if not text:
            return None
        price = _parse_price(text)
        if price is None:
            self.report.add(
                Severity.WARNING,
                "bom.bad_price",
                f"unit price {text[:40]!r} is not a number; left out",
                line=line,
                field=self.name("unit_price"),
                hint="Give the price as a plain number, such as 0.12.",
            )
        return price

    def _check_duplicates(self, line: int, refs: list[str]) -> None:
        on_line: set[str] = set()
        for ref in refs:
            key = ref.upper()
            if key in on_line:
                where = f"twice on line {line}"
            else:
                on_line.add(key)
                first = self.first_line_of.setdefault(key, line)
                if first == line:
                    continue
                where = f"on line {first} and on line {line}"
            self.report.add(
                Severity.ERROR,
                "bom.duplicate_refdes",
                f"{ref} is {where}",
                line=line,
                field=self.name("refdes"),
                refdes=ref,
                hint="Each designator belongs on one line once; remove or merge the duplicate.",
            )


def _word(text: str) -> str:
    """A short cell as a header key, to compare with marker words; longer cells unchanged."""
    if text.isalnum():
        return text.casefold()
    return header_key(text) if len(text) <= 24 else text


def _says_dnp(text: str, *, inverted: bool) -> bool | None:
    """Whether a DNP (or, ``inverted``, a fitted/populate) cell marks the part not fitted.

    None when the cell says neither; an empty cell means fitted.
    """
    key = header_key(text)
    if key in _SAYS_DNP:
        return True
    if not key or key in _SAYS_FITTED:
        return False
    if key in _YES:
        return not inverted
    if key in _NO:
        return inverted
    return None


def _parse_price(text: str) -> float | None:
    plain = _CURRENCY.sub("", text.upper()).replace(" ", "").replace("\u00a0", "")
    if "," in plain:
        decimal_comma = "." not in plain and plain.count(",") == 1
        plain = plain.replace(",", "." if decimal_comma else "")
    if len(plain) > 32 or not _DECIMAL.fullmatch(plain):
        return None
    return float(plain)
