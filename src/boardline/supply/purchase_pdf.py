"""The purchase order as a PDF for the supplier. Pure: plain data in, bytes out.

A4 portrait: the order number, state and dates, supplier and (turnkey) customer, then one
row per line (position, item, manufacturer, MPN, quantity, unit price, due date, line
total) and the order total. fpdf2's core fonts cover latin-1 only, so every text passes
through :func:`boardline.npi.reports.latin1`. A PO has tens of lines, not thousands, so
rows are plain cells clipped to their column; a row that does not fit starts a new page
under the column heading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from boardline.npi.reports import latin1

FONT: Final = "Helvetica"
ROW_MM: Final = 5.5
HEADING_FILL: Final = (225, 230, 235)
# (heading, width in mm, alignment); the widths add up to A4's 186 mm between margins.
COLUMNS: Final = (
    ("Pos", 9.0, "R"),
    ("Item", 24.0, "L"),
    ("Manufacturer", 26.0, "L"),
    ("MPN", 50.0, "L"),
    ("Quantity", 18.0, "R"),
    ("Unit price", 19.0, "R"),
    ("Due", 18.0, "L"),
    ("Line total", 22.0, "R"),
)
MPN_COLUMN: Final = 3
FONT_PT: Final = 8.0
# The supplier must read the whole MPN: a long one is set smaller before it is shortened.
MIN_MPN_PT: Final = 5.0


@dataclass(frozen=True, slots=True)
class PoDocumentLine:
    position: int
    item_number: str
    manufacturer: str
    mpn: str
    quantity: int
    unit_price: Decimal
    due_date: date
    total: Decimal


@dataclass(frozen=True, slots=True)
class PoDocument:
    number: str
    state: str
    supplier: str
    currency: str
    created_at: datetime
    lines: Sequence[PoDocumentLine]
    approved_by: str | None = None
    approved_at: datetime | None = None
    sent_at: datetime | None = None
    customer: str | None = None
    notes: str = ""

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal("0.00"))


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _price(value: Decimal) -> str:
    """Unit prices keep their precision (passives cost fractions of a cent), at least 2."""
    text = format(value.normalize(), "f")
    whole, _, fraction = text.partition(".")
    return f"{int(whole):,}.{fraction.ljust(2, '0')}"


def _day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "-"


def _fit(pdf: FPDF, text: str, width: float) -> str:
    clean = latin1(text)
    if pdf.get_string_width(clean) <= width:
        return clean
    while clean and pdf.get_string_width(clean + "...") > width:
        clean = clean[:-1]
    return clean + "..."


def _row(pdf: FPDF, cells: Sequence[str], *, heading: bool = False) -> None:
    style = "B" if heading else ""
    for index, (text, (_, width, align)) in enumerate(zip(cells, COLUMNS, strict=True)):
        size = FONT_PT
        pdf.set_font(FONT, style, size)
        if index == MPN_COLUMN and not heading:
            while size > MIN_MPN_PT and pdf.get_string_width(latin1(text)) > width - 2:
                size -= 0.5
                pdf.set_font(FONT, style, size)
        pdf.cell(width, ROW_MM, _fit(pdf, text, width - 2), border=1, align=align, fill=heading)
    pdf.ln(ROW_MM)


class _Document(FPDF):
    """A4 portrait with the order number and page n of N at the foot of every page."""

    def __init__(self, number: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.number = latin1(number)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, size=7)
        self.cell(0, 5, f"Purchase order {self.number} - page {self.page_no()}/{{nb}}", align="C")


def purchase_order_pdf(po: PoDocument, *, compress: bool = True) -> bytes:
    """The order as a PDF. ``compress=False`` leaves the page streams readable (tests)."""
    pdf = _Document(po.number)
    pdf.set_compression(compress)
    pdf.set_title(latin1(f"Purchase order {po.number}"))
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.cell(0, 9, latin1(f"Purchase order {po.number}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    facts = [
        f"Supplier: {po.supplier}",
        f"State: {po.state}    Currency: {po.currency}",
        f"Created: {_day(po.created_at)}    Approved: {_day(po.approved_at)}"
        + (f" by {po.approved_by}" if po.approved_by else "")
        + f"    Sent: {_day(po.sent_at)}",
    ]
    if po.customer:
        facts.append(f"Bought for customer: {po.customer}")
    for fact in facts:
        pdf.cell(0, 5, latin1(fact), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if po.notes:
        pdf.multi_cell(0, 5, latin1(f"Notes: {po.notes}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_fill_color(*HEADING_FILL)
    heading = [title for title, _, _ in COLUMNS]
    _row(pdf, heading, heading=True)
    for line in po.lines:
        if pdf.get_y() + 2 * ROW_MM > pdf.h - 15:
            pdf.add_page()
            _row(pdf, heading, heading=True)
        _row(
            pdf,
            [
                str(line.position),
                line.item_number,
                line.manufacturer,
                line.mpn,
                f"{line.quantity:,}",
                _price(line.unit_price),
                line.due_date.isoformat(),
                _money(line.total),
            ],
        )
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, 8, latin1(f"Total {po.currency} {_money(po.total)}"), align="R")
    return bytes(pdf.output())
