"""Routing rules: pure, so exhaustive unit tests and property tests."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from boardline.core.errors import Conflict, InvalidInput
from boardline.npi.classify import AssemblyType, Classification
from boardline.npi.model import Side
from boardline.production.routing import (
    DEFAULT_RETESTS,
    MAX_RETESTS,
    TEST_STATIONS,
    Condition,
    Operation,
    Problem,
    Routing,
    RoutingFacts,
    StationType,
    applicable_operations,
    check_routing,
    edit,
    find_operation,
    has_hidden_joints,
    next_operation,
    release,
    renumber,
    revise,
    template_for,
    validate,
)

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
S = StationType

ONE_TOP = RoutingFacts(AssemblyType.SMT_ONE_SIDE, smt_top=120)
ONE_TOP_BGA = dataclasses.replace(ONE_TOP, has_area_array=True)
ONE_BOTTOM = RoutingFacts(AssemblyType.SMT_ONE_SIDE, smt_bottom=40)
BOTH = RoutingFacts(AssemblyType.SMT_BOTH_SIDES, smt_top=150, smt_bottom=60)
THT = RoutingFacts(AssemblyType.THT_ONLY, tht_top=30)
MIXED = RoutingFacts(AssemblyType.MIXED, smt_top=100, smt_bottom=20, tht_top=8)
MIXED_TOP = RoutingFacts(AssemblyType.MIXED, smt_top=100, tht_top=8)
MIXED_BOTTOM_SMT_ONLY = RoutingFacts(AssemblyType.MIXED, smt_bottom=25, tht_top=12)


def shape(ops: tuple[Operation, ...]) -> list[tuple[int, str, StationType]]:
    return [(op.step, op.name, op.station_type) for op in ops]


def op(step: int, name: str = "Step", station: StationType = S.PLACER, **kw: object) -> Operation:
    return Operation(step, name, station, **kw)  # type: ignore[arg-type]


def draft(*ops: Operation) -> Routing:
    return Routing("A", ops)


# --- vocabulary ----------------------------------------------------------------------------


def test_station_types_are_snake_case_with_labels() -> None:
    assert [t.value for t in StationType] == [
        "loader",
        "printer",
        "spi",
        "placer",
        "reflow",
        "aoi",
        "xray",
        "tht_insertion",
        "wave_solder",
        "selective_solder",
        "ict",
        "fct",
        "coating",
        "box_build",
        "pack",
        "repair",
    ]
    assert S.XRAY.label == "X-ray (AXI)"
    assert S.SPI.label == "SPI (solder paste inspection)"
    assert len({t.label for t in StationType}) == len(StationType)
    assert set(DEFAULT_RETESTS) == TEST_STATIONS


def test_conditions_judge_the_design_facts() -> None:
    bare = RoutingFacts(AssemblyType.UNKNOWN)
    assert Condition.NONE.holds(bare)
    for condition in (c for c in Condition if c is not Condition.NONE):
        assert not condition.holds(bare), condition
    assert Condition.HAS_AREA_ARRAY.holds(ONE_TOP_BGA)
    assert not Condition.HAS_AREA_ARRAY.holds(ONE_TOP)
    assert Condition.HAS_TOP_SMT.holds(ONE_TOP)
    assert not Condition.HAS_BOTTOM_SMT.holds(ONE_TOP)
    assert Condition.HAS_BOTTOM_SMT.holds(ONE_BOTTOM)
    assert not Condition.HAS_TOP_SMT.holds(ONE_BOTTOM)
    assert Condition.HAS_THT.holds(THT)
    assert Condition.HAS_THT.holds(RoutingFacts(AssemblyType.THT_ONLY, tht_bottom=1))
    assert not Condition.HAS_THT.holds(BOTH)
    assert Condition.HAS_AREA_ARRAY.label == "Hidden joints (BGA, QFN, LGA)"


@pytest.mark.parametrize(
    "package",
    [
        "BGA-256_17x17mm_Layout16x16_P1.0mm",
        "Package_BGA:TFBGA-100_9x9mm",
        "UFBGA-64",
        "QFN-32-1EP_5x5mm_P0.5mm",
        "VQFN-20",
        "UFQFPN-48",
        "WSON-8-1EP_6x5mm",
        "DFN2020-6",
        "LGA-14_3x2.5mm",
        "WLCSP-49",
        "MLF-28",
        "TI LLP-8",
        "qfn16",
    ],
)
def test_hidden_joint_packages(package: str) -> None:
    assert has_hidden_joints(package)


@pytest.mark.parametrize(
    "package",
    ["LQFP-64_10x10mm", "TSSOP-20", "SOIC-8", "SOT-23", "R_0402_1005Metric", "PERSONALITY", ""],
)
def test_leaded_and_chip_packages_have_no_hidden_joints(package: str) -> None:
    assert not has_hidden_joints(package)


# --- facts ---------------------------------------------------------------------------------


def test_facts_refuse_negative_counts() -> None:
    with pytest.raises(InvalidInput, match="smt_bottom -1: must not be negative") as caught:
        RoutingFacts(AssemblyType.UNKNOWN, smt_bottom=-1)
    assert caught.value.extra == {"field": "smt_bottom"}


@pytest.mark.parametrize(
    ("kind", "counts"),
    [
        (AssemblyType.SMT_ONE_SIDE, {"smt_top": 1, "smt_bottom": 1}),
        (AssemblyType.SMT_ONE_SIDE, {}),
        (AssemblyType.SMT_ONE_SIDE, {"smt_top": 1, "tht_top": 1}),
        (AssemblyType.SMT_BOTH_SIDES, {"smt_top": 5}),
        (AssemblyType.THT_ONLY, {"tht_top": 1, "smt_top": 1}),
        (AssemblyType.THT_ONLY, {}),
        (AssemblyType.MIXED, {"smt_top": 3}),
        (AssemblyType.MIXED, {"tht_bottom": 3}),
        (AssemblyType.NOTHING, {"tht_top": 1}),
    ],
)
def test_facts_refuse_counts_that_contradict_the_assembly_type(
    kind: AssemblyType, counts: dict[str, int]
) -> None:
    with pytest.raises(InvalidInput, match=f"{kind.label} does not match the counts"):
        RoutingFacts(kind, **counts)  # type: ignore[arg-type]


def test_unknown_assembly_accepts_any_counts() -> None:
    facts = RoutingFacts(AssemblyType.UNKNOWN, smt_top=3, tht_bottom=2)
    assert facts.has_tht


def test_facts_from_a_classification() -> None:
    fields: dict[str, object] = {f.name: 0 for f in dataclasses.fields(Classification)}
    fields |= {
        "assembly_type": AssemblyType.MIXED,
        "assembly_label": AssemblyType.MIXED.label,
        "double_sided": True,
        "smt_top": 80,
        "smt_bottom": 12,
        "tht_top": 6,
        "tht_bottom": 1,
        "unknown_mount_refdes": (),
    }
    facts = RoutingFacts.from_classification(
        Classification(**fields),  # type: ignore[arg-type]
        has_area_array=True,
    )
    assert facts == RoutingFacts(AssemblyType.MIXED, 80, 12, 6, 1, has_area_array=True)


# --- validation ----------------------------------------------------------------------------


def test_a_template_has_no_problems() -> None:
    for facts in (ONE_TOP, ONE_BOTTOM, BOTH, THT, MIXED, MIXED_TOP, MIXED_BOTTOM_SMT_ONLY):
        assert validate(template_for(facts)) == ()


def test_a_routing_needs_an_operation_and_a_required_one() -> None:
    assert validate(draft()) == (
        Problem(None, "operations", "a routing needs at least one operation"),
    )
    assert validate(draft(op(10, required=False))) == (
        Problem(None, "required", "at least one operation must be required"),
    )


def test_step_numbers_must_be_positive_and_strictly_increasing() -> None:
    problems = validate(draft(op(0), op(20), op(20), op(15), op(30)))
    assert [(p.step, p.field, p.message) for p in problems] == [
        (0, "step", "the step number must be positive"),
        (20, "step", "step numbers must increase: it comes after step 20"),
        (15, "step", "step numbers must increase: it comes after step 20"),
    ]


def test_repair_loops_only_on_test_steps_and_within_the_limit() -> None:
    assert validate(draft(op(10, "AOI", S.AOI, is_test_or_inspection=True, max_retests=10))) == ()
    problems = validate(
        draft(
            op(10, max_retests=1),
            op(20, "AOI", S.AOI, is_test_or_inspection=True, max_retests=MAX_RETESTS + 1),
            op(30, "FCT", S.FCT, is_test_or_inspection=True, max_retests=-1),
        )
    )
    assert [str(p) for p in problems] == [
        "step 10: only a test or inspection step has a repair loop",
        "step 20: max retests 11: must be 0 to 10",
        "step 30: max retests -1: must be 0 to 10",
    ]


def test_every_problem_is_listed_at_once() -> None:
    routing = Routing(
        "B",
        (op(10, " "), op(5, "Fix", S.REPAIR, required=False, max_retests=2)),
        version=0,
    )
    problems = validate(routing)
    assert [(p.step, p.field) for p in problems] == [
        (None, "version"),
        (10, "name"),
        (5, "step"),
        (5, "station_type"),
        (5, "max_retests"),
    ]
    assert "repair is the loop off a test step" in str(problems[3])
    with pytest.raises(InvalidInput, match=r"^B routing v0 \(draft\): version 0") as caught:
        check_routing(routing)
    assert caught.value.extra["problems"][1] == {
        "step": 10,
        "field": "name",
        "message": "the operation needs a name",
    }


def test_operations_are_kept_as_a_tuple() -> None:
    routing = Routing("A", [op(10)])  # type: ignore[arg-type]
    assert routing.operations == (op(10),)
    assert hash(routing)


# --- lock and revise -----------------------------------------------------------------------


def test_a_draft_is_edited_released_and_then_locked() -> None:
    first = template_for(ONE_TOP, revision="B")
    assert (first.version, first.released, first.label) == (1, False, "B routing v1 (draft)")
    shorter = edit(first, first.operations[:-1])
    assert shorter.operations == first.operations[:-1]
    assert first.operations[-1].name == "Pack"  # the original is untouched
    locked = release(first)
    assert locked.released
    assert locked.operations == first.operations
    with pytest.raises(Conflict, match=r"B routing v1 \(released\) is released and locked; revise"):
        edit(locked, ())
    with pytest.raises(Conflict, match="already released"):
        release(locked)


def test_revise_makes_the_next_draft_version() -> None:
    locked = release(template_for(BOTH, revision="C"))
    second = revise(locked)
    assert (second.version, second.released, second.operations) == (2, False, locked.operations)
    assert locked.released  # the released version stays as it was
    third = revise(release(edit(second, second.operations[1:])))
    assert (third.version, third.operations) == (3, locked.operations[1:])
    with pytest.raises(Conflict, match="is a draft; edit it instead"):
        revise(second)


def test_release_refuses_an_invalid_draft_listing_its_problems() -> None:
    with pytest.raises(InvalidInput, match="at least one operation") as caught:
        release(draft())
    assert caught.value.extra["problems"][0]["field"] == "operations"


def test_renumber_in_tens() -> None:
    ops = renumber([op(3, "a"), op(7, "b"), op(8, "c")])
    assert [(o.step, o.name) for o in ops] == [(10, "a"), (20, "b"), (30, "c")]
    assert [o.step for o in renumber(ops, 5)] == [5, 10, 15]
    with pytest.raises(InvalidInput, match="increment 0"):
        renumber(ops, 0)


def test_find_an_operation_by_step() -> None:
    routing = template_for(ONE_TOP, revision="A")
    assert routing.operation(50).name == "AOI top"
    assert find_operation(routing.operations, 50) is routing.operation(50)
    assert find_operation(routing.operations, 55) is None
    with pytest.raises(InvalidInput, match=r"A routing v1 \(draft\) has no step 55"):
        routing.operation(55)


# --- templates -----------------------------------------------------------------------------


def test_smt_one_side_template() -> None:
    routing = template_for(ONE_TOP)
    assert shape(routing.operations) == [
        (10, "Print paste top", S.PRINTER),
        (20, "SPI top", S.SPI),
        (30, "Place top", S.PLACER),
        (40, "Reflow top", S.REFLOW),
        (50, "AOI top", S.AOI),
        (60, "X-ray", S.XRAY),
        (70, "ICT", S.ICT),
        (80, "FCT", S.FCT),
        (90, "Pack", S.PACK),
    ]
    by_step = {o.step: o for o in routing.operations}
    assert [o.step for o in routing.operations if o.is_test_or_inspection] == [20, 50, 60, 70, 80]
    assert [o.step for o in routing.operations if not o.required] == [70]
    assert by_step[60].condition is Condition.HAS_AREA_ARRAY
    assert {by_step[s].side for s in (10, 20, 30, 40, 50)} == {Side.TOP}
    assert by_step[90].side is None
    for o in routing.operations:
        assert o.max_retests == (DEFAULT_RETESTS.get(o.station_type, 0))


def test_x_ray_only_when_the_revision_has_hidden_joints() -> None:
    routing = template_for(ONE_TOP)
    assert 60 not in [o.step for o in applicable_operations(routing, ONE_TOP)]
    assert 60 in [o.step for o in applicable_operations(routing, ONE_TOP_BGA)]
    assert template_for(ONE_TOP_BGA) == routing  # the condition decides, not the template


def test_smt_one_side_on_the_bottom() -> None:
    ops = template_for(ONE_BOTTOM).operations
    assert [o.name for o in ops[:5]] == [
        "Print paste bottom",
        "SPI bottom",
        "Place bottom",
        "Reflow bottom",
        "AOI bottom",
    ]
    assert {o.condition for o in ops[:5]} == {Condition.HAS_BOTTOM_SMT}
    assert len(applicable_operations(template_for(ONE_BOTTOM), ONE_BOTTOM)) == 8


def test_both_sides_reflow_the_bottom_first() -> None:
    routing = template_for(BOTH)
    assert shape(routing.operations) == [
        (10, "Print paste bottom", S.PRINTER),
        (20, "SPI bottom", S.SPI),
        (30, "Place bottom", S.PLACER),
        (40, "Reflow bottom", S.REFLOW),
        (50, "AOI bottom", S.AOI),
        (60, "Print paste top", S.PRINTER),
        (70, "SPI top", S.SPI),
        (80, "Place top", S.PLACER),
        (90, "Reflow top", S.REFLOW),
        (100, "AOI top", S.AOI),
        (110, "X-ray", S.XRAY),
        (120, "ICT", S.ICT),
        (130, "FCT", S.FCT),
        (140, "Pack", S.PACK),
    ]
    assert [o.side for o in routing.operations[:10]] == [Side.BOTTOM] * 5 + [Side.TOP] * 5


def test_tht_only_template() -> None:
    routing = template_for(THT)
    assert shape(routing.operations) == [
        (10, "THT insertion", S.THT_INSERTION),
        (20, "Wave solder", S.WAVE_SOLDER),
        (30, "THT inspection", S.AOI),
        (40, "FCT", S.FCT),
        (50, "Pack", S.PACK),
    ]
    assert routing.operations[2].is_test_or_inspection
    assert applicable_operations(routing, THT) == routing.operations


def test_mixed_template_smt_then_tht_by_selective_solder_when_the_bottom_has_smt() -> None:
    routing = template_for(MIXED)
    assert [o.name for o in routing.operations] == [
        "Print paste bottom",
        "SPI bottom",
        "Place bottom",
        "Reflow bottom",
        "AOI bottom",
        "Print paste top",
        "SPI top",
        "Place top",
        "Reflow top",
        "AOI top",
        "X-ray",
        "THT insertion",
        "Selective solder",
        "THT inspection",
        "ICT",
        "FCT",
        "Pack",
    ]
    assert [o.step for o in routing.operations] == list(range(10, 180, 10))


def test_mixed_template_with_smt_on_one_side_only() -> None:
    top = [o.name for o in template_for(MIXED_TOP).operations]
    assert top[:5] == ["Print paste top", "SPI top", "Place top", "Reflow top", "AOI top"]
    assert "Wave solder" in top
    assert not any("bottom" in name for name in top)
    bottom = [o.name for o in template_for(MIXED_BOTTOM_SMT_ONLY).operations]
    assert bottom[0] == "Print paste bottom"
    assert "Selective solder" in bottom
    assert not any("top" in name for name in bottom)


@pytest.mark.parametrize("kind", [AssemblyType.NOTHING, AssemblyType.UNKNOWN])
def test_no_template_without_anything_to_solder(kind: AssemblyType) -> None:
    with pytest.raises(InvalidInput, match="build the routing by hand"):
        template_for(RoutingFacts(kind))


def test_a_template_copied_to_other_facts_drops_the_steps_that_do_not_apply() -> None:
    routing = template_for(MIXED)
    steps = [o.name for o in applicable_operations(routing, MIXED_TOP)]
    assert not any("bottom" in name for name in steps)
    assert "X-ray" not in steps
    assert "THT insertion" in steps


# --- navigation ----------------------------------------------------------------------------


def test_next_operation_skips_optional_and_inapplicable_steps() -> None:
    routing = template_for(ONE_TOP)
    assert next_operation(routing, ONE_TOP, []) == routing.operation(10)
    nxt = next_operation(routing, ONE_TOP, [10, 20, 30, 40, 50])
    assert nxt is not None
    assert nxt.step == 80  # no X-ray without hidden joints, ICT optional
    after_bga = next_operation(routing, ONE_TOP_BGA, [10, 20, 30, 40, 50])
    assert after_bga is not None
    assert after_bga.step == 60
    assert next_operation(routing, ONE_TOP, [10, 20, 30, 40, 50, 80, 90]) is None
    missed = next_operation(routing, ONE_TOP, [10, 30, 40, 50, 80])
    assert missed is not None
    assert missed.step == 20  # a required step is owed even when later ones are done


# --- properties ----------------------------------------------------------------------------


@st.composite
def design_facts(draw: st.DrawFn) -> RoutingFacts:
    top, bottom, tht_top, tht_bottom = (draw(st.integers(0, 3)) for _ in range(4))
    assume(top + bottom + tht_top + tht_bottom > 0)
    smt_sides = (top > 0) + (bottom > 0)
    tht = tht_top + tht_bottom > 0
    if smt_sides and tht:
        kind = AssemblyType.MIXED
    elif tht:
        kind = AssemblyType.THT_ONLY
    else:
        kind = AssemblyType.SMT_BOTH_SIDES if smt_sides == 2 else AssemblyType.SMT_ONE_SIDE
    return RoutingFacts(kind, top, bottom, tht_top, tht_bottom, draw(st.booleans()))


@FUZZ
@given(facts=design_facts())
def test_every_template_is_valid_and_its_conditions_follow_the_facts(facts: RoutingFacts) -> None:
    routing = release(template_for(facts, revision="A"))
    ops = applicable_operations(routing, facts)
    steps = [o.step for o in ops]
    assert steps == sorted(set(steps))
    assert all(o.step % 10 == 0 for o in routing.operations)
    types = [o.station_type for o in ops]
    assert (S.XRAY in types) == (facts.has_area_array and facts.smt_top + facts.smt_bottom > 0)
    assert any(o.side is Side.BOTTOM for o in ops) == (facts.smt_bottom > 0)
    assert any(o.side is Side.TOP for o in ops) == (facts.smt_top > 0)
    assert (S.THT_INSERTION in types) == facts.has_tht
    assert types.count(S.REFLOW) == (facts.smt_top > 0) + (facts.smt_bottom > 0)
    assert types[-2:] == [S.FCT, S.PACK]
    if facts.smt_bottom and facts.smt_top:
        assert types.index(S.REFLOW) == steps.index(40) == 3  # the bottom is reflowed first
        assert ops[3].side is Side.BOTTOM
    if facts.has_tht:
        solder = S.SELECTIVE_SOLDER if facts.smt_bottom else S.WAVE_SOLDER
        assert solder in types
        assert types.index(S.THT_INSERTION) > max(
            (i for i, t in enumerate(types) if t in (S.REFLOW, S.XRAY)), default=-1
        )
    assert all(o.max_retests == 0 or o.is_test_or_inspection for o in ops)


@FUZZ
@given(facts=design_facts(), edits=st.integers(1, 4))
def test_revising_counts_versions_and_never_changes_a_released_one(
    facts: RoutingFacts, edits: int
) -> None:
    routing = release(template_for(facts))
    history = [routing]
    for _ in range(edits):
        changed = edit(revise(history[-1]), history[-1].operations[:-1] or history[-1].operations)
        history.append(release(changed))
    assert [r.version for r in history] == list(range(1, edits + 2))
    assert history[0] == release(template_for(facts))
    for r in history:
        with pytest.raises(Conflict):
            edit(r, ())
