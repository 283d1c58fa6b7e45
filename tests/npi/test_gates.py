"""Gate rules (pure) and the release use cases (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from boardline.core import services as core_services
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import (
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    PermissionDenied,
)
from boardline.core.signatures import SignatureState
from boardline.core.signing import signatures_for
from boardline.core.tables import AuditEntry
from boardline.npi import gates, release, services
from boardline.npi.gates import GateFacts, Status
from boardline.npi.pipeline import InputFile
from boardline.npi.rules import Stage
from boardline.npi.tables import FindingRow, Revision
from tests.conftest import PASSWORD, add_customer, add_user

BOARDS = Path(__file__).resolve().parents[1] / "fixtures" / "boards"


def facts(**kw: object) -> GateFacts:
    base: dict[str, object] = {
        "imported": True,
        "bom_lines": 10,
        "placements": 20,
        "open_dfm_errors": 0,
        "waived_dfm_errors": 0,
    }
    base.update(kw)
    return GateFacts(**base)  # type: ignore[arg-type]


def test_prototype_needs_an_imported_package() -> None:
    plan = gates.gate_plan(None)
    assert [r.status for r in gates.evaluate(Stage.PROTOTYPE, facts(), plan)] == [Status.MET]
    (r,) = gates.evaluate(Stage.PROTOTYPE, facts(imported=False, bom_lines=0), plan)
    assert r.status is Status.NOT_MET


def test_pilot_needs_dfm_clear_and_says_fai_has_no_data_yet() -> None:
    results = gates.evaluate(Stage.PILOT, facts(open_dfm_errors=2), gates.gate_plan(None))
    by_id = {r.criterion: r for r in results}
    assert by_id["dfm_clear"].status is Status.NOT_MET
    assert "2 open error" in by_id["dfm_clear"].detail
    assert by_id["fai_approved"].status is Status.NO_DATA


def test_mass_production_checks_pilot_yield_against_the_product_limits() -> None:
    plan = gates.gate_plan(None)
    low = facts(fai_approved=True, pilot_units=60, pilot_fpy=0.90)
    few = facts(fai_approved=True, pilot_units=10, pilot_fpy=0.99)
    good = facts(fai_approved=True, pilot_units=60, pilot_fpy=0.97)
    status = {r.criterion: r.status for r in gates.evaluate(Stage.MASS_PRODUCTION, low, plan)}
    assert status["pilot_fpy"] is Status.NOT_MET
    status = {r.criterion: r.status for r in gates.evaluate(Stage.MASS_PRODUCTION, few, plan)}
    assert status["pilot_fpy"] is Status.NOT_MET
    results = gates.evaluate(Stage.MASS_PRODUCTION, good, plan)
    assert all(r.status is Status.MET for r in results)


def test_products_can_configure_their_gates() -> None:
    plan = gates.gate_plan({"pilot": ["data_imported"]})
    assert plan[Stage.PILOT] == ["data_imported"]
    with pytest.raises(InvalidInput):
        gates.gate_plan({"pilot": ["no_such_check"]})
    with pytest.raises(InvalidInput):
        gates.gate_plan({"someday": ["data_imported"]})


def test_revisions_move_one_stage_at_a_time() -> None:
    gates.check_transition(Stage.DRAFT, Stage.PROTOTYPE)
    with pytest.raises(InvalidInput):
        gates.check_transition(Stage.DRAFT, Stage.PILOT)
    with pytest.raises(InvalidInput):
        gates.check_transition(Stage.MASS_PRODUCTION, Stage.MASS_PRODUCTION)


# --- the use cases on a real board ------------------------------------------------------


@pytest.fixture
def engineer(db: Database) -> Actor:
    user_id = add_user(db, "erin", Role.ENGINEER)
    with db.unit_of_work(Actor.system(), write=False) as s:
        return core_services.actor_for_user(core_services.access_user(s, Actor.system(), user_id))


def ottercast(db: Database, engineer: Actor) -> int:
    cid = add_customer(db, "ACME")
    folder = BOARDS / "ottercast-audio-v2"
    files = [
        InputFile(n, (folder / n).read_bytes())
        for n in ("BOM_v2.1.csv", "POS_v2.1.csv", "OtterCastAudioV2.kicad_pcb")
    ]
    with db.unit_of_work(engineer) as s:
        product = services.do_create_product(
            s, engineer, customer_id=cid, code="OTTER", name="OtterCast"
        )
        rid = services.do_create_revision(s, engineer, product.id, label="B").id
        services.do_import(s, engineer, rid, files)
        return rid


def errors_of(db: Database, rid: int) -> list[int]:
    with db.unit_of_work(Actor.system(), write=False) as s:
        return list(
            s.scalars(
                select(FindingRow.id).where(
                    FindingRow.revision_id == rid, FindingRow.severity == "error"
                )
            )
        )


def test_release_to_prototype_is_signed_and_locks_the_revision(
    db: Database, engineer: Actor
) -> None:
    rid = ottercast(db, engineer)
    with db.unit_of_work(engineer) as s:
        event = release.do_release(s, engineer, rid, target="prototype", password=PASSWORD)
    assert (event.from_stage, event.to_stage) == (Stage.DRAFT, Stage.PROTOTYPE)
    with db.unit_of_work(engineer, write=False) as s:
        revision = s.get(Revision, rid)
        assert revision is not None
        views = signatures_for(s, revision)
        stage_changes = [
            e
            for e in s.scalars(select(AuditEntry).where(AuditEntry.table_name == "npi_revision"))
            if e.action == "update" and "stage" in e.changes
        ]
    assert revision.stage is Stage.PROTOTYPE
    assert [(v.state, v.signature.meaning) for v in views] == [(SignatureState.VALID, "approved")]
    assert stage_changes[0].changes["stage"] == ["draft", "prototype"]
    with pytest.raises(Conflict, match="released"), db.unit_of_work(engineer) as s:
        services.do_import(s, engineer, rid, [InputFile("b.csv", b"Ref,Qty\nR1,1\n")])


def test_open_dfm_errors_block_the_pilot_until_waived(db: Database, engineer: Actor) -> None:
    rid = ottercast(db, engineer)
    with db.unit_of_work(engineer) as s:
        release.do_release(s, engineer, rid, target="prototype", password=PASSWORD)
    with pytest.raises(Conflict, match="open error"), db.unit_of_work(engineer) as s:
        release.do_release(
            s, engineer, rid, target="pilot", password=PASSWORD, override_reason="FAI on paper"
        )


def test_waivers_need_a_reason_and_the_password(db: Database, engineer: Actor) -> None:
    rid = ottercast(db, engineer)
    first, *rest = errors_of(db, rid)
    with pytest.raises(InvalidInput, match="reason"), db.unit_of_work(engineer) as s:
        release.do_waive(s, engineer, first, reason=" ", password=PASSWORD)
    with pytest.raises(AuthenticationFailed), db.unit_of_work(engineer) as s:
        release.do_waive(s, engineer, first, reason="customer supplies J1", password="nope")
    for finding_id in [first, *rest]:
        with db.unit_of_work(engineer) as s:
            release.do_waive(
                s, engineer, finding_id, reason="customer consigns this part", password=PASSWORD
            )
    with db.unit_of_work(engineer, write=False) as s:
        view = release.gate_view(s, engineer, rid)
        waivers = release.waivers_of(s, rid)
        signed = [signatures_for(s, w)[0].state for w in waivers]
    assert view.target is Stage.PROTOTYPE
    assert len(waivers) == len(rest) + 1
    assert set(signed) == {SignatureState.VALID}


def test_pilot_with_waived_errors_needs_an_override_for_missing_fai(
    db: Database, engineer: Actor
) -> None:
    rid = ottercast(db, engineer)
    for finding_id in errors_of(db, rid):
        with db.unit_of_work(engineer) as s:
            release.do_waive(s, engineer, finding_id, reason="consigned", password=PASSWORD)
    with db.unit_of_work(engineer) as s:
        release.do_release(s, engineer, rid, target="prototype", password=PASSWORD)
    with pytest.raises(InvalidInput, match="override reason"), db.unit_of_work(engineer) as s:
        release.do_release(s, engineer, rid, target="pilot", password=PASSWORD)
    with db.unit_of_work(engineer) as s:
        event = release.do_release(
            s,
            engineer,
            rid,
            target="pilot",
            password=PASSWORD,
            override_reason="FAI report AS9102 #12 signed on paper",
        )
    assert event.to_stage is Stage.PILOT
    statuses = {r["criterion"]: r["status"] for r in event.results}
    assert statuses == {"data_imported": "met", "dfm_clear": "met", "fai_approved": "no_data"}


def test_only_engineers_release_and_only_people_sign(db: Database, engineer: Actor) -> None:
    rid = ottercast(db, engineer)
    planner = Actor("user", "pat", Role.PLANNER, user_id=99)
    with pytest.raises(PermissionDenied), db.unit_of_work(planner) as s:
        release.do_release(s, planner, rid, target="prototype", password=PASSWORD)
    machine = Actor("token", "ci", Role.ENGINEER)
    with pytest.raises(PermissionDenied), db.unit_of_work(machine) as s:
        release.do_release(s, machine, rid, target="prototype", password=PASSWORD)


def test_a_product_can_relax_its_pilot_gate_with_a_reason(db: Database, engineer: Actor) -> None:
    rid = ottercast(db, engineer)
    with db.unit_of_work(engineer, write=False) as s:
        product_id = services.access_revision(s, engineer, rid).product_id
    with pytest.raises(InvalidInput, match="reason"), db.unit_of_work(engineer) as s:
        services.do_set_gate_criteria(
            s, engineer, product_id, {"pilot": ["data_imported"]}, reason=""
        )
    with db.unit_of_work(engineer) as s:
        services.do_set_gate_criteria(
            s,
            engineer,
            product_id,
            {"pilot": ["data_imported"]},
            reason="prototype batch for the customer's own tests",
        )
    with db.unit_of_work(engineer) as s:
        release.do_release(s, engineer, rid, target="prototype", password=PASSWORD)
    with db.unit_of_work(engineer) as s:
        event = release.do_release(s, engineer, rid, target="pilot", password=PASSWORD)
    assert [r["criterion"] for r in event.results] == ["data_imported"]
    with db.unit_of_work(engineer, write=False) as s:
        entry = s.scalars(
            select(AuditEntry).where(
                AuditEntry.table_name == "npi_product", AuditEntry.action == "update"
            )
        ).one()
    assert entry.reason == "prototype batch for the customer's own tests"
