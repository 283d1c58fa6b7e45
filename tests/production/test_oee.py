"""OEE rules (SEMI E10 states, shifts, A × P × Q): pure, so exhaustive unit and property tests."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boardline.core.errors import InvalidInput
from boardline.production.oee import (
    CFX_RESOURCE_STATES,
    NO_REASON,
    WEEKDAYS,
    E10State,
    Oee,
    Shift,
    ShiftWindow,
    StateChange,
    StateTimes,
    cfx_state_change,
    cfx_state_code,
    cfx_state_label,
    e10_state,
    line_oee,
    oee,
    shift_windows,
    time_in_states,
)

T0 = datetime(2026, 1, 12, 6, 0, tzinfo=UTC)  # a Monday
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
S = E10State


def m(minutes: float) -> timedelta:
    return timedelta(minutes=minutes)


def at(minutes: float) -> datetime:
    return T0 + m(minutes)


def ch(minutes: float, state: E10State, reason: str = "") -> StateChange:
    return StateChange(at(minutes), state, reason)


def window(changes: list[StateChange], start: float = 0, end: float = 480) -> StateTimes:
    return time_in_states(changes, at(start), at(end))


def minutes_by_state(times: StateTimes) -> dict[E10State, float]:
    return {state: spent / m(1) for state, spent in times.by_state.items() if spent}


def station(
    changes: list[StateChange],
    *,
    total: int = 0,
    good: int | None = None,
    cycle: float = 1.0,
    end: float = 480,
) -> Oee:
    return oee(
        window(changes, end=end),
        total_count=total,
        good_count=total if good is None else good,
        ideal_cycle_time=m(cycle),
    )


def field_of(error: pytest.ExceptionInfo[InvalidInput]) -> object:
    return error.value.extra.get("field")


# --- states and CFX codes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "label", "tone", "code"),
    [
        (S.PRODUCTIVE, "Productive", "ok", 1000),
        (S.STANDBY, "Standby", "", 2000),
        (S.ENGINEERING, "Engineering", "", 3000),
        (S.SCHEDULED_DOWNTIME, "Scheduled downtime", "warn", 4000),
        (S.UNSCHEDULED_DOWNTIME, "Unscheduled downtime", "bad", 5000),
        (S.NON_SCHEDULED, "Non-scheduled", "", 6000),
    ],
)
def test_every_state_has_label_tone_and_cfx_category(
    state: E10State, label: str, tone: str, code: int
) -> None:
    assert (state.label, state.tone, state.cfx_code) == (label, tone, code)
    assert e10_state(code) is state
    assert e10_state(code + 999) is state  # site-defined sub-states keep their category


def test_every_sdk_state_maps_by_its_thousand_by_code_and_by_name() -> None:
    assert len(CFX_RESOURCE_STATES) == 35
    for code, (name, label) in CFX_RESOURCE_STATES.items():
        expected = S(list(S)[code // 1000 - 1])
        assert e10_state(code) is expected
        assert e10_state(str(code)) is expected
        assert e10_state(name) is expected
        assert e10_state(name.upper()) is expected
        assert cfx_state_code(name) == code
        assert cfx_state_label(code) == label


@pytest.mark.parametrize(
    ("value", "state"),
    [
        (1100, S.PRODUCTIVE),
        (1400, S.PRODUCTIVE),  # engineering *runs* produce: E10 counts them productive
        (2200, S.STANDBY),
        (3100, S.ENGINEERING),
        (4300, S.SCHEDULED_DOWNTIME),
        (5500, S.UNSCHEDULED_DOWNTIME),
        (6100, S.NON_SCHEDULED),
        (" 5300 ", S.UNSCHEDULED_DOWNTIME),
        ("USD_UserMaintentanceDelay", S.UNSCHEDULED_DOWNTIME),  # the SDK's own spelling
        ("sby_noproduct", S.STANDBY),
    ],
)
def test_cfx_values_seen_in_the_wild(value: int | str, state: E10State) -> None:
    assert e10_state(value) is state


@pytest.mark.parametrize(
    "value",
    [
        0,
        999,
        7000,
        -1100,
        10000,
        True,
        "",
        "ReadyProcessingActive",
        "UnscheduledDowntime",
        "-1100",
        "11OO",
        "PRD_",
        "١١٠٠",
    ],
)
def test_unknown_cfx_states_are_refused_not_guessed(value: int | str) -> None:
    with pytest.raises(InvalidInput, match="unknown CFX station state") as error:
        e10_state(value)
    assert field_of(error) == "NewState"


def test_unnamed_sub_state_takes_its_category_label() -> None:
    assert cfx_state_label(5510) == "Unscheduled downtime"
    assert cfx_state_label("2200") == "No product (starved)"


# The two StationStateChanged bodies in the IPC-CFX SDK's examples (SDK 2.1.1), trimmed to
# the state fields; copied here because the CFX fixtures live outside the repository.
# Source: the IPC-CFX SDK (github.com/IPCConnectedFactoryExchange/CFX), Apache License
# 2.0, Copyright IPC.
SDK_STATION_STATE_CHANGED = [
    '{"OldState": 2200, "OldStateDuration": "00:01:25", "NewState": 1100, "RelatedFault": null}',
    '{"OldState": 1100, "OldStateDuration": "00:00:25", "NewState": 5500, "RelatedFault": '
    '{"Cause": "MechanicalFailure", "Severity": "Error", "FaultCode": "ERROR 3943480"}}',
]


def test_sdk_station_state_changed_examples_map() -> None:
    bodies = [json.loads(text) for text in SDK_STATION_STATE_CHANGED]
    assert [(e10_state(b["OldState"]), e10_state(b["NewState"])) for b in bodies] == [
        (S.STANDBY, S.PRODUCTIVE),
        (S.PRODUCTIVE, S.UNSCHEDULED_DOWNTIME),
    ]
    fault = bodies[1]["RelatedFault"]["FaultCode"]
    assert cfx_state_change(T0, bodies[1]["NewState"], fault).reason == "ERROR 3943480"


def test_cfx_state_change_takes_the_sub_state_as_reason_unless_given() -> None:
    assert cfx_state_change(T0, 5500) == StateChange(
        T0, S.UNSCHEDULED_DOWNTIME, "Change of consumables"
    )
    assert cfx_state_change(T0, 5500, "ERROR 3943480").reason == "ERROR 3943480"
    assert cfx_state_change(T0, 5000).reason == ""
    assert cfx_state_change(T0, 5510).reason == ""  # unnamed: nothing to say
    assert cfx_state_change(T0, "PRD_RegularWork").state is S.PRODUCTIVE


def test_state_change_refuses_naive_datetimes() -> None:
    with pytest.raises(InvalidInput, match="timezone-aware") as error:
        StateChange(datetime(2026, 1, 12, 6, 0), S.PRODUCTIVE)
    assert field_of(error) == "at"


# --- time in states -------------------------------------------------------------------------


def test_each_state_is_measured() -> None:
    changes = [ch(10 * i, state) for i, state in enumerate(S)]
    times = window(changes, end=60)
    assert minutes_by_state(times) == dict.fromkeys(S, 10.0)
    assert times.unknown == timedelta(0)
    assert times.window == m(60)
    assert times[S.ENGINEERING] == m(10)


def test_change_before_the_window_sets_the_initial_state() -> None:
    times = window([ch(-120, S.STANDBY), ch(-60, S.PRODUCTIVE), ch(30, S.STANDBY)], end=60)
    assert minutes_by_state(times) == {S.PRODUCTIVE: 30.0, S.STANDBY: 30.0}
    assert times.unknown == timedelta(0)


def test_change_exactly_at_the_start_sets_the_initial_state() -> None:
    times = window([ch(-5, S.STANDBY), ch(0, S.PRODUCTIVE)], end=60)
    assert minutes_by_state(times) == {S.PRODUCTIVE: 60.0}


def test_time_before_the_first_known_state_is_unknown() -> None:
    times = window([ch(15, S.PRODUCTIVE)], end=60)
    assert times.unknown == m(15)
    assert minutes_by_state(times) == {S.PRODUCTIVE: 45.0}
    assert window([], end=60).unknown == m(60)


def test_changes_at_or_after_the_end_do_not_count() -> None:
    times = window([ch(0, S.PRODUCTIVE), ch(60, S.UNSCHEDULED_DOWNTIME, "x")], end=60)
    assert minutes_by_state(times) == {S.PRODUCTIVE: 60.0}
    assert times.downtime_by_reason == ()
    times = window([ch(0, S.PRODUCTIVE), ch(90, S.STANDBY)], end=60)
    assert minutes_by_state(times) == {S.PRODUCTIVE: 60.0}


def test_window_clips_a_state_that_spans_it() -> None:
    changes = [ch(0, S.UNSCHEDULED_DOWNTIME, "jam"), ch(500, S.PRODUCTIVE)]
    times = window(changes, start=100, end=200)
    assert minutes_by_state(times) == {S.UNSCHEDULED_DOWNTIME: 100.0}
    assert times.downtime_by_reason == (("jam", m(100)),)


def test_same_instant_changes_the_last_one_wins() -> None:
    times = window([ch(0, S.STANDBY), ch(10, S.UNSCHEDULED_DOWNTIME), ch(10, S.PRODUCTIVE)], end=20)
    assert minutes_by_state(times) == {S.STANDBY: 10.0, S.PRODUCTIVE: 10.0}


def test_out_of_order_changes_are_refused_even_after_the_window() -> None:
    for changes in (
        [ch(10, S.PRODUCTIVE), ch(5, S.STANDBY)],
        [ch(0, S.PRODUCTIVE), ch(900, S.STANDBY), ch(800, S.PRODUCTIVE)],
        [ch(-10, S.PRODUCTIVE), ch(-20, S.STANDBY)],
    ):
        with pytest.raises(InvalidInput, match="out of time order") as error:
            window(changes)
        assert field_of(error) == "changes"


def test_empty_reversed_and_naive_windows_are_refused() -> None:
    with pytest.raises(InvalidInput, match="must end after") as error:
        time_in_states([], T0, T0)
    assert field_of(error) == "end"
    with pytest.raises(InvalidInput, match="must end after"):
        time_in_states([], at(10), at(0))
    with pytest.raises(InvalidInput, match="timezone-aware") as error:
        time_in_states([], datetime(2026, 1, 12), at(10))
    assert field_of(error) == "start"
    with pytest.raises(InvalidInput, match="timezone-aware") as error:
        time_in_states([], T0, datetime(2026, 1, 13))
    assert field_of(error) == "end"


def test_zones_are_compared_as_instants() -> None:
    changes = [
        StateChange(datetime(2026, 1, 12, 7, 0, tzinfo=BERLIN), S.PRODUCTIVE),  # 06:00 UTC
        StateChange(datetime(2026, 1, 12, 1, 30, tzinfo=NEW_YORK), S.STANDBY),  # 06:30 UTC
    ]
    times = time_in_states(changes, T0, T0 + m(60))
    assert minutes_by_state(times) == {S.PRODUCTIVE: 30.0, S.STANDBY: 30.0}
    assert times.start.tzinfo is UTC


def test_downtime_reasons_form_a_pareto_largest_first() -> None:
    changes = [
        ch(0, S.UNSCHEDULED_DOWNTIME, "feeder jam"),
        ch(10, S.PRODUCTIVE),
        ch(20, S.UNSCHEDULED_DOWNTIME, "nozzle"),
        ch(50, S.UNSCHEDULED_DOWNTIME, " feeder jam "),  # same reason, stray spaces
        ch(55, S.SCHEDULED_DOWNTIME, "PM"),  # scheduled: not in the Pareto
        ch(60, S.UNSCHEDULED_DOWNTIME),
        ch(75, S.UNSCHEDULED_DOWNTIME, "aaa"),
        ch(90, S.PRODUCTIVE),
    ]
    times = window(changes, end=100)
    assert times.downtime_by_reason == (
        ("nozzle", m(30)),
        ("aaa", m(15)),  # ties: by name
        ("feeder jam", m(15)),
        (NO_REASON, m(15)),
    )
    assert (
        sum((t for _, t in times.downtime_by_reason), timedelta(0)) == times[S.UNSCHEDULED_DOWNTIME]
    )


# --- shifts ---------------------------------------------------------------------------------

EARLY = Shift("early", time(6), time(14), WEEKDAYS)
LATE = Shift("late", time(14), time(22), WEEKDAYS)
NIGHT = Shift("night", time(22), time(6))


def test_shifts_of_a_winter_weekday_in_berlin() -> None:
    windows = shift_windows([NIGHT, LATE, EARLY], date(2026, 1, 12), BERLIN)
    assert windows == [
        ShiftWindow(
            "early", datetime(2026, 1, 12, 5, tzinfo=UTC), datetime(2026, 1, 12, 13, tzinfo=UTC)
        ),
        ShiftWindow(
            "late", datetime(2026, 1, 12, 13, tzinfo=UTC), datetime(2026, 1, 12, 21, tzinfo=UTC)
        ),
        ShiftWindow(
            "night", datetime(2026, 1, 12, 21, tzinfo=UTC), datetime(2026, 1, 13, 5, tzinfo=UTC)
        ),
    ]
    name, start, end = windows[0]  # a plain tuple too
    assert (name, end - start) == ("early", timedelta(hours=8))


def test_shifts_only_on_their_days() -> None:
    saturday = date(2026, 1, 17)
    assert [w.name for w in shift_windows([EARLY, LATE, NIGHT], saturday, BERLIN)] == ["night"]


def test_night_shift_across_spring_forward_is_seven_hours() -> None:
    # Clocks go from 02:00 CET to 03:00 CEST in the night of 28/29 March 2026.
    (night,) = shift_windows([NIGHT], date(2026, 3, 28), BERLIN)
    assert night.start == datetime(2026, 3, 28, 21, tzinfo=UTC)  # 22:00 CET
    assert night.end == datetime(2026, 3, 29, 4, tzinfo=UTC)  # 06:00 CEST
    assert night.end - night.start == timedelta(hours=7)


def test_night_shift_across_fall_back_is_nine_hours() -> None:
    # Clocks go from 03:00 CEST back to 02:00 CET in the night of 24/25 October 2026.
    (night,) = shift_windows([NIGHT], date(2026, 10, 24), BERLIN)
    assert night.start == datetime(2026, 10, 24, 20, tzinfo=UTC)  # 22:00 CEST
    assert night.end == datetime(2026, 10, 25, 5, tzinfo=UTC)  # 06:00 CET
    assert night.end - night.start == timedelta(hours=9)


def test_day_shifts_on_dst_days_keep_eight_hours() -> None:
    for day in (date(2026, 3, 29), date(2026, 10, 25)):
        (early,) = shift_windows([Shift("early", time(6), time(14))], day, BERLIN)
        assert early.end - early.start == timedelta(hours=8)


def test_shift_edges_in_the_dst_gap_and_overlap() -> None:
    # 02:30 does not exist on 29 March: read with the offset before the change (03:30 CEST).
    (gap,) = shift_windows([Shift("g", time(2, 30), time(6))], date(2026, 3, 29), BERLIN)
    assert gap.start == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    # 02:30 happens twice on 25 October: the first time (CEST) counts.
    (twice,) = shift_windows([Shift("t", time(22), time(2, 30))], date(2026, 10, 24), BERLIN)
    assert twice.end == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_consecutive_shifts_tile_the_dst_days_without_gap_or_overlap() -> None:
    shifts = [Shift("early", time(6), time(14)), Shift("late", time(14), time(22)), NIGHT]
    for first in (date(2026, 3, 27), date(2026, 10, 23)):
        windows = [w for i in range(4) for w in shift_windows(shifts, first + timedelta(i), BERLIN)]
        for a, b in pairwise(windows):
            assert a.end == b.start


def test_shift_windows_in_a_fixed_offset_zone() -> None:
    tz = timezone(timedelta(hours=8))
    (w,) = shift_windows([NIGHT], date(2026, 3, 28), tz)
    assert (w.start, w.end - w.start) == (datetime(2026, 3, 28, 14, tzinfo=UTC), timedelta(hours=8))


def test_shift_days_are_stored_as_a_frozenset() -> None:
    s = Shift("x", time(6), time(14), frozenset([0, 1]))
    assert s.days == frozenset({0, 1})
    assert not s.crosses_midnight
    assert NIGHT.crosses_midnight
    assert hash(s) == hash(Shift("x", time(6), time(14), frozenset({1, 0})))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": " "}, "name"),
        ({"start": time(6, tzinfo=UTC)}, "start"),
        ({"end": time(14, tzinfo=UTC)}, "end"),
        ({"end": time(6)}, "end"),
        ({"days": frozenset()}, "days"),
        ({"days": frozenset({7})}, "days"),
        ({"days": frozenset({-1})}, "days"),
    ],
)
def test_bad_shifts_are_refused(kwargs: dict[str, object], field: str) -> None:
    fields: dict[str, object] = {"name": "x", "start": time(6), "end": time(14)} | kwargs
    with pytest.raises(InvalidInput) as error:
        Shift(**fields)  # type: ignore[arg-type]
    assert field_of(error) == field


# --- OEE of a station -----------------------------------------------------------------------


def test_textbook_shift() -> None:
    # 480 min shift: a 30 min break (scheduled), a 47 min breakdown, 403 min running.
    changes = [
        ch(0, S.PRODUCTIVE),
        ch(120, S.SCHEDULED_DOWNTIME, "break"),
        ch(150, S.UNSCHEDULED_DOWNTIME, "feeder jam"),
        ch(197, S.PRODUCTIVE),
    ]
    r = station(changes, total=19271, good=18848, cycle=1 / 60)  # ideal 1 s per unit
    assert (r.planned_minutes, r.run_minutes, r.down_minutes) == (450.0, 403.0, 47.0)
    assert r.availability == pytest.approx(403 / 450)
    assert r.performance == pytest.approx(19271 / 60 / 403)
    assert r.quality == pytest.approx(18848 / 19271)
    assert r.oee == pytest.approx(18848 / 60 / 450)  # good output at ideal rate / planned
    assert r.downtime_by_reason == (("feeder jam", 47.0),)
    assert (r.performance_capped, r.warnings) == (False, ())


def test_non_scheduled_and_scheduled_downtime_leave_planned_time() -> None:
    changes = [ch(0, S.NON_SCHEDULED), ch(60, S.SCHEDULED_DOWNTIME), ch(120, S.PRODUCTIVE)]
    r = station(changes, total=360, end=480)
    assert (r.planned_minutes, r.run_minutes, r.availability) == (360.0, 360.0, 1.0)
    assert (r.performance, r.quality, r.oee) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize("loss", [S.STANDBY, S.ENGINEERING, S.UNSCHEDULED_DOWNTIME])
def test_standby_engineering_and_breakdowns_are_availability_losses(loss: E10State) -> None:
    r = station([ch(0, S.PRODUCTIVE), ch(240, loss)], total=240)
    assert (r.planned_minutes, r.run_minutes, r.down_minutes) == (480.0, 240.0, 240.0)
    assert r.availability == 0.5
    assert r.oee == 0.5


def test_unknown_time_is_a_loss_and_warned() -> None:
    r = station([ch(240, S.PRODUCTIVE)], total=240)
    assert (r.availability, r.down_minutes) == (0.5, 240.0)
    assert r.warnings == ("no state reported for 240 min, counted as lost",)


def test_no_planned_time_gives_none_not_zero_division() -> None:
    r = station([ch(0, S.NON_SCHEDULED)])
    assert (r.planned_minutes, r.availability, r.performance, r.quality, r.oee) == (
        0.0,
        None,
        None,
        None,
        None,
    )
    r = station([ch(0, S.SCHEDULED_DOWNTIME)])
    assert (r.availability, r.oee) == (None, None)


def test_planned_but_never_running_is_zero_oee() -> None:
    r = station([ch(0, S.UNSCHEDULED_DOWNTIME, "no air")])
    assert (r.availability, r.performance, r.quality, r.oee) == (0.0, None, None, 0.0)
    assert r.downtime_by_reason == (("no air", 480.0),)


def test_running_with_zero_count_is_zero_oee() -> None:
    r = station([ch(0, S.PRODUCTIVE)], total=0)
    assert (r.availability, r.performance, r.performance_raw, r.quality, r.oee) == (
        1.0,
        0.0,
        0.0,
        None,
        0.0,
    )


def test_all_bad_units_is_zero_quality() -> None:
    r = station([ch(0, S.PRODUCTIVE)], total=100, good=0)
    assert (r.quality, r.oee) == (0.0, 0.0)


def test_counts_without_run_time_are_warned() -> None:
    r = station([ch(0, S.STANDBY)], total=5, good=5)
    assert (r.performance, r.quality, r.oee) == (None, 1.0, 0.0)
    assert r.warnings == ("5 unit(s) counted with no productive time",)


def test_performance_above_one_is_capped_and_flagged() -> None:
    r = station([ch(0, S.PRODUCTIVE)], total=600, cycle=1.0)
    assert r.performance_raw == 1.25
    assert (r.performance, r.performance_capped, r.oee) == (1.0, True, 1.0)
    assert r.warnings == (
        "performance 125% is above 100 %: check the ideal cycle time or the counts",
    )


def test_performance_of_exactly_one_is_not_flagged() -> None:
    r = station([ch(0, S.PRODUCTIVE)], total=480, cycle=1.0)
    assert (r.performance, r.performance_capped) == (1.0, False)


@pytest.mark.parametrize(
    ("total", "good", "cycle", "field"),
    [
        (-1, 0, 1.0, "total_count"),
        (5, 6, 1.0, "good_count"),
        (5, -1, 1.0, "good_count"),
        (5, 5, 0.0, "ideal_cycle_time"),
        (5, 5, -1.0, "ideal_cycle_time"),
    ],
)
def test_bad_counts_are_refused(total: int, good: int, cycle: float, field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        oee(window([]), total_count=total, good_count=good, ideal_cycle_time=m(cycle))
    assert field_of(error) == field


# --- OEE of a line --------------------------------------------------------------------------


def line_stations() -> dict[str, Oee]:
    return {
        "printer": station(
            [ch(0, S.PRODUCTIVE), ch(400, S.STANDBY)], total=400, good=396, cycle=0.5
        ),
        "placer": station(
            [ch(0, S.PRODUCTIVE), ch(420, S.UNSCHEDULED_DOWNTIME, "nozzle")], total=400, cycle=1.0
        ),
        "aoi": station(
            [ch(0, S.PRODUCTIVE), ch(450, S.UNSCHEDULED_DOWNTIME, "camera")],
            total=396,
            good=390,
            cycle=0.8,
        ),
    }


def test_line_takes_the_slowest_station_as_constraint_and_rolls_quality() -> None:
    stations = line_stations()
    line = line_oee(stations)
    assert line.constraint == "placer"
    placer = stations["placer"]
    assert (line.availability, line.performance) == (placer.availability, placer.performance)
    assert line.quality == pytest.approx(396 / 400 * 1.0 * 390 / 396)
    assert line.oee == pytest.approx(420 / 480 * 400 / 420 * 390 / 400)
    assert line.downtime_by_reason == (("placer", "nozzle", 60.0), ("aoi", "camera", 30.0))
    assert line.stations == stations


def test_line_constraint_can_be_named() -> None:
    line = line_oee(line_stations(), constraint="aoi")
    assert (line.constraint, line.availability) == ("aoi", 450 / 480)


def test_line_constraint_ties_go_to_the_first_name() -> None:
    one = station([ch(0, S.PRODUCTIVE)], total=10)
    assert line_oee({"b": one, "a": one}).constraint == "a"


def test_line_without_planned_time_or_counts() -> None:
    off = station([ch(0, S.NON_SCHEDULED)])
    line = line_oee({"x": off, "y": off})
    assert (line.availability, line.performance, line.quality, line.oee) == (None,) * 4
    idle = station([ch(0, S.PRODUCTIVE)])
    assert line_oee({"x": idle}).oee == 0.0


def test_line_warnings_name_their_station() -> None:
    line = line_oee({"placer": station([ch(0, S.PRODUCTIVE)], total=600)})
    assert line.warnings == (
        "placer: performance 125% is above 100 %: check the ideal cycle time or the counts",
    )


def test_bad_lines_are_refused() -> None:
    with pytest.raises(InvalidInput) as error:
        line_oee({})
    assert field_of(error) == "stations"
    with pytest.raises(InvalidInput) as error:
        line_oee(line_stations(), constraint="oven")
    assert field_of(error) == "constraint"
    with pytest.raises(InvalidInput, match="same window") as error:
        line_oee({"a": station([], end=480), "b": station([], end=470)})
    assert field_of(error) == "stations"


# --- property tests -------------------------------------------------------------------------

states = st.sampled_from(list(S))


@st.composite
def histories(draw: st.DrawFn) -> list[StateChange]:
    """Ordered changes (ties allowed) from two hours before to two hours after the window."""
    minutes = sorted(draw(st.lists(st.integers(-120, 600), max_size=15)))
    return [
        ch(minute, draw(states), draw(st.sampled_from(["", "jam", "nozzle", "air"])))
        for minute in minutes
    ]


windows = st.tuples(st.integers(0, 479), st.integers(1, 480)).map(
    lambda pair: (pair[0], pair[0] + pair[1])
)


@FUZZ
@given(changes=histories(), bounds=windows)
def test_time_per_state_sums_to_the_window(
    changes: list[StateChange], bounds: tuple[int, int]
) -> None:
    times = window(changes, *bounds)
    assert sum(times.by_state.values(), times.unknown) == times.window
    assert all(spent >= timedelta(0) for spent in times.by_state.values())
    assert (
        sum((t for _, t in times.downtime_by_reason), timedelta(0)) == times[S.UNSCHEDULED_DOWNTIME]
    )
    spent = [t for _, t in times.downtime_by_reason]
    assert spent == sorted(spent, reverse=True)


@FUZZ
@given(changes=histories(), bounds=windows, split=st.integers(1, 479))
def test_splitting_a_window_splits_its_times(
    changes: list[StateChange], bounds: tuple[int, int], split: int
) -> None:
    lo, hi = bounds
    mid = lo + split % (hi - lo) if hi - lo > 1 else None
    if mid is None or mid == lo:
        return
    whole, first, second = (
        window(changes, lo, hi),
        window(changes, lo, mid),
        window(changes, mid, hi),
    )
    for state in S:
        assert whole[state] == first[state] + second[state]


@FUZZ
@given(
    changes=histories(),
    total=st.integers(0, 2000),
    data=st.data(),
    cycle=st.integers(1, 600),
)
def test_oee_parts_stay_in_bounds(
    changes: list[StateChange], total: int, data: st.DataObject, cycle: int
) -> None:
    good = data.draw(st.integers(0, total))
    r = oee(
        window(changes),
        total_count=total,
        good_count=good,
        ideal_cycle_time=timedelta(seconds=cycle),
    )
    for part in (r.availability, r.performance, r.quality, r.oee):
        assert part is None or 0.0 <= part <= 1.0
    assert r.performance_capped is (r.performance_raw is not None and r.performance_raw > 1)
    assert r.planned_minutes >= r.run_minutes >= 0
    assert r.down_minutes == pytest.approx(r.planned_minutes - r.run_minutes)
    a, p, q = r.availability, r.performance, r.quality
    if a is not None and p is not None and q is not None:
        assert r.oee is not None
        assert r.oee <= min(a, p, q)
        if not r.performance_capped:
            # OEE is good output at the ideal rate over planned time
            ideal_good = timedelta(seconds=cycle) * good / m(1)
            assert r.oee == pytest.approx(ideal_good / r.planned_minutes)
    assert (r.oee is None) is (r.availability is None)


@FUZZ
@given(
    day=st.dates(date(2020, 1, 1), date(2035, 12, 31)),
    zone=st.sampled_from([BERLIN, NEW_YORK, ZoneInfo("Australia/Lord_Howe")]),
)
def test_shift_windows_follow_each_other_and_last_about_eight_hours(
    day: date, zone: ZoneInfo
) -> None:
    shifts = [Shift("early", time(6), time(14)), Shift("late", time(14), time(22)), NIGHT]
    today, tomorrow = (
        shift_windows(shifts, day, zone),
        shift_windows(shifts, day + timedelta(1), zone),
    )
    chain = [*today, tomorrow[0]]
    for a, b in pairwise(chain):
        assert a.end == b.start
    for w in today:
        assert timedelta(hours=7) <= w.end - w.start <= timedelta(hours=9)
