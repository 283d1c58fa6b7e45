"""Serial labels: the DataMatrix read back by real decoders from the PNG and from the PDF
as a printer renders it; ZPL as a Zebra printer gets it.

The PDF is rasterised by poppler's ``pdftoppm`` (skipped without it, a failure in CI),
then read by zxing-cpp and by libdmtx (pylibdmtx), an independent implementation.
"""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from boardline.core.errors import InvalidInput
from boardline.production.unit_labels import UnitLabel, datamatrix_png, label_pdf, label_zpl
from tests.conftest import service_missing
from tests.supply.test_labels import pylibdmtx, require_libdmtx

LABELS = [
    UnitLabel("ACME2619-000001K", "CTRL-100", "A", "WO-000001"),
    UnitLabel("ACME2619-000002/9", "CTRL-100", "A", "WO-000001"),
]
PDFTOPPM = shutil.which("pdftoppm")


def read_zxing(image: Image.Image) -> list[str]:
    found = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.DataMatrix)
    )
    return [code.text for code in found]


def read_libdmtx(image: Image.Image) -> list[str]:
    require_libdmtx()
    return [found.data.decode("ascii") for found in pylibdmtx.decode(image, timeout=5000)]


def pdf_pages(pdf: bytes, tmp_path: Path) -> list[Image.Image]:
    """The PDF's pages as 300 dpi greyscale images, as a label printer's driver sees them."""
    if PDFTOPPM is None:
        service_missing("pdftoppm", "poppler's pdftoppm not found (apt-get install poppler-utils)")
    source = tmp_path / "labels.pdf"
    source.write_bytes(pdf)
    subprocess.run([PDFTOPPM, "-r", "300", "-gray", "-png", source, tmp_path / "page"], check=True)
    return [Image.open(page) for page in sorted(tmp_path.glob("page*.png"))]


def test_the_png_reads_back_as_the_serial_with_both_decoders() -> None:
    image = Image.open(BytesIO(datamatrix_png(" acme2619-000001k\r\n")))
    assert read_zxing(image) == ["ACME2619-000001K"]
    if pylibdmtx is not None:
        assert read_libdmtx(image) == ["ACME2619-000001K"]


def test_the_pdf_has_a_page_per_label_and_each_reads_back(tmp_path: Path) -> None:
    """Encode → PDF → rendered page → decoded: each page carries its own serial."""
    pdf = label_pdf(LABELS)
    assert pdf.startswith(b"%PDF")
    pages = pdf_pages(pdf, tmp_path)
    assert len(pages) == len(LABELS)
    for page, label in zip(pages, LABELS, strict=True):
        # 50 × 25 mm at 300 dpi, landscape.
        assert abs(page.width - 591) <= 2
        assert abs(page.height - 295) <= 2
        assert read_zxing(page) == [label.serial]
        if pylibdmtx is not None:
            assert read_libdmtx(page) == [label.serial]


def test_zpl_is_one_format_per_label_with_the_serial_in_symbol_and_text() -> None:
    zpl = label_zpl(LABELS)
    assert zpl.count("^XA") == zpl.count("^XZ") == 2
    first = zpl.split("^XZ")[0]
    assert "^PW400" in first
    assert "^LL200" in first
    assert "^BXN," in first
    assert "^FDACME2619-000001K^FS" in first
    assert "CTRL-100 rev A" in first
    assert "WO WO-000001" in first


def test_zpl_text_cannot_start_a_command() -> None:
    zpl = label_zpl([UnitLabel("SN-1", "X^XZ~JA", "B\u00e9")])
    assert "^XZ~" not in zpl
    assert "X?XZ?JA rev B?" in zpl
    assert zpl.count("^XZ") == 1


def test_bad_labels_are_refused() -> None:
    with pytest.raises(InvalidInput):
        label_pdf([])
    with pytest.raises(InvalidInput):
        label_zpl([])
    with pytest.raises(InvalidInput):
        label_zpl([UnitLabel("bad serial!", "P", "A")])
    with pytest.raises(InvalidInput):
        datamatrix_png("SN-1", module_px=0)
