"""Catalog rules: how part numbers and manufacturer names compare. Pure."""

from __future__ import annotations

import re
from enum import StrEnum

from boardline.core.errors import InvalidInput


class Lifecycle(StrEnum):
    ACTIVE = "active"
    NRND = "nrnd"  # not recommended for new designs
    OBSOLETE = "obsolete"


class Mounting(StrEnum):
    SMT = "smt"
    THT = "tht"
    OTHER = "other"


class Supply(StrEnum):
    """Who buys the part for a customer's builds."""

    TURNKEY = "turnkey"  # the EMS buys it
    CONSIGNED = "consigned"  # the customer supplies it (customer-owned stock)


MSL_LEVELS = ("1", "2", "2a", "3", "4", "5", "5a", "6")
_LEGAL = re.compile(
    r"\b(inc|incorporated|ltd|limited|llc|gmbh|ag|co|corp|corporation|company|sa|bv|nv|"
    r"plc|kk|oy|ab|srl|spa|semiconductors?|electronics?)\b\.?"
)
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
ITEM_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


def mpn_key(mpn: str) -> str:
    """An MPN as compared for matching: case, spaces and punctuation do not count.

    ``GRM155R71C104KA88D`` and ``grm155r71c104ka88d `` match; packaging suffixes are
    real differences and do count.
    """
    return _NOT_ALNUM.sub("", mpn.strip().lower())


def manufacturer_key(name: str) -> str:
    """A manufacturer name as compared for approved lists: legal forms and case ignored."""
    return _NOT_ALNUM.sub("", _LEGAL.sub(" ", name.strip().lower()))


def check_item_number(number: str) -> str:
    number = number.strip()
    if not ITEM_NUMBER_RE.match(number):
        raise InvalidInput(
            f"item number {number!r}: 1-64 letters, digits, '.', '_', '/' or '-'",
            field="number",
        )
    return number


def check_msl(msl: str | None) -> str | None:
    if msl is None or not msl.strip():
        return None
    value = msl.strip().lower().removeprefix("msl").strip()
    if value not in MSL_LEVELS:
        raise InvalidInput(f"MSL {msl!r}: one of {', '.join(MSL_LEVELS)}", field="msl")
    return value
