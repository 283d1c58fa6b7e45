"""The packing list PDF: every serial on it, in columns, over as many pages as needed."""

from __future__ import annotations

from datetime import date

from boardline.supply.packing_list import PackingList, packing_list_pdf
from tests.npi.test_reports import page_count, page_text


def packing_list(serials: tuple[str, ...], **changes: str) -> PackingList:
    fields = {
        "shipment": "SH-000042",
        "customer": "Ünal Elektronik",
        "ship_to": "Ünal Elektronik",
        "sales_order": "SO-000007",
        "customer_po": "",
        "product_code": "CTRL-100",
        "product_name": "Controller → rev A",
        "revision": "A",
        "carrier": "",
        "tracking": "",
    }
    fields.update(changes)
    return PackingList(shipped_on=date(2026, 4, 1), serials=serials, **fields)


def test_a_small_shipment_fits_one_page_with_its_facts() -> None:
    pdf = packing_list_pdf(packing_list(("SN-1", "SN-2"), carrier="DHL", tracking="1Z9"))
    text = page_text(pdf)
    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == 1
    for expected in ("Packing list SH-000042", "2026-04-01", "SO-000007", "CTRL-100", "2 pcs"):
        assert expected in text
    assert "1. SN-1" in text
    assert "2. SN-2" in text
    assert "Ünal Elektronik" in text  # latin-1 survives; the arrow is spelled out
    assert "Controller -> rev A" in text


def test_thousands_of_serials_run_over_pages_and_none_is_lost() -> None:
    serials = tuple(f"BRD{n:07d}" for n in range(1, 3001))
    pdf = packing_list_pdf(packing_list(serials))
    text = page_text(pdf)
    assert page_count(pdf) > 5
    assert "Serial numbers (continued)" in text
    printed = [line.split(". ", 1)[1] for line in text.splitlines() if ". BRD" in line]
    assert printed == list(serials)


def test_an_empty_or_long_serial_list_still_renders() -> None:
    assert page_count(packing_list_pdf(packing_list(()))) == 1
    widest = tuple(f"{'W' * 61}{n:03d}" for n in range(200))  # 64 characters, one column
    assert f"200. {'W' * 61}199" in page_text(packing_list_pdf(packing_list(widest)))
