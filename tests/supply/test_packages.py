"""Receiving material packages and their MSD floor life (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from boardline.catalog import services as catalog
from boardline.core import clock
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import Conflict, InvalidInput
from boardline.supply import packages
from boardline.supply.msd import Status
from boardline.supply.packages import Receipt

BUYER = Actor("user", "bo", Role.BUYER, user_id=1)
T0 = datetime(2026, 3, 27, 8, 0, tzinfo=UTC)


@pytest.fixture
def fixed_clock() -> clock.FixedClock:
    fixed = clock.FixedClock(T0)
    previous = clock.install(fixed)
    yield fixed  # type: ignore[misc]
    clock.install(previous)


def catalog_items(db: Database) -> None:
    with db.unit_of_work(BUYER) as s:
        mcu = catalog.do_create_item(s, BUYER, number="MCU-1", msl="3", pin_count=48)
        catalog.do_add_part(s, BUYER, mcu.id, manufacturer="ST", mpn="STM32F103C8T6")
        res = catalog.do_create_item(s, BUYER, number="RES-1", msl="1")
        catalog.do_add_part(s, BUYER, res.id, manufacturer="Yageo", mpn="RC0402FR-0710KL")


def test_received_package_is_on_hold_with_a_unique_id(db: Database) -> None:
    catalog_items(db)
    with db.unit_of_work(BUYER) as s:
        a = packages.do_receive(
            s, BUYER, Receipt("Yageo", "rc0402fr-0710kl", 10000, lot="L1", date_code="2612")
        )
        b = packages.do_receive(s, BUYER, Receipt("Yageo", "RC0402FR-0710KL", 10000))
    assert a.uid != b.uid
    assert a.uid.startswith("PKG-")
    assert (a.state, a.quantity, a.lot, a.msl) == ("hold", 10000, "L1", "1")


@pytest.mark.parametrize(
    ("receipt", "field"),
    [
        (Receipt("Yageo", "RC0402FR-0710KL", 0), "quantity"),
        (Receipt("Yageo", "RC0402FR-0710KL", -5), "quantity"),
        (Receipt("Nobody", "NOPE-1", 10), "mpn"),
        (Receipt("Yageo", "RC0402FR-0710KL", 10, packaging="crate"), "packaging"),
    ],
)
def test_bad_receipts_are_refused_and_store_nothing(
    db: Database, receipt: Receipt, field: str
) -> None:
    catalog_items(db)
    with pytest.raises(InvalidInput) as caught, db.unit_of_work(BUYER) as s:
        packages.do_receive(s, BUYER, receipt)
    assert caught.value.extra["field"] == field
    with db.unit_of_work(BUYER, write=False) as s:
        assert packages.msd_packages(s, BUYER) == []


def test_msd_package_floor_life_runs_from_opening_and_blocks_when_out(
    db: Database, fixed_clock: clock.FixedClock
) -> None:
    catalog_items(db)
    with db.unit_of_work(BUYER) as s:
        pkg = packages.do_receive(s, BUYER, Receipt("ST", "STM32F103C8T6", 250, packaging="tray"))
        packages.do_set_state(s, BUYER, pkg.uid, "available", reason="incoming OK")
        uid = pkg.uid
    fixed_clock.advance(timedelta(days=2))
    with db.unit_of_work(BUYER) as s:
        state = packages.do_msd_event(s, BUYER, uid, "opened")
    assert state.status is Status.OK
    assert state.remaining == timedelta(hours=168)
    fixed_clock.advance(timedelta(hours=160))
    with db.unit_of_work(BUYER) as s:
        soon, blocked = packages.do_enforce_floor_life(s, BUYER, within=timedelta(hours=24))
    assert [u for u, _ in soon] == [uid]
    assert blocked == []
    fixed_clock.advance(timedelta(hours=9))
    with db.unit_of_work(BUYER) as s:
        _, blocked = packages.do_enforce_floor_life(s, BUYER, within=timedelta(hours=24))
    assert blocked == [uid]
    with pytest.raises(Conflict, match="bake"), db.unit_of_work(BUYER) as s:
        packages.do_set_state(s, BUYER, uid, "available", reason="need it on the line")
    with db.unit_of_work(BUYER) as s:
        state = packages.do_msd_event(s, BUYER, uid, "baked", temperature_c=125, duration_h=9)
        packages.do_set_state(s, BUYER, uid, "available", reason="baked 9 h at 125 °C")
    assert state.bake_count == 1


def test_non_msd_parts_take_no_msd_events(db: Database) -> None:
    catalog_items(db)
    with db.unit_of_work(BUYER) as s:
        uid = packages.do_receive(s, BUYER, Receipt("Yageo", "RC0402FR-0710KL", 100)).uid
    with pytest.raises(InvalidInput, match="not moisture sensitive"), db.unit_of_work(BUYER) as s:
        packages.do_msd_event(s, BUYER, uid, "opened")


def test_msd_check_cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from boardline.cli import app
    from boardline.core.settings import get_settings

    catalog_items(db)
    with db.unit_of_work(BUYER) as s:
        uid = packages.do_receive(s, BUYER, Receipt("ST", "STM32F103C8T6", 250)).uid
        packages.do_msd_event(s, BUYER, uid, "opened", at=clock.now() - timedelta(hours=200))
    monkeypatch.setenv("BOARDLINE_DATABASE_URL", db.url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["msd", "check", "--within", "12"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert uid in result.output
    assert "blocked now" in result.output


def test_packages_pages_show_floor_life_and_record_events(app_client: object, db: Database) -> None:
    from fastapi.testclient import TestClient

    from tests.conftest import add_user
    from tests.webkit import sign_in

    client: TestClient = app_client  # type: ignore[assignment]
    catalog_items(db)
    add_user(db, "bo", Role.BUYER)
    token = sign_in(client, "bo")
    received = client.post(
        "/supply/packages",
        data={
            "csrf_token": token,
            "manufacturer": "ST",
            "mpn": "STM32F103C8T6",
            "quantity": "250",
            "packaging": "tray",
            "lot": "L9",
        },
    )
    url = received.headers["location"]
    uid = url.rsplit("/", 1)[1]
    client.post(
        f"{url}/state", data={"csrf_token": token, "state": "available", "reason": "incoming OK"}
    )
    client.post(f"{url}/msd", data={"csrf_token": token, "kind": "opened"})
    page = client.get(url, headers={"accept": "text/html"}).text
    assert 'data-testid="floor-life"' in page
    assert "Recorded opened" in page
    listing = client.get("/supply/packages", headers={"accept": "text/html"}).text
    assert uid in listing
    assert client.get(f"{url}/label.pdf").content.startswith(b"%PDF")
    assert "^BX" in client.get(f"{url}/label.zpl").text
    found = client.get("/supply/scan", params={"code": uid.lower()})
    assert found.headers["location"] == url
    assert "available" in listing
    bad = client.post(
        "/supply/packages",
        data={
            "csrf_token": token,
            "manufacturer": "ST",
            "mpn": "STM32F103C8T6",
            "quantity": "0",
            "packaging": "tray",
        },
    )
    assert bad.headers["location"] == "/supply/packages"
    assert (
        "must be at least 1" in client.get("/supply/packages", headers={"accept": "text/html"}).text
    )


def test_a_scanned_label_finds_its_package(db: Database) -> None:
    from boardline.supply import gs1, labels

    catalog_items(db)
    with db.unit_of_work(BUYER) as s:
        package = packages.do_receive(
            s, BUYER, Receipt("Yageo", "RC0402FR-0710KL", 5000, lot="L77")
        )
        label = packages.label_of(package)
    scanned = "]d2" + gs1.encode(label.gs1_fields())  # what a DataMatrix scanner sends
    with db.unit_of_work(BUYER, write=False) as s:
        assert packages.find_by_scan(s, BUYER, scanned).uid == package.uid
        assert packages.find_by_scan(s, BUYER, package.uid.lower()).uid == package.uid
        with pytest.raises(InvalidInput):
            packages.find_by_scan(s, BUYER, "https://example.com/not-a-label")
    assert labels.zpl_label(label).startswith("^XA")
    assert labels.label_pdf(label).startswith(b"%PDF")
