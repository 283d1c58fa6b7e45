"""Serial labels for units: a plain DataMatrix of the serial, the serial in text, the product
code and revision. PDF (one 50 × 25 mm page a label) and ZPL for a Zebra printer.

The symbol carries the serial alone, exactly as stored: a station scans it and gets what
:func:`boardline.production.units.clean_serial` accepts, with nothing to strip. It is not
GS1: a unit serial is ours, not a trade item's, and GS1's (21) would need a GTIN most
boards do not have.

Serials hold only ``0-9 A-Z . / -`` (:mod:`boardline.production.serials`), so the symbol
data needs no escaping in ZPL. The text lines may hold anything a product code or revision
label holds; on the ZPL label ``^`` and ``~`` (which would start a command) and characters
outside printable ASCII are printed as ``?``.

Pure: no I/O, bytes and text out. Fonts and latin-1 handling as on the package labels
(:mod:`boardline.supply.labels`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Final

import zxingcpp
from fpdf import FPDF
from PIL import Image

from boardline.core.errors import InvalidInput
from boardline.npi.reports import latin1
from boardline.production.serials import normalize_serial
from boardline.supply.labels import ELLIPSIS, FONT, TextWidths

__all__ = [
    "LABEL_MM",
    "UnitLabel",
    "datamatrix_png",
    "label_pdf",
    "label_zpl",
]

LABEL_MM: Final = (50.0, 25.0)
MARGIN_MM: Final = 2.0
SYMBOL_MM: Final = 17.0
TEXT_X_MM: Final = MARGIN_MM + SYMBOL_MM + 2.0
_ZPL_UNSAFE: Final = frozenset("^~")


@dataclass(frozen=True, slots=True)
class UnitLabel:
    """What one serial label shows."""

    serial: str
    product_code: str
    revision: str
    work_order: str = ""

    def lines(self) -> list[str]:
        """The text under the serial, the same on the PDF and the ZPL label."""
        lines = [f"{self.product_code} rev {self.revision}"]
        if self.work_order:
            lines.append(f"WO {self.work_order}")
        return lines


def datamatrix_png(serial: str, *, module_px: int = 8) -> bytes:
    """A square DataMatrix of ``serial`` (as stored: trimmed, upper case) as a PNG, with the
    one-module quiet zone. Raises ``InvalidInput`` for text no serial can be."""
    if module_px < 1:
        raise InvalidInput(f"module size must be at least 1 pixel, got {module_px}")
    out = BytesIO()
    _image(_symbol(serial), module_px).save(out, format="PNG", optimize=True)
    return out.getvalue()


def label_pdf(labels: Sequence[UnitLabel]) -> bytes:
    """A PDF with one 50 × 25 mm page for each label, for a label printer's driver.
    Raises ``InvalidInput`` for no labels or a label whose serial no serial can be."""
    if not labels:
        raise InvalidInput("no labels to print")
    pdf = FPDF(orientation="landscape", unit="mm", format=(LABEL_MM[1], LABEL_MM[0]))
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_title(latin1(", ".join(label.serial for label in labels[:5])))
    width = LABEL_MM[0] - TEXT_X_MM - MARGIN_MM
    widths = TextWidths(pdf)
    for label in labels:
        symbol = _symbol(label.serial)
        pdf.add_page()
        pdf.image(_image(symbol, 8), x=MARGIN_MM, y=MARGIN_MM, w=SYMBOL_MM, h=SYMBOL_MM)
        pdf.set_font(FONT, "B", 10)
        _fit_font(pdf, symbol.text, width, smallest=5.0)
        pdf.text(TEXT_X_MM, MARGIN_MM + 4.0, symbol.text)
        pdf.set_font(FONT, size=7)
        for index, line in enumerate(label.lines()):
            pdf.text(TEXT_X_MM, MARGIN_MM + 9.0 + index * 3.6, widths.fit(line, width))
        # The serial again under the symbol, small: readable where the symbol is not.
        pdf.set_font(FONT, size=6)
        pdf.text(
            MARGIN_MM,
            LABEL_MM[1] - MARGIN_MM - 0.8,
            widths.fit(symbol.text, LABEL_MM[0] - 2 * MARGIN_MM),
        )
    return bytes(pdf.output())


def label_zpl(labels: Sequence[UnitLabel], *, dots_per_mm: int = 8) -> str:
    """The labels in ZPL II, one ``^XA … ^XZ`` format each: 8 dots/mm is 203 dpi, 12 is
    300 dpi. The DataMatrix (``^BX`` quality 200) gets modules as big as fit its square."""
    if not labels:
        raise InvalidInput("no labels to print")

    def dots(mm: float) -> int:
        return round(mm * dots_per_mm)

    def text(x_mm: float, y_mm: float, height_mm: float, value: str, chars: int) -> str:
        size = dots(height_mm)
        return f"^FO{dots(x_mm)},{dots(y_mm)}^A0N,{size},{size}^FD{_zpl_safe(value, chars)}^FS"

    formats = []
    for label in labels:
        symbol = _symbol(label.serial)
        modules = int(symbol.to_image(scale=1, add_quiet_zones=False).shape[1])
        module_dots = max(1, dots(SYMBOL_MM) // modules)
        commands = [
            "^XA",
            "^CI28",
            f"^PW{dots(LABEL_MM[0])}",
            f"^LL{dots(LABEL_MM[1])}",
            "^LH0,0",
            f"^FO{dots(MARGIN_MM)},{dots(MARGIN_MM)}^BXN,{module_dots},200^FD{symbol.text}^FS",
            text(TEXT_X_MM, MARGIN_MM, 3.5, symbol.text, 20),
        ]
        for index, line in enumerate(label.lines()):
            commands.append(text(TEXT_X_MM, MARGIN_MM + 7.0 + index * 3.5, 2.6, line, 24))
        commands.append(text(MARGIN_MM, LABEL_MM[1] - MARGIN_MM - 2.2, 2.0, symbol.text, 40))
        commands += ["^PQ1", "^XZ"]
        formats.append("\n".join(commands))
    return "\n".join(formats) + "\n"


def _symbol(serial: str) -> zxingcpp.Barcode:
    # Square only, as on the package labels: a rectangle would be stretched by the square.
    return zxingcpp.create_barcode(
        normalize_serial(serial), zxingcpp.BarcodeFormat.DataMatrix, forceSquare=True
    )


def _image(symbol: zxingcpp.Barcode, module_px: int) -> Image.Image:
    # 8-bit grey: fpdf2 writes 1-bit images wrongly with Flate (see supply.labels).
    return Image.fromarray(symbol.to_image(scale=module_px, add_quiet_zones=True))


def _fit_font(pdf: FPDF, text: str, width: float, *, smallest: float) -> None:
    """Shrink the current font until ``text`` fits ``width`` (down to ``smallest`` pt)."""
    size = pdf.font_size_pt
    while size > smallest and pdf.get_string_width(latin1(text)) > width:
        size -= 0.5
        pdf.set_font_size(size)


def _zpl_safe(text: str, limit: int) -> str:
    clean = "".join("?" if char in _ZPL_UNSAFE or not " " <= char <= "~" else char for char in text)
    return clean if len(clean) <= limit else clean[: limit - len(ELLIPSIS)] + ELLIPSIS
