"""Route enforcement (the interlock): pure, so exhaustive unit tests and property tests.

The routing most tests use is the SMT one-side template without hidden joints:
10 print, 20 SPI (1 retest), 30 place, 40 reflow, 50 AOI (2 retests), 70 ICT (optional,
2 retests), 80 FCT (2 retests), 90 pack; the X-ray step 60 does not apply.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boardline.core.errors import InvalidInput
from boardline.npi.classify import AssemblyType
from boardline.production.enforcement import (
    Decision,
    Position,
    ReasonCode,
    Result,
    Station,
    Unit,
    UnitEvent,
    UnitState,
    WorkOrderState,
    WorkOrderStatus,
    decide,
    position,
    unknown_unit,
)
from boardline.production.routing import (
    Operation,
    RoutingFacts,
    StationType,
    applicable_operations,
    template_for,
)

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
S = StationType
T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
FACTS = RoutingFacts(AssemblyType.SMT_ONE_SIDE, smt_top=80)
OPS = applicable_operations(template_for(FACTS), FACTS)
UNIT = Unit("SN-0001", "WO-7")
WO = WorkOrderStatus("WO-7", WorkOrderState.IN_PROGRESS)
PASSED, FAILED, REPAIRED = Result.PASSED, Result.FAILED, Result.REPAIRED


def station(kind: StationType, *steps: int, work_order: str | None = None) -> Station:
    return Station(f"{kind.value.upper()}-1", kind, frozenset(steps), work_order)


def events(*pairs: tuple[int, Result]) -> list[UnitEvent]:
    return [
        UnitEvent(step, result, T0 + timedelta(minutes=i)) for i, (step, result) in enumerate(pairs)
    ]


def passed(*steps: int) -> list[UnitEvent]:
    return events(*((step, PASSED) for step in steps))


def at(
    kind: StationType,
    history: Sequence[UnitEvent] = (),
    *,
    unit: Unit = UNIT,
    work_order: WorkOrderStatus = WO,
    ops: Sequence[Operation] = OPS,
    steps: tuple[int, ...] = (),
    station_wo: str | None = None,
) -> Decision:
    return decide(unit, history, work_order, ops, station(kind, *steps, work_order=station_wo))


def refused(decision: Decision, reason: ReasonCode) -> None:
    assert (decision.allowed, decision.reason, decision.step) == (False, reason, None), decision


def allowed(decision: Decision, step: int, next_step: int | None = None) -> None:
    assert (decision.allowed, decision.reason) == (True, ReasonCode.OK), decision
    assert (decision.step, decision.next_step) == (step, step if next_step is None else next_step)


def test_the_fixture_routing() -> None:
    assert [(op.step, op.station_type, op.required, op.max_retests) for op in OPS] == [
        (10, S.PRINTER, True, 0),
        (20, S.SPI, True, 1),
        (30, S.PLACER, True, 0),
        (40, S.REFLOW, True, 0),
        (50, S.AOI, True, 2),
        (70, S.ICT, False, 2),
        (80, S.FCT, True, 2),
        (90, S.PACK, True, 0),
    ]


# --- the happy path ------------------------------------------------------------------------


def test_a_new_unit_starts_at_the_printer() -> None:
    decision = at(S.PRINTER)
    allowed(decision, 10)
    assert (
        decision.message
        == "SN-0001: go ahead with step 10 Print paste top at PRINTER-1 (Solder paste printer)"
    )


def test_each_step_in_turn() -> None:
    done: list[int] = []
    for op in OPS:
        if op.required:
            allowed(at(op.station_type, passed(*done)), op.step)
            done.append(op.step)
    refused(at(S.PACK, passed(*done)), ReasonCode.ROUTE_COMPLETE)


# --- one test per reason code --------------------------------------------------------------


def test_unknown_unit() -> None:
    decision = unknown_unit("SN-404", station(S.AOI))
    refused(decision, ReasonCode.UNKNOWN_UNIT)
    assert decision.next_step is None
    assert "SN-404" in decision.message
    assert "AOI-1 (AOI (optical inspection))" in decision.message


def test_wrong_work_order_of_the_unit() -> None:
    decision = at(S.PRINTER, unit=Unit("SN-9", "WO-8"))
    refused(decision, ReasonCode.WRONG_WORK_ORDER)
    assert decision.message.startswith("SN-9 belongs to work order WO-8, not WO-7")


def test_wrong_work_order_set_up_on_the_station() -> None:
    decision = at(S.PLACER, passed(10, 20), station_wo="WO-5")
    refused(decision, ReasonCode.WRONG_WORK_ORDER)
    assert decision.next_step == 30
    assert "PLACER-1 (Pick-and-place) is set up for work order WO-5" in decision.message
    allowed(at(S.PLACER, passed(10, 20), station_wo="WO-7"), 30)


@pytest.mark.parametrize(
    "state",
    [
        WorkOrderState.DRAFT,
        WorkOrderState.COMPLETED,
        WorkOrderState.CLOSED,
        WorkOrderState.CANCELLED,
    ],
)
def test_work_order_not_released(state: WorkOrderState) -> None:
    decision = at(S.PRINTER, work_order=WorkOrderStatus("WO-7", state))
    refused(decision, ReasonCode.WORK_ORDER_NOT_RELEASED)
    assert f"work order WO-7 of SN-0001 is {state.value}, not released" in decision.message


@pytest.mark.parametrize("state", [WorkOrderState.RELEASED, WorkOrderState.IN_PROGRESS])
def test_released_and_started_work_orders_build(state: WorkOrderState) -> None:
    allowed(at(S.PRINTER, work_order=WorkOrderStatus("WO-7", state)), 10)


def test_work_order_on_hold() -> None:
    held = WorkOrderStatus("WO-7", WorkOrderState.IN_PROGRESS, on_hold=True, hold_reason="ECO 12")
    decision = at(S.PRINTER, work_order=held)
    refused(decision, ReasonCode.WORK_ORDER_ON_HOLD)
    assert "work order WO-7 of SN-0001 is on hold: ECO 12" in decision.message
    quiet = WorkOrderStatus("WO-7", WorkOrderState.RELEASED, on_hold=True)
    assert "is on hold;" in at(S.PRINTER, work_order=quiet).message


def test_unit_on_hold() -> None:
    decision = at(
        S.AOI,
        passed(10, 20, 30, 40),
        unit=Unit("SN-2", "WO-7", on_hold=True, hold_reason="suspect reel"),
    )
    refused(decision, ReasonCode.UNIT_ON_HOLD)
    assert decision.next_step == 50
    assert (
        decision.message
        == "SN-2 is on hold: suspect reel; AOI-1 (AOI (optical inspection)) may not process it"
    )


def test_unit_scrapped() -> None:
    decision = at(S.REPAIR, events((50, FAILED)), unit=Unit("SN-3", "WO-7", UnitState.SCRAPPED))
    refused(decision, ReasonCode.UNIT_SCRAPPED)
    assert decision.next_step is None
    assert decision.message.startswith("SN-3 is scrapped;")


def test_unit_completed() -> None:
    decision = at(
        S.PACK, passed(10, 20, 30, 40, 50, 80, 90), unit=Unit("SN-4", "WO-7", UnitState.COMPLETED)
    )
    refused(decision, ReasonCode.UNIT_COMPLETED)


def test_scrapped_and_completed_come_before_everything_else() -> None:
    closed = WorkOrderStatus("WO-1", WorkOrderState.CLOSED, on_hold=True)
    for state, reason in (
        (UnitState.SCRAPPED, ReasonCode.UNIT_SCRAPPED),
        (UnitState.COMPLETED, ReasonCode.UNIT_COMPLETED),
    ):
        unit = Unit("SN-5", "WO-7", state, on_hold=True)
        refused(at(S.PRINTER, unit=unit, work_order=closed), reason)


def test_the_order_of_the_other_checks() -> None:
    held_unit = Unit("SN-6", "WO-7", on_hold=True)
    held_wo = WorkOrderStatus("WO-7", WorkOrderState.DRAFT, on_hold=True)
    refused(
        at(S.PRINTER, unit=held_unit, work_order=held_wo, station_wo="WO-1"),
        ReasonCode.WRONG_WORK_ORDER,
    )
    refused(at(S.PRINTER, unit=held_unit, work_order=held_wo), ReasonCode.WORK_ORDER_NOT_RELEASED)
    held_wo = WorkOrderStatus("WO-7", WorkOrderState.RELEASED, on_hold=True)
    refused(at(S.PRINTER, unit=held_unit, work_order=held_wo), ReasonCode.WORK_ORDER_ON_HOLD)
    refused(at(S.AOI, unit=held_unit), ReasonCode.UNIT_ON_HOLD)  # before the wrong station


def test_wrong_station() -> None:
    decision = at(S.AOI, passed(10, 20))
    refused(decision, ReasonCode.WRONG_STATION)
    assert decision.next_step == 30
    assert decision.message == (
        "SN-0001 needs step 30 Place top (Pick-and-place) next;"
        " AOI-1 (AOI (optical inspection)) may not process it"
    )


def test_a_station_pinned_to_other_steps_is_the_wrong_station() -> None:
    mixed = RoutingFacts(AssemblyType.MIXED, smt_top=10, tht_top=4)
    ops = applicable_operations(template_for(mixed), mixed)
    assert [(op.step, op.name) for op in ops if op.station_type is S.AOI] == [
        (50, "AOI top"),
        (90, "THT inspection"),
    ]
    before_tht_aoi = passed(10, 20, 30, 40, 50, 70, 80)
    allowed(at(S.AOI, before_tht_aoi, ops=ops), 90)
    allowed(at(S.AOI, before_tht_aoi, ops=ops, steps=(90,)), 90)
    decision = at(S.AOI, before_tht_aoi, ops=ops, steps=(50,))
    refused(decision, ReasonCode.STEP_ALREADY_DONE)
    decision = at(S.AOI, passed(10, 20, 30, 40), ops=ops, steps=(90,))
    refused(decision, ReasonCode.WRONG_STATION)
    assert "this station is pinned to step(s) 90" in decision.message


def test_step_already_done_on_a_double_scan() -> None:
    decision = at(S.PLACER, passed(10, 20, 30))
    refused(decision, ReasonCode.STEP_ALREADY_DONE)
    assert decision.next_step == 40
    assert decision.message.startswith(
        "SN-0001 already passed step 30 Place top; next is step 40 Reflow top (Reflow oven)"
    )


def test_route_complete() -> None:
    done = passed(10, 20, 30, 40, 50, 80, 90)
    for kind in StationType:
        if kind is S.REPAIR:
            continue
        decision = at(kind, done)
        refused(decision, ReasonCode.ROUTE_COMPLETE)
        assert decision.next_step is None
    assert at(S.PACK, done).message.startswith("SN-0001 has passed every required step;")
    assert position(done, OPS).complete


def test_nothing_to_repair() -> None:
    decision = at(S.REPAIR, passed(10, 20))
    refused(decision, ReasonCode.NOTHING_TO_REPAIR)
    assert decision.message.startswith("SN-0001 has no fail to repair; next is step 30 Place top")
    refused(at(S.REPAIR, passed(10, 20, 30, 40, 50, 80, 90)), ReasonCode.NOTHING_TO_REPAIR)


def test_failed_needs_repair() -> None:
    history = [*passed(10, 20, 30, 40), *events((50, FAILED))]
    for kind in (S.AOI, S.FCT, S.PLACER):
        decision = at(kind, history)
        refused(decision, ReasonCode.FAILED_NEEDS_REPAIR)
        assert decision.next_step == 50
    assert (
        "SN-0001 failed step 50 AOI top (1 time) and must be repaired first"
        in at(S.AOI, history).message
    )
    allowed(at(S.REPAIR, history), 50)
    assert (
        at(S.REPAIR, history).message
        == "SN-0001: repair the fail at step 50 AOI top at REPAIR-1 (Repair)"
    )


# --- the repair loop -----------------------------------------------------------------------


def test_fail_repair_retest_pass() -> None:
    history = [*passed(10, 20, 30, 40), *events((50, FAILED))]
    allowed(at(S.REPAIR, history), 50)
    history += events((50, REPAIRED))
    refused(at(S.REPAIR, history), ReasonCode.STEP_ALREADY_DONE)
    assert (
        "already repaired and must be retested at step 50 AOI top" in at(S.REPAIR, history).message
    )
    wrong = at(S.FCT, history)
    refused(wrong, ReasonCode.WRONG_STATION)
    assert (
        "was repaired and must be retested at step 50 AOI top (AOI (optical inspection))"
        in wrong.message
    )
    retest = at(S.AOI, history)
    allowed(retest, 50)
    assert retest.message.startswith("SN-0001: retest step 50 AOI top after repair")
    history += passed(50)
    allowed(at(S.FCT, history), 80)
    where = position(history, OPS)
    assert (where.failed, where.repaired, where.failures) == (None, False, 0)


def test_retests_are_counted_and_refused_beyond_the_limit() -> None:
    aoi = next(op for op in OPS if op.step == 50)
    assert aoi.max_retests == 2
    history = passed(10, 20, 30, 40)
    for attempt in (1, 2):
        history += events((50, FAILED))
        where = position(history, OPS)
        assert (where.failures, where.retests_left, where.needs_repair) == (
            attempt,
            3 - attempt,
            True,
        )
        allowed(at(S.REPAIR, history), 50)
        history += events((50, REPAIRED))
        allowed(at(S.AOI, history), 50)
    history += events((50, FAILED))  # the third fail: both retests used
    where = position(history, OPS)
    assert (where.failures, where.retests_left, where.retest_limit_exceeded) == (3, 0, True)
    for kind in (S.REPAIR, S.AOI, S.FCT):
        decision = at(kind, history)
        refused(decision, ReasonCode.RETEST_LIMIT_EXCEEDED)
        assert decision.next_step == 50
    assert (
        "SN-0001 failed step 50 AOI top 3 times with 2 retest(s) allowed; an engineer decides"
        in at(S.REPAIR, history).message
    )


def test_a_step_without_retests_fails_for_good() -> None:
    history = [*passed(10), *events((20, FAILED))]
    allowed(at(S.REPAIR, history), 20)  # SPI allows one retest
    history = [*passed(10, 20), *events((30, FAILED))]  # the placer has no repair loop
    refused(at(S.REPAIR, history), ReasonCode.RETEST_LIMIT_EXCEEDED)
    refused(at(S.PLACER, history), ReasonCode.RETEST_LIMIT_EXCEEDED)


def test_a_retest_without_repair_is_refused() -> None:
    history = [*passed(10, 20, 30, 40, 50), *events((80, FAILED))]
    refused(at(S.FCT, history), ReasonCode.FAILED_NEEDS_REPAIR)


def test_a_repair_station_pinned_to_some_steps() -> None:
    history = [*passed(10, 20, 30, 40, 50), *events((80, FAILED))]
    allowed(at(S.REPAIR, history, steps=(70, 80)), 80, 80)
    refused(at(S.REPAIR, history, steps=(50,)), ReasonCode.FAILED_NEEDS_REPAIR)


def test_a_repair_of_another_step_is_ignored() -> None:
    history = [*passed(10, 20, 30, 40), *events((50, FAILED), (20, REPAIRED))]
    where = position(history, OPS)
    assert (where.failed, where.repaired, where.ignored) == (OPS[4], False, 1)
    refused(at(S.AOI, history), ReasonCode.FAILED_NEEDS_REPAIR)
    assert position(events((50, REPAIRED)), OPS).ignored == 1


def test_a_second_repair_of_one_fail_is_ignored() -> None:
    history = [*passed(10, 20, 30, 40), *events((50, FAILED), (50, REPAIRED), (50, REPAIRED))]
    assert position(history, OPS).ignored == 1
    allowed(at(S.AOI, history), 50)


# --- optional steps ------------------------------------------------------------------------


def test_an_optional_step_may_be_done_or_skipped() -> None:
    history = passed(10, 20, 30, 40, 50)
    allowed(at(S.ICT, history), 70, 80)  # the optional ICT, the unit still owes FCT
    allowed(at(S.FCT, history), 80)  # skipping ICT
    where = position(history, OPS)
    assert [op.step for op in where.choices] == [70, 80]
    assert where.next_step == 80
    allowed(at(S.FCT, [*history, *passed(70)]), 80)


def test_a_skipped_optional_step_cannot_be_done_later() -> None:
    decision = at(S.ICT, passed(10, 20, 30, 40, 50, 80))
    refused(decision, ReasonCode.WRONG_STATION)
    assert "needs step 90 Pack (Pack) next" in decision.message


def test_an_optional_test_step_has_its_repair_loop() -> None:
    history = [*passed(10, 20, 30, 40, 50), *events((70, FAILED))]
    refused(at(S.FCT, history), ReasonCode.FAILED_NEEDS_REPAIR)
    history += events((70, REPAIRED))
    refused(at(S.FCT, history), ReasonCode.WRONG_STATION)
    allowed(at(S.ICT, history), 70)


def test_an_optional_last_step_stays_open_after_the_route_is_complete() -> None:
    ops = (Operation(10, "Place", S.PLACER), Operation(20, "Coat", S.COATING, required=False))
    where = position(passed(10), ops)
    assert where.complete
    assert where.choices == (ops[1],)
    decision = at(S.COATING, passed(10), ops=ops)
    assert (decision.allowed, decision.step, decision.next_step) == (True, 20, None)
    refused(at(S.PLACER, passed(10), ops=ops), ReasonCode.ROUTE_COMPLETE)
    refused(at(S.COATING, passed(10, 20), ops=ops), ReasonCode.ROUTE_COMPLETE)


def test_of_two_steps_a_station_could_do_it_does_the_first() -> None:
    ops = (
        Operation(10, "AOI pre", S.AOI, required=False, is_test_or_inspection=True),
        Operation(20, "AOI final", S.AOI, is_test_or_inspection=True),
    )
    allowed(at(S.AOI, (), ops=ops), 10, 20)
    allowed(at(S.AOI, (), ops=ops, steps=(20,)), 20)


# --- histories -----------------------------------------------------------------------------


def test_a_required_step_the_history_skipped_is_still_owed() -> None:
    history = passed(10, 20, 30, 40, 80)
    where = position(history, OPS)
    assert where.next_step == 50
    assert where.optional == ()  # ICT is behind the furthest step passed
    allowed(at(S.AOI, history), 50)
    refused(at(S.ICT, history), ReasonCode.WRONG_STATION)


def test_history_is_taken_in_recorded_order_not_by_timestamp() -> None:
    late_clock = [UnitEvent(10, PASSED, T0 + timedelta(hours=1)), UnitEvent(20, FAILED, T0)]
    where = position(late_clock, OPS)
    assert (where.passed, where.failed) == (frozenset({10}), OPS[1])


def test_events_of_steps_not_on_the_route_are_ignored() -> None:
    history = [*passed(10, 20, 30, 40, 50), *events((60, FAILED), (999, PASSED))]
    where = position(history, OPS)
    assert where.ignored == 2
    assert where.failed is None
    allowed(at(S.FCT, history), 80)


def test_a_later_fail_at_a_passed_step_takes_the_pass_back() -> None:
    history = [*passed(10, 20, 30, 40, 50), *events((50, FAILED))]
    where = position(history, OPS)
    assert 50 not in where.passed
    assert where.next_step == 50
    refused(at(S.FCT, history), ReasonCode.FAILED_NEEDS_REPAIR)


def test_position_of_a_new_unit_and_of_an_empty_route() -> None:
    fresh = position((), OPS)
    assert fresh == Position(frozenset(), OPS[0], (), None, False, 0, 0)
    assert (fresh.retests_left, fresh.awaiting_retest, fresh.complete) == (0, False, False)
    empty = position((), ())
    assert (empty.complete, empty.next_step, empty.choices) == (True, None, ())
    refused(at(S.PACK, ops=()), ReasonCode.ROUTE_COMPLETE)


def test_operations_must_be_in_increasing_step_order() -> None:
    with pytest.raises(InvalidInput, match="step 20 comes after step 30"):
        position((), (OPS[2], OPS[1]))
    with pytest.raises(InvalidInput, match="step 10 comes after step 10"):
        decide(UNIT, (), WO, (OPS[0], OPS[0]), station(S.PRINTER))


def test_reason_codes_have_labels() -> None:
    assert ReasonCode.OK.label == "OK"
    assert ReasonCode.RETEST_LIMIT_EXCEEDED.label == "Retest limit exceeded"
    assert len({code.label for code in ReasonCode}) == len(ReasonCode)


def test_station_steps_are_kept_as_a_frozenset() -> None:
    pinned = Station("AOI-2", S.AOI, [50, 90])  # type: ignore[arg-type]
    assert pinned.steps == frozenset({50, 90})
    assert hash(pinned)


# --- properties ----------------------------------------------------------------------------

WORK_TYPES = [t for t in StationType if t is not S.REPAIR]
STATIONS = [station(kind) for kind in StationType]


@st.composite
def routes(draw: st.DrawFn) -> tuple[Operation, ...]:
    count = draw(st.integers(1, 7))
    ops = []
    for number in range(1, count + 1):
        kind = draw(st.sampled_from(WORK_TYPES))
        test = draw(st.booleans())
        ops.append(
            Operation(
                10 * number,
                f"op {number}",
                kind,
                required=draw(st.booleans()),
                is_test_or_inspection=test,
                max_retests=draw(st.integers(0, 3)) if test else 0,
            )
        )
    if not any(op.required for op in ops):
        ops[-1] = Operation(ops[-1].step, "last", ops[-1].station_type)
    return tuple(ops)


def allowed_everywhere(
    history: Sequence[UnitEvent], ops: Sequence[Operation]
) -> list[tuple[Station, Decision]]:
    return [(s, d) for s in STATIONS if (d := decide(UNIT, history, WO, ops, s)).allowed]


def check_invariants(
    history: Sequence[UnitEvent], ops: Sequence[Operation]
) -> list[tuple[Station, Decision]]:
    where = position(history, ops)
    choices = allowed_everywhere(history, ops)
    steps = {d.step for _, d in choices}
    if where.needs_repair:
        assert {s.station_type for s, _ in choices} == {S.REPAIR}
        assert steps == {where.next_step}
    elif where.awaiting_retest:
        assert steps == {where.next_step}
        assert S.REPAIR not in {s.station_type for s, _ in choices}
    else:
        assert steps <= {op.step for op in where.choices}
        if not where.optional:
            assert len(steps) <= 1  # never two different next steps
    if where.retest_limit_exceeded:
        assert choices == []
    for _, decision in choices:
        assert decision.next_step == where.next_step
    return choices


@FUZZ
@given(ops=routes(), data=st.data())
def test_a_unit_that_always_passes_follows_its_route_to_the_end(
    ops: tuple[Operation, ...], data: st.DataObject
) -> None:
    history: list[UnitEvent] = []
    for _ in range(len(ops) + 1):
        choices = check_invariants(history, ops)
        if not choices:
            break
        _, decision = data.draw(st.sampled_from(choices))
        assert decision.step is not None
        history += passed(decision.step)
    where = position(history, ops)
    assert where.complete
    assert {op.step for op in ops if op.required} <= where.passed
    assert [e.step for e in history] == sorted({e.step for e in history})  # forward only
    for s in STATIONS:
        if s.station_type is not S.REPAIR:
            assert at(s.station_type, history, ops=ops).reason in (
                ReasonCode.ROUTE_COMPLETE,
                ReasonCode.OK,
            )


@FUZZ
@given(ops=routes(), data=st.data())
def test_a_unit_with_fails_ends_complete_or_at_its_retest_limit(
    ops: tuple[Operation, ...], data: st.DataObject
) -> None:
    history: list[UnitEvent] = []
    bound = sum(2 * (op.max_retests + 1) + 1 for op in ops)
    for _ in range(bound + 1):
        choices = check_invariants(history, ops)
        if not choices:
            break
        where_to, decision = data.draw(st.sampled_from(choices))
        assert decision.step is not None
        if where_to.station_type is S.REPAIR:
            history += events((decision.step, REPAIRED))
        else:
            history += events((decision.step, data.draw(st.sampled_from([PASSED, FAILED]))))
    else:
        pytest.fail("the unit never stopped")
    where = position(history, ops)
    assert where.complete or where.retest_limit_exceeded
    for op in ops:
        fails = sum(1 for e in history if e.step == op.step and e.result is FAILED)
        tries = sum(1 for e in history if e.step == op.step and e.result is not REPAIRED)
        assert fails <= op.max_retests + 1
        assert tries <= op.max_retests + 1
    for earlier, later in itertools.pairwise(history):
        if earlier.result is FAILED:
            assert (later.step, later.result) == (earlier.step, REPAIRED)  # repair comes first
        if earlier.result is REPAIRED:
            assert later.step == earlier.step  # back to the same step
