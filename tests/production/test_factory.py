"""The factory model: sites, lines, stations and their CFX handles (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from boardline.production import factory
from boardline.production.tables import Station
from tests.conftest import add_user
from tests.webkit import bearer, make_token, sign_in

ENGINEER = Actor("user", "erin", Role.ENGINEER, user_id=1)
OPERATOR = Actor("user", "olu", Role.OPERATOR, user_id=2)


def build_line(db: Database) -> None:
    with db.unit_of_work(ENGINEER) as s:
        factory.do_create_site(s, ENGINEER, code="plant1", name="Plant 1", timezone="Europe/Berlin")
        factory.do_create_line(
            s,
            ENGINEER,
            site_code="PLANT1",
            code="L1",
            name="SMT line 1",
            kind="smt",
            target_uph=120,
        )
        for code, kind, handle in [
            ("L1-PRN", "printer", "acme.l1.printer"),
            ("L1-SPI", "spi", "acme.l1.spi"),
            ("L1-PNP", "placer", "acme.l1.placer1"),
            ("L1-OVEN", "reflow", None),
            ("L1-AOI", "aoi", "acme.l1.aoi"),
        ]:
            factory.do_create_station(
                s,
                ENGINEER,
                code=code,
                name=code,
                station_type=kind,
                line_code="L1",
                cfx_handle=handle,
            )
        factory.do_create_station(
            s,
            ENGINEER,
            code="REP-1",
            name="Repair bench",
            station_type="repair",
            site_code="PLANT1",
        )


def test_a_line_of_stations_in_order_with_cfx_handles(db: Database) -> None:
    build_line(db)
    with db.unit_of_work(OPERATOR, write=False) as s:
        line = factory.find_line(s, OPERATOR, "l1")
        on_line = factory.list_stations(s, OPERATOR, line_id=line.id)
        aoi = factory.station_by_cfx_handle(s, OPERATOR, "acme.l1.aoi")
        bench = factory.find_station(s, OPERATOR, "rep-1")
    assert [st.code for st in on_line] == ["L1-PRN", "L1-SPI", "L1-PNP", "L1-OVEN", "L1-AOI"]
    assert [st.position for st in on_line] == [10, 20, 30, 40, 50]
    assert (aoi.code, aoi.station_type) == ("L1-AOI", "aoi")
    assert (bench.line_id, bench.station_type) == (None, "repair")


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"station_type": "toaster"}, InvalidInput, "station_type"),
        ({"code": "has space"}, InvalidInput, "code"),
        ({"code": "L1-AOI"}, AlreadyExists, "code"),
        ({"cfx_handle": "acme.l1.spi"}, AlreadyExists, "cfx_handle"),
        ({"cfx_handle": "with space"}, InvalidInput, "cfx_handle"),
        ({"line_code": None}, InvalidInput, "line"),
    ],
)
def test_bad_stations_are_refused_and_nothing_is_stored(
    db: Database, kwargs: dict[str, object], error: type[Exception], field: str
) -> None:
    build_line(db)
    values: dict[str, object] = {
        "code": "L1-NEW",
        "name": "new",
        "station_type": "xray",
        "line_code": "L1",
        "cfx_handle": "acme.l1.xray",
    } | kwargs
    with pytest.raises(error) as refused, db.unit_of_work(ENGINEER) as s:
        factory.do_create_station(s, ENGINEER, **values)  # type: ignore[arg-type]
    assert refused.value.extra["field"] == field  # type: ignore[attr-defined]
    with db.unit_of_work(ENGINEER, write=False) as s:
        assert s.scalar(select(func.count()).select_from(Station)) == 6


def test_unknown_handles_lines_and_sites_are_not_found(db: Database) -> None:
    build_line(db)
    with db.unit_of_work(ENGINEER, write=False) as s:
        with pytest.raises(NotFound, match="no station has the CFX handle"):
            factory.station_by_cfx_handle(s, ENGINEER, "acme.l9.aoi")
        with pytest.raises(NotFound, match="line L9"):
            factory.find_line(s, ENGINEER, "L9")
    with pytest.raises(InvalidInput, match="time zone"), db.unit_of_work(ENGINEER) as s:
        factory.do_create_site(s, ENGINEER, code="P2", name="x", timezone="Mars/Olympus")


def test_operators_see_the_factory_but_do_not_change_it(db: Database) -> None:
    build_line(db)
    with pytest.raises(PermissionDenied), db.unit_of_work(OPERATOR) as s:
        factory.do_create_line(s, OPERATOR, site_code="PLANT1", code="L2", name="L2", kind="smt")


def test_moving_a_cfx_handle_and_retiring_a_station(db: Database) -> None:
    build_line(db)
    with db.unit_of_work(ENGINEER) as s:
        oven = factory.find_station(s, ENGINEER, "L1-OVEN")
        factory.do_update_station(
            s, ENGINEER, oven.id, expected_version=oven.version, cfx_handle="acme.l1.oven"
        )
    with db.unit_of_work(ENGINEER) as s:
        oven = factory.find_station(s, ENGINEER, "L1-OVEN")
        factory.do_update_station(s, ENGINEER, oven.id, expected_version=oven.version, active=False)
    with db.unit_of_work(ENGINEER, write=False) as s:
        oven = factory.station_by_cfx_handle(s, ENGINEER, "acme.l1.oven")
        assert (oven.code, oven.active) == ("L1-OVEN", False)


def test_factory_page_and_api(app_client: TestClient, db: Database) -> None:
    build_line(db)
    add_user(db, "erin", Role.ENGINEER)
    token = sign_in(app_client, "erin")
    page = app_client.get("/production/factory", headers={"accept": "text/html"}).text
    assert "L1-PNP" in page
    assert "acme.l1.placer1" in page
    made = app_client.post(
        "/production/factory/stations",
        data={
            "csrf_token": token,
            "code": "L1-XRAY",
            "name": "X-ray",
            "station_type": "xray",
            "line": "L1",
            "cfx_handle": "acme.l1.xray",
        },
    )
    assert made.status_code == 303
    _, secret = make_token(db, Role.OPERATOR)
    found = app_client.get(
        "/api/factory/stations/by-cfx-handle/acme.l1.xray", headers=bearer(secret)
    )
    assert found.status_code == 200, found.text
    assert (found.json()["code"], found.json()["position"]) == ("L1-XRAY", 60)
