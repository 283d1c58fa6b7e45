"""Locations, moves, splits and counts of packages (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from boardline.core.db import Database
from boardline.core.errors import AlreadyExists, Conflict, InvalidInput, NotFound
from boardline.core.tables import AuditEntry
from boardline.supply import inventory, packages
from boardline.supply.msd import Location as MsdLocation
from boardline.supply.packages import Receipt
from tests.supply.test_packages import BUYER, catalog_items


def stock(db: Database) -> tuple[str, str]:
    catalog_items(db)
    with db.unit_of_work(BUYER) as s:
        for code, kind in [("A-01", "bin"), ("DRY-1", "dry_cabinet"), ("L1-SIDE", "line_side")]:
            inventory.do_create_location(s, BUYER, code=code, kind=kind)
        res = packages.do_receive(s, BUYER, Receipt("Yageo", "RC0402FR-0710KL", 10000))
        mcu = packages.do_receive(s, BUYER, Receipt("ST", "STM32F103C8T6", 250))
        packages.do_msd_event(s, BUYER, mcu.uid, "opened")
        return res.uid, mcu.uid


def test_bad_locations_are_refused(db: Database) -> None:
    stock(db)
    with pytest.raises(AlreadyExists), db.unit_of_work(BUYER) as s:
        inventory.do_create_location(s, BUYER, code="a-01", kind="bin")
    with pytest.raises(InvalidInput), db.unit_of_work(BUYER) as s:
        inventory.do_create_location(s, BUYER, code="X", kind="shelf")


def test_move_to_a_missing_location_changes_nothing(db: Database) -> None:
    res, _ = stock(db)
    with pytest.raises(NotFound, match="NOWHERE"), db.unit_of_work(BUYER) as s:
        inventory.do_move(s, BUYER, res, "NOWHERE")
    with db.unit_of_work(BUYER, write=False) as s:
        assert packages.access_package(s, BUYER, res).location_id is None


def test_held_or_blocked_packages_do_not_go_to_the_line(db: Database) -> None:
    res, _ = stock(db)
    with pytest.raises(Conflict, match="hold"), db.unit_of_work(BUYER) as s:
        inventory.do_move(s, BUYER, res, "L1-SIDE")
    with db.unit_of_work(BUYER) as s:
        packages.do_set_state(s, BUYER, res, "available", reason="inspected")
        inventory.do_move(s, BUYER, res, "L1-SIDE")


def test_dry_cabinet_moves_pause_and_resume_the_floor_life(db: Database) -> None:
    _, mcu = stock(db)
    with db.unit_of_work(BUYER) as s:
        inventory.do_move(s, BUYER, mcu, "DRY-1")
        inside = packages.floor_life(s, packages.access_package(s, BUYER, mcu))
    assert inside.location is MsdLocation.DRY_STORAGE
    with db.unit_of_work(BUYER) as s:
        inventory.do_move(s, BUYER, mcu, "A-01")
        outside = packages.floor_life(s, packages.access_package(s, BUYER, mcu))
    assert outside.location is MsdLocation.FLOOR


def test_split_makes_a_new_package_with_the_moisture_history(db: Database) -> None:
    _, mcu = stock(db)
    with db.unit_of_work(BUYER) as s:
        child = inventory.do_split(s, BUYER, mcu, 50)
        child_uid = child.uid
    with db.unit_of_work(BUYER, write=False) as s:
        parent = packages.access_package(s, BUYER, mcu)
        kid = packages.access_package(s, BUYER, child_uid)
        lives = packages.floor_lives(s, [parent, kid])
    assert (parent.quantity, kid.quantity) == (200, 50)
    assert kid.uid != parent.uid
    assert lives[kid.id].used == lives[parent.id].used
    for quantity in (0, 200, 201, -1):
        with pytest.raises(InvalidInput), db.unit_of_work(BUYER) as s:
            inventory.do_split(s, BUYER, mcu, quantity)


def test_count_adjustments_are_audited_and_never_negative(db: Database) -> None:
    res, _ = stock(db)
    with pytest.raises(InvalidInput, match="reason"), db.unit_of_work(BUYER) as s:
        inventory.do_count(s, BUYER, res, 9950, reason="")
    with pytest.raises(InvalidInput, match="negative"), db.unit_of_work(BUYER) as s:
        inventory.do_count(s, BUYER, res, -1, reason="x")
    with db.unit_of_work(BUYER) as s:
        inventory.do_count(s, BUYER, res, 9950, reason="cycle count, reel weighed")
    with db.unit_of_work(BUYER, write=False) as s:
        entry = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.table_name == "supply_package")
            .order_by(AuditEntry.seq.desc())
        ).first()
    assert entry is not None
    assert entry.changes["quantity"] == [10000, 9950]
    assert entry.reason == "cycle count, reel weighed"


def test_moves_splits_and_counts_on_the_package_page(app_client: object, db: Database) -> None:
    from fastapi.testclient import TestClient

    from boardline.core.auth import Role
    from tests.conftest import add_user
    from tests.webkit import sign_in

    client: TestClient = app_client  # type: ignore[assignment]
    _, mcu = stock(db)
    add_user(db, "bo", Role.BUYER)
    token = sign_in(client, "bo")
    html = {"accept": "text/html"}
    assert "DRY-1" in client.get("/supply/locations", headers=html).text
    url = f"/supply/packages/{mcu}"
    client.post(f"{url}/move", data={"csrf_token": token, "location": "DRY-1"})
    page = client.get(url, headers=html).text
    assert "moved to DRY-1" in page
    assert "dry_store_in" in page
    split = client.post(f"{url}/split", data={"csrf_token": token, "quantity": "40"})
    assert split.headers["location"].startswith("/supply/packages/PKG-")
    client.post(f"{url}/count", data={"csrf_token": token, "counted": "205", "reason": "recount"})
    assert "counted: 205" in client.get(url, headers=html).text
