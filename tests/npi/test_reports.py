"""PDF reports: real PDFs whose pages carry the figures and findings, whatever the text.

The page text is read back from the PDF's own content streams (inflated, string escapes
undone), so the assertions are about what a reader would see, not about our inputs.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boardline.npi.classify import AssemblyType, Classification
from boardline.npi.model import BomLine, Finding, Severity
from boardline.npi.quote import Quote, QuoteConfig, quote
from boardline.npi.reports import dfm_report_pdf, latin1, quote_pdf

META = {"title": "Quote Q-7", "customer": "ACME Controls", "product": "PLC-IO", "revision": "B"}


def page_text(pdf: bytes) -> str:
    """The text drawn on the pages, in page order, one string operand a line."""
    found = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            content = zlib.decompress(stream).decode("latin-1")
        except zlib.error:
            content = stream.decode("latin-1")
        found += re.findall(r"\(((?:\\.|[^\\)])*)\) Tj", content)
    return "\n".join(re.sub(r"\\(.)", r"\1", text) for text in found)


def page_count(pdf: bytes) -> int:
    counts = re.findall(rb"/Type /Pages\s*/Kids \[.*?\]\s*/Count (\d+)", pdf, re.DOTALL)
    counts = counts or re.findall(rb"/Count (\d+)", pdf)
    return int(counts[0])


def classification(smt_top: int = 3, unknown: tuple[str, ...] = ()) -> Classification:
    return Classification(
        AssemblyType.SMT_ONE_SIDE,
        "SMT, one side",
        False,
        smt_top,
        0,
        0,
        len(unknown),
        0,
        0,
        0,
        0,
        0,
        3,
        3,
        smt_top + len(unknown),
        6,
        0,
        0,
        0,
        len(unknown),
        unknown,
    )


def sample_quote(*, priced: bool = True, quantities: tuple[int, ...] = (10, 100)) -> Quote:
    lines = [
        BomLine(2, ["R1", "R2"], 2, mpn="RC0402", footprint="R_0402_1005Metric", unit_price=0.01),
        BomLine(3, ["U1"], 1, mpn="STM32G0", footprint="QFN-32", unit_price=2.5),
    ]
    if not priced:
        lines.append(BomLine(4, ["L1"], 1, mpn="XAL4020-222ME→", footprint="L_1210"))
    return quote(lines, classification(), QuoteConfig(quantities=quantities))


# --- quote --------------------------------------------------------------------------------


def test_quote_pdf_shows_the_figures_per_quantity_and_the_nre() -> None:
    q = sample_quote()
    pdf = quote_pdf(q, **META)
    assert pdf.startswith(b"%PDF")
    text = page_text(pdf)
    for expected in ("Quote Q-7", "ACME Controls", "PLC-IO", "Revision: B", "Currency: EUR"):
        assert expected in text
    for column in q.columns:
        assert f"{column.per_board:,.2f}" in text
        assert f"{column.total:,.2f}" in text
    assert "Price per board" in text
    assert "Stencil (per SMT side)" in text
    assert f"{q.nre_total:,.2f}" in text
    assert "Every fitted line has a price." in text
    assert "INCOMPLETE" not in text


def test_quote_pdf_says_incomplete_and_lists_missing_prices() -> None:
    q = sample_quote(priced=False)
    text = page_text(quote_pdf(q, **META))
    assert "INCOMPLETE: 1 fitted lines have no price" in text
    assert "Lines without price (1)" in text
    assert "XAL4020-222ME->" in text  # the arrow spelled out, not a crash
    assert text.index("INCOMPLETE") < text.index("Price per board")


def test_quote_pdf_splits_many_quantities_over_tables() -> None:
    q = sample_quote(quantities=(1, 5, 10, 50, 100, 500, 1_000))
    text = page_text(quote_pdf(q, **META))
    assert text.count("Price per board") == 2
    assert "1,000" in text


def test_quote_pdf_with_a_non_latin1_title_and_unknown_mounts() -> None:
    lines = [BomLine(2, ["R1"], 1, footprint="R_0402", unit_price=0.1)]
    q = quote(lines, classification(1, unknown=("X1",)), QuoteConfig())
    pdf = quote_pdf(
        q, title="Angebot → Kunde ≤ 5 µs", customer="Łódź 電子", product="Ω", revision=""
    )
    text = page_text(pdf)
    assert "Angebot -> Kunde <= 5 µs" in text
    assert "Lódz ??" in text
    assert "1 fitted parts of unknown mount" in text


# --- DFM ----------------------------------------------------------------------------------


@dataclass
class FindingRow:
    """What an ORM row looks like to the report: plain attributes, severity a plain str."""

    severity: str
    code: str
    message: str
    file: str | None
    line: int | None
    refdes: str | None
    hint: str | None


FINDINGS = [
    Finding(Severity.INFO, "dfm.side_summary", "top: 3 parts", hint="Use for the quote."),
    Finding(
        Severity.WARNING,
        "dfm.edge_clearance",
        "C7 body is 0.21 mm from the board edge (minimum 0.5 mm)",
        file="board.kicad_pcb",
        line=812,
        refdes="C7",
        hint="Move the part inward.",
    ),
    Finding(
        Severity.ERROR,
        "bom.missing_mpn",
        "no MPN for R3 → cannot buy",
        file="bom.csv",
        line=12,
        refdes="R3",
        hint="Add the MPN ≤ tomorrow.",
    ),
]
COUNTS = {"error": 1, "warning": 1, "info": 1}


def dfm(findings: list[Finding] | list[FindingRow], counts: dict[str, int] = COUNTS) -> bytes:
    return dfm_report_pdf(findings, counts, **META, classification_text="SMT, one side; 3 parts")


def test_dfm_report_counts_first_then_findings_by_severity() -> None:
    pdf = dfm(FINDINGS)
    assert pdf.startswith(b"%PDF")
    text = page_text(pdf)
    assert "Assembly: SMT, one side; 3 parts" in text
    assert text.index("Findings per severity") < text.index("Errors (1)")
    assert text.index("Errors (1)") < text.index("Warnings (1)") < text.index("Information (1)")
    assert "bom.csv, line 12" in text
    assert "no MPN for R3 -> cannot buy" in text
    assert "Add the MPN <= tomorrow." in text
    assert "board.kicad_pcb, line 812" in text
    assert "Findings listed below" in text


def test_dfm_report_reads_orm_like_rows() -> None:
    rows = [
        FindingRow("warning", "dfm.fine_pitch", "U1 pitch 0.4 mm", None, None, "U1", None),
        FindingRow("custom", "x.y", "an unusual severity", "a.csv", 3, None, "Look."),
    ]
    text = page_text(dfm(rows, {"warning": 1, "custom": 1}))
    assert "U1 pitch 0.4 mm" in text
    assert "Custom (1)" in text
    assert text.index("Warnings (1)") < text.index("Custom (1)")


def test_dfm_report_without_findings() -> None:
    assert "No findings." in page_text(dfm([], {}))


def test_two_thousand_findings_paginate_with_every_finding_and_repeated_headings() -> None:
    findings = [
        Finding(
            Severity.WARNING if i % 4 else Severity.ERROR,
            "dfm.edge_clearance",
            f"part P{i} is 0.2 mm from the edge → move it",
            file="board.kicad_pcb",
            line=i,
            refdes=f"P{i}",
            hint="Move the part inward, or plan the panel so this edge has a rail.",
        )
        for i in range(2_000)
    ]
    pdf = dfm(findings, {"error": 500, "warning": 1_500})
    pages = page_count(pdf)
    assert pages > 20
    text = page_text(pdf)
    assert all(f"part P{i} is 0.2 mm" in text for i in (0, 1, 999, 1_999))
    assert text.count("What to do") >= pages - 1  # the heading on every page of findings
    assert "{nb}" not in text  # fpdf fills the page total in as its own string
    assert f"page {pages}/\n{pages}" in text


def test_unbreakable_and_hostile_text_does_not_crash() -> None:
    findings = [
        Finding(
            Severity.ERROR,
            "x" * 300,
            "\x00\x07\ud800" + "A" * 5_000 + " 🙂 \u202e",
            file="/very/long/" * 50,
            line=-1,
            refdes="R1(2)\\",
            hint="\n\n\t",
        )
    ]
    text = page_text(dfm(findings, {"error": 1}))
    assert "R1(2)\\" in text
    assert "..." in text  # clipped, not an endless row


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a → b", "a -> b"),
        ("≤ ≥ ≠", "<= >= !="),
        ("10 µF and 10 μF", "10 µF and 10 µF"),
        ("100 Ω", "100 Ohm"),
        ("“quoted” – dash — dash…", '"quoted" - dash - dash...'),
        ("Größe 5 °C ±", "Größe 5 °C ±"),
        ("Łódź Œuvre", "Lódz OEuvre"),
        ("漢字", "??"),
        ("a\x00b\tc", "a b c"),
        ("line\nbreak", "line\nbreak"),
        (Decimal("1.5"), "1.5"),
    ],
)
def test_latin1_replacements(raw: object, clean: str) -> None:
    assert latin1(raw) == clean
    clean.encode("latin-1")


texts = st.text(max_size=200)
finding_rows = st.builds(
    FindingRow,
    severity=st.sampled_from(["error", "warning", "info", "", "Ärger"]),
    code=texts,
    message=texts,
    file=st.none() | texts,
    line=st.none() | st.integers(),
    refdes=st.none() | texts,
    hint=st.none() | texts,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(finding_rows, max_size=20), title=texts, classification_text=texts)
def test_dfm_report_renders_any_text(
    rows: list[FindingRow], title: str, classification_text: str
) -> None:
    pdf = dfm_report_pdf(
        rows,
        {row.severity: 1 for row in rows},
        title=title,
        customer=title,
        product=title,
        revision=title,
        classification_text=classification_text,
    )
    assert pdf.startswith(b"%PDF")
