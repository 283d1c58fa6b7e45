"""Supplier offers: the rules (pure) and the services feeding NPI quotes (both databases)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from boardline.catalog import services as catalog
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.errors import AlreadyExists, InvalidInput
from boardline.npi import services as npi
from boardline.npi.pipeline import InputFile
from boardline.npi.quote import QuoteConfig
from boardline.supply import services as supply
from boardline.supply.offers import (
    Terms,
    best_choice,
    check_breaks,
    purchase_quantity,
    unit_price_at,
)
from tests.conftest import add_customer

D = Decimal
SMALL = Terms("DIST", "A", ((1, D("0.10")), (100, D("0.05")), (1000, D("0.02"))))
REEL = Terms("FACTORY", "B", ((10000, D("0.004")),), moq=10000, multiple=10000, lead_time_days=70)


def test_the_highest_break_not_above_the_quantity_applies() -> None:
    assert unit_price_at(1, SMALL) == D("0.10")
    assert unit_price_at(99, SMALL) == D("0.10")
    assert unit_price_at(100, SMALL) == D("0.05")
    assert unit_price_at(5000, SMALL) == D("0.02")


def test_moq_and_multiple_raise_the_purchase() -> None:
    assert purchase_quantity(3, REEL) == 10000
    assert purchase_quantity(10001, REEL) == 20000
    assert purchase_quantity(0, SMALL) == 1


def test_best_choice_compares_totals_not_unit_prices() -> None:
    # 500 parts: 500 x 0.05 = 25.00 beats a 10 000 reel at 0.004 = 40.00
    assert best_choice(500, [SMALL, REEL]).terms.supplier == "DIST"  # type: ignore[union-attr]
    # 9 000 parts: 9 000 x 0.02 = 180.00 loses to the reel at 40.00
    choice = best_choice(9000, [SMALL, REEL])
    assert choice is not None
    assert (choice.terms.supplier, choice.purchase, choice.total) == ("FACTORY", 10000, D("40"))
    assert best_choice(5, []) is None


@given(st.integers(min_value=0, max_value=10**6))
def test_the_chosen_purchase_always_covers_the_need(wanted: int) -> None:
    choice = best_choice(wanted, [SMALL, REEL])
    assert choice is not None
    assert choice.purchase >= wanted
    assert choice.total == choice.unit_price * choice.purchase


@pytest.mark.parametrize("breaks", [[], [(0, "1")], [(1, "1"), (1, "2")], [(1, "-1")]])
def test_bad_price_breaks_are_refused(breaks: list[tuple[int, str]]) -> None:
    with pytest.raises(InvalidInput):
        check_breaks([(q, D(p)) for q, p in breaks])


BUYER = Actor("user", "bo", Role.BUYER, user_id=1)


def test_offer_needs_a_known_mpn_and_feeds_the_quote(db: Database) -> None:
    cid = add_customer(db, "ACME")
    with db.unit_of_work(BUYER) as s:
        item = catalog.do_create_item(s, BUYER, number="RES-10K-0402", package="0402")
        catalog.do_add_part(s, BUYER, item.id, manufacturer="Yageo", mpn="RC0402FR-0710KL")
        dist = supply.do_create_supplier(s, BUYER, code="dist", name="Distributor")
        supply.do_add_offer(
            s,
            BUYER,
            dist.id,
            manufacturer="YAGEO",
            mpn="rc0402fr-0710kl",
            packaging="cut_tape",
            breaks=[(1, "0.10"), (100, "0.01")],
            lead_time_days=2,
            sku="311-10KLRCT",
        )
        with pytest.raises(InvalidInput, match="unknown MPN"):
            supply.do_add_offer(
                s,
                BUYER,
                dist.id,
                manufacturer="Yageo",
                mpn="NOPE-1",
                packaging="reel",
                breaks=[(1, "1")],
            )
    with pytest.raises(AlreadyExists), db.unit_of_work(BUYER) as s:
        supply.do_create_supplier(s, BUYER, code="DIST", name="again")
    engineer = Actor("user", "erin", Role.ENGINEER, user_id=2)
    bom = b"Designator,Qty,MPN,Manufacturer\nR1 R2,2,RC0402FR-0710KL,Yageo\nC1,1,UNKNOWN-9,X\n"
    with db.unit_of_work(engineer) as s:
        product = npi.do_create_product(s, engineer, customer_id=cid, code="P", name="P")
        rid = npi.do_create_revision(s, engineer, product.id, label="A").id
        npi.do_import(s, engineer, rid, [InputFile("bom.csv", bom)])
    with db.unit_of_work(engineer, write=False) as s:
        q = npi.quote_revision(s, engineer, rid, QuoteConfig(quantities=(100,)))
    (column,) = q.columns
    resistor = next(m for m in column.lines if m.mpn == "RC0402FR-0710KL")
    assert resistor.source.value == "supplier"
    assert resistor.supplier == "DIST"
    assert resistor.unit_price == D("0.01")  # 200 + attrition bought at the 100+ break
    assert [m.mpn for m in q.missing_prices] == ["UNKNOWN-9"]  # listed, not zero


def test_suppliers_and_offers_on_the_pages(app_client: object, db: Database) -> None:
    from fastapi.testclient import TestClient

    from tests.conftest import add_user
    from tests.webkit import sign_in

    client: TestClient = app_client  # type: ignore[assignment]
    add_user(db, "bo", Role.BUYER)
    with db.unit_of_work(BUYER) as s:
        item = catalog.do_create_item(s, BUYER, number="RES-10K-0402")
        catalog.do_add_part(s, BUYER, item.id, manufacturer="Yageo", mpn="RC0402FR-0710KL")
    token = sign_in(client, "bo")
    created = client.post(
        "/supply/suppliers", data={"csrf_token": token, "code": "DIST", "name": "Distributor"}
    )
    url = created.headers["location"]
    bad = client.post(
        f"{url}/offers",
        data={
            "csrf_token": token,
            "manufacturer": "Yageo",
            "mpn": "RC0402FR-0710KL",
            "packaging": "cut_tape",
            "breaks": "1=0.10",
        },
    )
    assert bad.status_code == 303
    assert "write quantity:price" in client.get(url, headers={"accept": "text/html"}).text
    client.post(
        f"{url}/offers",
        data={
            "csrf_token": token,
            "manufacturer": "Yageo",
            "mpn": "RC0402FR-0710KL",
            "packaging": "cut_tape",
            "breaks": "1:0.10, 100:0.01",
            "lead_time_days": "3",
        },
    )
    page = client.get(url, headers={"accept": "text/html"}).text
    assert "100+: 0.01" in page
    assert 'href="/supply/suppliers"' in page  # in the Materials section of the navigation
