"""Catalog rules: how part numbers and manufacturer names compare. Pure."""

from __future__ import annotations

import re
import unicodedata
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
_LEGAL_SUFFIXES = frozenset(
    {
        "and",  # "GmbH & Co. KG"
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "llp",
        "lp",
        "plc",
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "kgaa",
        "co",
        "corp",
        "corporation",
        "company",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "oy",
        "oyj",
        "ab",
        "as",
        "asa",
        "kk",
        "pte",
        "pty",
        "ulc",
        "se",
        "ltda",
    }
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
    """A manufacturer name reduced for comparison: no case, accents, punctuation, spaces or
    trailing legal forms, so "Texas Instruments Inc." matches "TEXAS INSTRUMENTS" and
    "Taiyo-Yuden Co., Ltd." matches "Taiyo Yuden"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    # Dots join abbreviations ("B.V.", "S.A.") so they meet the legal forms as one word.
    words = re.findall(r"[a-z0-9]+", plain.replace(".", "").replace("&", " and "))
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    return "".join(words)


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
