"""From a data package's files to a checked design: read, merge, cross-check, classify, DFM.

Pure: bytes in, results out. The import service stores what this returns, so the CLI, the
API upload and the page all get the same answer, and the benchmark measures exactly this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath

from boardline.core.errors import FileRejected
from boardline.core.memory import cyclic_gc_paused
from boardline.npi import classify as classify_mod
from boardline.npi import crosscheck, dfm, merge
from boardline.npi.importers.bom import parse_bom
from boardline.npi.importers.centroid import parse_centroid
from boardline.npi.importers.ipc2581 import parse_ipc2581
from boardline.npi.importers.kicad import parse_kicad_pcb
from boardline.npi.importers.text import decode, read_rows
from boardline.npi.model import Design, Finding, ImportResult

KINDS = ("bom", "centroid", "kicad_pcb", "ipc2581")
# Given the design's MPNs, returns the lookup the DFM rules ask per MPN.
FactsLoader = Callable[[list[str]], Callable[[str], dfm.PartFacts | None]]


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file of a data package; ``kind`` None means: tell from its name and content."""

    name: str
    data: bytes
    kind: str | None = None
    units: str | None = None  # centroid files without a unit of their own: mm, mil, inch


@dataclass(slots=True)
class Analysis:
    results: list[ImportResult]
    design: Design
    findings: list[tuple[str, Finding]]  # (origin, finding): import | merge | crosscheck | dfm
    classification: classify_mod.Classification
    dfm_report: dfm.DfmReport
    files: list[InputFile] = field(default_factory=list)


def detect_kind(file: InputFile) -> str:
    """Which reader a file needs, from its extension and, for tables, its header."""
    if file.kind:
        if file.kind not in KINDS:
            raise FileRejected(file.name, f"unknown file kind {file.kind!r}; use {KINDS}")
        return file.kind
    suffix = PurePath(file.name).suffix.lower()
    head = file.data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix == ".kicad_pcb" or head.startswith(b"(kicad_pcb"):
        return "kicad_pcb"
    if suffix == ".xml" or head.startswith(b"<?xml") or b"<IPC-2581" in head:
        return "ipc2581"
    if suffix == ".pos":
        return "centroid"
    if suffix in (".xlsx", ".xlsm") or head.startswith(b"PK\x03\x04"):
        return "bom"
    return "centroid" if _looks_like_centroid(file) else "bom"


def _looks_like_centroid(file: InputFile) -> bool:
    try:
        text, _ = decode(file.data[:65536], file.name)
        rows = read_rows(text, file.name)
    except FileRejected:
        return False
    for _, cells in rows[:20]:
        names = {c.strip().lower().replace(" ", "") for c in cells}
        if names & {"posx", "midx", "x", "centerx", "center-x(mm)", "refx"} and names & {
            "posy",
            "midy",
            "y",
            "centery",
            "center-y(mm)",
            "refy",
        }:
            return True
    return False


def read_file(file: InputFile, *, column_map: dict[str, str] | None = None) -> ImportResult:
    """Run the right reader on one file (FileRejected when it cannot be used)."""
    kind = detect_kind(file)
    if kind == "bom":
        return parse_bom(file.data, file.name, column_map=column_map)
    if kind == "centroid":
        return parse_centroid(file.data, file.name, units=file.units)
    if kind == "kicad_pcb":
        return parse_kicad_pcb(file.data, file.name)
    return parse_ipc2581(file.data, file.name)


def analyse(
    files: list[InputFile],
    *,
    column_map: dict[str, str] | None = None,
    dfm_config: dfm.DfmConfig | None = None,
    facts_for: FactsLoader | None = None,
    approved_manufacturers: list[str] | None = None,
) -> Analysis:
    """Read every file, merge them into one design, and check it.

    ``facts_for`` is given the design's MPNs once and answers a lookup for the DFM rules
    that read the item master (lifecycle, MSL, sources); ``approved_manufacturers`` is the
    customer's approved list. Without them those rules say they were skipped.
    """
    if not files:
        raise FileRejected("(no file)", "a data package needs at least one file")
    with cyclic_gc_paused():
        return _analyse(files, column_map, dfm_config, facts_for, approved_manufacturers)


def _analyse(
    files: list[InputFile],
    column_map: dict[str, str] | None,
    dfm_config: dfm.DfmConfig | None,
    facts_for: FactsLoader | None,
    approved_manufacturers: list[str] | None,
) -> Analysis:
    results = [read_file(f, column_map=column_map) for f in files]
    design, merge_findings = merge.merge(results)
    bom_file = next((r.file for r in results if r.kind == "bom"), None)
    placement_file = next(
        (r.file for r in results if r.kind == "centroid"),
        next((r.file for r in results if r.placements), None),
    )
    checks = crosscheck.cross_check(
        design,
        bom_file=bom_file,
        placement_file=placement_file,
        reported=[f for r in results for f in r.findings],
    )
    mpns = sorted(
        {m for b in design.bom_lines for m in (b.mpn, *(a[1] for a in b.alternates)) if m}
    )
    report = dfm.review(
        dfm.ReviewInput(
            design=design,
            config=dfm_config or dfm.DfmConfig(),
            part_facts=facts_for(mpns) if facts_for else None,
            approved_manufacturers=approved_manufacturers or None,
        )
    )
    findings: list[tuple[str, Finding]] = [("import", f) for r in results for f in r.findings]
    findings += [("merge", f) for f in merge_findings]
    findings += [("crosscheck", f) for f in checks]
    findings += [("dfm", f) for f in report.findings]
    return Analysis(
        results=results,
        design=design,
        findings=findings,
        classification=classify_mod.classify(design),
        dfm_report=report,
        files=files,
    )
