"""What assembling a design costs at several build quantities. Pure, no I/O.

A quote has one column per build quantity (10, 100, 1 000, 10 000 boards, ...). Each column is
material, labour (placement, THT soldering, test, setup) and margin; NRE (stencils,
programming, test fixture, first article inspection) is paid once and kept apart, so the
per-board price of a repeat order is the column's ``per_board``.

Money is :class:`~decimal.Decimal` throughout, computed exactly and rounded to cents
(half up) only in the figures handed out. A rounded part may therefore differ by a cent
from a sum of other rounded parts; the totals are right.

Nothing unknown is counted as zero: a fitted BOM line with no usable price is listed in
``Quote.missing_prices`` and makes its columns incomplete, and fitted parts whose mount is
unknown (so neither placement nor THT labour can be costed) do the same.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from enum import StrEnum
from typing import Any

from boardline.core.errors import InvalidInput
from boardline.npi.classify import Classification
from boardline.npi.model import BomLine
from boardline.npi.packages import package_class

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
MINUTES = Decimal(60)
# A part dearer than this is a misread column (a part number in the price field), not a price.
MAX_UNIT_PRICE = Decimal(1_000_000)
MAX_BUILD_QUANTITY = 1_000_000_000
# Enough digits that no realistic amount is ever rounded before the final cents.
_CONTEXT = Context(prec=80)


class PriceSource(StrEnum):
    BOM = "bom"  # the unit price the customer's BOM states
    SUPPLIER = "supplier"  # a supplier's price break from the price lookup


@dataclass(frozen=True, slots=True)
class PriceBreak:
    """A supplier's offer for one MPN at the quantity asked.

    ``unit_price`` is the price per part at that quantity; ``moq`` (minimum order quantity)
    and ``multiple`` (order multiple: a pack, tube or reel) may raise the quantity bought.
    """

    unit_price: Decimal
    moq: int = 1
    multiple: int = 1
    supplier: str = ""
    sku: str = ""


PriceLookup = Callable[[str, int], PriceBreak | None]
"""``lookup(mpn, quantity)``: the supplier offer for buying ``quantity`` of ``mpn``, or None."""


@dataclass(frozen=True, slots=True)
class PartRule:
    """How parts of one package class are lost on the line and bought.

    ``attrition_pct`` and ``min_extra``: extra parts per build, see :func:`attrition`.
    ``reel``: parts per reel, None for parts not rounded to reels (trays, tubes, bulk);
    ``cut_tape_max``: the most parts bought on cut tape beside whole reels, see
    :func:`purchase_quantity`; ``moq``: the least one may order.
    """

    attrition_pct: Decimal
    min_extra: int
    reel: int | None = None
    cut_tape_max: int = 0
    moq: int = 1


def _rule(pct: str, min_extra: int, reel: int | None = None) -> PartRule:
    return PartRule(Decimal(pct), min_extra, reel, reel // 2 if reel else 0)


# Keys: "<kind>:<imperial size>" for sized chips, else the PackageKind value, else "default".
DEFAULT_PART_RULES: Mapping[str, PartRule] = {
    "chip:01005": _rule("2", 10, 20_000),
    "chip:0201": _rule("2", 10, 15_000),
    "chip:0402": _rule("2", 10, 10_000),
    "chip:0603": _rule("1", 5, 5_000),
    "chip": _rule("1", 5, 4_000),  # 0805 and larger, on paper or embossed tape
    "tantalum": _rule("1", 5, 2_000),
    "diode": _rule("0.5", 2, 3_000),
    "sot": _rule("0.5", 2, 3_000),
    "soic": _rule("0.5", 2, 2_500),
    "qfn": _rule("0", 1),
    "bga": _rule("0", 1),
    "lga": _rule("0", 1),
    "qfp": _rule("0", 1),
    "default": _rule("0.5", 1),  # THT, connectors, modules, unknown packages: bought exactly
}


@dataclass(frozen=True, slots=True)
class QuoteConfig:
    """Rates, rules and NRE for a quote. Money in ``currency``; percentages as 2 = 2 %.

    Build quantities are quoted in ascending order, each once.
    """

    quantities: tuple[int, ...] = (10, 100, 1_000, 10_000)
    currency: str = "EUR"
    part_rules: Mapping[str, PartRule] = field(default_factory=lambda: dict(DEFAULT_PART_RULES))
    price_lookup: PriceLookup | None = None
    placements_per_hour: int = 20_000
    line_cost_per_hour: Decimal = Decimal(120)
    setup_minutes_per_side: Decimal = Decimal(45)
    setup_cost_per_hour: Decimal = Decimal(120)
    tht_cost_per_joint: Decimal = Decimal("0.04")
    test_minutes_per_board: Decimal = Decimal(1)
    test_cost_per_hour: Decimal = Decimal(60)
    stencil_cost_per_side: Decimal = Decimal(150)
    programming_cost: Decimal = Decimal(250)
    test_fixture_cost: Decimal = Decimal(0)
    first_article_cost: Decimal = Decimal(150)
    material_margin_pct: Decimal = Decimal(8)
    labour_margin_pct: Decimal = Decimal(20)

    def __post_init__(self) -> None:
        check_config(self)

    @property
    def build_quantities(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.quantities)))


_MONEY_FIELDS = (
    "line_cost_per_hour",
    "setup_minutes_per_side",
    "setup_cost_per_hour",
    "tht_cost_per_joint",
    "test_minutes_per_board",
    "test_cost_per_hour",
    "stencil_cost_per_side",
    "programming_cost",
    "test_fixture_cost",
    "first_article_cost",
    "material_margin_pct",
    "labour_margin_pct",
)


def check_config(config: QuoteConfig) -> None:
    """Raise :class:`InvalidInput` (naming the field) unless every rate, cost and rule is a
    finite amount >= 0, the line rate is positive and there is at least one quantity from 1
    to ``MAX_BUILD_QUANTITY``."""
    if not config.quantities:
        raise InvalidInput("a quote needs at least one build quantity", field="quantities")
    for n in config.quantities:
        if not 1 <= n <= MAX_BUILD_QUANTITY:
            raise InvalidInput(
                f"build quantity {n} is outside 1 to {MAX_BUILD_QUANTITY}", field="quantities"
            )
    if config.placements_per_hour < 1:
        raise InvalidInput("the SMT line rate must be positive", field="placements_per_hour")
    for name in _MONEY_FIELDS:
        _check_amount(getattr(config, name), name)
    for key, rule in config.part_rules.items():
        _check_rule(key, rule)


def _check_amount(value: object, name: str) -> None:
    ok = isinstance(value, Decimal | int) and Decimal(value).is_finite() and Decimal(value) >= 0
    if not ok:
        raise InvalidInput(
            f"{name} must be a finite amount of at least 0, not {value!r}", field=name
        )


def _check_rule(key: str, rule: PartRule) -> None:
    name = f"part_rules[{key!r}]"
    _check_amount(rule.attrition_pct, f"{name}.attrition_pct")
    if rule.min_extra < 0 or rule.cut_tape_max < 0 or rule.moq < 1:
        raise InvalidInput(f"{name}: min_extra and cut_tape_max >= 0, moq >= 1", field=name)
    if rule.reel is not None and rule.reel < 1:
        raise InvalidInput(f"{name}: a reel holds at least one part", field=name)


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MaterialLine:
    """One fitted BOM line in one column: what is needed, bought and paid.

    ``needed`` includes ``attrition``; ``purchase`` is ``needed`` after MOQ and reel
    rounding; ``excess = purchase - needed`` parts are paid for and left over. ``unit_price``,
    ``source`` and ``cost`` are None when the line has no usable price.
    """

    line: int
    refdes: tuple[str, ...]
    mpn: str
    package_rule: str
    per_board: int
    attrition: int
    needed: int
    purchase: int
    excess: int
    unit_price: Decimal | None
    source: PriceSource | None
    supplier: str
    cost: Decimal | None
    excess_cost: Decimal | None


@dataclass(frozen=True, slots=True)
class MissingPrice:
    """A fitted line with no usable price, the build quantities it lacks one at, and why."""

    line: int
    refdes: tuple[str, ...]
    mpn: str
    reason: str
    quantities: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class NreItem:
    """A one-time charge: ``amount = quantity * unit_cost``."""

    name: str
    quantity: int
    unit_cost: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class QuoteColumn:
    """The price of one build of ``quantity`` boards, NRE apart.

    ``labour = placement + tht + test + setup``; ``total = material + labour + margin``;
    ``per_board = total / quantity``; ``total_with_nre`` adds the one-time NRE for a first
    build. ``material`` covers priced lines only: ``complete`` is False while
    ``unpriced_lines`` or ``uncosted_parts`` (fitted parts of unknown mount) is not 0.
    """

    quantity: int
    lines: tuple[MaterialLine, ...]
    material: Decimal
    excess: Decimal
    placement: Decimal
    tht: Decimal
    test: Decimal
    setup: Decimal
    labour: Decimal
    margin: Decimal
    total: Decimal
    per_board: Decimal
    nre: Decimal
    total_with_nre: Decimal
    unpriced_lines: int
    uncosted_parts: int

    @property
    def complete(self) -> bool:
        return self.unpriced_lines == 0 and self.uncosted_parts == 0


@dataclass(frozen=True, slots=True)
class Quote:
    """Columns in ascending quantity, the one-time NRE, and what the figures leave out."""

    currency: str
    columns: tuple[QuoteColumn, ...]
    nre: tuple[NreItem, ...]
    nre_total: Decimal
    missing_prices: tuple[MissingPrice, ...]
    warnings: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return all(c.complete for c in self.columns)


# --- formulas --------------------------------------------------------------------------------


def part_rule(line: BomLine, rules: Mapping[str, PartRule]) -> tuple[str, PartRule]:
    """The rule key and rule for a line's package: ``"chip:0402"`` for a sized chip, else the
    package kind (``"chip"``, ``"sot"``, ``"qfn"``), else ``"default"``, else the built-in
    default when ``rules`` has none."""
    package = package_class(line)
    keys = [package.kind.value, "default"]
    if package.size:
        keys.insert(0, f"{package.kind.value}:{package.size}")
    for key in keys:
        if key in rules:
            return key, rules[key]
    return "default", DEFAULT_PART_RULES["default"]


def attrition(net: int, rule: PartRule) -> int:
    """Extra parts for a build that uses ``net`` parts: ``max(ceil(net * pct / 100),
    min_extra)``, and none when ``net`` is 0.

    The percentage covers losses that grow with the run: mis-picks, parts dropped or
    rejected by the vision check. The minimum covers losses that come with every setup
    whatever its size: the tape leader and splice when a feeder is loaded, the first
    parts used to teach and verify the pick, a few drops while the job is dialled in.
    Without it a 10-board build of 0402s would get no spare at all and stop the line.
    """
    if net <= 0:
        return 0
    return max(math.ceil(Decimal(net) * rule.attrition_pct / HUNDRED), rule.min_extra)


def purchase_quantity(needed: int, rule: PartRule) -> int:
    """What is bought to have ``needed`` parts: at least the ``moq``, then whole reels plus a
    remainder on cut tape when that remainder is at most ``cut_tape_max``, else one more
    whole reel; parts without a ``reel`` are bought exactly.

    Reels round up because a reel costs less per part than cut tape (which suppliers cut,
    re-reel and charge for) and needs no leader splice or manual feeding on the line; past
    the threshold the full reel is cheaper than the cut tape and the handling, and the
    surplus is the customer's excess stock.
    """
    if needed <= 0:
        return 0
    qty = max(needed, rule.moq)
    if rule.reel is None:
        return qty
    reels, rest = divmod(qty, rule.reel)
    if rest > rule.cut_tape_max:
        return (reels + 1) * rule.reel
    return qty


def _round_up(qty: int, multiple: int) -> int:
    return -(-qty // multiple) * multiple if multiple > 1 else qty


def cents(amount: Decimal) -> Decimal:
    """``amount`` rounded half up to cents."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def per_board_quantity(line: BomLine) -> int:
    """Parts per board on a line: its distinct designators, else its stated quantity.

    Designators win because each one is a part placed; a quantity alone (glue, a label,
    a bracket) counts only when the line names none.
    """
    if line.refdes:
        return len(set(line.refdes))
    return max(line.quantity or 0, 0)


def _bom_price(line: BomLine) -> Decimal | None:
    if line.unit_price is None:
        return None
    try:
        price = Decimal(str(line.unit_price))
    except (ArithmeticError, ValueError):
        return None
    return price if _plausible(price) else None


def _plausible(price: object) -> bool:
    return (
        isinstance(price, Decimal | int)
        and Decimal(price).is_finite()
        and 0 <= Decimal(price) <= MAX_UNIT_PRICE
    )


def _usable(offer: PriceBreak | None) -> PriceBreak | None:
    if offer is None or not _plausible(offer.unit_price):
        return None
    return offer


# --- the quote -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Plan:
    line: BomLine
    key: str
    rule: PartRule
    per_board: int
    bom_price: Decimal | None


@dataclass(frozen=True, slots=True)
class _Priced:
    material: MaterialLine
    missing: str | None  # why the line has no price


@dataclass(frozen=True, slots=True)
class _Basis:
    """What labour and NRE are computed from, out of a :class:`Classification`."""

    placements: int
    smt_sides: int
    tht_parts: int
    tht_joints: int
    uncosted: int

    @classmethod
    def of(cls, c: Classification) -> _Basis:
        top, bottom = max(c.smt_top, 0), max(c.smt_bottom, 0)
        return cls(
            placements=top + bottom,
            smt_sides=int(top > 0) + int(bottom > 0),
            tht_parts=max(c.tht_top, 0) + max(c.tht_bottom, 0),
            tht_joints=max(c.tht_joints, 0),
            uncosted=max(c.unknown_mount, 0),
        )

    @property
    def setup_sides(self) -> int:
        # A THT pass (wave pallet, selective programme, hand station) is set up like a side.
        return self.smt_sides + int(self.tht_parts > 0 or self.tht_joints > 0)


def quote(lines: Iterable[BomLine], classification: Classification, config: QuoteConfig) -> Quote:
    """Price a build at each of ``config``'s quantities; see :class:`QuoteColumn`.

    For each fitted (not DNP) line and N boards: ``net = per_board * N`` (see
    :func:`per_board_quantity`); ``needed = net +`` :func:`attrition`; ``purchase`` from
    :func:`purchase_quantity`. The price lookup, when configured and the line has an MPN,
    is asked for ``purchase`` parts (price breaks go by what is bought, not what is used);
    its offer's MOQ and order multiple may raise ``purchase`` further, and keeping the
    price quoted for the smaller quantity never under-quotes. The unit price is the
    supplier's, else the BOM's, else none: the line is listed in ``missing_prices`` and
    its columns are incomplete. ``cost = purchase * unit_price``. Labour is as in
    :func:`_labour`. NRE is a stencil per SMT side, SMT programming, the test fixture and
    the first article inspection. ``margin = material * material_margin_pct / 100 +
    labour * labour_margin_pct / 100``.

    The lookup is called once per line with an MPN and quantity; what it raises is not
    caught (a failing supplier service must not turn into a cheaper quote).
    """
    with localcontext(_CONTEXT):
        plans = [_plan(line, config) for line in lines if not line.dnp]
        basis = _Basis.of(classification)
        nre = _nre_items(basis, config)
        nre_total = sum((item.quantity * item.unit_cost for item in nre), Decimal(0))
        built = [_column(n, plans, basis, nre_total, config) for n in config.build_quantities]
        return Quote(
            currency=config.currency,
            columns=tuple(column for column, _ in built),
            nre=nre,
            nre_total=cents(nre_total),
            missing_prices=_missing(built),
            warnings=_warnings(plans, classification),
        )


def _plan(line: BomLine, config: QuoteConfig) -> _Plan:
    key, rule = part_rule(line, config.part_rules)
    return _Plan(line, key, rule, per_board_quantity(line), _bom_price(line))


def _price_line(plan: _Plan, boards: int, config: QuoteConfig) -> _Priced:
    net = plan.per_board * boards
    extra = attrition(net, plan.rule)
    needed = net + extra
    purchase = purchase_quantity(needed, plan.rule)
    mpn = plan.line.mpn.strip()
    offer = None
    if config.price_lookup is not None and mpn and purchase > 0:
        offer = _usable(config.price_lookup(mpn, purchase))
    price, source, supplier = plan.bom_price, PriceSource.BOM, ""
    if offer is not None:
        purchase = _round_up(max(purchase, offer.moq), offer.multiple)
        price, source, supplier = Decimal(offer.unit_price), PriceSource.SUPPLIER, offer.supplier
    excess = purchase - needed
    material = MaterialLine(
        line=plan.line.line,
        refdes=tuple(plan.line.refdes),
        mpn=mpn,
        package_rule=plan.key,
        per_board=plan.per_board,
        attrition=extra,
        needed=needed,
        purchase=purchase,
        excess=excess,
        unit_price=price,
        source=source if price is not None else None,
        supplier=supplier,
        cost=purchase * price if price is not None else None,
        excess_cost=excess * price if price is not None else None,
    )
    return _Priced(material, None if price is not None else _why_unpriced(plan, config))


def _why_unpriced(plan: _Plan, config: QuoteConfig) -> str:
    if plan.line.unit_price is not None:
        bom = f"the BOM's unit price {plan.line.unit_price!r} is not a usable amount"
    else:
        bom = "the BOM gives no unit price"
    if config.price_lookup is None:
        return f"{bom} and no supplier price lookup is configured"
    if not plan.line.mpn.strip():
        return f"{bom} and the line has no MPN to look up"
    return f"{bom} and no supplier offered a usable price"


def _labour(
    boards: int, basis: _Basis, config: QuoteConfig
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(placement, THT, test, setup) for ``boards`` boards.

    ``placement = boards * placements / placements_per_hour * line_cost_per_hour`` (SMT
    parts on both sides); ``tht = boards * tht_joints * tht_cost_per_joint``; ``test =
    boards * test_minutes / 60 * test_cost_per_hour``; ``setup = sides * setup_minutes / 60
    * setup_cost_per_hour`` once per build, counting each SMT side and a THT pass.
    """
    n = Decimal(boards)
    placement = n * basis.placements / config.placements_per_hour * config.line_cost_per_hour
    tht = n * basis.tht_joints * config.tht_cost_per_joint
    test = n * config.test_minutes_per_board / MINUTES * config.test_cost_per_hour
    setup = basis.setup_sides * config.setup_minutes_per_side / MINUTES
    return placement, tht, test, setup * config.setup_cost_per_hour


def _nre_items(basis: _Basis, config: QuoteConfig) -> tuple[NreItem, ...]:
    """The one-time charges: a stencil per SMT side, the placement programme (when there
    are SMT parts), the test fixture and the first article inspection, at ``config``'s cost.

    NRE is charged once for the first build, not spread over a quantity, so it stays out
    of ``per_board`` and no margin is added to it (the costs are the prices charged).
    """
    counts = (
        ("Stencil (per SMT side)", basis.smt_sides, config.stencil_cost_per_side),
        ("SMT programming", int(basis.placements > 0), config.programming_cost),
        ("Test fixture", 1, config.test_fixture_cost),
        ("First article inspection", 1, config.first_article_cost),
    )
    return tuple(
        NreItem(name, count, Decimal(cost), cents(count * Decimal(cost)))
        for name, count, cost in counts
    )


def _column(
    boards: int, plans: Sequence[_Plan], basis: _Basis, nre: Decimal, config: QuoteConfig
) -> tuple[QuoteColumn, list[tuple[_Plan, str]]]:
    priced = [_price_line(plan, boards, config) for plan in plans]
    material = sum((p.material.cost or Decimal(0) for p in priced), Decimal(0))
    excess = sum((p.material.excess_cost or Decimal(0) for p in priced), Decimal(0))
    placement, tht, test, setup = _labour(boards, basis, config)
    labour = placement + tht + test + setup
    margin = (
        material * config.material_margin_pct / HUNDRED
        + labour * config.labour_margin_pct / HUNDRED
    )
    total = material + labour + margin
    missing = [(plan, p.missing) for plan, p in zip(plans, priced, strict=True) if p.missing]
    column = QuoteColumn(
        quantity=boards,
        lines=tuple(_rounded(p.material) for p in priced),
        material=cents(material),
        excess=cents(excess),
        placement=cents(placement),
        tht=cents(tht),
        test=cents(test),
        setup=cents(setup),
        labour=cents(labour),
        margin=cents(margin),
        total=cents(total),
        per_board=cents(total / boards),
        nre=cents(nre),
        total_with_nre=cents(total + nre),
        unpriced_lines=len(missing),
        uncosted_parts=basis.uncosted,
    )
    return column, missing


def _rounded(line: MaterialLine) -> MaterialLine:
    return replace(
        line,
        cost=cents(line.cost) if line.cost is not None else None,
        excess_cost=cents(line.excess_cost) if line.excess_cost is not None else None,
    )


def _missing(
    built: Sequence[tuple[QuoteColumn, list[tuple[_Plan, str]]]],
) -> tuple[MissingPrice, ...]:
    found: dict[int, tuple[_Plan, str, list[int]]] = {}
    for column, missing in built:
        for plan, reason in missing:
            found.setdefault(id(plan), (plan, reason, []))[2].append(column.quantity)
    return tuple(
        MissingPrice(
            line=plan.line.line,
            refdes=tuple(plan.line.refdes),
            mpn=plan.line.mpn.strip(),
            reason=reason,
            quantities=tuple(quantities),
        )
        for plan, reason, quantities in found.values()
    )


def _warnings(plans: Sequence[_Plan], c: Classification) -> tuple[str, ...]:
    warnings = []
    if c.unknown_mount > 0:
        names = ", ".join(c.unknown_mount_refdes[:10])
        more = ", ..." if len(c.unknown_mount_refdes) > 10 else ""
        warnings.append(
            f"{c.unknown_mount} fitted parts have no known mount (SMT or THT) and are not in "
            f"the placement or THT cost: {names}{more}"
        )
    if c.terminations_unknown > 0 and (c.tht_top > 0 or c.tht_bottom > 0):
        warnings.append(
            f"pin count unknown for {c.terminations_unknown} parts: THT joints may be undercounted"
        )
    for plan in plans:
        if plan.per_board == 0:
            warnings.append(f"BOM line {plan.line.line} has no designators and no quantity")
    return tuple(warnings)


# --- JSON ------------------------------------------------------------------------------------


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _line_json(line: MaterialLine) -> dict[str, Any]:
    return {
        "line": line.line,
        "refdes": list(line.refdes),
        "mpn": line.mpn,
        "package_rule": line.package_rule,
        "per_board": line.per_board,
        "attrition": line.attrition,
        "needed": line.needed,
        "purchase": line.purchase,
        "excess": line.excess,
        "unit_price": _money(line.unit_price),
        "source": line.source.value if line.source else None,
        "supplier": line.supplier,
        "cost": _money(line.cost),
        "excess_cost": _money(line.excess_cost),
    }


_COLUMN_MONEY = (
    "material",
    "excess",
    "placement",
    "tht",
    "test",
    "setup",
    "labour",
    "margin",
    "total",
    "per_board",
    "nre",
    "total_with_nre",
)


def _column_json(column: QuoteColumn) -> dict[str, Any]:
    return {
        "quantity": column.quantity,
        **{name: str(getattr(column, name)) for name in _COLUMN_MONEY},
        "complete": column.complete,
        "unpriced_lines": column.unpriced_lines,
        "uncosted_parts": column.uncosted_parts,
        "lines": [_line_json(line) for line in column.lines],
    }


def quote_json(q: Quote) -> dict[str, Any]:
    """The quote as plain JSON for the API: amounts as decimal strings (``"12.30"``), so no
    float ever touches a price."""
    return {
        "currency": q.currency,
        "complete": q.complete,
        "columns": [_column_json(column) for column in q.columns],
        "nre": [
            {
                "name": item.name,
                "quantity": item.quantity,
                "unit_cost": str(item.unit_cost),
                "amount": str(item.amount),
            }
            for item in q.nre
        ],
        "nre_total": str(q.nre_total),
        "missing_prices": [
            {
                "line": m.line,
                "refdes": list(m.refdes),
                "mpn": m.mpn,
                "reason": m.reason,
                "quantities": list(m.quantities),
            }
            for m in q.missing_prices
        ],
        "warnings": list(q.warnings),
    }
