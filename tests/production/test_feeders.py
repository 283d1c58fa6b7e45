"""Feeder setups: defining slots, verified loading and splicing, and the slot history.

Every database test runs on SQLite and PostgreSQL with the clock standing still at T0
unless a test moves it. A refused scan must leave the slot history exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from boardline.catalog import services as catalog
from boardline.core import clock
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import AlreadyExists, Conflict, InvalidInput, PermissionDenied
from boardline.production import factory, feeder_rules, feeders
from boardline.production.feeder_rules import LoadFacts, Reason, SlotRow
from boardline.production.tables import SlotLoad, SlotRejection, WorkOrder
from tests.supply.test_kitting import MCU, RES, SYSTEM, T0, at_t0, make_world, receive

__all__ = ["at_t0"]  # the fixture, imported for these tests

OPERATOR = Actor("user", "olga", Role.OPERATOR, user_id=7)
ENGINEER = Actor("user", "erik", Role.ENGINEER, user_id=8)
VISHAY = ("Vishay", "CRCW040210K0FKED")


# --- the pure rule --------------------------------------------------------------------

GOOD = LoadFacts(
    slot="1",
    expected_item="RES-10K",
    package_uid="PKG-1",
    package_item="RES-10K",
    manufacturer="Yageo",
    approved=("Yageo",),
    quantity=100,
)


def _with(**changes: object) -> LoadFacts:
    from dataclasses import replace

    return replace(GOOD, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (GOOD, Reason.OK),
        (_with(approved=()), Reason.OK),  # no approved list: no restriction
        (_with(expected_item=None), Reason.UNKNOWN_SLOT),
        (_with(package_uid=None, unreadable="no such package"), Reason.UNKNOWN_PACKAGE),
        (_with(package_item="MCU-1"), Reason.WRONG_ITEM),
        (_with(manufacturer="Vishay"), Reason.MANUFACTURER_NOT_APPROVED),
        (_with(unusable=("hold", "on hold")), Reason.PACKAGE_ON_HOLD),
        (_with(unusable=("blocked", "blocked")), Reason.PACKAGE_BLOCKED),
        (_with(unusable=("quarantined", "q")), Reason.PACKAGE_QUARANTINED),
        (_with(unusable=("expired", "shelf")), Reason.PACKAGE_EXPIRED),
        (_with(unusable=("floor_life_expired", "bake")), Reason.FLOOR_LIFE_EXPIRED),
        # Blocked by the nightly floor-life check: still reported as the floor life.
        (_with(unusable=("blocked", "b"), floor_life_over=True), Reason.FLOOR_LIFE_EXPIRED),
        (_with(quantity=0), Reason.EMPTY_PACKAGE),
        (_with(loaded_elsewhere="slot 2"), Reason.ALREADY_LOADED_ELSEWHERE),
        (_with(splice=True, running_item=None), Reason.NOTHING_TO_SPLICE),
        (_with(splice=True, running_item="RES-10K"), Reason.OK),
    ],
)
def test_verify_gives_one_reason_per_fact(facts: LoadFacts, reason: Reason) -> None:
    verdict = feeder_rules.verify(facts)
    assert verdict.reason is reason
    assert verdict.ok is (reason is Reason.OK)
    assert verdict.message


def test_parse_slots_reports_every_bad_line_and_skips_header_and_comments() -> None:
    rows = feeder_rules.parse_slots("slot,item\n# bank 1\n1-1,RES-10K,R1 R2\n\n1-2,MCU-1,U1,U2\n")
    assert rows == [
        SlotRow("1-1", "RES-10K", ("R1", "R2"), 3),
        SlotRow("1-2", "MCU-1", ("U1", "U2"), 5),
    ]
    with pytest.raises(InvalidInput) as exc:
        feeder_rules.parse_slots("1,RES-10K\n1,MCU-1\n2\n bad slot!,X\n")
    errors = exc.value.extra["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [(2, "slot"), (3, "item"), (4, "slot")]
    assert "line 2, slot: 1 is already on line 1" in exc.value.detail


def test_slots_text_round_trips() -> None:
    rows = [SlotRow("1", "RES-10K", ("R1", "R2"), 1), SlotRow("2", "MCU-1", (), 2)]
    assert feeder_rules.parse_slots(feeder_rules.slots_text(rows)) == rows


# --- services -------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    id: int
    customer_id: int
    revision_id: int
    wo_id: int


def make_setup(db: Database) -> Setup:
    """The kitting world (ACME, RES-10K by Yageo, MSL 3 MCU-1), Yageo and ST approved for
    ACME, a Vishay alternate for RES-10K, line L1, and setup P1/top: slot 1 RES-10K, slot 2
    MCU-1."""
    w = make_world(db)
    with db.unit_of_work(SYSTEM) as s:
        catalog.do_add_part(s, SYSTEM, w.res_id, manufacturer=VISHAY[0], mpn=VISHAY[1])
        for maker in (RES[0], MCU[0]):
            catalog.do_approve_manufacturer(s, SYSTEM, w.customer_id, maker)
        factory.do_create_site(s, SYSTEM, code="S1", name="Plant")
        factory.do_create_line(s, SYSTEM, site_code="S1", code="L1", name="SMT 1", kind="smt")
        revision_id = s.get_one(WorkOrder, w.wo_id).revision_id
    with db.unit_of_work(ENGINEER) as s:
        setup = feeders.do_create_setup(
            s, ENGINEER, line_code="L1", revision_id=revision_id, program="P1", side="top"
        )
        feeders.do_set_slots(s, ENGINEER, setup.id, "1,RES-10K,R1 R2\n2,MCU-1,U1\n")
        return Setup(setup.id, w.customer_id, revision_id, w.wo_id)


def history_count(db: Database) -> tuple[int, int]:
    """(SlotLoad rows, open SlotLoad rows): a refusal changes neither."""
    with db.unit_of_work(SYSTEM, write=False) as s:
        total = s.scalar(select(func.count()).select_from(SlotLoad)) or 0
        open_ = s.scalar(select(func.count()).where(SlotLoad.unloaded_at.is_(None))) or 0
    return total, open_


def load(db: Database, setup_id: int, slot: str, scanned: str) -> SlotLoad:
    with db.unit_of_work(OPERATOR) as s:
        return feeders.do_load(s, OPERATOR, setup_id, slot, scanned)


def refused(db: Database, setup_id: int, slot: str, scanned: str, *, splice: bool = False) -> str:
    """The reason code of a refused load (or splice); asserts nothing changed."""
    before = history_count(db)
    do = feeders.do_splice if splice else feeders.do_load
    with pytest.raises(Conflict) as exc, db.unit_of_work(OPERATOR) as s:
        do(s, OPERATOR, setup_id, slot, scanned)
    assert history_count(db) == before
    with db.unit_of_work(OPERATOR, write=False) as s:
        verdict = feeders.verify_load(s, OPERATOR, setup_id, slot, scanned, splice=splice)
    assert not verdict.ok
    assert verdict.reason.value == exc.value.extra["reason"]
    return str(exc.value.extra["reason"])


def test_a_good_load_opens_a_slot_load(db: Database, at_t0: clock.FixedClock) -> None:
    st = make_setup(db)
    reel = receive(db, RES, 5000, lot="L7")
    made = load(db, st.id, "1", reel)
    assert (made.slot, made.kind, made.loaded_at, made.unloaded_at) == ("1", "load", T0, None)
    assert made.loaded_by == "user:olga"
    with db.unit_of_work(OPERATOR, write=False) as s:
        state = {x.slot: x for x in feeders.setup_state(s, OPERATOR, st.id)}
    assert state["1"].status == "ok"
    assert state["1"].package is not None
    assert state["1"].package.uid == reel
    assert state["2"].status == "missing"


def test_floor_life_over_is_refused_with_its_reason_and_changes_nothing(
    db: Database, at_t0: clock.FixedClock
) -> None:
    """An MSL 3 tray opened 100 h ago has 68 h left; a week later it is out of floor life."""
    st = make_setup(db)
    tray = receive(db, MCU, 120, opened_hours_ago=100)
    at_t0.advance(timedelta(hours=80))
    assert refused(db, st.id, "2", tray) == "floor_life_expired"


def test_each_refusal_has_its_reason_and_changes_nothing(
    db: Database, at_t0: clock.FixedClock
) -> None:
    st = make_setup(db)
    reel = receive(db, RES, 5000)
    vishay = receive(db, VISHAY, 5000)
    quarantined = receive(db, RES, 5000, state="quarantined")
    held = receive(db, RES, 5000, state="hold")
    blocked = receive(db, RES, 5000, state="blocked")
    old = receive(db, RES, 5000, expires_on=T0.date() - timedelta(days=1))
    empty = receive(db, RES, 1)
    with db.unit_of_work(SYSTEM) as s:
        from boardline.supply import packages

        packages.access_package(s, SYSTEM, empty).quantity = 0
    assert refused(db, st.id, "9", reel) == "unknown_slot"
    assert refused(db, st.id, "1", "PKG-NOSUCHTHING") == "unknown_package"
    assert refused(db, st.id, "1", "") == "unknown_package"
    assert refused(db, st.id, "2", reel) == "wrong_item"
    assert refused(db, st.id, "1", vishay) == "manufacturer_not_approved"
    assert refused(db, st.id, "1", quarantined) == "package_quarantined"
    assert refused(db, st.id, "1", held) == "package_on_hold"
    assert refused(db, st.id, "1", blocked) == "package_blocked"
    assert refused(db, st.id, "1", old) == "package_expired"
    assert refused(db, st.id, "1", empty) == "empty_package"


def test_a_package_in_one_slot_is_refused_in_another(db: Database, at_t0: clock.FixedClock) -> None:
    st = make_setup(db)
    with db.unit_of_work(ENGINEER) as s:
        feeders.do_set_slots(s, ENGINEER, st.id, "1,RES-10K,R1\n2,MCU-1,U1\n3,RES-10K,R2\n")
    reel = receive(db, RES, 5000)
    load(db, st.id, "1", reel)
    assert refused(db, st.id, "3", reel) == "already_loaded_elsewhere"
    again = load(db, st.id, "1", reel)  # the same reel scanned again: nothing changes
    assert history_count(db) == (1, 1)
    assert again.loaded_at == T0


def test_the_page_records_a_rejection_in_its_own_unit_of_work(
    db: Database, at_t0: clock.FixedClock
) -> None:
    st = make_setup(db)
    reel = receive(db, RES, 5000)
    with pytest.raises(Conflict) as exc, db.unit_of_work(OPERATOR) as s:
        feeders.do_load(s, OPERATOR, st.id, "2", reel)
    with db.unit_of_work(OPERATOR) as s:
        feeders.do_record_rejection(s, OPERATOR, st.id, "2", reel, exc.value)
    with db.unit_of_work(SYSTEM, write=False) as s:
        row = s.scalars(select(SlotRejection)).one()
        assert (row.slot, row.scanned, row.reason, row.by) == ("2", reel, "wrong_item", "user:olga")
        actions = feeders.recent_actions(s, OPERATOR, st.id)
    assert [a.kind for a in actions] == ["rejected"]
    assert history_count(db) == (0, 0)


def test_reloading_a_slot_closes_the_previous_load(db: Database, at_t0: clock.FixedClock) -> None:
    st = make_setup(db)
    first, second = receive(db, RES, 5000), receive(db, RES, 5000)
    load(db, st.id, "1", first)
    at_t0.advance(timedelta(hours=2))
    load(db, st.id, "1", second)
    with db.unit_of_work(OPERATOR, write=False) as s:
        history = feeders.slot_history(s, OPERATOR, st.id, "1")
    assert [(h.uid, h.loaded_at, h.unloaded_at) for h in history] == [
        (second, T0 + timedelta(hours=2), None),
        (first, T0, T0 + timedelta(hours=2)),
    ]


def test_splice_of_the_same_item_is_recorded_onto_the_running_reel(
    db: Database, at_t0: clock.FixedClock
) -> None:
    st = make_setup(db)
    running, fresh = receive(db, RES, 5000), receive(db, RES, 5000)
    first = load(db, st.id, "1", running)
    at_t0.advance(timedelta(hours=3))
    with db.unit_of_work(OPERATOR) as s:
        splice = feeders.do_splice(s, OPERATOR, st.id, "1", fresh)
        assert (splice.kind, splice.spliced_onto) == ("splice", first.package_id)
    splice_at = T0 + timedelta(hours=3)
    with db.unit_of_work(OPERATOR, write=False) as s:
        before = feeders.packages_at(s, OPERATOR, st.id, splice_at - timedelta(minutes=1))
        at = feeders.packages_at(s, OPERATOR, st.id, splice_at)
        after = feeders.packages_at(s, OPERATOR, st.id, splice_at + timedelta(hours=1))
        earlier = feeders.packages_at(s, OPERATOR, st.id, T0 - timedelta(seconds=1))
    assert before["1"].uid == running
    assert at["1"].uid == fresh
    assert after["1"].uid == fresh
    assert after["1"].spliced_onto == first.package_id
    assert earlier == {}


def test_splice_of_another_item_or_onto_nothing_is_refused(
    db: Database, at_t0: clock.FixedClock
) -> None:
    st = make_setup(db)
    reel = receive(db, RES, 5000)
    tray = receive(db, MCU, 120, opened_hours_ago=1)
    assert refused(db, st.id, "1", reel, splice=True) == "nothing_to_splice"
    load(db, st.id, "1", reel)
    assert refused(db, st.id, "1", tray, splice=True) == "wrong_item"


def test_unload_closes_the_load_and_an_empty_slot_cannot_be_unloaded(
    db: Database, at_t0: clock.FixedClock
) -> None:
    st = make_setup(db)
    reel = receive(db, RES, 5000)
    load(db, st.id, "1", reel)
    at_t0.advance(timedelta(minutes=30))
    with db.unit_of_work(OPERATOR) as s:
        done = feeders.do_unload(s, OPERATOR, st.id, "1")
        assert done.unloaded_at == T0 + timedelta(minutes=30)
    with pytest.raises(Conflict), db.unit_of_work(OPERATOR) as s:
        feeders.do_unload(s, OPERATOR, st.id, "1")
    assert history_count(db) == (1, 0)


def test_setups_are_defined_by_engineers_and_slots_are_all_or_nothing(
    db: Database, at_t0: clock.FixedClock
) -> None:
    st = make_setup(db)
    with pytest.raises(PermissionDenied), db.unit_of_work(OPERATOR) as s:
        feeders.do_set_slots(s, OPERATOR, st.id, "1,RES-10K\n")
    with pytest.raises(AlreadyExists), db.unit_of_work(ENGINEER) as s:
        feeders.do_create_setup(
            s, ENGINEER, line_code="L1", revision_id=st.revision_id, program="P1", side="top"
        )
    with pytest.raises(InvalidInput) as exc, db.unit_of_work(ENGINEER) as s:
        feeders.do_set_slots(s, ENGINEER, st.id, "1,RES-10K\n2,NOPE-1\n3,MCU-1\n")
    assert "line 2, item: item NOPE-1 not in the catalog" in exc.value.detail
    with db.unit_of_work(ENGINEER, write=False) as s:
        assert [r.slot for r in feeders.setup_slots(s, ENGINEER, st.id)] == ["1", "2"]
    reel = receive(db, RES, 5000)
    load(db, st.id, "1", reel)
    with pytest.raises(InvalidInput) as exc, db.unit_of_work(ENGINEER) as s:
        feeders.do_set_slots(s, ENGINEER, st.id, "2,MCU-1\n")
    assert "slot 1 has a package loaded" in exc.value.detail


def test_slots_are_proposed_from_the_bom(db: Database, at_t0: clock.FixedClock) -> None:
    """One slot per catalog item of the BOM (no centroid: every designator counts); the DNP
    R9 and the unmatched capacitor are left out."""
    st = make_setup(db)
    with db.unit_of_work(ENGINEER, write=False) as s:
        rows = feeders.propose_slots(s, ENGINEER, st.id)
    assert [(r.slot, r.item, r.refdes) for r in rows] == [
        ("1", "RES-10K", ("R1", "R2")),
        ("2", "MCU-1", ("U1",)),
    ]


def test_packages_at_reads_the_history_in_one_query(db: Database, at_t0: clock.FixedClock) -> None:
    from sqlalchemy import event

    st = make_setup(db)
    load(db, st.id, "1", receive(db, RES, 5000))
    load(db, st.id, "2", receive(db, MCU, 120, opened_hours_ago=1))
    statements: list[str] = []
    with db.unit_of_work(OPERATOR, write=False) as s:

        def count(*args: object) -> None:
            if str(args[2]).lstrip().upper().startswith("SELECT"):
                statements.append(str(args[2]))

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            found = feeders.packages_at(s, OPERATOR, st.id, T0)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert sorted(found) == ["1", "2"]
    # The access check reads the setup; the answer itself is one query, however many slots.
    assert len(statements) == 2
    assert sum("production_slot_load" in q for q in statements) == 1
