"""Routings per revision: generated from the NPI classification, edited, released, revised
(SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import event, func, select

from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import AlreadyExists, Conflict, InvalidInput, NotFound, PermissionDenied
from boardline.core.tables import AuditEntry
from boardline.npi import services as npi
from boardline.npi.classify import AssemblyType
from boardline.npi.pipeline import InputFile
from boardline.production import routing, routings
from boardline.production.routing import Condition, StationType
from boardline.production.tables import RoutingOperationRow, RoutingRow
from tests.conftest import add_customer

ENGINEER = Actor("user", "erin", Role.ENGINEER, user_id=1)
OPERATOR = Actor("user", "olu", Role.OPERATOR, user_id=2)

# A mixed board: a BGA and two resistors on top, a capacitor on the bottom, a THT header.
BOM = (
    b"Designator,Quantity,Value,Footprint,MPN\n"
    b"U1,1,FPGA,BGA-256_17x17mm,LFE5U-25F\n"
    b"R1 R2,2,10k,R_0402,RC0402\n"
    b"C1,1,100n,C_0402,CL05\n"
    b"J1,1,HDR,PinHeader_1x04,HDR4\n"
)
POS = (
    b"Designator,Package,Mid X,Mid Y,Layer,Rotation,Type\n"
    b"U1,BGA-256_17x17mm,10,10,T,0,SMT\n"
    b"R1,R_0402,5,5,T,0,SMT\n"
    b"R2,R_0402,6,5,T,0,SMT\n"
    b"C1,C_0402,7,7,B,0,SMT\n"
    b"J1,PinHeader_1x04,1,1,T,0,THT\n"
)
# SMT on top only, leaded packages: no X-ray, no bottom side.
SIMPLE_BOM = (
    b"Designator,Quantity,Value,Footprint,MPN\nR1,1,10k,R_0402,RC0402\nU1,1,MCU,LQFP-64,STM32\n"
)
SIMPLE_POS = (
    b"Designator,Package,Mid X,Mid Y,Layer,Rotation,Type\n"
    b"R1,R_0402,5,5,T,0,SMT\nU1,LQFP-64,9,9,T,0,SMT\n"
)


def new_revision(
    db: Database,
    customer: str = "ACME",
    product: str = "OTTER",
    files: tuple[bytes, bytes] | None = (BOM, POS),
) -> int:
    """A product revision of ``customer`` with the design ``files`` (BOM, centroid) imported."""
    cid = add_customer(db, customer)
    with db.unit_of_work(ENGINEER) as s:
        made = npi.do_create_product(s, ENGINEER, customer_id=cid, code=product, name=product)
        rid = npi.do_create_revision(s, ENGINEER, made.id, label="A").id
        if files is not None:
            bom, pos = files
            npi.do_import(s, ENGINEER, rid, [InputFile("bom.csv", bom), InputFile("pos.csv", pos)])
        return rid


def generate(db: Database, rid: int) -> int:
    with db.unit_of_work(ENGINEER) as s:
        return routings.do_generate_routing(s, ENGINEER, rid).id


def load(db: Database, routing_id: int) -> routing.Routing:
    with db.unit_of_work(ENGINEER, write=False) as s:
        return routings.to_rules(routings.access_routing(s, ENGINEER, routing_id))


def inputs(rules: routing.Routing) -> list[routings.OperationIn]:
    return [routings.operation_in(op) for op in rules.operations]


def test_facts_come_from_the_classification_and_the_packages(db: Database) -> None:
    rid = new_revision(db)
    simple = new_revision(db, "BETA", "SIMPLE", (SIMPLE_BOM, SIMPLE_POS))
    with db.unit_of_work(OPERATOR, write=False) as s:
        mixed = routings.facts_of_revision(s, OPERATOR, rid)
        one_side = routings.facts_of_revision(s, OPERATOR, simple)
    assert mixed == routing.RoutingFacts(
        AssemblyType.MIXED, smt_top=3, smt_bottom=1, tht_top=1, has_area_array=True
    )
    assert one_side == routing.RoutingFacts(AssemblyType.SMT_ONE_SIDE, smt_top=2)


def test_generated_routing_is_the_template_for_the_design(db: Database) -> None:
    """X-ray applies (BGA), the bottom side's SMT steps apply (C1), THT by selective
    solder because the bottom carries SMT parts."""
    rid = new_revision(db)
    routing_id = generate(db, rid)
    with db.unit_of_work(ENGINEER, write=False) as s:
        row = routings.access_routing(s, ENGINEER, routing_id)
        facts = routings.facts_from_json(row.facts)
        assert (row.number, row.released) == (1, False)
    assert facts is not None
    assert facts.has_area_array
    rules = load(db, routing_id)
    assert rules.operations == routing.template_for(facts).operations
    applicable = routing.applicable_operations(rules, facts)
    types = [op.station_type for op in applicable]
    assert StationType.XRAY in types
    assert StationType.SELECTIVE_SOLDER in types
    assert [op.name for op in applicable[:2]] == ["Print paste bottom", "SPI bottom"]


def test_generating_twice_or_without_a_design_is_refused(db: Database) -> None:
    rid = new_revision(db)
    generate(db, rid)
    with pytest.raises(AlreadyExists, match="revise"), db.unit_of_work(ENGINEER) as s:
        routings.do_generate_routing(s, ENGINEER, rid)
    empty = new_revision(db, "BETA", "EMPTY", None)
    with pytest.raises(InvalidInput, match="import"), db.unit_of_work(ENGINEER) as s:
        routings.do_generate_routing(s, ENGINEER, empty)
    with pytest.raises(PermissionDenied), db.unit_of_work(OPERATOR) as s:
        routings.do_generate_routing(s, OPERATOR, empty)


def test_editing_a_draft_replaces_its_operations(db: Database) -> None:
    routing_id = generate(db, new_revision(db))
    rules = load(db, routing_id)
    ops = inputs(rules)
    # Drop ICT, make FCT optional with 3 retests, add a coating step before pack.
    ict = next(op for op in ops if op.station_type == "ict")
    fct = next(op for op in ops if op.station_type == "fct")
    pack = ops[-1]
    edited = [op for op in ops if op not in (ict, fct, pack)]
    edited += [
        replace(fct, required=False, max_retests=3, instructions="Run fixture FX-7"),
        routings.OperationIn(pack.step - 5, "Coating", "coating", instructions="Mask J1"),
        pack,
    ]
    with db.unit_of_work(ENGINEER) as s:
        row = routings.access_routing(s, ENGINEER, routing_id)
        routings.do_edit_operations(s, ENGINEER, routing_id, edited, expected_version=row.version)
    after = load(db, routing_id)
    assert StationType.ICT not in {op.station_type for op in after.operations}
    assert after.operation(fct.step).required is False
    assert after.operation(fct.step).max_retests == 3
    assert after.operation(pack.step - 5).station_type is StationType.COATING
    with db.unit_of_work(ENGINEER, write=False) as s:
        row = routings.access_routing(s, ENGINEER, routing_id)
        notes = {op.step: op.instructions for op in row.operations}
    assert notes[fct.step] == "Run fixture FX-7"
    assert notes[pack.step - 5] == "Mask J1"


def test_an_invalid_edit_lists_every_problem_and_changes_nothing(db: Database) -> None:
    routing_id = generate(db, new_revision(db))
    before = load(db, routing_id)
    ops = inputs(before)
    bad = [
        replace(ops[0], name=" "),
        replace(ops[1], station_type="repair"),
        replace(ops[2], station_type="toaster"),
        *ops[3:],
    ]
    with pytest.raises(InvalidInput) as refused, db.unit_of_work(ENGINEER) as s:
        routings.do_edit_operations(s, ENGINEER, routing_id, bad, expected_version=None)
    assert [p["field"] for p in refused.value.extra["problems"]] == ["station_type"]
    bad[2] = ops[2]
    with pytest.raises(InvalidInput) as refused, db.unit_of_work(ENGINEER) as s:
        routings.do_edit_operations(s, ENGINEER, routing_id, bad, expected_version=None)
    problems = refused.value.extra["problems"]
    assert [(p["step"], p["field"]) for p in problems] == [
        (ops[0].step, "name"),
        (ops[1].step, "station_type"),
    ]
    assert load(db, routing_id) == before


def test_release_locks_the_routing_and_is_audited(db: Database) -> None:
    routing_id = generate(db, new_revision(db))
    with db.unit_of_work(ENGINEER) as s:
        row = routings.do_release_routing(s, ENGINEER, routing_id)
        assert (row.released, row.released_by) == (True, "user:erin")
        assert row.released_at is not None
    ops = inputs(load(db, routing_id))
    with pytest.raises(Conflict, match="revise"), db.unit_of_work(ENGINEER) as s:
        routings.do_edit_operations(s, ENGINEER, routing_id, ops[1:], expected_version=None)
    with pytest.raises(Conflict, match="revise"), db.unit_of_work(ENGINEER) as s:
        routings.do_set_instructions(s, ENGINEER, routing_id, ops[0].step, "new text")
    with pytest.raises(Conflict, match="already released"), db.unit_of_work(ENGINEER) as s:
        routings.do_release_routing(s, ENGINEER, routing_id)
    with db.unit_of_work(ENGINEER, write=False) as s:
        entries = s.scalars(
            select(AuditEntry).where(
                AuditEntry.table_name == RoutingRow.__tablename__,
                AuditEntry.record_id == str(routing_id),
                AuditEntry.action == "update",
            )
        ).all()
    assert any(e.reason and "released" in e.reason for e in entries)
    assert any("released" in e.changes for e in entries)


def test_an_invalid_draft_is_not_released(db: Database) -> None:
    routing_id = generate(db, new_revision(db))
    with db.unit_of_work(ENGINEER) as s:
        # Stored invalid by hand (an older version of the rules, an import): release judges it.
        row = routings.access_routing(s, ENGINEER, routing_id)
        first = min(row.operations, key=lambda o: o.step)
        first.station_type = "repair"
    with (
        pytest.raises(InvalidInput, match="repair is the loop") as refused,
        db.unit_of_work(ENGINEER) as s,
    ):
        routings.do_release_routing(s, ENGINEER, routing_id)
    assert refused.value.extra["problems"][0]["field"] == "station_type"
    with db.unit_of_work(ENGINEER, write=False) as s:
        assert routings.access_routing(s, ENGINEER, routing_id).released is False


def test_revise_makes_the_next_draft_with_the_same_operations(db: Database) -> None:
    rid = new_revision(db)
    routing_id = generate(db, rid)
    with db.unit_of_work(ENGINEER) as s:
        routings.do_set_instructions(s, ENGINEER, routing_id, 10, "Stencil ST-12, 0.12 mm")
    with pytest.raises(Conflict, match="draft"), db.unit_of_work(ENGINEER) as s:
        routings.do_revise_routing(s, ENGINEER, routing_id)
    with db.unit_of_work(ENGINEER) as s:
        routings.do_release_routing(s, ENGINEER, routing_id)
    with db.unit_of_work(ENGINEER) as s:
        v2 = routings.do_revise_routing(s, ENGINEER, routing_id)
        assert (v2.number, v2.released) == (2, False)
        v2_id = v2.id
        assert v2.operations[0].instructions == "Stencil ST-12, 0.12 mm"
    v1, v2_rules = load(db, routing_id), load(db, v2_id)
    assert v2_rules.operations == v1.operations
    with db.unit_of_work(ENGINEER, write=False) as s:
        current = routings.current_routing(s, ENGINEER, rid)
        released = routings.current_routing(s, ENGINEER, rid, released_only=True)
        history = routings.routings_of(s, ENGINEER, rid)
        assert (current and current.number, released and released.number) == (2, 1)
        assert [r.number for r in history] == [2, 1]
    # Only the latest released version is revised: v1 is no longer the latest.
    with pytest.raises(Conflict), db.unit_of_work(ENGINEER) as s:
        routings.do_revise_routing(s, ENGINEER, routing_id)


def test_a_stale_edit_is_refused(db: Database) -> None:
    routing_id = generate(db, new_revision(db))
    with db.unit_of_work(ENGINEER, write=False) as s:
        seen = routings.access_routing(s, ENGINEER, routing_id).version
    with db.unit_of_work(ENGINEER) as s:
        routings.do_set_instructions(s, ENGINEER, routing_id, 10, "first", expected_version=seen)
    ops = inputs(load(db, routing_id))
    with pytest.raises(Conflict, match="someone else"), db.unit_of_work(ENGINEER) as s:
        routings.do_edit_operations(s, ENGINEER, routing_id, ops, expected_version=seen)


def test_customers_see_only_their_own_routings(db: Database) -> None:
    mine = new_revision(db, "ACME", "OTTER")
    theirs = new_revision(db, "BETA", "BADGER")
    mine_routing, theirs_routing = generate(db, mine), generate(db, theirs)
    with db.unit_of_work(ENGINEER, write=False) as s:
        acme = s.scalar(select(RoutingRow.revision_id).where(RoutingRow.id == mine_routing))
        customer_id = npi.access_revision(s, ENGINEER, acme or 0).product.customer_id
    customer = Actor("user", "cora", Role.CUSTOMER, user_id=9, customer_id=customer_id)
    with db.unit_of_work(customer, write=False) as s:
        assert routings.access_routing(s, customer, mine_routing).id == mine_routing
        with pytest.raises(NotFound):
            routings.access_routing(s, customer, theirs_routing)
        with pytest.raises(NotFound):
            routings.current_routing(s, customer, theirs)
        listed = routings.list_routings(s, customer)
    assert [e.revision.id for e in listed] == [mine]
    with pytest.raises(PermissionDenied), db.unit_of_work(customer) as s:
        routings.do_release_routing(s, customer, mine_routing)


def test_released_operations_match_the_rules_in_one_query(db: Database) -> None:
    routing_id = generate(db, new_revision(db))
    with (
        db.unit_of_work(ENGINEER, write=False) as s,
        pytest.raises(NotFound, match="not released"),
    ):
        routings.released_operations(s, routing_id)
    with db.unit_of_work(ENGINEER) as s:
        routings.do_release_routing(s, ENGINEER, routing_id)
    expected = load(db, routing_id).operations
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    with db.unit_of_work(ENGINEER, write=False) as s:
        s.connection()  # the transaction's own statements are not the query's
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            ops = routings.released_operations(s, routing_id)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert ops == expected
    assert len(statements) == 1
    assert all(isinstance(op.condition, Condition) for op in ops)
    with db.unit_of_work(ENGINEER, write=False) as s:
        assert s.scalar(select(func.count()).select_from(RoutingOperationRow)) == len(ops)
