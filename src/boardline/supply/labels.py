"""Material package labels: a GS1 DataMatrix as PNG, a Zebra ZPL label and a PDF label.

Every label is 100 × 50 mm: the DataMatrix on the left, the package ID big beside it, then
item, MPN, manufacturer, quantity, lot, date code, MSL and expiry, and the GS1 human-readable
text along the bottom. The DataMatrix carries only what a scan must know without the
database (:meth:`PackageLabel.gs1_fields`); MPN and manufacturer stay off it because their
characters are often outside GS1's set and the package ID leads to them anyway.

The symbol is GS1 DataMatrix proper: FNC1 in first position, FNC1 after each variable-length
field but the last. A scanner set to send AIM symbology identifiers reads ``]d2`` followed by
:func:`boardline.supply.gs1.encode` of the fields (separators as GS); some readers also send
the first FNC1 as a GS. :func:`boardline.supply.gs1.parse` accepts all of these.

Pure: no I/O, bytes and text out. The DataMatrix is made by zxing-cpp (its GS1 mode, which
also checks the AIs), the PDF by fpdf2 with its core fonts, so text outside latin-1 is
simplified (:func:`boardline.npi.reports.latin1`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Final

import zxingcpp
from fpdf import FPDF
from PIL import Image

from boardline.core.errors import InvalidInput
from boardline.npi.reports import latin1
from boardline.supply import gs1

LABEL_MM: Final = (100.0, 50.0)
MARGIN_MM: Final = 3.0
SYMBOL_MM: Final = 22.0
TEXT_X_MM: Final = MARGIN_MM + SYMBOL_MM + 3.0
FONT: Final = "Helvetica"
ELLIPSIS: Final = "..."
# ZPL's ^FH escape character; "^" and "~" would start a command, "_" an escape.
_ZPL_HEX_ESCAPE: Final = "_"
_ZPL_ESCAPED: Final = frozenset("^~_")


@dataclass(frozen=True)
class PackageLabel:
    """What is printed on one material package label."""

    package_id: str
    item_number: str
    mpn: str
    manufacturer: str
    quantity: int
    lot: str | None = None
    date_code: str | None = None
    msl: str | None = None
    expiry: date | None = None
    gtin: str | None = None

    def gs1_fields(self) -> dict[str, str]:
        """The GS1 fields the DataMatrix carries: GTIN (padded to 14 digits) when known,
        item number (240), lot (10), package ID (21), quantity (30), expiry (17). Raises
        ``InvalidInput`` for a bad GTIN; the other values are checked by :func:`gs1.encode`
        and so by every function below."""
        fields = {
            gs1.ITEM: self.item_number,
            gs1.SERIAL: self.package_id,
            gs1.QUANTITY: str(self.quantity),
        }
        if self.gtin:
            fields[gs1.GTIN] = gs1.normalize_gtin(self.gtin)
        if self.lot:
            fields[gs1.LOT] = self.lot
        if self.expiry:
            fields[gs1.EXPIRY_DATE] = gs1.yymmdd(self.expiry)
        return fields

    def lines(self) -> list[str]:
        """The text lines under the package ID, the same on every kind of label."""
        lot = f"Lot {self.lot}" if self.lot else "Lot -"
        expiry = f"Exp {self.expiry.isoformat()}" if self.expiry else ""
        return [
            f"Item {self.item_number}",
            f"MPN {self.mpn}",
            f"Mfr {self.manufacturer}",
            f"Qty {self.quantity}    {lot}",
            "    ".join(
                part
                for part in (
                    f"D/C {self.date_code or '-'}",
                    f"MSL {self.msl or '-'}",
                    expiry,
                )
                if part
            ),
        ]


def datamatrix_png(data: str, *, module_px: int = 8) -> bytes:
    """A GS1 DataMatrix of ``data`` as a PNG, ``module_px`` pixels a module, with the
    one-module quiet zone.

    ``data`` is anything :func:`gs1.parse` accepts (usually :func:`gs1.encode`'s output);
    the symbol holds those fields in :func:`gs1.encode`'s order, so a scanner reads exactly
    ``gs1.encode(gs1.parse(data))``. Raises ``InvalidInput`` for data that is not valid.
    """
    if module_px < 1:
        raise InvalidInput(f"module size must be at least 1 pixel, got {module_px}")
    fields = gs1.parse(data)
    image = Image.fromarray(_symbol(fields).to_image(scale=module_px, add_quiet_zones=True))
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def zpl_label(label: PackageLabel, *, dots_per_mm: int = 8, module_dots: int | None = None) -> str:
    """The label in ZPL II for a Zebra printer: 8 dots/mm is 203 dpi, 12 is 300 dpi.

    Without ``module_dots`` the DataMatrix modules are as big as fits the 22 mm square left
    for the symbol (more data, more and smaller modules).

    The DataMatrix is ``^BX`` quality 200 with ``_`` declared as its escape character,
    because the firmware default differs between versions; ``_1`` is FNC1 (first and as
    separator) and ``__`` a literal underscore. Text fields go through ``^FH`` hex escapes,
    so no character of an MPN or manufacturer can end a field or start a command.
    """
    fields = label.gs1_fields()
    element = gs1.encode(fields)
    if module_dots is None:
        module_dots = max(1, round(SYMBOL_MM * dots_per_mm) // _symbol_modules(fields))
    symbol_data = "_1" + element.replace("_", "__").replace(gs1.GS, "_1")

    def dots(mm: float) -> int:
        return round(mm * dots_per_mm)

    def text(x_mm: float, y_mm: float, height_mm: float, value: str, *, chars: int) -> str:
        size = dots(height_mm)
        return (
            f"^FO{dots(x_mm)},{dots(y_mm)}^A0N,{size},{size}"
            f"^FH{_ZPL_HEX_ESCAPE}^FD{_zpl_text(_clip(value, chars))}^FS"
        )

    width, height = dots(LABEL_MM[0]), dots(LABEL_MM[1])
    commands = [
        "^XA",
        "^CI28",
        f"^PW{width}",
        f"^LL{height}",
        "^LH0,0",
        f"^FO{dots(MARGIN_MM)},{dots(MARGIN_MM)}^BXN,{module_dots},200,,,,_^FD{symbol_data}^FS",
        text(TEXT_X_MM, MARGIN_MM, 6.0, label.package_id, chars=20),
    ]
    for index, line in enumerate(label.lines()):
        commands.append(text(TEXT_X_MM, 11.5 + index * 5.0, 3.5, line, chars=36))
    hri_mm = LABEL_MM[1] - MARGIN_MM - 5.0
    commands += [
        f"^FO{dots(MARGIN_MM)},{dots(hri_mm)}^A0N,{dots(2.2)},{dots(2.0)}"
        f"^FB{width - 2 * dots(MARGIN_MM)},2,0,L"
        f"^FH{_ZPL_HEX_ESCAPE}^FD{_zpl_text(gs1.human_readable(fields))}^FS",
        "^PQ1",
        "^XZ",
    ]
    return "\n".join(commands) + "\n"


def label_pdf(*labels: PackageLabel) -> bytes:
    """A PDF with one 100 × 50 mm page for each label, ready for a label printer's driver.

    Drawn with ``FPDF.text`` and widths summed from a per-character cache, and the symbol
    handed over as an image, not a PNG: ``cell``, ``multi_cell`` and PNG encoding made a
    delivery of 1 000 reels take seconds to print (``boardline bench receiving``).
    """
    if not labels:
        raise InvalidInput("no labels to print")
    pdf = FPDF(orientation="portrait", unit="mm", format=LABEL_MM)
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_title(latin1(", ".join(label.package_id for label in labels[:5])))
    widths = TextWidths(pdf)
    text_x = TEXT_X_MM + pdf.c_margin
    text_width = LABEL_MM[0] - TEXT_X_MM - MARGIN_MM
    hri_width = LABEL_MM[0] - 2 * MARGIN_MM - 2 * pdf.c_margin
    for label in labels:
        fields = label.gs1_fields()
        pdf.add_page()
        pdf.image(_symbol_image(fields), x=MARGIN_MM, y=MARGIN_MM, w=SYMBOL_MM, h=SYMBOL_MM)
        pdf.set_font(FONT, "B", 17)
        pdf.text(text_x, _baseline(pdf, MARGIN_MM, 7.0), widths.fit(label.package_id, text_width))
        pdf.set_font(FONT, size=9)
        for index, line in enumerate(label.lines()):
            y = _baseline(pdf, 11.5 + index * 4.6, 4.6)
            pdf.text(text_x, y, widths.fit(line, text_width))
        pdf.set_font(FONT, size=6)
        top = LABEL_MM[1] - MARGIN_MM - 5.5
        for index, line in enumerate(widths.wrap(gs1.human_readable(fields), hri_width)):
            pdf.text(MARGIN_MM + pdf.c_margin, _baseline(pdf, top + index * 2.6, 2.6), line)
    return bytes(pdf.output())


def _baseline(pdf: FPDF, top: float, height: float) -> float:
    """Where ``cell(h=height)`` at ``top`` would put the text's baseline."""
    return top + 0.5 * height + 0.3 * pdf.font_size


class TextWidths:
    """Text widths in the current font, from widths of single characters measured once."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.known: dict[tuple[str, str, float, str], float] = {}

    def char(self, char: str) -> float:
        key = (self.pdf.font_family, self.pdf.font_style, self.pdf.font_size_pt, char)
        if key not in self.known:
            self.known[key] = self.pdf.get_string_width(char)
        return self.known[key]

    def of(self, text: str) -> float:
        return sum(self.char(char) for char in text)

    def fit(self, text: str, width: float) -> str:
        """``text`` in latin-1, shortened with "..." until it fits ``width``."""
        clean = latin1(_printable(text))
        while clean and self.of(clean) > width:
            clean = clean[: -len(ELLIPSIS) - 1] + ELLIPSIS if len(clean) > len(ELLIPSIS) else ""
        return clean

    def wrap(self, text: str, width: float) -> list[str]:
        """``text`` in latin-1, broken between characters into lines that fit ``width``."""
        lines, line, used = [], "", 0.0
        for char in latin1(_printable(text)):
            size = self.char(char)
            if line and used + size > width:
                lines.append(line)
                line, used = "", 0.0
            line, used = line + char, used + size
        return [*lines, line]


def _symbol_image(fields: dict[str, str], *, module_px: int = 8) -> Image.Image:
    # 8-bit grey, not 1-bit: fpdf2 writes 1-bit images with Flate wrongly and with CCITT slowly.
    return Image.fromarray(_symbol(fields).to_image(scale=module_px, add_quiet_zones=True))


def _symbol(fields: dict[str, str]) -> zxingcpp.Barcode:
    # Square only: the encoder would pick a rectangle (16 × 48) for short data, which the
    # square space on the label would stretch.
    return zxingcpp.create_barcode(
        gs1.bracketed(fields), zxingcpp.BarcodeFormat.DataMatrix, gs1=True, forceSquare=True
    )


def _symbol_modules(fields: dict[str, str]) -> int:
    """The DataMatrix's width in modules, without quiet zone."""
    return int(_symbol(fields).to_image(scale=1, add_quiet_zones=False).shape[1])


def _printable(text: str) -> str:
    return "".join(char if char.isprintable() else " " for char in text)


def _clip(text: str, limit: int) -> str:
    clean = _printable(text)
    return clean if len(clean) <= limit else clean[: limit - len(ELLIPSIS)] + ELLIPSIS


def _zpl_text(text: str) -> str:
    """``text`` for a ``^FH_^FD`` field: ASCII only, with "^", "~", "_", control and
    non-ASCII characters as hex escapes of their UTF-8 bytes (the label is ``^CI28``)."""
    out: list[str] = []
    for char in text:
        if char in _ZPL_ESCAPED or not " " <= char <= "~":
            out.extend(f"{_ZPL_HEX_ESCAPE}{byte:02X}" for byte in char.encode("utf-8"))
        else:
            out.append(char)
    return "".join(out)
