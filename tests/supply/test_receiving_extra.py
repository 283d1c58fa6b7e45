"""Receiving details that other pages rely on: MSL 6 time on label, a supplier's reel ID
found by scanning our label, shelf-life expiry on the label (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from boardline.catalog import services as catalog
from boardline.core import clock
from boardline.core.auth import Actor
from boardline.core.db import Database
from boardline.core.errors import InvalidInput
from boardline.supply import gs1, packages, stock
from boardline.supply.packages import Receipt
from boardline.supply.tables import MaterialPackage

ADMIN = Actor.system("test")


def _items(db: Database) -> None:
    with db.unit_of_work(ADMIN) as s:
        six = catalog.do_create_item(s, ADMIN, number="BGA-MSL6", msl="6")
        catalog.do_add_part(s, ADMIN, six.id, manufacturer="Demo Semi", mpn="DS-BGA-6")
        glue = catalog.do_create_item(s, ADMIN, number="GLUE-1", shelf_life_days=180)
        catalog.do_add_part(s, ADMIN, glue.id, manufacturer="Demo Chem", mpn="DC-GLUE-1")


def test_an_msl6_part_is_received_only_with_its_time_on_label(db: Database) -> None:
    _items(db)
    with (
        pytest.raises(InvalidInput, match="time on its label") as refused,
        db.unit_of_work(ADMIN) as s,
    ):
        packages.do_receive(s, ADMIN, Receipt("Demo Semi", "DS-BGA-6", 50, packaging="tray"))
    assert refused.value.extra["field"] == "tol_hours"
    with pytest.raises(InvalidInput, match="MSL 6 parts only"), db.unit_of_work(ADMIN) as s:
        packages.do_receive(
            s, ADMIN, Receipt("Demo Chem", "DC-GLUE-1", 1, packaging="bag", tol_hours=4)
        )
    with db.unit_of_work(ADMIN, write=False) as s:
        assert s.scalar(select(func.count()).select_from(MaterialPackage)) == 0
    with db.unit_of_work(ADMIN) as s:
        package = packages.do_receive(
            s, ADMIN, Receipt("Demo Semi", "DS-BGA-6", 50, packaging="tray", tol_hours=4)
        )
        life = packages.floor_life(s, package)
        # MSL 6 is baked before use, always; the label's hours count after the bake.
        assert life.bake_required
        uid = package.uid
    with db.unit_of_work(ADMIN, write=False) as s:
        (row,) = stock.item_stock(s, ADMIN, "BGA-MSL6").packages
        assert row.package.uid == uid


def test_a_supplier_reel_id_scans_and_the_label_prints_the_expiry(db: Database) -> None:
    _items(db)
    with db.unit_of_work(ADMIN) as s:
        package = packages.do_receive(
            s, ADMIN, Receipt("Demo Chem", "DC-GLUE-1", 20, packaging="bag", uid="R77-123456")
        )
        expires = package.expires_on
        assert expires == clock.now().date() + timedelta(days=180)
        label = packages.label_of(package)
        scanned = gs1.encode(label.gs1_fields())
    with db.unit_of_work(ADMIN, write=False) as s:
        assert packages.find_by_scan(s, ADMIN, scanned).uid == "R77-123456"
    assert label.expiry == expires
    assert gs1.parse(scanned)["17"] == gs1.yymmdd(expires)
