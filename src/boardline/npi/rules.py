"""NPI business rules that need no data files: revision stages and what may change when."""

from __future__ import annotations

import re
from enum import StrEnum

from boardline.core.errors import Conflict, InvalidInput


class Stage(StrEnum):
    """Where a revision is in its life: each stage tightens the rules."""

    DRAFT = "draft"
    PROTOTYPE = "prototype"
    PILOT = "pilot"
    MASS_PRODUCTION = "mass_production"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def next(self) -> Stage | None:
        order = list(Stage)
        i = order.index(self)
        return order[i + 1] if i + 1 < len(order) else None


REVISION_LABEL_RE = re.compile(r"^[A-Z]{1,3}[0-9]{0,3}$|^[0-9]{1,3}(\.[0-9]{1,3})?$")
PRODUCT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def check_revision_label(label: str) -> str:
    """A revision label such as A, B, AA, C2 or 1.1."""
    label = label.strip().upper()
    if not REVISION_LABEL_RE.match(label):
        raise InvalidInput(
            f"revision {label!r}: use letters (A, B, AA), letter+digits (C2) or a number (1.1)",
            field="revision",
        )
    return label


def check_product_code(code: str) -> str:
    code = code.strip()
    if not PRODUCT_CODE_RE.match(code):
        raise InvalidInput(
            f"product code {code!r}: 1-64 letters, digits, '.', '_' or '-'", field="product"
        )
    return code


def check_editable(stage: Stage, what: str) -> None:
    """Only a draft may change; a released revision changes by making a new revision."""
    if stage is not Stage.DRAFT:
        raise Conflict(
            f"{what} is released ({stage.label}) and cannot change; create a new revision",
            stage=stage.value,
        )
