"""Shared scenario of the MRP, E&O and release tests (fixtures `factory`, `frozen_today`;
loaded for every test by `pytest_plugins` in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from boardline.catalog import services as catalog
from boardline.core import clock
from boardline.core.auth import Actor
from boardline.core.db import Database
from boardline.npi import services as npi
from boardline.npi.pipeline import InputFile
from boardline.production import work_orders
from boardline.supply import packages, purchasing, sales
from boardline.supply import services as supply
from tests.conftest import add_customer

ADMIN = Actor.system("test")
TODAY = date(2026, 3, 2)

PCBA_BOM = (
    b"Designator,Qty,MPN,Manufacturer\n"
    b"R1 R2,2,RC0402FR-0710KL,Yageo\n"
    b"U1,1,STM32F030F4P6,STMicroelectronics\n"
)
BOX_BOM = b"Designator,Qty,MPN,Manufacturer\nA1,1,PCBA-1,ACME\nS1 S2 S3 S4,4,M3X6-ISO7380,Bossard\n"


def make_revision(s: object, customer_id: int, code: str, bom: bytes) -> int:
    product = npi.do_create_product(s, ADMIN, customer_id=customer_id, code=code, name=code)  # type: ignore[arg-type]
    rid = npi.do_create_revision(s, ADMIN, product.id, label="A").id  # type: ignore[arg-type]
    npi.do_import(s, ADMIN, rid, [InputFile(f"{code}.csv", bom)])  # type: ignore[arg-type]
    return rid


@pytest.fixture
def frozen_today() -> Iterator[None]:
    previous = clock.install(clock.FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)))
    yield
    clock.install(previous)


@pytest.fixture
def factory(db: Database, frozen_today: None) -> dict[str, int]:
    """The scenario of the module docstring; returns the ids the tests look at."""
    cid = add_customer(db, "ACME")
    ids: dict[str, int] = {"customer": cid}
    with db.unit_of_work(ADMIN) as s:
        for number, mfr, mpn, extra in (
            ("RES-10K-0402", "Yageo", "RC0402FR-0710KL", {"attrition_pct": 2.0}),
            ("MCU-F030", "STMicroelectronics", "STM32F030F4P6", {"msl": "3"}),
            ("SCREW-M3X6", "Bossard", "M3X6-ISO7380", {}),
            ("PCBA-1", "ACME", "PCBA-1", {}),
            ("OLD-CAP", "Kemet", "T491A106K", {"lifecycle": "obsolete"}),
        ):
            item = catalog.do_create_item(s, ADMIN, number=number, **extra)  # type: ignore[arg-type]
            catalog.do_add_part(s, ADMIN, item.id, manufacturer=mfr, mpn=mpn)
            ids[number] = item.id
        dist = supply.do_create_supplier(s, ADMIN, code="DIST", name="Distributor")
        ids["supplier"] = dist.id
        supply.do_add_offer(
            s,
            ADMIN,
            dist.id,
            manufacturer="Yageo",
            mpn="RC0402FR-0710KL",
            packaging="reel",
            breaks=[(1, "0.01"), (5000, "0.004")],
            moq=1000,
            multiple=1000,
            lead_time_days=10,
        )
        supply.do_add_offer(
            s,
            ADMIN,
            dist.id,
            manufacturer="STMicroelectronics",
            mpn="STM32F030F4P6",
            packaging="tray",
            breaks=[(1, "0.80")],
            lead_time_days=30,
        )
        ids["pcba_rev"] = make_revision(s, cid, "P1", PCBA_BOM)
        npi.do_set_built_item(s, ADMIN, ids["pcba_rev"], item_number="PCBA-1")
        ids["box_rev"] = make_revision(s, cid, "BOX", BOX_BOM)
        so = sales.do_create_sales_order(
            s,
            ADMIN,
            sales.NewSalesOrder(
                customer_id=cid,
                revision_id=ids["box_rev"],
                quantity=100,
                due_date=TODAY + timedelta(days=40),
            ),
        )
        ids["so"] = so.id
        wo = work_orders.do_create_work_order(
            s,
            ADMIN,
            work_orders.NewWorkOrder(
                revision_id=ids["pcba_rev"],
                quantity=50,
                start_date=TODAY + timedelta(days=5),
                due_date=TODAY + timedelta(days=10),
            ),
        )
        ids["wo"] = wo.id
        mcu = packages.do_receive(
            s,
            ADMIN,
            packages.Receipt(
                manufacturer="STMicroelectronics",
                mpn="STM32F030F4P6",
                quantity=30,
                packaging="tray",
            ),
        )
        packages.do_set_state(s, ADMIN, mcu.uid, "available", reason="incoming inspection passed")
        po = purchasing.do_create_po(s, ADMIN, supplier_id=dist.id, customer_id=cid)
        purchasing.do_add_line(
            s,
            ADMIN,
            po.id,
            manufacturer="Yageo",
            mpn="RC0402FR-0710KL",
            quantity=1000,
            due_date=TODAY + timedelta(days=3),
        )
        purchasing.do_approve(s, ADMIN, po.id)
        purchasing.do_send(s, ADMIN, po.id)
        # Consigned by ACME long ago and used by nothing now.
        packages.do_receive(
            s,
            ADMIN,
            packages.Receipt(
                manufacturer="Kemet",
                mpn="T491A106K",
                quantity=250,
                packaging="reel",
                customer_id=cid,
                consigned=True,
            ),
        )
    return ids
