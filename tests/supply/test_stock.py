"""Stock by item and location, what MRP may count on, shelf-life enforcement (both DBs)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from boardline.core import clock
from boardline.core.db import Database
from boardline.core.errors import Conflict, InvalidInput, NotFound
from boardline.core.tables import AuditEntry
from boardline.supply import inventory, kitting, msd, packages, stock
from tests.supply.test_kitting import (
    MCU,
    RES,
    STORES,
    TODAY,
    count_queries,
    frozen_at,
    make_world,
    receive,
)


@pytest.fixture
def at_t0() -> Iterator[clock.FixedClock]:
    with frozen_at() as fixed:
        yield fixed


def test_stock_by_item_splits_states_kits_and_owners(db: Database, at_t0: object) -> None:
    w = make_world(db)
    receive(db, RES, 1000, expires_on=TODAY + timedelta(days=40))
    receive(db, RES, 300, state="hold", customer_id=w.customer_id)
    receive(db, RES, 200, state="blocked", expires_on=TODAY + timedelta(days=5))
    receive(db, RES, 100, state="quarantined")
    receive(db, RES, 50, state="expired", expires_on=TODAY - timedelta(days=3))
    consigned = receive(db, RES, 700, customer_id=w.customer_id, consigned=True)
    at_line = receive(db, RES, 20)
    with db.unit_of_work(STORES) as s:
        kitting.do_issue(s, STORES, w.wo_id, at_line, "L1-SIDE")  # 20 of the 22 needed
        kitting.do_reserve(s, STORES, w.wo_id, consigned)  # the last 2, of its 700
    with db.unit_of_work(STORES, write=False) as s:
        (res,) = stock.stock_by_item(s, STORES, search="rc0402fr0710kl")  # by MPN
    assert (res.item_number, res.available, res.hold, res.blocked) == ("RES-10K", 1700, 300, 200)
    assert (res.quarantined, res.expired, res.on_hand) == (100, 50, 2350)
    # The reserved figure is the kit's, not the reel's; the issued reel is at the line.
    assert (res.reserved, res.free, res.at_line) == (2, 1698, 20)
    assert (res.packages, res.consigned, res.turnkey) == (7, 700, 300)
    assert res.earliest_expiry == TODAY + timedelta(days=5)


def test_stock_filters(db: Database, at_t0: object) -> None:
    make_world(db)
    receive(db, RES, 10, state="blocked")
    receive(db, MCU, 10)
    with db.unit_of_work(STORES, write=False) as s:
        assert [i.item_number for i in stock.stock_by_item(s, STORES)] == ["MCU-1", "RES-10K"]
        blocked = stock.stock_by_item(s, STORES, state="blocked")
        assert [i.item_number for i in blocked] == ["RES-10K"]
        assert stock.stock_by_item(s, STORES, search="nothing-like-it") == []
    with pytest.raises(InvalidInput) as caught, db.unit_of_work(STORES, write=False) as s:
        stock.stock_by_item(s, STORES, state="lost")
    assert caught.value.extra["field"] == "state"


def test_item_and_location_show_each_package_with_floor_life_and_kit(
    db: Database, at_t0: object
) -> None:
    w = make_world(db)
    sealed = receive(db, MCU, 100)
    opened = receive(db, MCU, 50, opened_hours_ago=100)
    receive(db, RES, 10, location="DRY-1")
    with db.unit_of_work(STORES) as s:
        kitting.do_reserve(s, STORES, w.wo_id, opened)
    with db.unit_of_work(STORES, write=False) as s:
        detail = stock.item_stock(s, STORES, "MCU-1")
        where = stock.location_stock(s, STORES, "a-01")
    rows = {r.package.uid: r for r in detail.packages}
    assert detail.stock is not None
    assert detail.stock.available == 150
    assert rows[sealed].life is not None
    assert rows[sealed].life.status is msd.Status.SEALED
    assert rows[opened].life is not None
    assert rows[opened].life.remaining == timedelta(hours=68)
    assert (rows[opened].kit_state, rows[opened].work_order_number) == ("reserved", w.wo_number)
    assert where.location.code == "A-01"
    assert {r.package.uid for r in where.packages} == {sealed, opened}
    with pytest.raises(NotFound), db.unit_of_work(STORES, write=False) as s:
        stock.item_stock(s, STORES, "NO-SUCH-ITEM")
    with pytest.raises(NotFound), db.unit_of_work(STORES, write=False) as s:
        stock.location_stock(s, STORES, "NOWHERE")


def test_stock_pages_read_a_constant_number_of_queries(db: Database, at_t0: object) -> None:
    make_world(db)

    def queries() -> int:
        with db.unit_of_work(STORES, write=False) as s, count_queries(db) as statements:
            stock.stock_by_item(s, STORES)
            stock.item_stock(s, STORES, "MCU-1")
            stock.location_stock(s, STORES, "A-01")
            stock.usable_on_hand(s)
        return len(statements)

    receive(db, MCU, 5, opened_hours_ago=1)
    few = queries()
    for n in range(10):
        receive(db, MCU, 5 + n, opened_hours_ago=n)
        receive(db, RES, 5 + n)
    assert queries() == few


def test_usable_on_hand_counts_only_what_can_be_used(db: Database, at_t0: clock.FixedClock) -> None:
    """Available and held parts count; blocked, quarantined, expired (marked or by date),
    empty, floor-life-expired and issued packages do not; reserved ones do."""
    w = make_world(db)
    receive(db, RES, 1000)
    receive(db, RES, 300, state="hold")
    for state in ("blocked", "quarantined", "expired"):
        receive(db, RES, 7, state=state)
    receive(db, RES, 11, expires_on=TODAY - timedelta(days=1))
    receive(db, RES, 5, expires_on=TODAY)  # today is its last day: still usable
    empty = receive(db, RES, 13)
    issued = receive(db, RES, 17)
    receive(db, MCU, 40, opened_hours_ago=10)
    receive(db, MCU, 60, opened_hours_ago=200)  # floor life gone, not yet blocked
    reserved = receive(db, MCU, 25)
    with db.unit_of_work(STORES) as s:
        inventory.do_count(s, STORES, empty, 0, reason="reel empty")
        kitting.do_issue(s, STORES, w.wo_id, issued, "L1-SIDE")
        kitting.do_reserve(s, STORES, w.wo_id, reserved)
    with db.unit_of_work(STORES, write=False) as s, count_queries(db) as statements:
        usable = stock.usable_on_hand(s)
    assert usable == {w.res_id: 1305, w.mcu_id: 65}
    assert len(statements) <= 3  # non-MSD summed, MSD packages, their events


def test_enforce_shelf_life_expires_packages_past_their_date(
    db: Database, at_t0: clock.FixedClock
) -> None:
    make_world(db)
    past = receive(db, RES, 10, expires_on=TODAY - timedelta(days=1))
    held = receive(db, RES, 10, state="hold", expires_on=TODAY - timedelta(days=9))
    last_day = receive(db, RES, 10, expires_on=TODAY)
    quarantined = receive(db, RES, 10, state="quarantined", expires_on=TODAY - timedelta(days=1))
    with db.unit_of_work(STORES) as s:
        changed = stock.do_enforce_shelf_life(s, STORES, TODAY)
    assert [p.uid for p in changed] == [held, past]
    with db.unit_of_work(STORES, write=False) as s:
        states = {u: packages.access_package(s, STORES, u).state for u in (past, last_day)}
        states[quarantined] = packages.access_package(s, STORES, quarantined).state
        reasons = s.scalars(
            select(AuditEntry.reason).where(AuditEntry.reason.like("shelf life%"))
        ).all()
    assert states == {past: "expired", last_day: "available", quarantined: "quarantined"}
    assert sorted(reasons) == [
        f"shelf life: last day of use was {TODAY - timedelta(days=9)}",
        f"shelf life: last day of use was {TODAY - timedelta(days=1)}",
    ]
    at_t0.advance(timedelta(days=1))
    with db.unit_of_work(STORES) as s:  # by default today is the clock's day
        assert [p.uid for p in stock.do_enforce_shelf_life(s, STORES)] == [last_day]
    with pytest.raises(Conflict, match="shelf life"), db.unit_of_work(STORES) as s:
        inventory.do_move(s, STORES, last_day, "L1-SIDE")


def test_loading_refuses_expired_and_out_of_floor_life_packages(
    db: Database, at_t0: object
) -> None:
    make_world(db)
    expired = receive(db, RES, 10, state="expired")
    stale = receive(db, MCU, 10, opened_hours_ago=170)
    for uid, rule in [(expired, "expired"), (stale, "floor_life_expired")]:
        for place in ("L1-SIDE", "TR-1"):
            with pytest.raises(Conflict) as caught, db.unit_of_work(STORES) as s:
                inventory.do_move(s, STORES, uid, place)
            assert caught.value.extra["rule"] == rule
    with db.unit_of_work(STORES) as s:  # stores may still move it back to a bin
        inventory.do_move(s, STORES, expired, "DRY-1")


def test_split_keeps_owner_and_expiry_and_refuses_kitted_packages(
    db: Database, at_t0: object
) -> None:
    w = make_world(db)
    reel = receive(
        db, RES, 100, customer_id=w.customer_id, consigned=True, expires_on=TODAY, lot="L1"
    )
    with db.unit_of_work(STORES) as s:
        child = inventory.do_split(s, STORES, reel, 30)
        facts = (child.customer_id, child.consigned, child.expires_on, child.lot)
        kitting.do_reserve(s, STORES, w.wo_id, reel)
    assert facts == (w.customer_id, True, TODAY, "L1")
    with pytest.raises(Conflict, match="kit"), db.unit_of_work(STORES) as s:
        inventory.do_split(s, STORES, reel, 10)


def test_count_cannot_go_negative(db: Database, at_t0: object) -> None:
    make_world(db)
    reel = receive(db, RES, 100)
    with pytest.raises(InvalidInput, match="negative"), db.unit_of_work(STORES) as s:
        inventory.do_count(s, STORES, reel, -5, reason="miscount")
    with db.unit_of_work(STORES, write=False) as s:
        assert packages.access_package(s, STORES, reel).quantity == 100
