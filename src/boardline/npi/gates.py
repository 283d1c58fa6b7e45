"""Revision gates: what must be true before a revision moves to the next stage. Pure rules.

draft → prototype → pilot → mass production. Each target stage has a list of criteria
(configurable per product); the system checks each one, an engineer signs the release.
Criteria read data through :class:`GateFacts`; data that a later part of Boardline will
produce (first article inspection, pilot yield) is ``None`` until then and the criterion
says so instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from boardline.core.errors import InvalidInput
from boardline.npi.rules import Stage


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NO_DATA = "no_data"  # the data this criterion reads is not produced (yet)


@dataclass(frozen=True, slots=True)
class GateFacts:
    """What the gate checks read about one revision."""

    imported: bool
    bom_lines: int
    placements: int
    open_dfm_errors: int  # error findings without a signed waiver
    waived_dfm_errors: int
    fai_approved: bool | None = None  # None: no first-article-inspection data source yet
    pilot_units: int | None = None  # None: no production data source yet
    pilot_fpy: float | None = None


@dataclass(frozen=True, slots=True)
class Result:
    criterion: str
    title: str
    status: Status
    detail: str

    @property
    def blocks(self) -> bool:
        return self.status is not Status.MET


@dataclass(frozen=True, slots=True)
class Criterion:
    id: str
    title: str
    check: Callable[[GateFacts, Mapping[str, float]], tuple[Status, str]]


def _imported(f: GateFacts, _: Mapping[str, float]) -> tuple[Status, str]:
    if f.imported and f.bom_lines:
        return Status.MET, f"{f.bom_lines} BOM lines, {f.placements} placements imported"
    return Status.NOT_MET, "no data package imported yet"


def _dfm_clear(f: GateFacts, _: Mapping[str, float]) -> tuple[Status, str]:
    waived = f" ({f.waived_dfm_errors} waived with a signature)" if f.waived_dfm_errors else ""
    if f.open_dfm_errors:
        return Status.NOT_MET, f"{f.open_dfm_errors} open error finding(s){waived}"
    return Status.MET, f"no open error findings{waived}"


def _fai(f: GateFacts, _: Mapping[str, float]) -> tuple[Status, str]:
    if f.fai_approved is None:
        return Status.NO_DATA, "first article inspection is not recorded in Boardline yet"
    if f.fai_approved:
        return Status.MET, "first article inspection approved"
    return Status.NOT_MET, "first article inspection not approved"


def _pilot_fpy(f: GateFacts, params: Mapping[str, float]) -> tuple[Status, str]:
    need_units, need_fpy = int(params.get("pilot_units", 50)), params.get("pilot_fpy", 0.95)
    if f.pilot_units is None or f.pilot_fpy is None:
        return Status.NO_DATA, "pilot yield is not recorded in Boardline yet"
    if f.pilot_units < need_units:
        return Status.NOT_MET, f"{f.pilot_units} pilot units built, {need_units} needed"
    if f.pilot_fpy < need_fpy:
        return Status.NOT_MET, f"pilot FPY {f.pilot_fpy:.1%} below {need_fpy:.1%}"
    return Status.MET, f"pilot FPY {f.pilot_fpy:.1%} over {f.pilot_units} units"


CRITERIA: dict[str, Criterion] = {
    c.id: c
    for c in (
        Criterion("data_imported", "Data package imported", _imported),
        Criterion("dfm_clear", "DFM review without open errors", _dfm_clear),
        Criterion("fai_approved", "First article inspection approved", _fai),
        Criterion("pilot_fpy", "First pass yield over the pilot units", _pilot_fpy),
    )
}

DEFAULT_GATES: dict[Stage, list[str]] = {
    Stage.PROTOTYPE: ["data_imported"],
    Stage.PILOT: ["data_imported", "dfm_clear", "fai_approved"],
    Stage.MASS_PRODUCTION: ["data_imported", "dfm_clear", "fai_approved", "pilot_fpy"],
}


def gate_plan(overrides: Mapping[str, Sequence[str]] | None) -> dict[Stage, list[str]]:
    """The criteria per target stage: the defaults, with a product's overrides applied."""
    plan = {stage: list(ids) for stage, ids in DEFAULT_GATES.items()}
    for stage_name, ids in (overrides or {}).items():
        try:
            stage = Stage(stage_name)
        except ValueError:
            raise InvalidInput(f"unknown stage {stage_name!r} in gate criteria") from None
        unknown = [i for i in ids if i not in CRITERIA]
        if unknown or stage is Stage.DRAFT:
            raise InvalidInput(f"gate {stage_name}: unknown criteria {unknown}")
        plan[stage] = list(ids)
    return plan


def evaluate(
    target: Stage,
    facts: GateFacts,
    plan: Mapping[Stage, Sequence[str]],
    params: Mapping[str, float] | None = None,
) -> list[Result]:
    """Check every criterion of the gate into ``target``."""
    results = []
    for criterion_id in plan.get(target, []):
        c = CRITERIA[criterion_id]
        status, detail = c.check(facts, params or {})
        results.append(Result(c.id, c.title, status, detail))
    return results


def check_transition(current: Stage, target: Stage) -> None:
    """Revisions move one stage forward at a time."""
    if current.next is not target:
        expected = current.next.label if current.next else "nothing (last stage)"
        raise InvalidInput(
            f"a {current.label.lower()} revision moves to {expected}, not {target.label}",
            field="stage",
        )
