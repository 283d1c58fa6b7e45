"""The packing list that travels with a shipment. Pure: data in, PDF bytes out.

One A4 page of header (shipment, order, customer PO, product, carrier) and then the
serials in as many columns as their width allows, read down each column, continued on as
many pages as a large shipment needs. Serials are set in Courier, a fixed-width font, so
characters that look alike (0/O, 1/l) stay apart when someone checks boxes against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from boardline.npi.reports import latin1

FONT = "Helvetica"
SERIAL_FONT = "Courier"
SERIAL_SIZE = 9
SERIAL_LINE = 4.6
MAX_COLUMNS = 6
COLUMN_GAP = 6.0
MIN_ROWS = 3  # fewer rows than this left on a page: start the serials on the next


@dataclass(frozen=True, slots=True)
class PackingList:
    shipment: str
    shipped_on: date
    customer: str
    ship_to: str
    sales_order: str
    customer_po: str
    product_code: str
    product_name: str
    revision: str
    carrier: str
    tracking: str
    serials: tuple[str, ...]

    @property
    def quantity(self) -> int:
        return len(self.serials)


class _Document(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = latin1(footer_text)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(14, 14, 14)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, size=7)
        self.cell(0, 5, f"{self.footer_text} - page {self.page_no()}/{{nb}}", align="C")


def packing_list_pdf(doc: PackingList) -> bytes:
    """The packing list of one shipment as a PDF."""
    pdf = _Document(f"Packing list {doc.shipment}")
    pdf.set_title(latin1(f"Packing list {doc.shipment}"))
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.cell(0, 9, latin1(f"Packing list {doc.shipment}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    _facts(
        pdf,
        [
            ("Shipment", doc.shipment),
            ("Date", doc.shipped_on.isoformat()),
            ("Customer", doc.customer),
            ("Ship to", doc.ship_to),
            ("Sales order", doc.sales_order),
            ("Customer PO", doc.customer_po or "-"),
            ("Product", f"{doc.product_code}  {doc.product_name}"),
            ("Revision", doc.revision),
            ("Quantity", f"{doc.quantity} pcs"),
            ("Carrier", doc.carrier or "-"),
            ("Tracking", doc.tracking or "-"),
        ],
    )
    pdf.ln(3)
    _serials(pdf, doc.serials)
    pdf.ln(6)
    pdf.set_font(FONT, size=9)
    pdf.cell(0, 6, "Packed by: ______________________    Checked by: ______________________")
    return bytes(pdf.output())


def _facts(pdf: FPDF, facts: list[tuple[str, str]]) -> None:
    for label, value in facts:
        pdf.set_font(FONT, "B", 10)
        pdf.cell(32, 6, latin1(label))
        pdf.set_font(FONT, size=10)
        pdf.multi_cell(0, 6, latin1(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _serials(pdf: _Document, serials: tuple[str, ...]) -> None:
    """Serials numbered 1..n, down each column, then across, then on to the next page."""
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 7, f"Serial numbers ({len(serials)})", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(SERIAL_FONT, size=SERIAL_SIZE)
    texts = [f"{n:>{len(str(len(serials)))}}. {latin1(s)}" for n, s in enumerate(serials, 1)]
    widest = max((pdf.get_string_width(t) for t in texts), default=0.0)
    columns = max(1, min(MAX_COLUMNS, int((pdf.epw + COLUMN_GAP) // (widest + COLUMN_GAP))))
    width = pdf.epw / columns
    done = 0
    while done < len(texts):
        if pdf.get_y() + MIN_ROWS * SERIAL_LINE > pdf.page_break_trigger:
            _continued(pdf)
        top = pdf.get_y()
        # A hair under the full height: a last row ending exactly on the margin would make
        # fpdf break the page on its own, out of step with this layout.
        rows = int((pdf.page_break_trigger - top - 0.01) // SERIAL_LINE)
        page = texts[done : done + rows * columns]
        # Read down a column first: fill the page's columns evenly, not the first one full.
        rows = -(-len(page) // columns)
        for k, text in enumerate(page):
            pdf.set_xy(pdf.l_margin + (k // rows) * width, top + (k % rows) * SERIAL_LINE)
            pdf.cell(width, SERIAL_LINE, text)
        done += len(page)
        pdf.set_xy(pdf.l_margin, top + rows * SERIAL_LINE)
        if done < len(texts):
            _continued(pdf)


def _continued(pdf: FPDF) -> None:
    pdf.add_page()
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 7, "Serial numbers (continued)", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(SERIAL_FONT, size=SERIAL_SIZE)
