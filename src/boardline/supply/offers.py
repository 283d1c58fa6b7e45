"""Supplier offers: which offer and price break serve a quantity best. Pure rules.

An offer is one supplier's terms for one manufacturer part number: price breaks
(quantity from which a unit price applies), a minimum order quantity, an order multiple
(the pack: reel, tray, tube), a lead time and the packaging.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from boardline.core.errors import InvalidInput


class Packaging(StrEnum):
    REEL = "reel"
    CUT_TAPE = "cut_tape"
    TRAY = "tray"
    TUBE = "tube"
    BAG = "bag"


@dataclass(frozen=True, slots=True)
class Terms:
    """One offer as the rules see it."""

    supplier: str
    sku: str
    breaks: tuple[tuple[int, Decimal], ...]  # (from quantity, unit price), ascending
    moq: int = 1
    multiple: int = 1
    lead_time_days: int | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    """What buying ``wanted`` parts under one offer means."""

    terms: Terms
    purchase: int  # after MOQ and order multiple
    unit_price: Decimal
    total: Decimal


def check_breaks(breaks: Iterable[tuple[int, Decimal]]) -> tuple[tuple[int, Decimal], ...]:
    """Price breaks sorted by quantity; quantities positive and distinct, prices positive."""
    ordered = tuple(sorted((int(q), Decimal(p)) for q, p in breaks))
    if not ordered:
        raise InvalidInput("an offer needs at least one price break", field="breaks")
    quantities = [q for q, _ in ordered]
    if quantities[0] < 1 or len(set(quantities)) != len(quantities):
        raise InvalidInput("price break quantities must be positive and distinct", field="breaks")
    if any(not p.is_finite() or p <= 0 for _, p in ordered):
        raise InvalidInput("price break prices must be positive", field="breaks")
    return ordered


def purchase_quantity(wanted: int, terms: Terms) -> int:
    """Raise ``wanted`` to the MOQ, then up to a whole order multiple."""
    quantity = max(wanted, terms.moq, 1)
    multiple = max(terms.multiple, 1)
    return math.ceil(quantity / multiple) * multiple


def unit_price_at(quantity: int, terms: Terms) -> Decimal:
    """The price of the highest break not above ``quantity`` (the first break below it)."""
    price = terms.breaks[0][1]
    for from_quantity, unit_price in terms.breaks:
        if quantity >= from_quantity:
            price = unit_price
    return price


def best_choice(wanted: int, offers: Sequence[Terms]) -> Choice | None:
    """The offer that buys ``wanted`` parts for the least money (ties: shorter lead time).

    Comparing totals, not unit prices: a cheaper break behind a large MOQ can cost more
    than a dearer small pack.
    """
    choices = []
    for terms in offers:
        purchase = purchase_quantity(wanted, terms)
        price = unit_price_at(purchase, terms)
        choices.append(Choice(terms, purchase, price, price * purchase))
    if not choices:
        return None
    return min(choices, key=lambda c: (c.total, c.terms.lead_time_days or 0, c.terms.supplier))
