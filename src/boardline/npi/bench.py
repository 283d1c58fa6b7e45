"""Benchmark: import + merge + cross-check + classify + DFM of generated boards.

The boards are generated in KiCad 7 format (with pads and courtyards), plus a BOM CSV and
a KiCad centroid CSV for the same parts, so every reader and every check does real work.
The baseline is Python's own csv module reading the same BOM and centroid bytes, in the
same run: the ratio says what the checks cost over merely splitting the files.
"""

from __future__ import annotations

import csv
import io
import random
import time

from rich.console import Console
from rich.table import Table

from boardline.npi.pipeline import InputFile, analyse

Pad = tuple[int, float, float, float, float]  # number, dx, dy, w, h
# (footprint, value prefix, MPN pattern, pads, courtyard w, h)
PACKAGES: list[tuple[str, str, str, list[Pad], float, float]] = [
    (
        "Resistor_SMD:R_0402_1005Metric",
        "R",
        "RC0402FR-07{n}L",
        [(1, -0.5, 0, 0.6, 0.6), (2, 0.5, 0, 0.6, 0.6)],
        1.9,
        0.9,
    ),
    (
        "Capacitor_SMD:C_0603_1608Metric",
        "C",
        "GRM188R71C{n}KA01D",
        [(1, -0.78, 0, 0.9, 0.95), (2, 0.78, 0, 0.9, 0.95)],
        2.9,
        1.4,
    ),
    (
        "Package_TO_SOT_SMD:SOT-23",
        "Q",
        "BC817-{n}",
        [(1, -0.95, 1.1, 0.6, 0.7), (2, 0.95, 1.1, 0.6, 0.7), (3, 0, -1.1, 0.6, 0.7)],
        3.4,
        3.0,
    ),
    (
        "Package_SO:SOIC-8_3.9x4.9mm_P1.27mm",
        "U",
        "LM358DR{n}",
        [(i + 1, -2.7 if i < 4 else 2.7, -1.905 + 1.27 * (i % 4), 1.5, 0.6) for i in range(8)],
        7.4,
        5.4,
    ),
]
PITCH_MM = 6.0


def generate_board(n: int, seed: int = 7) -> list[InputFile]:
    """A board with ``n`` parts on a grid, both sides, plus its BOM and centroid files."""
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    cols = max(1, int((n / 2) ** 0.5) + 1)
    width = cols * PITCH_MM + 10
    footprints: list[str] = []
    bom_groups: dict[tuple[str, str, str], list[str]] = {}
    pos_rows: list[list[str]] = []
    for i in range(n):
        fp, prefix, mpn_pattern, pads, cw, ch = PACKAGES[i % len(PACKAGES)]
        side = "F" if i % 2 == 0 else "B"
        k = i // 2
        x, y = 5 + (k % cols) * PITCH_MM, 5 + (k // cols) * PITCH_MM
        rot = rng.choice((0, 90, 180, 270))
        ref = f"{prefix}{i + 1}"
        mpn = mpn_pattern.format(n=(i % 37) + 1)
        value = f"{(i % 37) + 1}k" if prefix == "R" else mpn
        footprints.append(_footprint(fp, ref, value, mpn, side, x, y, rot, pads, cw, ch))
        bom_groups.setdefault((value, fp, mpn), []).append(ref)
        pos_rows.append(
            [
                ref,
                value,
                fp.split(":")[1],
                f"{x:.4f}",
                f"{-y:.4f}",
                f"{rot:.1f}",
                "top" if side == "F" else "bottom",
            ]
        )
    height = ((n // 2) // cols + 1) * PITCH_MM + 10
    board = _board(footprints, width, height)
    bom = io.StringIO()
    w = csv.writer(bom)
    w.writerow(["Reference", "Qty", "Value", "Footprint", "MPN", "Manufacturer"])
    for (value, fp, mpn), refs in bom_groups.items():
        w.writerow([",".join(refs), len(refs), value, fp, mpn, "Generic"])
    pos = io.StringIO()
    w = csv.writer(pos)
    w.writerow(["Ref", "Val", "Package", "PosX", "PosY", "Rot", "Side"])
    w.writerows(pos_rows)
    return [
        InputFile("generated.kicad_pcb", board.encode(), "kicad_pcb"),
        InputFile("generated-bom.csv", bom.getvalue().encode(), "bom"),
        InputFile("generated-pos.csv", pos.getvalue().encode(), "centroid"),
    ]


def _footprint(
    fp: str,
    ref: str,
    value: str,
    mpn: str,
    side: str,
    x: float,
    y: float,
    rot: int,
    pads: list[tuple[int, float, float, float, float]],
    cw: float,
    ch: float,
) -> str:
    pad_text = "".join(
        f'    (pad "{num}" smd rect (at {dx} {dy}) (size {pw} {ph}) (layers "{side}.Cu"))\n'
        for num, dx, dy, pw, ph in pads
    )
    return (
        f'  (footprint "{fp}" (layer "{side}.Cu") (at {x} {y} {rot})\n'
        f'    (property "Reference" "{ref}") (property "Value" "{value}")\n'
        f'    (property "MPN" "{mpn}")\n'
        f"    (attr smd)\n"
        f"    (fp_rect (start {-cw / 2} {-ch / 2}) (end {cw / 2} {ch / 2}) "
        f'(layer "{side}.CrtYd"))\n'
        f"{pad_text}  )\n"
    )


def _board(footprints: list[str], width: float, height: float) -> str:
    edges = [
        ((0, 0), (width, 0)),
        ((width, 0), (width, height)),
        ((width, height), (0, height)),
        ((0, height), (0, 0)),
    ]
    outline = "".join(
        f'  (gr_line (start {a[0]} {a[1]}) (end {b[0]} {b[1]}) (layer "Edge.Cuts"))\n'
        for a, b in edges
    )
    return (
        "(kicad_pcb (version 20221018) (generator pcbnew)\n" + outline + "".join(footprints) + ")\n"
    )


def _csv_baseline(files: list[InputFile]) -> float:
    start = time.perf_counter()
    for f in files:
        if f.kind in ("bom", "centroid"):
            sum(1 for _ in csv.reader(io.StringIO(f.data.decode())))
    return time.perf_counter() - start


def run_npi_bench(console: Console, sizes: tuple[int, ...] = (5_000, 50_000)) -> None:
    table = Table(title="NPI import + merge + cross-check + classify + DFM (generated boards)")
    for col in ("parts", "files", "MB", "s", "target", "csv s", "×csv", "findings"):
        table.add_column(col, justify="left" if col == "files" else "right", no_wrap=True)
    for n in sizes:
        generated = generate_board(n)
        target = 1.0 if n <= 5_000 else 10.0
        # BOM + centroid is what most customers send; the KiCad board adds pads, courtyards
        # and the outline (and is most of the bytes).
        for label, files in (("bom+pos", generated[1:]), ("pcb+bom+pos", generated)):
            megabytes = sum(len(f.data) for f in files) / 1e6
            start = time.perf_counter()
            analysis = analyse(files)
            total = time.perf_counter() - start
            baseline = _csv_baseline(files)
            table.add_row(
                f"{len(analysis.design.placements):,}",
                label,
                f"{megabytes:.1f}",
                f"{total:.2f}",
                f"{target:.0f}",
                f"{baseline:.3f}",
                f"{total / baseline:.0f}",
                f"{len(analysis.findings):,}",
            )
    console.print(table)
