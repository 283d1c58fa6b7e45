"""PDF reports for customers: the quote and the DFM review. Pure: returns the PDF as bytes.

Rendered with fpdf2's core fonts (Helvetica), which cover latin-1 only; every text passes
through :func:`latin1` first, so a "→" in a finding or a "μ" in a part value never makes
rendering fail. Inputs are plain attributes (:class:`FindingLike`), so the service can pass
ORM rows as they are.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Protocol

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from boardline.npi.quote import Quote, QuoteColumn

FONT = "Helvetica"
# Longest text put in one table cell: a row must fit on one page.
MAX_CELL_CHARS = 600
MAX_REFDES_SHOWN = 12
QUANTITY_COLUMNS_PER_TABLE = 5
SEVERITY_ORDER = ("error", "warning", "info")
SEVERITY_TITLES = {"error": "Errors", "warning": "Warnings", "info": "Information"}
HEADING_FILL = (225, 230, 235)
FONT_SIZE = 8
LINE_HEIGHT = 3.6
PADDING = 1.0
MAX_CELL_LINES = 40
SECTION_KEEP_MM = 25.0

_REPLACEMENTS = {
    "→": "->",
    "←": "<-",
    "↔": "<->",
    "⇒": "=>",
    "≤": "<=",
    "≥": ">=",
    "≠": "!=",
    "≈": "~",
    "∞": "inf",
    "√": "sqrt",
    "Δ": "delta",
    "μ": "µ",  # Greek mu to the micro sign, which latin-1 has
    "\u03a9": "Ohm",  # Greek capital omega
    "\u2126": "Ohm",  # the ohm sign
    "–": "-",
    "—": "-",
    "‒": "-",
    "−": "-",
    "‐": "-",
    "‘": "'",
    "’": "'",
    "‚": ",",
    "“": '"',
    "”": '"',
    "„": '"',
    "…": "...",
    "•": "*",
    "€": "EUR",
    "Ł": "L",  # letters NFKD does not take apart
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "Œ": "OE",
    "œ": "oe",
    "ı": "i",
    "™": "(TM)",
    "✓": "yes",
    "✔": "yes",
    "✗": "no",
    "✘": "no",
    "\u200b": "",
    "\ufeff": "",
}


class FindingLike(Protocol):
    """What :func:`dfm_report_pdf` reads from a finding: a model ``Finding`` or an ORM row."""

    @property
    def severity(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def file(self) -> str | None: ...
    @property
    def line(self) -> int | None: ...
    @property
    def refdes(self) -> str | None: ...
    @property
    def hint(self) -> str | None: ...


def latin1(text: object) -> str:
    """``text`` as a latin-1 string the core fonts can draw: arrows and dashes spelled out,
    accents outside latin-1 dropped (``ő`` -> ``o``), control characters as spaces, anything
    else as ``?``."""
    return "".join(_latin1_char(ch) for ch in str(text))


def _latin1_char(ch: str) -> str:
    if ch in _REPLACEMENTS:
        return _REPLACEMENTS[ch]
    if ch == "\n":
        return ch
    code = ord(ch)
    if code < 32 or 127 <= code < 160:
        return " "
    if code < 256:
        return ch
    base = "".join(
        c
        for c in unicodedata.normalize("NFKD", ch)
        if ord(c) < 256 and not unicodedata.combining(c)
    )
    return base or "?"


def _clip(text: object, limit: int = MAX_CELL_CHARS) -> str:
    clean = latin1(text)
    return clean if len(clean) <= limit else clean[: limit - 3] + "..."


class _Document(FPDF):
    """A4 portrait with a running footer: the report's title and page n of N."""

    def __init__(self, title: str, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_title(latin1(title))
        self.footer_text = latin1(footer_text)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(12, 12, 12)
        self.alias_nb_pages()
        self.add_page()

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, size=7)
        self.cell(0, 5, f"{self.footer_text} - page {self.page_no()}/{{nb}}", align="C")


def _header(
    pdf: _Document, title: str, customer: str, product: str, revision: str, extra: str = ""
) -> None:
    pdf.set_font(FONT, "B", 15)
    pdf.multi_cell(0, 8, latin1(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    meta = f"Customer: {customer}    Product: {product}    Revision: {revision}"
    if extra:
        meta += f"    {extra}"
    pdf.multi_cell(0, 5, latin1(meta), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _section(pdf: _Document, text: str) -> None:
    """A section title, moved to the next page when no table row would fit under it."""
    if pdf.get_y() + SECTION_KEEP_MM > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(0, 7, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=8)


def _paragraph(pdf: _Document, text: str, *, bold: bool = False) -> None:
    pdf.set_font(FONT, "B" if bold else "", 9)
    pdf.multi_cell(0, 5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=8)


class _Table:
    """A bordered table whose rows wrap their text and never split across pages: a row that
    does not fit starts a new page, under the heading drawn again.

    Laid out here rather than with ``FPDF.table``, whose line breaking takes seconds for a
    few thousand rows; words are measured once each.
    """

    def __init__(
        self, pdf: _Document, heading: Sequence[str], weights: Sequence[float], aligns: str
    ) -> None:
        total = sum(weights)
        self.pdf = pdf
        self.heading = heading
        self.widths = [pdf.epw * w / total for w in weights]
        self.aligns = aligns  # one letter per column: L, C or R
        self.widths_cache: dict[tuple[str, str], float] = {}
        self._draw(heading, heading=True)

    def row(self, cells: Sequence[str], *, bold: bool = False) -> None:
        self._draw(cells, bold=bold)

    def _draw(self, cells: Sequence[str], *, bold: bool = False, heading: bool = False) -> None:
        pdf = self.pdf
        style = "B" if bold or heading else ""
        pdf.set_font(FONT, style, FONT_SIZE)
        lines = [
            self._wrap(_clip(text), w - 2 * PADDING, style)
            for text, w in zip(cells, self.widths, strict=True)
        ]
        height = max(len(cell) for cell in lines) * LINE_HEIGHT + 2 * PADDING
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            if not heading:
                self._draw(self.heading, heading=True)
                pdf.set_font(FONT, style, FONT_SIZE)
        x, y = pdf.l_margin, pdf.get_y()
        pdf.set_fill_color(*HEADING_FILL)
        for cell, width, align in zip(lines, self.widths, self.aligns, strict=True):
            pdf.rect(x, y, width, height, style="DF" if heading else "D")
            for i, text in enumerate(cell):
                pdf.set_xy(x + PADDING, y + PADDING + i * LINE_HEIGHT)
                pdf.cell(width - 2 * PADDING, LINE_HEIGHT, text, align=align)
            x += width
        pdf.set_xy(pdf.l_margin, y + height)

    def _width(self, word: str, style: str) -> float:
        key = (style, word)
        if key not in self.widths_cache:
            self.widths_cache[key] = self.pdf.get_string_width(word)
        return self.widths_cache[key]

    def _wrap(self, text: str, width: float, style: str) -> list[str]:
        """``text`` in lines no wider than ``width``: at spaces, inside a word only when the
        word alone is too wide; at most ``MAX_CELL_LINES``."""
        space = self._width(" ", style)
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for word in paragraph.split(" "):
                size = self._width(word, style)
                if line and used + space + size <= width:
                    line, used = f"{line} {word}", used + space + size
                    continue
                if line:
                    lines.append(line)
                line, used = word, size
                if size > width:
                    pieces, used = self._split_word(word, width, style)
                    *full, line = pieces
                    lines += full
            lines.append(line)
        if len(lines) > MAX_CELL_LINES:
            lines = [*lines[: MAX_CELL_LINES - 1], "..."]
        return lines

    def _split_word(self, word: str, width: float, style: str) -> tuple[list[str], float]:
        """A word too wide for a line, cut between characters: the pieces, and the width of
        the last one."""
        pieces, piece, used = [], "", 0.0
        for char in word:
            size = self._width(char, style)
            if piece and used + size > width:
                pieces.append(piece)
                piece, used = "", 0.0
            piece, used = piece + char, used + size
        return [*pieces, piece], used


def _table(
    pdf: _Document,
    heading: Sequence[str],
    rows: Iterable[Sequence[str]],
    weights: Sequence[float],
    aligns: str | None = None,
) -> None:
    """Draw a table; ``weights`` share out the page width, ``aligns`` is a letter a column."""
    table = _Table(pdf, heading, weights, aligns or "L" * len(heading))
    for row in rows:
        table.row(row)
    pdf.ln(2)


# --- quote -----------------------------------------------------------------------------------


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}"


_QUOTE_ROWS: tuple[tuple[str, str], ...] = (
    ("Material", "material"),
    ("Excess stock (in material)", "excess"),
    ("SMT placement", "placement"),
    ("THT soldering", "tht"),
    ("Test", "test"),
    ("Setup", "setup"),
    ("Margin", "margin"),
    ("Total (without NRE)", "total"),
    ("Price per board", "per_board"),
    ("Total with NRE (first build)", "total_with_nre"),
)


def _quote_rows(columns: Sequence[QuoteColumn]) -> list[list[str]]:
    rows = [[label, *(_amount(getattr(c, name)) for c in columns)] for label, name in _QUOTE_ROWS]
    rows.append(["Lines without price", *(str(c.unpriced_lines) for c in columns)])
    rows.append(["Parts of unknown mount", *(str(c.uncosted_parts) for c in columns)])
    rows.append(["Complete", *("yes" if c.complete else "NO" for c in columns)])
    return rows


_BOLD_ROWS = frozenset({"Total (without NRE)", "Price per board", "Complete"})


def _quote_tables(pdf: _Document, q: Quote) -> None:
    """The figures, at most ``QUANTITY_COLUMNS_PER_TABLE`` quantities a table."""
    columns = list(q.columns)
    step = QUANTITY_COLUMNS_PER_TABLE
    for start in range(0, len(columns), step):
        chunk = columns[start : start + step]
        heading = [f"Boards (amounts in {q.currency})", *(f"{c.quantity:,}" for c in chunk)]
        label = 60.0
        weights = [label, *[(pdf.epw - label) / len(chunk)] * len(chunk)]
        table = _Table(pdf, heading, weights, "L" + "R" * len(chunk))
        for row in _quote_rows(chunk):
            table.row(row, bold=row[0] in _BOLD_ROWS)
        pdf.ln(2)


def _refdes_text(refdes: Sequence[str]) -> str:
    shown = ", ".join(refdes[:MAX_REFDES_SHOWN])
    more = len(refdes) - MAX_REFDES_SHOWN
    return f"{shown} (+{more})" if more > 0 else shown


def _nre_block(pdf: _Document, q: Quote) -> None:
    _section(pdf, "NRE (one-time, first build only)")
    rows = [
        [item.name, str(item.quantity), _amount(item.unit_cost), _amount(item.amount)]
        for item in q.nre
    ]
    rows.append(["Total NRE", "", "", _amount(q.nre_total)])
    heading = ["Item", "Qty", f"Unit ({q.currency})", f"Amount ({q.currency})"]
    _table(pdf, heading, rows, [4, 1, 2, 2], "LRRR")


def _missing_block(pdf: _Document, q: Quote) -> None:
    _section(pdf, f"Lines without price ({len(q.missing_prices)})")
    if not q.missing_prices:
        _paragraph(pdf, "Every fitted line has a price.")
        return
    rows = [
        [
            str(m.line),
            _refdes_text(m.refdes),
            m.mpn or "(no MPN)",
            ", ".join(f"{n:,}" for n in m.quantities),
            m.reason,
        ]
        for m in q.missing_prices
    ]
    heading = ["BOM line", "Designators", "MPN", "Boards", "Why"]
    _table(pdf, heading, rows, [1.2, 3, 3, 2, 5], "RLLLL")


def _incomplete_text(q: Quote) -> str:
    uncosted = max((c.uncosted_parts for c in q.columns), default=0)
    gaps = []
    if q.missing_prices:
        gaps.append(f"{len(q.missing_prices)} fitted lines have no price (listed below)")
    if uncosted:
        gaps.append(f"{uncosted} fitted parts of unknown mount have no labour cost")
    return f"INCOMPLETE: {'; '.join(gaps)}. The totals leave them out."


def quote_pdf(quote: Quote, *, title: str, customer: str, product: str, revision: str) -> bytes:
    """The quote as a PDF: the figures per build quantity, the NRE, the lines without a
    price and the warnings. An incomplete quote says so above the figures."""
    pdf = _Document(title, f"{title} - {product} rev {revision}")
    _header(pdf, title, customer, product, revision, f"Currency: {quote.currency}")
    if not quote.complete:
        _paragraph(pdf, _incomplete_text(quote), bold=True)
    _quote_tables(pdf, quote)
    _nre_block(pdf, quote)
    _missing_block(pdf, quote)
    if quote.warnings:
        _section(pdf, "Warnings")
        for warning in quote.warnings:
            _paragraph(pdf, f"- {warning}")
    return bytes(pdf.output())


# --- DFM review ------------------------------------------------------------------------------


def _severity(finding: FindingLike) -> str:
    return str(getattr(finding.severity, "value", finding.severity)).lower()


def _severity_order(severities: Iterable[str]) -> list[str]:
    known = [s for s in SEVERITY_ORDER if s in severities]
    return known + sorted(set(severities) - set(SEVERITY_ORDER))


def _where(finding: FindingLike) -> str:
    place = finding.file or ""
    if finding.line is not None:
        place = f"{place}, line {finding.line}" if place else f"line {finding.line}"
    if finding.refdes:
        place = f"{place}\n{finding.refdes}" if place else finding.refdes
    return place or "-"


def _finding_row(finding: FindingLike) -> list[str]:
    return [_where(finding), f"{finding.code}\n{finding.message}", finding.hint or ""]


def _counts_block(pdf: _Document, counts: Mapping[str, int], total: int) -> None:
    order = _severity_order([str(k).lower() for k in counts])
    lookup = {str(k).lower(): v for k, v in counts.items()}
    rows = [[SEVERITY_TITLES.get(s, s.capitalize()), str(lookup[s])] for s in order]
    rows.append(["Findings listed below", str(total)])
    _table(pdf, ["Severity", "Findings"], rows, [3, 1], "LR")


def dfm_report_pdf(
    findings: Sequence[FindingLike],
    counts: Mapping[str, int],
    *,
    title: str,
    customer: str,
    product: str,
    revision: str,
    classification_text: str,
) -> bytes:
    """The DFM review as a PDF: the assembly classification, the counts per severity, then
    the findings grouped by severity (errors first), each with where it is, what it is and
    what to do. Long lists run over as many pages as they need, headings repeated."""
    pdf = _Document(title, f"{title} - {product} rev {revision}")
    _header(pdf, title, customer, product, revision)
    if classification_text:
        _paragraph(pdf, f"Assembly: {classification_text}")
    _section(pdf, "Findings per severity")
    _counts_block(pdf, counts, len(findings))
    groups: dict[str, list[FindingLike]] = {}
    for finding in findings:
        groups.setdefault(_severity(finding), []).append(finding)
    if not findings:
        _paragraph(pdf, "No findings.")
    for severity in _severity_order(groups):
        group = groups[severity]
        _section(pdf, f"{SEVERITY_TITLES.get(severity, severity.capitalize())} ({len(group)})")
        rows = (_finding_row(f) for f in group)
        _table(pdf, ["Where", "What", "What to do"], rows, [3, 5, 4])
    return bytes(pdf.output())
