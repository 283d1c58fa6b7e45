"""Demo data for NPI: real open-hardware boards imported into products of demo customers.

The files come from ``tests/fixtures/boards`` (real data with real mistakes, licences in
each SOURCE.md), read through the same import service as an engineer's upload.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from boardline.core.auth import Actor
from boardline.core.db import Database
from boardline.core.errors import FileRejected
from boardline.core.services import find_customer
from boardline.npi import release, services
from boardline.npi.pipeline import InputFile
from boardline.npi.rules import Stage
from boardline.npi.tables import FindingRow

BOARDS = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "boards"

# (customer, product code, name, revision, [(file, kind)])
DEMO_PACKAGES = [
    (
        "ACME",
        "OTTERCAST-AUDIO",
        "OtterCast Audio network streamer",
        "B",
        "ottercast-audio-v2",
        [
            ("BOM_v2.1.csv", "bom"),
            ("POS_v2.1.csv", "centroid"),
            ("OtterCastAudioV2.kicad_pcb", "kicad_pcb"),
        ],
    ),
    (
        "ORBIT",
        "ORANGECRAB",
        "OrangeCrab FPGA module",
        "A",
        "orangecrab-r0.2.1",
        [
            ("OrangeCrab-bom.csv", "bom"),
            ("OrangeCrab-top-pos.csv", "centroid"),
            ("OrangeCrab-bottom-pos.csv", "centroid"),
            ("OrangeCrab.kicad_pcb", "kicad_pcb"),
        ],
    ),
    (
        "ACME",
        "ESP32-POE",
        "ESP32 Ethernet board with PoE",
        "M",
        "olimex-esp32-poe-revM",
        [("ESP32-PoE_Rev_M_BOM.csv", "bom"), ("ESP32-PoE_Rev_M.kicad_pcb", "kicad_pcb")],
    ),
    (
        "MEDIQ",
        "ICEPI-ZERO",
        "Icepi Zero FPGA board",
        "A",
        "icepi-zero",
        [("bom.csv", "bom"), ("positions.csv", "centroid"), ("icepi-zero.kicad_pcb", "kicad_pcb")],
    ),
]


def seed(db: Database, engineer: Actor, password: str) -> list[str]:
    """Import the demo boards as ``engineer``; returns one line per board for the console.

    OrangeCrab (no DFM errors) is released to prototype; one of the Icepi Zero's errors
    is waived; both signed with the engineer's password, as a person would.
    """
    lines = []
    revisions: dict[str, int] = {}
    for customer, code, name, label, folder, files in DEMO_PACKAGES:
        package = []
        for filename, kind in files:
            path = BOARDS / folder / filename
            if not path.exists():
                raise FileRejected(str(path), "demo board file missing from this checkout")
            package.append(InputFile(filename, path.read_bytes(), kind))
        with db.unit_of_work(engineer) as s:
            cust = find_customer(s, customer)
            product = services.do_create_product(
                s, engineer, customer_id=cust.id, code=code, name=name
            )
            revision = services.do_create_revision(s, engineer, product.id, label=label)
            outcome = services.do_import(s, engineer, revision.id, package)
            counts = services.counts_of(outcome.analysis)
            revisions[code] = revision.id
        lines.append(
            f"{customer} {code} rev {label}: {counts['bom_lines']} BOM lines, "
            f"{counts['placements']} placements, {counts['errors']} errors, "
            f"{counts['warnings']} warnings"
        )
    with db.unit_of_work(engineer) as s:
        release.do_release(
            s, engineer, revisions["ORANGECRAB"], target=Stage.PROTOTYPE, password=password
        )
    lines.append("ORBIT ORANGECRAB rev A released to prototype (signed)")
    with db.unit_of_work(engineer) as s:
        error = s.scalars(
            select(FindingRow).where(
                FindingRow.revision_id == revisions["ICEPI-ZERO"], FindingRow.severity == "error"
            )
        ).first()
        if error is not None:
            release.do_waive(
                s,
                engineer,
                error.id,
                password=password,
                reason="customer confirmed the part by e-mail; MPN to follow",
            )
            lines.append(f"MEDIQ ICEPI-ZERO rev A: {error.code} {error.refdes or ''} waived")
    return lines
