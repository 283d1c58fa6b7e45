"""Quoting a build: every figure below is worked out by hand in the test's docstring or
comments, so a change to a formula shows up as a changed number someone has to explain."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boardline.core.errors import InvalidInput
from boardline.npi.classify import AssemblyType, Classification
from boardline.npi.model import BomLine
from boardline.npi.quote import (
    DEFAULT_PART_RULES,
    PartRule,
    PriceBreak,
    PriceSource,
    Quote,
    QuoteColumn,
    QuoteConfig,
    attrition,
    part_rule,
    purchase_quantity,
    quote,
    quote_json,
)

D = Decimal
R0402 = "R_0402_1005Metric"
C0603 = "C_0603_1608Metric"
QFN = "QFN-32-1EP_5x5mm_P0.5mm"
HEADER = "PinHeader_1x04_P2.54mm_Vertical"

# Round numbers: a placement costs 0.01 (3 600 an hour at 36 an hour), a side's setup 30,
# a board's test 1.00, a THT joint 0.05; NRE 100 a stencil + 200 + 500 + 50.
CONFIG = QuoteConfig(
    quantities=(10,),
    placements_per_hour=3_600,
    line_cost_per_hour=D(36),
    setup_minutes_per_side=D(30),
    setup_cost_per_hour=D(60),
    tht_cost_per_joint=D("0.05"),
    test_minutes_per_board=D(2),
    test_cost_per_hour=D(30),
    stencil_cost_per_side=D(100),
    programming_cost=D(200),
    test_fixture_cost=D(500),
    first_article_cost=D(50),
    material_margin_pct=D(10),
    labour_margin_pct=D(20),
)
# No labour, no NRE, no margin: columns show material only.
MATERIAL_ONLY = QuoteConfig(
    quantities=(10,),
    setup_minutes_per_side=D(0),
    test_minutes_per_board=D(0),
    line_cost_per_hour=D(0),
    tht_cost_per_joint=D(0),
    stencil_cost_per_side=D(0),
    programming_cost=D(0),
    first_article_cost=D(0),
    material_margin_pct=D(0),
    labour_margin_pct=D(0),
)


def bom(
    n: int,
    *refs: str,
    footprint: str = R0402,
    price: float | None = 0.01,
    mpn: str | None = None,
    dnp: bool = False,
) -> BomLine:
    return BomLine(
        n,
        list(refs),
        len(refs),
        mpn=f"MPN-{n}" if mpn is None else mpn,
        footprint=footprint,
        unit_price=price,
        dnp=dnp,
    )


def board(
    smt_top: int = 0,
    smt_bottom: int = 0,
    tht_top: int = 0,
    tht_joints: int = 0,
    unknown: tuple[str, ...] = (),
) -> Classification:
    fitted = smt_top + smt_bottom + tht_top + len(unknown)
    return Classification(
        assembly_type=AssemblyType.MIXED,
        assembly_label="test",
        double_sided=bool(smt_top and smt_bottom),
        smt_top=smt_top,
        tht_top=tht_top,
        other_top=0,
        unknown_top=len(unknown),
        smt_bottom=smt_bottom,
        tht_bottom=0,
        other_bottom=0,
        unknown_bottom=0,
        unplaced=0,
        unique_parts=0,
        unique_mpns=0,
        fitted_parts=fitted,
        terminations=0,
        tht_joints=tht_joints,
        terminations_estimated=0,
        terminations_unknown=0,
        unknown_mount=len(unknown),
        unknown_mount_refdes=unknown,
    )


def only(q: Quote) -> QuoteColumn:
    assert len(q.columns) == 1
    return q.columns[0]


def with_config(base: QuoteConfig = MATERIAL_ONLY, **changes: Any) -> QuoteConfig:
    fields = {name: getattr(base, name) for name in base.__dataclass_fields__}
    return QuoteConfig(**(fields | changes))


# --- attrition ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("footprint", "net", "extra"),
    [
        (R0402, 10, 10),  # 2 % of 10 is 0.2: the minimum of 10 decides
        (R0402, 499, 10),  # 9.98 -> 10
        (R0402, 600, 12),  # 2 % of 600
        (R0402, 1_001, 21),  # 20.02 rounds up: a part is lost whole
        ("C0201", 10, 10),
        (C0603, 10, 5),  # 1 %, minimum 5
        (C0603, 1_000, 10),
        ("R_1206_3216Metric", 100, 5),  # 0805 and up fall back to "chip"
        ("SOT-23", 100, 2),  # 0.5 %, minimum 2
        ("SOT-23", 1_000, 5),
        ("SOIC-8_3.9x4.9mm_P1.27mm", 10, 2),
        (QFN, 10_000, 1),  # 0 %, minimum 1
        ("BGA-256_17x17mm", 10, 1),
        (R0402, 0, 0),  # nothing used, nothing lost
    ],
)
def test_attrition_percentage_with_a_minimum_per_package_class(
    footprint: str, net: int, extra: int
) -> None:
    _, rule = part_rule(bom(1, "X1", footprint=footprint), DEFAULT_PART_RULES)
    assert attrition(net, rule) == extra


def test_part_rule_keys_go_from_size_to_kind_to_default() -> None:
    rules = DEFAULT_PART_RULES
    assert part_rule(bom(1, "R1"), rules)[0] == "chip:0402"
    assert part_rule(bom(1, "R1", footprint="R_0805_2012Metric"), rules)[0] == "chip"
    assert part_rule(bom(1, "J1", footprint=HEADER), rules)[0] == "default"
    assert part_rule(bom(1, "U1", footprint=""), {})[0] == "default"


def test_attrition_goes_into_needed_quantity_per_line() -> None:
    """Four 0402s a board, 10 boards: 40 used, 2 % is 0.8 but the minimum is 10 -> 50."""
    line = only(quote([bom(2, "R1", "R2", "R3", "R4")], board(smt_top=4), MATERIAL_ONLY)).lines[0]
    assert (line.per_board, line.attrition, line.needed) == (4, 10, 50)
    assert line.purchase == 50  # under half a reel: cut tape, bought exactly
    assert line.cost == D("0.50")


# --- reels and MOQ ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("needed", "bought"),
    [
        (0, 0),
        (1, 1),
        (5_000, 5_000),  # half a reel: still cut tape
        (5_001, 10_000),  # more than half: the whole reel
        (10_000, 10_000),
        (12_000, 12_000),  # a reel and 2 000 on cut tape
        (16_000, 20_000),  # a reel and 6 000 left: a second reel
    ],
)
def test_reel_rounding_for_0402(needed: int, bought: int) -> None:
    rule = DEFAULT_PART_RULES["chip:0402"]  # 10 000 a reel, cut tape up to 5 000
    assert purchase_quantity(needed, rule) == bought


def test_reel_rounding_in_a_quote_leaves_excess() -> None:
    """8 per board x 1 000 = 8 000 + 2 % (160) = 8 160 needed; more than 5 000 of a
    10 000 reel, so a reel is bought and 1 840 parts at 0.01 are excess."""
    refs = [f"R{i}" for i in range(8)]
    config = with_config(quantities=(1_000,))
    column = only(quote([bom(2, *refs)], board(smt_top=8), config))
    line = column.lines[0]
    assert (line.needed, line.purchase, line.excess) == (8_160, 10_000, 1_840)
    assert line.cost == D("100.00")
    assert line.excess_cost == D("18.40")
    assert column.material == D("100.00")
    assert column.excess == D("18.40")


def test_parts_without_a_reel_are_bought_exactly() -> None:
    assert purchase_quantity(12_345, DEFAULT_PART_RULES["qfn"]) == 12_345


def test_moq_of_the_package_rule_raises_the_purchase() -> None:
    """A 0603 rule with an MOQ of 100: 10 boards need 10 + 5 = 15, 100 are bought."""
    rules = dict(DEFAULT_PART_RULES) | {"chip:0603": PartRule(D(1), 5, 5_000, 2_500, moq=100)}
    config = with_config(part_rules=rules)
    line = only(quote([bom(2, "C1", footprint=C0603, price=0.02)], board(1), config)).lines[0]
    assert (line.needed, line.purchase, line.excess) == (15, 100, 85)
    assert line.cost == D("2.00")


# --- supplier price breaks ----------------------------------------------------------------


class FakeSupplier:
    """Price breaks per MPN, answering with the break for the quantity asked."""

    def __init__(self, breaks: dict[str, list[tuple[int, str]]], moq: int = 1, multiple: int = 1):
        self.breaks = breaks
        self.moq, self.multiple = moq, multiple
        self.asked: list[tuple[str, int]] = []

    def __call__(self, mpn: str, qty: int) -> PriceBreak | None:
        self.asked.append((mpn, qty))
        if mpn not in self.breaks:
            return None
        price = next(p for least, p in reversed(self.breaks[mpn]) if qty >= least)
        return PriceBreak(D(price), self.moq, self.multiple, supplier="Fake")


def test_supplier_price_breaks_by_purchase_quantity() -> None:
    """One QFN a board: 10 + 1, 100 + 1 and 1 000 + 1 parts, priced 2.00 / 1.50 / 1.00."""
    supplier = FakeSupplier({"MCU": [(1, "2.00"), (100, "1.50"), (1_000, "1.00")]})
    config = with_config(quantities=(10, 100, 1_000), price_lookup=supplier)
    q = quote([bom(2, "U1", footprint=QFN, price=9.99, mpn="MCU")], board(1), config)
    assert [c.lines[0].unit_price for c in q.columns] == [D("2.00"), D("1.50"), D("1.00")]
    assert [c.material for c in q.columns] == [D("22.00"), D("151.50"), D("1001.00")]
    assert {c.lines[0].source for c in q.columns} == {PriceSource.SUPPLIER}
    assert q.columns[0].lines[0].supplier == "Fake"
    assert supplier.asked == [("MCU", 11), ("MCU", 101), ("MCU", 1_001)]


def test_supplier_moq_and_multiple_raise_the_purchase() -> None:
    """11 QFNs needed, supplier MOQ 50 in packs of 20: 60 bought at 1.00, 49 excess."""
    supplier = FakeSupplier({"MCU": [(1, "1.00")]}, moq=50, multiple=20)
    config = with_config(price_lookup=supplier)
    line = only(quote([bom(2, "U1", footprint=QFN, mpn="MCU")], board(1), config)).lines[0]
    assert (line.needed, line.purchase, line.excess) == (11, 60, 49)
    assert line.cost == D("60.00")


def test_bom_price_is_used_when_the_supplier_has_none() -> None:
    supplier = FakeSupplier({})
    config = with_config(price_lookup=supplier)
    line = only(quote([bom(2, "U1", footprint=QFN, price=3.0)], board(1), config)).lines[0]
    assert (line.unit_price, line.source) == (D("3.0"), PriceSource.BOM)
    assert supplier.asked == [("MPN-2", 11)]


def test_a_negative_supplier_price_is_ignored() -> None:
    def lookup(mpn: str, qty: int) -> PriceBreak:
        return PriceBreak(D(-1))

    config = with_config(price_lookup=lookup)
    line = only(quote([bom(2, "U1", footprint=QFN, price=3.0)], board(1), config)).lines[0]
    assert line.source is PriceSource.BOM


# --- missing prices -----------------------------------------------------------------------


def test_missing_prices_are_listed_and_the_totals_marked_incomplete() -> None:
    """Line 3 has no price anywhere: it is listed for both quantities, counted as unpriced,
    and the material is line 2's alone (10 + 10 attrition at 0.01 = 0.20)."""
    config = with_config(quantities=(10, 100))
    lines = [bom(2, "R1"), bom(3, "U1", footprint=QFN, price=None, mpn="")]
    q = quote(lines, board(2), config)
    assert not q.complete
    assert [(c.complete, c.unpriced_lines) for c in q.columns] == [(False, 1), (False, 1)]
    assert q.columns[0].material == D("0.20")
    (missing,) = q.missing_prices
    assert (missing.line, missing.refdes, missing.quantities) == (3, ("U1",), (10, 100))
    assert "no unit price" in missing.reason
    unpriced = q.columns[0].lines[1]
    assert (unpriced.unit_price, unpriced.cost, unpriced.source) == (None, None, None)
    assert unpriced.needed == 11  # still counted: the buyer must know how many to find


@pytest.mark.parametrize("price", [float("nan"), float("inf"), -0.5, 5e6])
def test_unusable_bom_prices_are_missing_not_zero(price: float) -> None:
    q = quote([bom(2, "U1", footprint=QFN, price=price)], board(1), MATERIAL_ONLY)
    assert not only(q).complete
    assert "not a usable amount" in q.missing_prices[0].reason


def test_a_price_missing_at_one_quantity_only_is_listed_for_that_quantity() -> None:
    def lookup(mpn: str, qty: int) -> PriceBreak | None:
        return PriceBreak(D("0.5")) if qty > 50 else None

    config = with_config(quantities=(10, 100), price_lookup=lookup)
    q = quote([bom(2, "U1", footprint=QFN, price=None)], board(1), config)
    assert [c.complete for c in q.columns] == [False, True]
    assert q.missing_prices[0].quantities == (10,)
    assert "no supplier offered" in q.missing_prices[0].reason


def test_dnp_lines_are_not_quoted_and_not_missing() -> None:
    lines = [bom(2, "R1"), bom(3, "R2", price=None, dnp=True)]
    q = quote(lines, board(1), MATERIAL_ONLY)
    assert [line.line for line in only(q).lines] == [2]
    assert q.complete


def test_parts_of_unknown_mount_make_the_quote_incomplete() -> None:
    q = quote([bom(2, "R1", "X1")], board(smt_top=1, unknown=("X1",)), CONFIG)
    assert only(q).uncosted_parts == 1
    assert not only(q).complete
    assert "X1" in q.warnings[0]


# --- labour, NRE, margin, totals ----------------------------------------------------------


LINES = [
    bom(2, "R1", "R2", "R3", "R4"),  # 0402 at 0.01
    bom(3, "U1", footprint=QFN, price=2.5),
    bom(4, "J1", footprint=HEADER, price=0.4),
]
MIXED = board(smt_top=5, tht_top=1, tht_joints=4)


def test_a_whole_column_by_hand() -> None:
    """10 boards. Material: 0402 4 x 10 + 10 = 50 x 0.01 = 0.50; QFN 10 + 1 = 11 x 2.50 =
    27.50; header 10 + 1 (0.5 %, minimum 1) = 11 x 0.40 = 4.40; total 32.40.
    Placement 10 x 5 x 0.01 = 0.50; THT 10 x 4 x 0.05 = 2.00; test 10 x 1.00 = 10.00;
    setup (top SMT side + THT pass) 2 x 30 = 60.00; labour 72.50.
    Margin 10 % of 32.40 + 20 % of 72.50 = 3.24 + 14.50 = 17.74. Total 122.64; per board
    12.264 -> 12.26. NRE 100 + 200 + 500 + 50 = 850, not in the total."""
    column = only(quote(LINES, MIXED, CONFIG))
    assert [line.cost for line in column.lines] == [D("0.50"), D("27.50"), D("4.40")]
    assert column.material == D("32.40")
    assert (column.placement, column.tht, column.test, column.setup) == (
        D("0.50"),
        D("2.00"),
        D("10.00"),
        D("60.00"),
    )
    assert column.labour == D("72.50")
    assert column.margin == D("17.74")
    assert column.total == D("122.64")
    assert column.per_board == D("12.26")
    assert column.nre == D("850.00")
    assert column.total_with_nre == D("972.64")
    assert column.complete


def test_nre_is_separate_and_counts_a_stencil_per_smt_side() -> None:
    q = quote(LINES, board(smt_top=3, smt_bottom=2), CONFIG)
    stencil, programming, fixture, fai = q.nre
    assert (stencil.quantity, stencil.amount) == (2, D("200.00"))
    assert (programming.amount, fixture.amount, fai.amount) == (D(200), D(500), D(50))
    assert q.nre_total == D("950.00")
    column = only(q)
    assert column.total_with_nre - column.total == D("950.00")
    assert column.setup == D("60.00")  # two SMT sides, no THT pass


def test_tht_only_board_has_no_stencil_and_no_smt_programming() -> None:
    q = quote([bom(4, "J1", footprint=HEADER, price=0.4)], board(tht_top=1, tht_joints=4), CONFIG)
    assert [item.amount for item in q.nre] == [D(0), D(0), D(500), D(50)]


def test_margin_is_applied_to_material_and_labour_separately() -> None:
    """Material 32.40, labour 72.50 (see the whole column): 50 % and 0 % -> 16.20;
    0 % and 100 % -> 72.50."""
    on_material = with_config(CONFIG, material_margin_pct=D(50), labour_margin_pct=D(0))
    on_labour = with_config(CONFIG, material_margin_pct=D(0), labour_margin_pct=D(100))
    assert only(quote(LINES, MIXED, on_material)).margin == D("16.20")
    assert only(quote(LINES, MIXED, on_labour)).margin == D("72.50")


def test_several_quantities_sorted_and_per_board_price_falls() -> None:
    """Quantities come back ascending and once each. At 100 boards the material is 0402
    400 + 10 = 410 x 0.01 = 4.10, QFN 101 x 2.50 = 252.50, header 101 x 0.40 = 40.40. The
    per-board price falls as setup and the attrition minimums spread over more boards."""
    config = with_config(CONFIG, quantities=(10_000, 10, 1_000, 100, 10))
    q = quote(LINES, MIXED, config)
    assert [c.quantity for c in q.columns] == [10, 100, 1_000, 10_000]
    prices = [c.per_board for c in q.columns]
    assert prices == sorted(prices, reverse=True)
    assert prices[0] > prices[-1]
    assert q.columns[1].material == D("4.10") + D("252.50") + D("40.40")


def test_amounts_are_rounded_at_the_end_only() -> None:
    """Ten lines of one part at 0.004 (no attrition, one board): each line costs 0.004,
    shown as 0.00, but the material is 10 x 0.004 = 0.04, not 10 x 0.00."""
    rules = {"default": PartRule(D(0), 0)}
    config = with_config(quantities=(1,), part_rules=rules)
    lines = [bom(n, f"U{n}", footprint=QFN, price=0.004) for n in range(10)]
    column = only(quote(lines, board(10), config))
    assert {line.cost for line in column.lines} == {D("0.00")}
    assert column.material == D("0.04")


def test_quote_json_keeps_amounts_as_decimal_strings() -> None:
    q = quote([*LINES, bom(5, "C1", price=None)], MIXED, CONFIG)
    data = json.loads(json.dumps(quote_json(q)))
    column = data["columns"][0]
    assert column["material"] == "32.40"
    assert column["complete"] is False
    assert column["unpriced_lines"] == 1
    assert column["lines"][0]["source"] == "bom"
    assert data["nre_total"] == "850.00"
    assert data["missing_prices"][0]["refdes"] == ["C1"]
    assert data["complete"] is False


@pytest.mark.parametrize(
    "changes",
    [
        {"quantities": ()},
        {"quantities": (0,)},
        {"quantities": (10, -5)},
        {"placements_per_hour": 0},
        {"line_cost_per_hour": D(-1)},
        {"material_margin_pct": D("NaN")},
        {"part_rules": {"default": PartRule(D(1), 0, reel=0)}},
        {"part_rules": {"default": PartRule(D(1), -1)}},
    ],
)
def test_config_refuses_nonsense(changes: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        with_config(**changes)


# --- properties ---------------------------------------------------------------------------

FOOTPRINTS = [R0402, C0603, "C0201", "SOT-23", QFN, HEADER, "BGA-256", "", "weird→µ", "0805"]
prices = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0, max_value=1_000),
)
bom_lines = st.builds(
    BomLine,
    line=st.integers(1, 10_000),
    refdes=st.lists(st.text(max_size=5), max_size=8),
    quantity=st.one_of(st.none(), st.integers(-5, 1_000)),
    mpn=st.text(max_size=8),
    footprint=st.sampled_from(FOOTPRINTS),
    dnp=st.booleans(),
    unit_price=prices,
)
counts = st.integers(0, 5_000)
classifications = st.builds(
    board,
    smt_top=counts,
    smt_bottom=counts,
    tht_top=counts,
    tht_joints=counts,
    unknown=st.lists(st.text(max_size=3), max_size=3).map(tuple),
)
offers = st.one_of(
    st.none(),
    st.builds(
        PriceBreak,
        unit_price=st.decimals(allow_nan=True, allow_infinity=True),
        moq=st.integers(-10, 10_000),
        multiple=st.integers(-10, 5_000),
    ),
)
amounts = st.decimals(min_value=0, max_value=10_000, places=3)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(bom_lines, max_size=15),
    classification=classifications,
    quantities=st.lists(st.integers(1, 100_000), min_size=1, max_size=5),
    offer=offers,
    use_lookup=st.booleans(),
    rate=st.integers(1, 100_000),
    money=st.lists(amounts, min_size=6, max_size=6),
)
def test_quote_never_raises_and_is_never_negative(
    lines: list[BomLine],
    classification: Classification,
    quantities: list[int],
    offer: PriceBreak | None,
    use_lookup: bool,
    rate: int,
    money: list[Decimal],
) -> None:
    config = QuoteConfig(
        quantities=tuple(quantities),
        price_lookup=(lambda mpn, qty: offer) if use_lookup else None,
        placements_per_hour=rate,
        line_cost_per_hour=money[0],
        setup_minutes_per_side=money[1],
        tht_cost_per_joint=money[2],
        test_minutes_per_board=money[3],
        material_margin_pct=money[4],
        stencil_cost_per_side=money[5],
    )
    q = quote(lines, classification, config)
    assert [c.quantity for c in q.columns] == sorted(set(quantities))
    for column in q.columns:
        figures = [column.material, column.labour, column.margin, column.total, column.per_board]
        assert all(value >= 0 for value in figures)
        assert column.total_with_nre >= column.total
        assert column.complete == (column.unpriced_lines == 0 and column.uncosted_parts == 0)
        assert math.isclose(
            column.per_board * column.quantity, column.total, abs_tol=column.quantity
        )
        for line in column.lines:
            assert line.purchase >= line.needed >= 0
    unpriced = {m.line for m in q.missing_prices}
    assert unpriced == {
        line.line for column in q.columns for line in column.lines if line.unit_price is None
    }
    json.dumps(quote_json(q))
