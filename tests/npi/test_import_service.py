"""Importing data packages into revisions: stored whole or not at all (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import FileRejected
from boardline.core.tables import AuditEntry
from boardline.npi import services
from boardline.npi.pipeline import InputFile, detect_kind
from boardline.npi.tables import BomLineRow, DesignFile, FindingRow, PlacementRow
from tests.conftest import add_customer

BOARDS = Path(__file__).resolve().parents[1] / "fixtures" / "boards"
ENGINEER = Actor("user", "erin", Role.ENGINEER, user_id=1)


def package(folder: str, *names: str) -> list[InputFile]:
    return [InputFile(n, (BOARDS / folder / n).read_bytes()) for n in names]


def new_revision(db: Database, code: str = "OTTER") -> int:
    cid = add_customer(db, "ACME")
    with db.unit_of_work(ENGINEER) as s:
        product = services.do_create_product(s, ENGINEER, customer_id=cid, code=code, name=code)
        return services.do_create_revision(s, ENGINEER, product.id, label="A").id


def counts(db: Database, revision_id: int) -> tuple[int, int, int]:
    with db.unit_of_work(ENGINEER, write=False) as s:
        return tuple(  # type: ignore[return-value]
            s.scalar(select(func.count()).select_from(t).where(t.revision_id == revision_id))
            for t in (BomLineRow, PlacementRow, FindingRow)
        )


def test_kinds_are_told_from_names_and_content() -> None:
    files = package(
        "ottercast-audio-v2",
        "BOM_v2.1.csv",
        "POS_v2.1.csv",
        "OtterCastAudioV2-top-pos.csv",
        "OtterCastAudioV2.kicad_pcb",
    )
    files += package("orangecrab-r0.2.1", "OrangeCrab-top.pos")
    assert [detect_kind(f) for f in files] == [
        "bom",
        "centroid",
        "centroid",
        "kicad_pcb",
        "centroid",
    ]


def test_real_board_is_imported_with_its_mistakes_as_findings(db: Database) -> None:
    rid = new_revision(db)
    files = package(
        "ottercast-audio-v2", "BOM_v2.1.csv", "POS_v2.1.csv", "OtterCastAudioV2.kicad_pcb"
    )
    with db.unit_of_work(ENGINEER) as s:
        outcome = services.do_import(s, ENGINEER, rid, files)
    bom, placements, findings = counts(db, rid)
    assert (bom, placements) == (57, 200)
    with db.unit_of_work(ENGINEER, write=False) as s:
        rows = services.revision_findings(s, ENGINEER, rid)
        codes = {f.code for f in rows}
        stored = s.scalars(select(DesignFile.name)).all()
        revision = services.access_revision(s, ENGINEER, rid)
    assert findings == len(outcome.analysis.findings)
    order = {"error": 0, "warning": 1, "info": 2}
    ranks = [order[f.severity] for f in rows]
    assert ranks == sorted(ranks)  # errors first
    # The documented mistakes of this package are reported, not hidden.
    assert {
        "merge.bom_not_on_board",
        "crosscheck.bom_not_placed",
        "centroid.frame_aligned",
        "centroid.rotation_differs",
        "kicad.attribute_mismatch",
    } <= codes
    not_on_board = {f.refdes for f in rows if f.code == "merge.bom_not_on_board"}
    assert not_on_board == {"C79", "C99"}
    assert sorted(stored) == sorted(f.name for f in files)
    assert revision.summary["counts"]["placements"] == 200
    assert revision.summary["classification"]["assembly_type"] == "mixed"
    assert revision.summary["outline"]


def test_a_rejected_file_leaves_the_previous_import_untouched(db: Database) -> None:
    rid = new_revision(db)
    good = package(
        "orangecrab-r0.2.1",
        "OrangeCrab-bom.csv",
        "OrangeCrab-top-pos.csv",
        "OrangeCrab-bottom-pos.csv",
    )
    with db.unit_of_work(ENGINEER) as s:
        services.do_import(s, ENGINEER, rid, good)
    before = counts(db, rid)
    with db.unit_of_work(ENGINEER, write=False) as s:
        audit_before = s.scalar(select(func.count()).select_from(AuditEntry))
    broken = [*good, InputFile("garbage.kicad_pcb", b"(kicad_pcb (version 20221018)\n(foot")]
    with pytest.raises(FileRejected) as caught, db.unit_of_work(ENGINEER) as s:
        services.do_import(s, ENGINEER, rid, broken)
    assert caught.value.file == "garbage.kicad_pcb"
    assert counts(db, rid) == before
    with db.unit_of_work(ENGINEER, write=False) as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == audit_before


def test_reimport_replaces_the_design(db: Database) -> None:
    rid = new_revision(db)
    with db.unit_of_work(ENGINEER) as s:
        services.do_import(s, ENGINEER, rid, package("glasgow-revC3", "revC2-bom.csv"))
    assert counts(db, rid)[0] == 70
    with db.unit_of_work(ENGINEER) as s:
        services.do_import(s, ENGINEER, rid, package("glasgow-revC3", "revC3-bom.csv"))
    assert counts(db, rid)[:2] == (57, 0)


def test_import_is_audited_with_file_hashes(db: Database) -> None:
    rid = new_revision(db)
    with db.unit_of_work(ENGINEER) as s:
        services.do_import(s, ENGINEER, rid, package("icepi-zero", "bom.csv", "positions.csv"))
    with db.unit_of_work(ENGINEER, write=False) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.table_name == "npi_import")).one()
    files = entry.changes["files"][1]
    assert [f["name"] for f in files] == ["bom.csv", "positions.csv"]
    assert all(len(f["sha256"]) == 64 for f in files)
    assert entry.actor == "user:erin"


def test_cli_import_prints_json(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from boardline.cli import app
    from boardline.core.settings import get_settings

    add_customer(db, "ORBIT")
    monkeypatch.setenv("BOARDLINE_DATABASE_URL", db.url)
    get_settings.cache_clear()
    folder = BOARDS / "orangecrab-r0.2.1"
    try:
        result = CliRunner().invoke(
            app,
            [
                "npi",
                "import",
                "--customer",
                "ORBIT",
                "--product",
                "CRAB",
                "--revision",
                "A",
                "--bom",
                str(folder / "OrangeCrab-bom.csv"),
                "--centroid",
                str(folder / "OrangeCrab-top.pos"),
                "--centroid",
                str(folder / "OrangeCrab-bottom.pos"),
                "--board",
                str(folder / "OrangeCrab.kicad_pcb"),
                "--json",
            ],
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert len(body["bom_lines"]) == 47
    assert len(body["placements"]) == 144
    sides = {p["side"] for p in body["placements"]}
    assert sides == {"top", "bottom"}
    assert any(
        f["code"] == "crosscheck.bom_not_placed" and f["refdes"] == "U3" for f in body["findings"]
    )
