"""Pure rules of feeder setups: may this package go into this slot, and the slot list text.

Nothing here reads the database or the clock. The services in ``feeders.py`` gather the
plain facts of one scan (:class:`LoadFacts`) and :func:`verify` decides. Whether a package
is usable at all (state, shelf life, MSD floor life) is decided once for the whole
factory by ``supply.inventory.why_unusable``; its answer arrives here as
:attr:`LoadFacts.unusable` and is only translated into this screen's reason codes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from boardline.core.errors import InvalidInput

SIDES = ("top", "bottom")
SLOT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,31}")
_REFDES_SPLIT = re.compile(r"[\s,;]+")


class Reason(StrEnum):
    """Why a load or splice was accepted or refused: stable codes for the API and pages."""

    OK = "ok"
    UNKNOWN_SLOT = "unknown_slot"
    UNKNOWN_PACKAGE = "unknown_package"  # the label is unreadable, or names no package
    WRONG_ITEM = "wrong_item"
    MANUFACTURER_NOT_APPROVED = "manufacturer_not_approved"
    PACKAGE_ON_HOLD = "package_on_hold"
    PACKAGE_BLOCKED = "package_blocked"
    PACKAGE_QUARANTINED = "package_quarantined"
    PACKAGE_EXPIRED = "package_expired"  # shelf life
    FLOOR_LIFE_EXPIRED = "floor_life_expired"  # MSD floor life (J-STD-033): bake first
    EMPTY_PACKAGE = "empty_package"
    ALREADY_LOADED_ELSEWHERE = "already_loaded_elsewhere"
    # A splice joins a new reel onto the one running in the slot: there must be one.
    NOTHING_TO_SPLICE = "nothing_to_splice"


# why_unusable's rule → this screen's reason.
_UNUSABLE = {
    "hold": Reason.PACKAGE_ON_HOLD,
    "blocked": Reason.PACKAGE_BLOCKED,
    "quarantined": Reason.PACKAGE_QUARANTINED,
    "expired": Reason.PACKAGE_EXPIRED,
    "floor_life_expired": Reason.FLOOR_LIFE_EXPIRED,
}


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer to one scan: ``ok``, a reason code and a sentence for the operator."""

    ok: bool
    reason: Reason
    message: str


@dataclass(frozen=True, slots=True)
class LoadFacts:
    """What a load or splice decision depends on, as plain values.

    ``expected_item``: the item number the slot takes (``None``: the setup has no such
    slot). ``package_uid`` is ``None`` when the label could not be read or names no
    package; ``unreadable`` then says why. ``approved``: the revision's customer's approved
    manufacturer names (empty: no restriction). ``unusable``: ``why_unusable``'s
    (rule, explanation), ``None`` when the package may be used. ``floor_life_over``: the
    MSD floor life has run out (so a package the nightly check blocked is reported as the
    floor-life problem it is). ``loaded_elsewhere``: where the package sits now, if in
    another slot. ``running_item``: for a splice, the item of the package running in the
    slot (``None``: nothing runs there).
    """

    slot: str
    expected_item: str | None
    package_uid: str | None = None
    unreadable: str = ""
    package_item: str = ""
    manufacturer: str = ""
    approved: Sequence[str] = ()
    unusable: tuple[str, str] | None = None
    floor_life_over: bool = False
    quantity: int = 0
    loaded_elsewhere: str | None = None
    splice: bool = False
    running_item: str | None = None


def _no(reason: Reason, message: str) -> Verdict:
    return Verdict(False, reason, message)


def verify(f: LoadFacts) -> Verdict:
    """Accept or refuse one scanned package for one slot.

    The checks run in the order an operator can act on: the slot, the label, the item
    (took the wrong reel), the manufacturer (the customer's approved list), whether the
    package may be used at all, whether it has parts, and whether it is already on another
    feeder. A splice additionally needs a running package of the same item.
    """
    if f.expected_item is None:
        return _no(Reason.UNKNOWN_SLOT, f"slot {f.slot} is not in this setup")
    if f.package_uid is None:
        return _no(Reason.UNKNOWN_PACKAGE, f"package not recognised: {f.unreadable}")
    uid = f.package_uid
    if f.package_item != f.expected_item:
        return _no(
            Reason.WRONG_ITEM,
            f"package {uid} is {f.package_item}; slot {f.slot} takes {f.expected_item}",
        )
    if f.splice and f.running_item is None:
        return _no(
            Reason.NOTHING_TO_SPLICE, f"nothing runs in slot {f.slot}: load the package instead"
        )
    if f.splice and f.running_item != f.package_item:
        return _no(
            Reason.WRONG_ITEM,
            f"package {uid} is {f.package_item}; the running reel in slot {f.slot} is "
            f"{f.running_item}",
        )
    if f.approved and f.manufacturer not in f.approved:
        return _no(
            Reason.MANUFACTURER_NOT_APPROVED,
            f"package {uid} is made by {f.manufacturer}, not on the customer's approved "
            f"list ({', '.join(f.approved)})",
        )
    if f.unusable is not None:
        rule, text = f.unusable
        reason = _UNUSABLE.get(rule, Reason.PACKAGE_BLOCKED)
        if f.floor_life_over:
            reason = Reason.FLOOR_LIFE_EXPIRED
        return _no(reason, text)
    if f.floor_life_over:
        return _no(Reason.FLOOR_LIFE_EXPIRED, f"package {uid} is out of floor life: bake it")
    if f.quantity <= 0:
        return _no(Reason.EMPTY_PACKAGE, f"package {uid} has no parts left")
    if f.loaded_elsewhere is not None:
        return _no(
            Reason.ALREADY_LOADED_ELSEWHERE,
            f"package {uid} is loaded in {f.loaded_elsewhere}: unload it there first",
        )
    what = "spliced" if f.splice else "loaded"
    return Verdict(True, Reason.OK, f"{uid} ({f.package_item}) {what} in slot {f.slot}")


# --- the slot list as text -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SlotRow:
    """One line of a setup: the slot, the item number it takes, the designators it feeds."""

    slot: str
    item: str
    refdes: tuple[str, ...] = ()
    line: int = 0  # the line of the text it came from (0: not from text)


def parse_slots(text: str) -> list[SlotRow]:
    """Read ``slot,item[,refdes…]`` per line (designators also space separated).

    Blank lines, ``#`` comments and a ``slot,item`` header are skipped. Every problem is
    collected and raised as one ``InvalidInput`` naming line, field and why (also as
    ``errors`` in its extra), so the engineer fixes the whole list in one go.
    """
    rows: list[SlotRow] = []
    errors: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split(",")]
        if not rows and not errors and [f.lower() for f in fields[:2]] == ["slot", "item"]:
            continue
        slot = fields[0]
        item = fields[1] if len(fields) > 1 else ""
        refdes = tuple(r for f in fields[2:] for r in _REFDES_SPLIT.split(f) if r)
        if not SLOT_RE.fullmatch(slot):
            errors.append(
                {"line": number, "field": "slot", "why": f"{slot!r}: 1 to 32 letters or digits"}
            )
        elif slot in seen:
            errors.append(
                {"line": number, "field": "slot", "why": f"{slot} is already on line {seen[slot]}"}
            )
        else:
            seen[slot] = number
        if not item:
            errors.append({"line": number, "field": "item", "why": "no item number"})
        rows.append(SlotRow(slot, item, refdes, number))
    if errors:
        raise slot_errors(errors)
    return rows


def slot_errors(errors: Sequence[dict[str, object]]) -> InvalidInput:
    """One error for a list of per-line problems: ``line N, field: why`` each."""
    text = "; ".join(f"line {e['line']}, {e['field']}: {e['why']}" for e in errors)
    return InvalidInput(f"slot list not saved: {text}", field="slots", errors=list(errors))


def slots_text(rows: Sequence[SlotRow]) -> str:
    """The slot list as the text the edit form shows (the inverse of :func:`parse_slots`)."""
    return "".join(
        f"{r.slot},{r.item}" + (f",{' '.join(r.refdes)}" if r.refdes else "") + "\n" for r in rows
    )
