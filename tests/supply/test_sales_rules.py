"""Sales order rules without a database: the state table, serials, quantities, dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from boardline.core.errors import Conflict, InvalidInput
from boardline.supply import sales

ALLOWED = {
    ("open", "shipped"),
    ("open", "closed"),
    ("open", "cancelled"),
    ("shipped", "closed"),
}


@pytest.mark.parametrize("state", sales.STATES)
@pytest.mark.parametrize("target", sales.STATES)
def test_every_move_is_allowed_or_a_conflict_naming_the_state(state: str, target: str) -> None:
    if (state, target) in ALLOWED:
        sales.check_move("SO-000001", state, target)
        return
    with pytest.raises(Conflict, match=f"SO-000001 is {state}") as caught:
        sales.check_move("SO-000001", state, target)
    assert caught.value.extra["state"] == state


def test_an_order_is_shipped_exactly_when_everything_has_left() -> None:
    assert sales.state_after_shipping(10, 9) == "open"
    assert sales.state_after_shipping(10, 10) == "shipped"


def test_cancel_is_refused_once_anything_shipped() -> None:
    sales.check_cancel("SO-1", "open", 0)
    with pytest.raises(Conflict, match="shipped 1 units and cannot be cancelled"):
        sales.check_cancel("SO-1", "open", 1)
    with pytest.raises(Conflict, match="is cancelled"):
        sales.check_cancel("SO-1", "cancelled", 0)


def test_close_short_needs_a_reason_and_something_shipped() -> None:
    assert sales.check_close("SO-1", "shipped", 5, 5, "") is None
    assert sales.check_close("SO-1", "shipped", 5, 5, " done ") == "done"
    with pytest.raises(Conflict, match="shipped nothing; cancel it instead"):
        sales.check_close("SO-1", "open", 5, 0, "customer changed its mind")
    with pytest.raises(InvalidInput, match="closing sales order SO-1 short"):
        sales.check_close("SO-1", "open", 5, 2, " ")
    assert sales.check_close("SO-1", "open", 5, 2, "rest not wanted") == "rest not wanted"


def test_serials_are_stripped_and_kept_in_scan_order() -> None:
    assert sales.check_serials(["  SN-2 ", "SN-1\t", "sn-2"]) == ["SN-2", "SN-1", "sn-2"]


@pytest.mark.parametrize(
    ("serials", "message"),
    [
        ([], "no serials"),
        (["SN-1", "  "], "serial 2 is empty"),
        (["X" * 65], "65 characters; at most 64"),
        (["SN\x00-1"], "unprintable"),
        (["SN-1", "SN-2", " SN-1"], "SN-1 is listed twice (lines 1 and 3)"),
    ],
)
def test_bad_serials_are_named(serials: list[str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")) as e:
        sales.check_serials(serials)
    assert e.value.extra["field"] == "serials"


@given(st.lists(st.text(min_size=1, max_size=70), max_size=30))
def test_accepted_serials_are_clean_and_unique(raw: list[str]) -> None:
    try:
        clean = sales.check_serials(raw)
    except InvalidInput:
        return
    assert len(clean) == len(raw) == len(set(clean))
    assert all(0 < len(s) <= 64 and s == s.strip() and s.isprintable() for s in clean)


def test_shipment_quantity_error_says_ordered_shipped_and_this_shipment() -> None:
    sales.check_shipment_quantity("SO-7", 10, 7, 3)
    with pytest.raises(InvalidInput) as caught:
        sales.check_shipment_quantity("SO-7", 10, 7, 4)
    assert caught.value.detail == (
        "sales order SO-7: ordered 10, shipped 7, this shipment 4: 1 more than ordered"
    )
    assert caught.value.extra == {"field": "serials", "ordered": 10, "shipped": 7, "shipment": 4}


def test_uncovered_quantity_never_goes_negative() -> None:
    assert sales.uncovered_quantity(10, 2, 5) == 3
    assert sales.uncovered_quantity(10, 2, 50) == 0


def test_work_order_dates_leave_time_to_ship_and_to_build() -> None:
    start, due = sales.plan_dates(date(2026, 6, 30), today=date(2026, 6, 1))
    assert (start, due) == (date(2026, 6, 21), date(2026, 6, 28))


@given(
    st.dates(sales.EARLIEST_DUE, sales.LATEST_DUE), st.dates(sales.EARLIEST_DUE, sales.LATEST_DUE)
)
def test_work_order_dates_never_start_in_the_past_nor_end_before_they_start(
    sales_due: date, today: date
) -> None:
    start, due = sales.plan_dates(sales_due, today)
    assert today <= start <= due
    if start > today:  # not late: the full allowances are kept
        assert due == sales_due - timedelta(days=sales.SHIP_PREP_DAYS)
        assert (due - start).days == sales.BUILD_DAYS
