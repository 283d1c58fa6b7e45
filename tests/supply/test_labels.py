"""Package labels: the DataMatrix read back by real decoders, ZPL and PDF as a printer gets them.

Two decoders read the PNG: zxing-cpp's reader (the library that also writes the symbol) and
libdmtx through pylibdmtx, an independent implementation, so an encoder mistake that its own
reader would share cannot pass unseen.
"""

from __future__ import annotations

import re
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from io import BytesIO
from typing import Any
from unittest import mock

import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from boardline.core.errors import InvalidInput
from boardline.supply import gs1
from boardline.supply.labels import PackageLabel, datamatrix_png, label_pdf, zpl_label
from tests.conftest import service_missing

with warnings.catch_warnings():
    # pylibdmtx 0.1.10 imports distutils, deprecated in 3.11 and gone in 3.12 (where, without
    # setuptools' shim, the import fails and the libdmtx tests skip).
    warnings.filterwarnings("ignore", "The distutils package is deprecated", DeprecationWarning)
    try:
        from pylibdmtx import pylibdmtx  # type: ignore[import-untyped]
        from pylibdmtx import wrapper as dmtx_wrapper
    except ImportError:  # the package, or Debian's libdmtx0b it loads, is not installed
        pylibdmtx = dmtx_wrapper = None


def require_libdmtx() -> None:
    """The second decoder: skipped on a laptop without it, a failure in CI."""
    if pylibdmtx is None:
        service_missing("libdmtx", "pylibdmtx or Debian's libdmtx0b is not installed")


DECODES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LABEL = PackageLabel(
    package_id="PKG-000007J",
    item_number="ITM-000123",
    mpn="GRM188R71H104KA93D",
    manufacturer="Murata",
    quantity=4000,
    lot="L2318_A",
    date_code="2318",
    msl="3",
    expiry=date(2027, 1, 31),
    gtin="4006381333931",
)
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


def read_zxing(png: bytes) -> str:
    """What a scanner sending AIM symbology identifiers transmits: ``]d2`` then the data."""
    found = zxingcpp.read_barcodes(
        Image.open(BytesIO(png)),
        formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.DataMatrix),
        text_mode=zxingcpp.TextMode.Plain,
    )
    assert len(found) == 1
    assert found[0].content_type == zxingcpp.ContentType.GS1
    return found[0].symbology_identifier + found[0].text


def read_libdmtx(png: bytes) -> str:
    """libdmtx's reading. By default it drops every FNC1, separators included, which leaves
    variable-length fields run together; with its FNC1 property set it sends each as GS, as
    scanners do. pylibdmtx has no argument for that property, so the decoder it creates is
    wrapped to set it."""
    require_libdmtx()
    create_decoder = pylibdmtx._decoder

    @contextmanager
    def decoder(image: Any, shrink: int) -> Iterator[Any]:
        with create_decoder(image, shrink) as created:
            fnc1 = dmtx_wrapper.DmtxProperty.DmtxPropFnc1
            dmtx_wrapper.dmtxDecodeSetProp(created, fnc1, ord(gs1.GS))
            yield created

    with mock.patch.object(pylibdmtx, "_decoder", decoder):
        found = pylibdmtx.decode(Image.open(BytesIO(png)), timeout=5000)
    assert len(found) == 1
    text: str = found[0].data.decode("ascii")
    return text


def page_text(pdf: bytes) -> str:
    """The text drawn on the pages, one string operand a line."""
    found = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            content = zlib.decompress(stream).decode("latin-1")
        except zlib.error:
            content = stream.decode("latin-1")
        found += re.findall(r"\(((?:\\.|[^\\)])*)\) Tj", content)
    return "\n".join(re.sub(r"\\(.)", r"\1", text) for text in found)


# --- the DataMatrix ------------------------------------------------------------------------


def test_label_fields_pad_the_gtin_and_leave_out_what_is_unknown() -> None:
    assert LABEL.gs1_fields() == {
        "240": "ITM-000123",
        "21": "PKG-000007J",
        "30": "4000",
        "01": "04006381333931",
        "10": "L2318_A",
        "17": "270131",
    }
    bare = PackageLabel("PKG-000007J", "ITM-1", "MPN", "Mfr", 1)
    assert bare.gs1_fields() == {"240": "ITM-1", "21": "PKG-000007J", "30": "1"}


def test_zxing_reads_gs1_datamatrix_with_fnc1_as_the_element_string() -> None:
    fields = LABEL.gs1_fields()
    scanned = read_zxing(datamatrix_png(gs1.encode(fields)))
    assert scanned == "]d2" + gs1.encode(fields)
    assert gs1.parse(scanned) == fields


def test_libdmtx_reads_the_same_fields() -> None:
    fields = LABEL.gs1_fields()
    scanned = read_libdmtx(datamatrix_png(gs1.encode(fields)))
    assert scanned == gs1.GS + gs1.encode(fields)  # the first FNC1 comes as a GS too
    assert gs1.parse(scanned) == fields


def test_the_symbol_is_square_whatever_the_data() -> None:
    for data in ("21PKG-000007J", gs1.encode(LABEL.gs1_fields())):
        image = Image.open(BytesIO(datamatrix_png(data, module_px=4)))
        assert image.width == image.height
        assert image.format == "PNG"
        assert image.width % 4 == 0


def test_datamatrix_png_takes_any_form_parse_takes() -> None:
    fields = LABEL.gs1_fields()
    assert gs1.parse(read_zxing(datamatrix_png(gs1.human_readable(fields)))) == fields
    assert gs1.parse(read_zxing(datamatrix_png("PKG-000007J"))) == {"21": "PKG-000007J"}


@pytest.mark.parametrize("data", ["", "https://example.com/reel/1", "0109506000134353"])
def test_datamatrix_png_refuses_invalid_data(data: str) -> None:
    with pytest.raises(InvalidInput):
        datamatrix_png(data)


def test_datamatrix_png_refuses_a_module_size_of_zero() -> None:
    with pytest.raises(InvalidInput, match="module size"):
        datamatrix_png("21PKG-000007J", module_px=0)


def _texts(max_size: int) -> st.SearchStrategy[str]:
    return st.text(CSET82, min_size=1, max_size=max_size)


labels = st.builds(
    PackageLabel,
    package_id=st.one_of(st.builds(gs1.new_package_id), _texts(20)),
    item_number=_texts(30),
    mpn=st.text(max_size=40),
    manufacturer=st.text(max_size=40),
    quantity=st.integers(0, 99_999_999),
    lot=st.one_of(st.none(), _texts(20)),
    date_code=st.one_of(st.none(), st.text(max_size=8)),
    msl=st.sampled_from([None, "1", "2a", "3", "5a", "6"]),
    expiry=st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2049, 12, 31))),
    gtin=st.one_of(
        st.none(),
        st.text("0123456789", min_size=12, max_size=12).map(lambda b: b + gs1.gtin_check_digit(b)),
    ),
)


@DECODES
@given(labels)
def test_round_trip_through_the_image_with_zxing(label: PackageLabel) -> None:
    fields = label.gs1_fields()
    assert gs1.parse(read_zxing(datamatrix_png(gs1.encode(fields), module_px=4))) == fields


@DECODES
@given(labels)
def test_round_trip_through_the_image_with_libdmtx(label: PackageLabel) -> None:
    fields = label.gs1_fields()
    assert gs1.parse(read_libdmtx(datamatrix_png(gs1.encode(fields), module_px=4))) == fields


# --- ZPL -----------------------------------------------------------------------------------


def _zpl_fields(zpl: str) -> list[str]:
    return re.findall(r"\^FD(.*?)\^FS", zpl, re.DOTALL)


def _unescape_bx(data: str) -> str:
    return re.sub(r"_(.)", lambda m: gs1.GS if m.group(1) == "1" else m.group(1), data)


def _unescape_fh(data: str) -> str:
    raw = re.sub(rb"_([0-9A-F]{2})", lambda m: bytes([int(m.group(1), 16)]), data.encode())
    return raw.decode("utf-8")


def test_zpl_is_one_label_with_a_gs1_datamatrix() -> None:
    zpl = zpl_label(LABEL)
    assert zpl.startswith("^XA\n")
    assert zpl.endswith("^XZ\n")
    assert "^CI28" in zpl
    assert "^PW800" in zpl
    assert "^LL400" in zpl
    bx = re.search(r"\^BXN,(\d+),200,,,,_\^FD(.*?)\^FS", zpl)
    assert bx is not None
    assert bx.group(2).startswith("_1")  # FNC1 in first position
    assert "L2318__A_121PKG-000007J" in bx.group(2)  # "_" doubled, FNC1 as separator
    assert _unescape_bx(bx.group(2)) == gs1.GS + gs1.encode(LABEL.gs1_fields())


def test_zpl_prints_the_fields_in_text() -> None:
    texts = [_unescape_fh(f) for f in _zpl_fields(zpl_label(LABEL))[1:]]
    assert texts[0] == "PKG-000007J"
    assert texts[1:4] == ["Item ITM-000123", "MPN GRM188R71H104KA93D", "Mfr Murata"]
    assert texts[4] == "Qty 4000    Lot L2318_A"
    assert texts[5] == "D/C 2318    MSL 3    Exp 2027-01-31"
    assert texts[-1] == gs1.human_readable(LABEL.gs1_fields())


def test_zpl_text_cannot_break_out_of_its_field() -> None:
    label = PackageLabel(
        "PKG-000007J", "ITM-1", "A^XZ~JR_", "Würth\nElektronik 村田", 10, date_code="^FS"
    )
    zpl = zpl_label(label)
    fields = _zpl_fields(zpl)
    assert zpl.count("^XZ") == 1
    assert all("^" not in f and "~" not in f for f in fields)
    assert zpl.isascii()
    texts = [_unescape_fh(f) for f in fields[1:]]
    assert "MPN A^XZ~JR_" in texts
    assert "Mfr Würth Elektronik 村田" in texts


def test_zpl_fits_the_symbol_to_its_square_at_any_resolution() -> None:
    long = PackageLabel(
        "PKG-Y6RC3N7E3ARZ7", "I" * 30, "MPN", "Mfr", 99_999_999, lot="L" * 20, gtin="4006381333931"
    )
    for dots_per_mm in (8, 12, 24):
        for label in (LABEL, long):
            zpl = zpl_label(label, dots_per_mm=dots_per_mm)
            bx = re.search(r"\^BXN,(\d+),", zpl)
            assert bx is not None
            symbol = datamatrix_png(gs1.encode(label.gs1_fields()), module_px=1)
            modules = Image.open(BytesIO(symbol)).width - 2  # less the quiet zone
            assert 2 <= int(bx.group(1)) * modules <= 22 * dots_per_mm
    assert "^BXN,3,200" in zpl_label(LABEL, module_dots=3)


def test_zpl_refuses_invalid_label_data() -> None:
    with pytest.raises(InvalidInput, match=r"\(30\) quantity"):
        zpl_label(PackageLabel("PKG-000007J", "ITM-1", "M", "F", -5))
    with pytest.raises(InvalidInput, match=r"\(01\) GTIN"):
        zpl_label(PackageLabel("PKG-000007J", "ITM-1", "M", "F", 5, gtin="4006381333932"))


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_is_a_100_by_50_mm_label_with_the_text() -> None:
    pdf = label_pdf(LABEL)
    assert pdf.startswith(b"%PDF")
    assert re.search(rb"/MediaBox \[0 0 283\.46 141\.73\]", pdf)
    text = page_text(pdf)
    for expected in ("PKG-000007J", "Item ITM-000123", "MPN GRM188R71H104KA93D", "Mfr Murata"):
        assert expected in text
    assert "Qty 4000    Lot L2318_A" in text
    assert "D/C 2318    MSL 3    Exp 2027-01-31" in text
    assert b"/Subtype /Image" in pdf


def test_pdf_has_a_page_per_label_and_survives_any_text() -> None:
    other = PackageLabel(
        gs1.new_package_id(12345), "ITM-9", "X" * 80, "村田製作所 – Würth ™", 1, msl=None
    )
    pdf = label_pdf(LABEL, other)
    assert re.search(rb"/Count 2\b", pdf)
    text = page_text(pdf)
    assert "PKG-000C1SM" in text
    assert "Mfr ????? - Würth (TM)" in text
    assert re.search(r"^MPN X+\.\.\.$", text, re.MULTILINE)  # shortened to fit


def test_pdf_needs_a_label() -> None:
    with pytest.raises(InvalidInput, match="no labels"):
        label_pdf()
