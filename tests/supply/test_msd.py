"""MSD floor-life rules (J-STD-033): pure, so exhaustive unit tests and property tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from boardline.supply.msd import (
    FLOOR_LIFE,
    MSL,
    SHORT_EXPOSURE_RESET,
    EventKind,
    FloorLifeState,
    Location,
    MsdEvent,
    ShortExposureReset,
    Status,
    bake_hours,
    expiring_soon,
    floor_life,
    floor_life_state,
    parse_msl,
)

T0 = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
CHATHAM = ZoneInfo("Pacific/Chatham")  # +12:45 / +13:45: quarter-hour offsets and DST
ZONES = [UTC, BERLIN, NEW_YORK, KOLKATA, CHATHAM, timezone(timedelta(hours=-3, minutes=-30))]
TIMED = [MSL.L2, MSL.L2A, MSL.L3, MSL.L4, MSL.L5, MSL.L5A]  # fixed, finite floor life
TOL = 12.0
ZERO_H = timedelta(0)
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def h(hours: float) -> timedelta:
    return timedelta(hours=hours)


def m(minutes: int) -> timedelta:
    return timedelta(minutes=minutes)


def ev(kind: EventKind, at: datetime) -> MsdEvent:
    return MsdEvent(kind, at)


def baked(at: datetime, hours: float = 9, temperature: float = 125) -> MsdEvent:
    return MsdEvent(EventKind.BAKED, at, temperature_c=temperature, duration_h=hours)


def opened(at: datetime) -> MsdEvent:
    return ev(EventKind.OPENED, at)


def dry_in(at: datetime) -> MsdEvent:
    return ev(EventKind.DRY_STORE_IN, at)


def dry_out(at: datetime) -> MsdEvent:
    return ev(EventKind.DRY_STORE_OUT, at)


def resealed(at: datetime) -> MsdEvent:
    return ev(EventKind.RESEALED, at)


def sealed(at: datetime) -> MsdEvent:
    return ev(EventKind.SEALED, at)


def state(msl: MSL, events: list[MsdEvent], now: datetime, **options: object) -> FloorLifeState:
    if msl is MSL.L6:
        options.setdefault("tol_hours", TOL)
    return floor_life_state(msl, events, now, **options)  # type: ignore[arg-type]


def left(s: FloorLifeState) -> timedelta:
    assert s.remaining is not None
    return s.remaining


# --- parsing and tables --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("1", MSL.L1),
        ("2", MSL.L2),
        ("2a", MSL.L2A),
        ("2A", MSL.L2A),
        ("3", MSL.L3),
        ("MSL3", MSL.L3),
        ("msl 2A", MSL.L2A),
        ("MSL-4", MSL.L4),
        ("MSL: 5", MSL.L5),
        ("Level 5a", MSL.L5A),
        ("LEVEL5A", MSL.L5A),
        ("  msl 6 ", MSL.L6),
        ("MSL Level 3", MSL.L3),
        ("Moisture Sensitivity Level 4", MSL.L4),
        ("msl_1", MSL.L1),
        ("MSL\u00a03", MSL.L3),
    ],
)
def test_parse_msl_accepts_the_usual_spellings(text: str, level: MSL) -> None:
    assert parse_msl(text) is level


@pytest.mark.parametrize(
    "text",
    ["", "MSL", "level", "0", "7", "3a", "MSL 1a", "2b", "6a", "03", "MSL 3 4", "x3", "3 MSL", "-"],
)
def test_parse_msl_refuses_anything_else_with_a_clear_message(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a moisture sensitivity level.*1, 2, 2a, 3"):
        parse_msl(text)


@given(level=st.sampled_from(list(MSL)), prefix=st.sampled_from(["", "MSL", "msl ", "Level "]))
def test_parse_msl_round_trips_every_level(level: MSL, prefix: str) -> None:
    assert parse_msl(prefix + level.value.upper()) is level
    assert parse_msl(level.label) is level
    assert parse_msl(level) is level


def test_floor_life_table_matches_j_std_033() -> None:
    assert {
        MSL.L1: None,
        MSL.L2: timedelta(days=365),
        MSL.L2A: timedelta(days=28),
        MSL.L3: h(168),
        MSL.L4: h(72),
        MSL.L5: h(48),
        MSL.L5A: h(24),
    } == FLOOR_LIFE
    assert floor_life(MSL.L6, tol_hours=6) == h(6)
    assert floor_life(MSL.L6, tol_hours=0.5) == m(30)


def test_msl_6_needs_the_time_on_the_label_and_other_levels_refuse_one() -> None:
    with pytest.raises(ValueError, match="tol_hours is required for MSL 6"):
        floor_life(MSL.L6)
    with pytest.raises(ValueError, match="tol_hours is required"):
        floor_life_state(MSL.L6, [opened(T0)], T0)
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="tol_hours must be a positive"):
            floor_life(MSL.L6, tol_hours=bad)
    with pytest.raises(ValueError, match="MSL 6 only, not to MSL 3"):
        floor_life_state(MSL.L3, [opened(T0)], T0, tol_hours=6)


def test_bake_hours_example_table_and_see_the_standard_otherwise() -> None:
    assert bake_hours(MSL.L3, 1.4) == 9
    assert bake_hours(MSL.L4, 0.8) == 11
    assert bake_hours(MSL.L5A, 1.0) == 16
    for level in (MSL.L1, MSL.L2, MSL.L2A, MSL.L5, MSL.L6):
        assert bake_hours(level, 1.0) is None
    for level in MSL:
        assert bake_hours(level, 1.41) is None
        assert bake_hours(level, 3.2) is None
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="thickness_mm"):
            bake_hours(MSL.L3, bad)


def test_status_labels_and_tones_for_pages() -> None:
    assert [(s.label, s.tone) for s in Status] == [
        ("Sealed", ""),
        ("OK", "ok"),
        ("Expiring", "warn"),
        ("Expired", "bad"),
        ("Needs bake", "bad"),
    ]
    assert MSL.L2A.label == "MSL 2a"


# --- events --------------------------------------------------------------------------------


def test_naive_datetimes_are_refused_naming_the_argument() -> None:
    naive = datetime(2026, 1, 12, 8, 0)
    with pytest.raises(ValueError, match=r"MsdEvent\.at must be timezone-aware"):
        opened(naive)
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        floor_life_state(MSL.L3, [opened(T0)], naive)


def test_bake_event_records_temperature_and_duration() -> None:
    event = baked(T0, hours=11, temperature=125)
    assert (event.temperature_c, event.duration_h) == (125, 11)
    with pytest.raises(ValueError, match="BAKED event needs a positive temperature_c"):
        MsdEvent(EventKind.BAKED, T0, duration_h=9)
    with pytest.raises(ValueError, match="positive duration_h"):
        MsdEvent(EventKind.BAKED, T0, temperature_c=125, duration_h=0)
    with pytest.raises(ValueError, match="belong to BAKED events, not opened"):
        MsdEvent(EventKind.OPENED, T0, temperature_c=125)


def test_option_validation() -> None:
    with pytest.raises(ValueError, match="max_bakes"):
        floor_life_state(MSL.L3, [], T0, max_bakes=-1)
    with pytest.raises(ValueError, match="warning_window"):
        floor_life_state(MSL.L3, [], T0, warning_window=-h(1))
    with pytest.raises(ValueError, match="shelf_life_months"):
        floor_life_state(MSL.L3, [], T0, shelf_life_months=0)
    with pytest.raises(ValueError, match="max_exposure"):
        ShortExposureReset(frozenset({MSL.L3}), ZERO_H, 5)
    with pytest.raises(ValueError, match="factor"):
        ShortExposureReset(frozenset({MSL.L3}), h(12), 0.5)


# --- every level ---------------------------------------------------------------------------


@pytest.mark.parametrize("level", TIMED)
def test_every_timed_level_runs_out_exactly_at_its_floor_life(level: MSL) -> None:
    life = FLOOR_LIFE[level]
    assert life is not None
    fresh = state(level, [opened(T0)], T0)
    assert (fresh.status, fresh.used, fresh.remaining) == (Status.OK, ZERO_H, life)
    assert fresh.expires_at == T0 + life
    last_minute = state(level, [opened(T0)], T0 + life - m(1))
    assert last_minute.status is Status.EXPIRING
    assert last_minute.remaining == m(1)
    assert last_minute.usable
    at_end = state(level, [opened(T0)], T0 + life)
    assert at_end.status is Status.EXPIRED
    assert (at_end.remaining, at_end.expires_at) == (ZERO_H, None)
    assert at_end.bake_required
    assert not at_end.usable
    assert "blocked until baked" in at_end.reason


def test_msl_1_never_expires() -> None:
    s = state(MSL.L1, [opened(T0)], T0 + timedelta(days=3650))
    assert s.status is Status.OK
    assert (s.floor_life, s.remaining, s.expires_at) == (None, None, None)
    assert s.used == timedelta(days=3650)
    assert "unlimited" in s.reason
    assert state(MSL.L1, [], T0).status is Status.OK
    assert state(MSL.L1, [sealed(T0)], T0 + timedelta(days=5000)).status is Status.OK


def test_msl_6_needs_a_bake_first_then_uses_the_time_on_the_label() -> None:
    unbaked = state(MSL.L6, [opened(T0)], T0 + h(1))
    assert unbaked.status is Status.NEEDS_BAKE
    assert unbaked.remaining == ZERO_H
    assert "bake before use" in unbaked.reason
    assert "label time 12 h" in unbaked.reason
    still_sealed = state(MSL.L6, [sealed(T0)], T0 + h(1))
    assert still_sealed.status is Status.NEEDS_BAKE

    events = [opened(T0), baked(T0 + h(2), hours=24)]
    after = state(MSL.L6, events, T0 + h(5))
    assert after.status is Status.OK
    assert after.floor_life == h(TOL)
    assert (after.used, after.remaining) == (h(3), h(9))
    assert after.expires_at == T0 + h(14)
    assert state(MSL.L6, events, T0 + h(7)).status is Status.EXPIRING
    assert state(MSL.L6, events, T0 + h(14)).status is Status.EXPIRED
    # the label time pauses in dry storage like any floor life
    paused = state(MSL.L6, [*events, dry_in(T0 + h(4))], T0 + h(100))
    assert (paused.status, paused.remaining) == (Status.OK, h(10))


# --- accumulation and dry storage ----------------------------------------------------------


def test_exposure_accumulates_across_open_and_dry_store_intervals() -> None:
    events = [
        sealed(T0 - timedelta(days=30)),
        opened(T0),
        dry_in(T0 + h(10)),
        dry_out(T0 + h(110)),
        resealed(T0 + h(130)),
        opened(T0 + h(180)),
        dry_in(T0 + h(185)),
        dry_out(T0 + h(300)),
    ]
    s = state(MSL.L3, events, T0 + h(310))
    assert s.used == h(10 + 20 + 5 + 10)
    assert s.remaining == h(168 - 45)
    assert s.location is Location.FLOOR
    assert s.clock_running
    assert s.expires_at == T0 + h(310 + 123)
    assert s.warnings == ()


def test_dry_storage_pauses_the_clock_and_never_expires_while_inside() -> None:
    events = [opened(T0), dry_in(T0 + h(70))]
    for later in (h(70), h(71), timedelta(days=400)):
        s = state(MSL.L4, events, T0 + later)
        assert (s.used, s.remaining) == (h(70), h(2))
        assert s.expires_at is None
        assert not s.clock_running
        # two hours left, but paused: nothing will expire while it stays inside
        assert s.status is Status.OK
        assert "in dry storage, clock paused" in s.reason
    out = state(MSL.L4, [*events, dry_out(T0 + h(500))], T0 + h(501))
    assert (out.status, out.remaining) == (Status.EXPIRING, h(1))


def test_resealed_pauses_like_dry_storage() -> None:
    events = [opened(T0), resealed(T0 + h(20)), opened(T0 + h(2000))]
    inside = state(MSL.L5, events, T0 + h(1000))
    assert (inside.location, inside.used, inside.expires_at) == (Location.RESEALED, h(20), None)
    assert "resealed, clock paused" in inside.reason
    assert state(MSL.L5, events, T0 + h(2010)).used == h(30)


def test_an_expired_package_stays_expired_in_dry_storage() -> None:
    s = state(MSL.L5A, [opened(T0), dry_in(T0 + h(30))], T0 + h(1000))
    assert s.status is Status.EXPIRED
    assert "exceeded by 6 h" in s.reason


# --- short-exposure reset (optional rule) --------------------------------------------------


def test_dry_storage_only_pauses_by_default() -> None:
    events = [opened(T0), dry_in(T0 + h(10)), dry_out(T0 + h(110))]
    assert state(MSL.L3, events, T0 + h(110)).used == h(10)


def test_short_exposure_reset_when_switched_on() -> None:
    rule = SHORT_EXPOSURE_RESET
    events = [opened(T0), dry_in(T0 + h(10)), dry_out(T0 + h(60))]
    s = state(MSL.L3, events, T0 + h(62), short_exposure_reset=rule)
    assert s.used == h(2)  # 10 h exposure, 50 h = 5x dry: reset, then 2 h since out
    assert "clock reset 1x" in s.reason
    too_short = [opened(T0), dry_in(T0 + h(10)), dry_out(T0 + h(59))]
    assert state(MSL.L3, too_short, T0 + h(59), short_exposure_reset=rule).used == h(10)
    too_long = [opened(T0), dry_in(T0 + h(13)), dry_out(T0 + h(500))]
    assert state(MSL.L3, too_long, T0 + h(500), short_exposure_reset=rule).used == h(13)
    # MSL 5 is not among the example rule's levels
    assert state(MSL.L5, events, T0 + h(60), short_exposure_reset=rule).used == h(10)
    assert state(MSL.L2A, events, T0 + h(60), short_exposure_reset=rule).used == ZERO_H


def test_short_exposure_reset_counts_total_exposure_and_applies_while_still_inside() -> None:
    rule = SHORT_EXPOSURE_RESET
    # two short stints of 4 h: 8 h exposure needs 40 h dry, not 20 h
    events = [
        opened(T0),
        dry_in(T0 + h(4)),
        dry_out(T0 + h(5)),
        resealed(T0 + h(9)),
    ]
    assert state(MSL.L4, events, T0 + h(9 + 39), short_exposure_reset=rule).used == h(8)
    inside = state(MSL.L4, events, T0 + h(9 + 40), short_exposure_reset=rule)
    assert (inside.used, inside.remaining) == (ZERO_H, h(72))
    # cabinet then bag is one continuous dry stay
    mixed = [opened(T0), dry_in(T0 + h(4)), resealed(T0 + h(10)), opened(T0 + h(24))]
    assert state(MSL.L4, mixed, T0 + h(24), short_exposure_reset=rule).used == ZERO_H


def test_custom_short_exposure_rule() -> None:
    rule = ShortExposureReset(frozenset({MSL.L5}), max_exposure=h(8), factor=10)
    events = [opened(T0), dry_in(T0 + h(8)), dry_out(T0 + h(88))]
    assert state(MSL.L5, events, T0 + h(88), short_exposure_reset=rule).used == ZERO_H
    events = [opened(T0), dry_in(T0 + h(8)), dry_out(T0 + h(87))]
    assert state(MSL.L5, events, T0 + h(87), short_exposure_reset=rule).used == h(8)


# --- bake ----------------------------------------------------------------------------------


def test_bake_resets_exposure_and_counts() -> None:
    events = [opened(T0), baked(T0 + h(200), hours=9), baked(T0 + h(220), hours=11)]
    s = state(MSL.L3, events, T0 + h(230))
    assert (s.status, s.used, s.remaining) == (Status.OK, h(10), h(158))
    assert (s.bake_count, s.bake_hours_total) == (2, 20.0)
    assert s.bake_limit_reached
    assert not s.blocked  # usable; just no further bake
    assert "no further bake allowed" in s.reason
    assert s.clock_running  # after the oven the package is on the floor


def test_one_bake_leaves_room_for_another() -> None:
    s = state(MSL.L3, [opened(T0), baked(T0 + h(200))], T0 + h(400))
    assert s.status is Status.EXPIRED
    assert (s.bake_count, s.bake_limit_reached, s.blocked) == (1, False, False)
    assert "engineer" not in s.reason


def test_bake_limit_reached_on_an_expired_package_blocks_it() -> None:
    events = [opened(T0), baked(T0 + h(200)), baked(T0 + h(400))]
    s = state(MSL.L3, events, T0 + h(600))
    assert s.status is Status.EXPIRED
    assert s.blocked
    assert "bake limit (2) reached, do not bake again, an engineer decides" in s.reason
    assert "until baked" not in s.reason
    third = state(MSL.L3, [*events, baked(T0 + h(601))], T0 + h(602))
    assert third.status is Status.OK
    assert third.bake_count == 3
    assert any("bake 3 exceeds the limit of 2" in w for w in third.warnings)


@pytest.mark.parametrize(("max_bakes", "blocked"), [(0, True), (1, True), (3, False)])
def test_bake_limit_is_configurable(max_bakes: int, blocked: bool) -> None:
    events = [opened(T0)] if max_bakes == 0 else [opened(T0), baked(T0 + h(1))]
    s = state(MSL.L5A, events, T0 + h(100), max_bakes=max_bakes)
    assert s.status is Status.EXPIRED
    assert s.blocked is blocked


def test_bake_from_dry_storage_starts_the_clock_on_the_floor() -> None:
    events = [opened(T0), dry_in(T0 + h(10)), baked(T0 + h(50))]
    s = state(MSL.L3, events, T0 + h(60))
    assert (s.location, s.used) == (Location.FLOOR, h(10))


# --- sealed bag and shelf life -------------------------------------------------------------


def test_sealed_bag_shelf_life_is_twelve_months_from_the_seal_date() -> None:
    seal = datetime(2026, 3, 15, 10, 0, tzinfo=UTC)
    s = state(MSL.L3, [sealed(seal)], seal + timedelta(days=100))
    assert s.status is Status.SEALED
    assert (s.used, s.remaining) == (ZERO_H, h(168))
    assert s.expires_at == datetime(2027, 3, 15, 10, 0, tzinfo=UTC)
    assert not s.usable
    assert not s.bake_required
    assert "shelf life until 2027-03-15 10:00 UTC" in s.reason
    lapsed = state(MSL.L3, [sealed(seal)], datetime(2027, 3, 15, 10, 0, tzinfo=UTC))
    assert lapsed.status is Status.NEEDS_BAKE
    assert "shelf life ended on 2027-03-15" in lapsed.reason
    short = state(MSL.L3, [sealed(seal)], seal + timedelta(days=200), shelf_life_months=6)
    assert short.status is Status.NEEDS_BAKE


@pytest.mark.parametrize(
    ("seal", "end"),
    [
        (datetime(2024, 2, 29, 12, 0, tzinfo=UTC), datetime(2025, 2, 28, 12, 0, tzinfo=UTC)),
        (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), datetime(2027, 12, 31, 23, 0, tzinfo=UTC)),
    ],
)
def test_shelf_life_uses_calendar_months(seal: datetime, end: datetime) -> None:
    assert state(MSL.L4, [sealed(seal)], seal).expires_at == end
    one_month = state(MSL.L4, [sealed(seal)], seal, shelf_life_months=1).expires_at
    assert one_month is not None
    assert one_month.day <= seal.day


def test_opened_within_shelf_life_starts_the_floor_clock() -> None:
    s = state(MSL.L3, [sealed(T0), opened(T0 + timedelta(days=300))], T0 + timedelta(days=301))
    assert (s.status, s.used) == (Status.OK, h(24))


def test_opened_after_shelf_life_needs_a_bake_until_baked() -> None:
    late = T0 + timedelta(days=400)
    events = [sealed(T0), opened(late)]
    s = state(MSL.L3, events, late + h(1))
    assert s.status is Status.NEEDS_BAKE
    assert "opened after its shelf life ended" in s.reason
    after_bake = state(MSL.L3, [*events, baked(late + h(12))], late + h(13))
    assert (after_bake.status, after_bake.used) == (Status.OK, h(1))


# --- expiry moment and warning window ------------------------------------------------------


def test_expiry_moment_if_nothing_changes() -> None:
    events = [opened(T0), dry_in(T0 + h(20)), dry_out(T0 + h(50))]
    s = state(MSL.L4, events, T0 + h(60))
    assert s.expires_at == T0 + h(60) + h(72 - 30)
    assert s.expires_at.tzinfo is UTC
    assert s.as_of.tzinfo is UTC
    assert "expires 2026-01-16 14:00 UTC" in s.reason


def test_warning_window_default_and_configurable() -> None:
    events = [opened(T0)]
    assert state(MSL.L5A, events, T0 + h(15.99)).status is Status.OK
    assert state(MSL.L5A, events, T0 + h(16)).status is Status.EXPIRING
    assert state(MSL.L5A, events, T0 + h(10), warning_window=h(14)).status is Status.EXPIRING
    assert state(MSL.L5A, events, T0 + h(23.9), warning_window=ZERO_H).status is Status.OK


def test_expiring_soon_lists_what_needs_attention_most_urgent_first() -> None:
    now = T0 + h(100)
    states = {
        "fresh": state(MSL.L3, [opened(T0 + h(99))], now),
        "soon": state(MSL.L3, [opened(T0 + h(100) - h(165))], now),
        "sooner": state(MSL.L3, [opened(T0 + h(100) - h(167))], now),
        "expired": state(MSL.L5A, [opened(T0)], now),
        "msl6": state(MSL.L6, [opened(T0)], now),
        "paused": state(MSL.L5A, [opened(T0 + h(70)), dry_in(T0 + h(93))], now),
        "unlimited": state(MSL.L1, [opened(T0)], now),
        "bag": state(MSL.L3, [sealed(now - timedelta(days=365) + h(2))], now),
    }
    found = expiring_soon(states, within=h(4))
    assert [key for key, _ in found] == ["expired", "msl6", "sooner", "bag", "soon"]
    assert expiring_soon({}, h(1)) == []
    assert [key for key, _ in expiring_soon(states, ZERO_H)] == ["expired", "msl6"]
    with pytest.raises(ValueError, match="within"):
        expiring_soon(states, -h(1))


# --- order and contradictions --------------------------------------------------------------


def test_out_of_order_events_are_sorted_by_time() -> None:
    events = [dry_out(T0 + h(50)), opened(T0), sealed(T0 - h(1)), dry_in(T0 + h(10))]
    s = state(MSL.L3, events, T0 + h(60))
    assert s.used == h(20)
    assert s.warnings == ()


@pytest.mark.parametrize(
    ("events", "used", "warning"),
    [
        ([opened(T0), dry_out(T0 + h(5))], h(10), "dry_store_out at 2026-01-12 13:00 UTC: without"),
        ([opened(T0), opened(T0 + h(5))], h(10), "opened at 2026-01-12 13:00 UTC: already open"),
        ([opened(T0), dry_in(T0 + h(2)), dry_in(T0 + h(5))], h(2), "already in dry storage"),
        ([opened(T0), resealed(T0 + h(2)), resealed(T0 + h(3))], h(2), "already sealed"),
        ([opened(T0), dry_in(T0 + h(2)), opened(T0 + h(5))], h(7), "taken as out of dry"),
        ([opened(T0), sealed(T0 + h(2))], h(2), "taken as resealed (no new shelf life)"),
        ([sealed(T0), dry_out(T0 + h(2))], h(8), "without dry_store_in while sealed"),
        ([sealed(T0), dry_in(T0 + h(2))], ZERO_H, "taken as opened into the cabinet"),
        ([sealed(T0), sealed(T0 + h(1))], ZERO_H, "already sealed; ignored"),
        ([dry_in(T0)], ZERO_H, "history starts here"),
        ([dry_out(T0 + h(4))], h(6), "exposure before it is unknown"),
        ([resealed(T0)], ZERO_H, "history starts here"),
    ],
)
def test_contradictory_histories_are_tolerated_and_reported(
    events: list[MsdEvent], used: timedelta, warning: str
) -> None:
    s = state(MSL.L3, events, T0 + h(10))
    assert s.used == used
    assert any(warning in w for w in s.warnings), s.warnings


def test_no_history_is_treated_as_exposed() -> None:
    s = state(MSL.L3, [], T0)
    assert (s.status, s.location, s.remaining) == (Status.NEEDS_BAKE, Location.UNKNOWN, ZERO_H)
    assert "no MSD history" in s.reason


def test_events_after_now_are_ignored_with_a_warning() -> None:
    s = state(MSL.L3, [opened(T0), dry_in(T0 + h(20))], T0 + h(10))
    assert (s.used, s.clock_running) == (h(10), True)
    assert s.warnings == ("1 event(s) after 2026-01-12 18:00 UTC ignored",)


def test_same_time_events_keep_their_given_order() -> None:
    s = state(MSL.L3, [opened(T0), dry_in(T0 + h(1)), dry_out(T0 + h(1))], T0 + h(3))
    assert (s.used, s.warnings) == (h(3), ())


# --- time zones and daylight saving --------------------------------------------------------


def test_168_hours_across_spring_forward_end_168_real_hours_later() -> None:
    start = datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN)  # CET; clocks go forward on the 29th
    expected_end = datetime(2026, 4, 4, 13, 0, tzinfo=BERLIN)  # CEST: 13:00, not 12:00
    s = state(MSL.L3, [opened(start)], datetime(2026, 4, 4, 12, 30, tzinfo=BERLIN))
    assert s.expires_at == expected_end
    assert s.expires_at - start.astimezone(UTC) == h(168)
    assert (s.status, s.used, s.remaining) == (Status.EXPIRING, h(167.5), m(30))
    assert state(MSL.L3, [opened(start)], expected_end).status is Status.EXPIRED


def test_168_hours_across_fall_back_end_168_real_hours_later() -> None:
    start = datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN)  # CEST; clocks go back on the 25th
    expected_end = datetime(2026, 10, 31, 11, 0, tzinfo=BERLIN)  # CET: 11:00, not 12:00
    s = state(MSL.L3, [opened(start)], datetime(2026, 10, 31, 10, 30, tzinfo=BERLIN))
    assert s.expires_at == expected_end
    assert (s.used, s.remaining) == (h(167.5), m(30))
    assert state(MSL.L3, [opened(start)], expected_end).status is Status.EXPIRED


def test_intervals_inside_the_dst_nights_count_real_hours() -> None:
    # spring: 01:30 CET to 03:30 CEST is one real hour
    spring = [
        opened(datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)),
        dry_in(datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)),
    ]
    assert state(MSL.L3, spring, datetime(2026, 3, 30, tzinfo=BERLIN)).used == h(1)
    # autumn: 01:30 CEST to the second 02:30 (CET) is two real hours
    autumn = [
        opened(datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN)),
        dry_in(datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)),
    ]
    assert state(MSL.L3, autumn, datetime(2026, 10, 26, tzinfo=BERLIN)).used == h(2)
    # the same wall-clock time twice is one real hour apart
    repeated = [
        opened(datetime(2026, 10, 25, 2, 30, fold=0, tzinfo=BERLIN)),
        dry_in(datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)),
    ]
    assert state(MSL.L3, repeated, datetime(2026, 10, 26, tzinfo=BERLIN)).used == h(1)


def test_msl_5a_day_across_spring_forward() -> None:
    start = datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN)
    s = state(MSL.L5A, [opened(start)], start)
    assert s.expires_at == datetime(2026, 3, 29, 13, 0, tzinfo=BERLIN)


def test_events_mixing_zones_are_ordered_and_measured_as_instants() -> None:
    events = [
        dry_out(datetime(2026, 1, 11, 0, 0, tzinfo=UTC)),
        opened(datetime(2026, 1, 10, 9, 0, tzinfo=BERLIN)),  # 08:00 UTC
        dry_in(datetime(2026, 1, 10, 5, 0, tzinfo=NEW_YORK)),  # 10:00 UTC
    ]
    now = datetime(2026, 1, 11, 6, 30, tzinfo=KOLKATA)  # 01:00 UTC
    s = state(MSL.L3, events, now)
    assert (s.used, s.warnings) == (h(3), ())
    assert s.as_of == datetime(2026, 1, 11, 1, 0, tzinfo=UTC)
    assert s.as_of.tzinfo is UTC
    assert s.expires_at == datetime(2026, 1, 17, 22, 0, tzinfo=UTC)


# --- property tests ------------------------------------------------------------------------

levels = st.sampled_from(list(MSL))
timed_levels = st.sampled_from([*TIMED, MSL.L6])
reset_rules = st.sampled_from([None, SHORT_EXPOSURE_RESET])


@st.composite
def arbitrary_events(draw: st.DrawFn, distinct: bool = False) -> list[MsdEvent]:
    """Any kinds in any order, contradictions included, over about two months."""
    items = draw(
        st.lists(
            st.tuples(st.sampled_from(list(EventKind)), st.integers(0, 60 * 24 * 60)),
            max_size=12,
            unique_by=(lambda item: item[1]) if distinct else None,
        )
    )
    return [
        baked(T0 + m(minute), hours=draw(st.sampled_from([4, 9, 24])))
        if kind is EventKind.BAKED
        else ev(kind, T0 + m(minute))
        for kind, minute in items
    ]


@dataclass(frozen=True)
class Clean:
    """A consistent history and the spans during which the package was on the floor."""

    events: list[MsdEvent]
    floor: list[tuple[datetime, datetime]]
    now: datetime


@st.composite
def clean_histories(draw: st.DrawFn) -> Clean:
    t = T0
    events = [sealed(T0 - timedelta(days=10)), opened(t)]
    floor: list[tuple[datetime, datetime]] = []
    steps = st.tuples(
        st.integers(1, 3000), st.sampled_from(["dry", "bag", "bake"]), st.integers(1, 20000)
    )
    for on_floor, kind, off in draw(st.lists(steps, max_size=6)):
        floor.append((t, t + m(on_floor)))
        t += m(on_floor)
        if kind == "bake":
            events.append(baked(t))
            continue
        events.append(dry_in(t) if kind == "dry" else resealed(t))
        t += m(off)
        events.append(dry_out(t) if kind == "dry" else opened(t))
    tail = m(draw(st.integers(0, 3000)))
    floor.append((t, t + tail))
    t += tail
    if draw(st.booleans()):
        events.append(dry_in(t))
        t += m(draw(st.integers(0, 20000)))
    return Clean(events, floor, t)


def instant_inside(data: st.DataObject, span: tuple[datetime, datetime]) -> datetime:
    minutes = int((span[1] - span[0]).total_seconds() // 60)
    return span[0] + m(data.draw(st.integers(1, minutes - 1)))


@FUZZ
@given(
    level=levels,
    events=arbitrary_events(),
    later=st.integers(0, 70 * 24 * 60),
    rule=reset_rules,
    max_bakes=st.integers(0, 3),
)
def test_any_history_gives_a_consistent_state_and_never_raises(
    level: MSL, events: list[MsdEvent], later: int, rule: ShortExposureReset | None, max_bakes: int
) -> None:
    now = T0 + m(later)
    s = state(level, events, now, short_exposure_reset=rule, max_bakes=max_bakes)
    assert s.as_of == now
    assert s.used >= ZERO_H
    assert s.bake_limit_reached is (s.bake_count >= max_bakes)
    assert s.blocked is (s.bake_required and s.bake_limit_reached)
    assert all(isinstance(w, str) for w in s.warnings)
    assert s.reason
    if level is MSL.L1:
        assert (s.status, s.remaining, s.expires_at) == (Status.OK, None, None)
        return
    assert s.remaining is not None
    assert s.remaining >= ZERO_H
    if s.expires_at is not None:
        assert s.expires_at > now
    if s.status in (Status.SEALED, Status.OK, Status.EXPIRING):
        # remaining + used == floor life while not expired
        assert s.remaining + s.used == s.floor_life
    if s.status is Status.EXPIRING:
        assert s.expires_at is not None
        assert s.expires_at - now <= timedelta(hours=8)
    if s.bake_required:
        assert s.remaining == ZERO_H
        assert s.expires_at is None


@FUZZ
@given(level=levels, events=arbitrary_events(distinct=True), data=st.data(), rule=reset_rules)
def test_the_order_events_arrive_in_does_not_matter(
    level: MSL, events: list[MsdEvent], data: st.DataObject, rule: ShortExposureReset | None
) -> None:
    now = T0 + timedelta(days=61)
    shuffled = data.draw(st.permutations(events))
    assert state(level, shuffled, now, short_exposure_reset=rule) == state(
        level, events, now, short_exposure_reset=rule
    )


@FUZZ
@given(level=levels, events=arbitrary_events(), data=st.data())
def test_the_zone_events_are_written_in_does_not_matter(
    level: MSL, events: list[MsdEvent], data: st.DataObject
) -> None:
    now = T0 + timedelta(days=61)
    rezoned = [
        MsdEvent(
            e.kind,
            e.at.astimezone(data.draw(st.sampled_from(ZONES))),
            e.temperature_c,
            e.duration_h,
        )
        for e in events
    ]
    local_now = now.astimezone(data.draw(st.sampled_from(ZONES)))
    assert state(level, rezoned, local_now) == state(level, events, now)


@FUZZ
@given(level=timed_levels, history=clean_histories(), data=st.data(), rule=reset_rules)
def test_adding_a_dry_storage_interval_never_reduces_remaining(
    level: MSL, history: Clean, data: st.DataObject, rule: ShortExposureReset | None
) -> None:
    long_enough = [span for span in history.floor if span[1] - span[0] >= m(3)]
    assume(long_enough)
    span = data.draw(st.sampled_from(long_enough))
    start = instant_inside(data, span)
    assume(span[1] - start >= m(2))
    added = [dry_in(start), dry_out(instant_inside(data, (start, span[1])))]
    base = state(level, history.events, history.now, short_exposure_reset=rule)
    more = state(level, history.events + added, history.now, short_exposure_reset=rule)
    assert left(more) >= left(base)
    assert more.used <= base.used
    assert more.warnings == base.warnings


@FUZZ
@given(level=timed_levels, history=clean_histories(), data=st.data(), rule=reset_rules)
def test_a_bake_on_the_floor_never_reduces_remaining(
    level: MSL, history: Clean, data: st.DataObject, rule: ShortExposureReset | None
) -> None:
    long_enough = [span for span in history.floor if span[1] - span[0] >= m(2)]
    assume(long_enough)
    at = instant_inside(data, data.draw(st.sampled_from(long_enough)))
    base = state(level, history.events, history.now, short_exposure_reset=rule, max_bakes=99)
    more = state(
        level, [*history.events, baked(at)], history.now, short_exposure_reset=rule, max_bakes=99
    )
    assert left(more) >= left(base)
    assert more.bake_count == base.bake_count + 1


@FUZZ
@given(level=st.sampled_from(TIMED), history=clean_histories())
def test_clean_histories_count_exactly_the_floor_time(level: MSL, history: Clean) -> None:
    s = state(level, history.events, history.now, max_bakes=99)
    last_bake = max((e.at for e in history.events if e.kind is EventKind.BAKED), default=None)
    counted = [
        (max(a, last_bake), b) if last_bake is not None else (a, b)
        for a, b in history.floor
        if last_bake is None or b > last_bake
    ]
    assert s.used == sum((b - a for a, b in counted), ZERO_H)
    assert s.warnings == ()
