"""Routings: the ordered operations a product revision goes through on the shop floor.

Pure rules, no I/O. A :class:`Routing` belongs to one product revision and lists its
:class:`Operation` steps in order (numbered 10, 20, 30 … so a step can be inserted later
without renumbering the others). Each operation names the :class:`StationType` that may
perform it, whether it is required, and a :class:`Condition` on the design
(:class:`RoutingFacts`): X-ray only when the revision has parts with hidden joints, the
bottom-side SMT steps only when there are bottom placements. :func:`applicable_operations`
evaluates the conditions; :mod:`boardline.production.enforcement` walks the result.

A test or inspection step records pass or fail and may have a repair loop: a failed unit goes
to repair and back to the same step, at most ``max_retests`` times.

Life of a routing: a draft is edited freely (:func:`edit`); :func:`release` checks it and
locks it; a released routing is never changed, :func:`revise` starts a new draft version
from it. Operations and routings can be built invalid on purpose, so an edit form can show
every problem at once: :func:`validate` lists them, :func:`check_routing` raises them.

Templates (:func:`template_for`) start from the NPI classification. Decisions taken there:

- **Both sides: bottom first.** Designers put the large and heavy parts on the top side by
  convention; the lighter side is reflowed first because on the second reflow its parts
  hang upside down held only by the surface tension of the molten solder. Part counts are a
  poor proxy for mass (one transformer outweighs two hundred 0402s), so the template does
  not swap sides on counts: an engineer edits the routing when a board is the other way.
- **THT after SMT**, by wave solder when the bottom has no SMT parts and by selective solder
  when it does: a wave would need glued, wave-capable bottom parts (or a pallet).
- **X-ray** after the last SMT inspection, before any THT step, while the hidden joints
  are still reachable and before more value is added.
- **ICT is optional**: it needs a bed-of-nails fixture that prototypes and small batches
  rarely have; FCT is required.
- **No loader step**: the board loader feeds the line but does not process a unit; the
  printer is the first station that does.
- **Retest defaults** per station type (:data:`DEFAULT_RETESTS`) are a site's starting
  point, not a standard's numbers: a unit that fails the same test three times needs an
  engineer, not a fourth repair.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from boardline.core.errors import Conflict, InvalidInput
from boardline.npi.classify import AssemblyType, Classification
from boardline.npi.model import Side

__all__ = [
    "DEFAULT_RETESTS",
    "MAX_RETESTS",
    "STEP_INCREMENT",
    "TEST_STATIONS",
    "Condition",
    "Operation",
    "Problem",
    "Routing",
    "RoutingFacts",
    "StationType",
    "applicable_operations",
    "check_routing",
    "edit",
    "find_operation",
    "has_hidden_joints",
    "next_operation",
    "release",
    "renumber",
    "revise",
    "template_for",
    "validate",
]

MAX_RETESTS: Final = 10
STEP_INCREMENT: Final = 10


class StationType(StrEnum):
    """What kind of machine or bench a station is; an operation names the type it needs."""

    LOADER = "loader"
    PRINTER = "printer"
    SPI = "spi"
    PLACER = "placer"
    REFLOW = "reflow"
    AOI = "aoi"
    XRAY = "xray"
    THT_INSERTION = "tht_insertion"
    WAVE_SOLDER = "wave_solder"
    SELECTIVE_SOLDER = "selective_solder"
    ICT = "ict"
    FCT = "fct"
    COATING = "coating"
    BOX_BUILD = "box_build"
    PACK = "pack"
    REPAIR = "repair"

    @property
    def label(self) -> str:
        return _STATION_LABELS[self]


_STATION_LABELS: Final[Mapping[StationType, str]] = {
    StationType.LOADER: "Board loader",
    StationType.PRINTER: "Solder paste printer",
    StationType.SPI: "SPI (solder paste inspection)",
    StationType.PLACER: "Pick-and-place",
    StationType.REFLOW: "Reflow oven",
    StationType.AOI: "AOI (optical inspection)",
    StationType.XRAY: "X-ray (AXI)",
    StationType.THT_INSERTION: "THT insertion",
    StationType.WAVE_SOLDER: "Wave solder",
    StationType.SELECTIVE_SOLDER: "Selective solder",
    StationType.ICT: "ICT (in-circuit test)",
    StationType.FCT: "FCT (functional test)",
    StationType.COATING: "Conformal coating",
    StationType.BOX_BUILD: "Box build",
    StationType.PACK: "Pack",
    StationType.REPAIR: "Repair",
}

# Station types whose steps record pass or fail in the templates.
TEST_STATIONS: Final = frozenset(
    {StationType.SPI, StationType.AOI, StationType.XRAY, StationType.ICT, StationType.FCT}
)

DEFAULT_RETESTS: Final[Mapping[StationType, int]] = {
    StationType.SPI: 1,
    StationType.AOI: 2,
    StationType.XRAY: 1,
    StationType.ICT: 2,
    StationType.FCT: 2,
}


@dataclass(frozen=True, slots=True)
class RoutingFacts:
    """The design facts conditions and templates depend on, from the NPI classification.

    ``has_area_array``: the revision has parts whose joints are hidden under the body and can
    only be inspected by X-ray: area arrays (BGA, LGA, CSP) and bottom-terminated parts (QFN,
    DFN, SON). The classification does not carry it; :func:`has_hidden_joints` tells it from
    package names. Counts are fitted parts with a placement, as in
    :class:`~boardline.npi.classify.Classification`.

    Raises ``InvalidInput`` for a negative count or counts that contradict the assembly type
    (SMT on both sides with no bottom placements, THT only with SMT parts, …); ``UNKNOWN``
    accepts any counts.
    """

    assembly_type: AssemblyType
    smt_top: int = 0
    smt_bottom: int = 0
    tht_top: int = 0
    tht_bottom: int = 0
    has_area_array: bool = False

    def __post_init__(self) -> None:
        counts = {
            "smt_top": self.smt_top,
            "smt_bottom": self.smt_bottom,
            "tht_top": self.tht_top,
            "tht_bottom": self.tht_bottom,
        }
        for name, value in counts.items():
            if value < 0:
                raise InvalidInput(f"{name} {value}: must not be negative", field=name)
        if self.assembly_type is AssemblyType.UNKNOWN:
            return
        smt_sides = (self.smt_top > 0) + (self.smt_bottom > 0)
        has_tht = self.has_tht
        expected = {
            AssemblyType.SMT_ONE_SIDE: smt_sides == 1 and not has_tht,
            AssemblyType.SMT_BOTH_SIDES: smt_sides == 2 and not has_tht,
            AssemblyType.THT_ONLY: smt_sides == 0 and has_tht,
            AssemblyType.MIXED: smt_sides > 0 and has_tht,
            AssemblyType.NOTHING: smt_sides == 0 and not has_tht,
        }
        if not expected[self.assembly_type]:
            raise InvalidInput(
                f"{self.assembly_type.label} does not match the counts: top {self.smt_top} SMT"
                f" + {self.tht_top} THT, bottom {self.smt_bottom} SMT + {self.tht_bottom} THT",
                field="assembly_type",
            )

    @property
    def has_tht(self) -> bool:
        return self.tht_top + self.tht_bottom > 0

    @classmethod
    def from_classification(
        cls, classification: Classification, *, has_area_array: bool
    ) -> RoutingFacts:
        """The facts of a classified design; whether it has hidden joints is the caller's."""
        return cls(
            assembly_type=classification.assembly_type,
            smt_top=classification.smt_top,
            smt_bottom=classification.smt_bottom,
            tht_top=classification.tht_top,
            tht_bottom=classification.tht_bottom,
            has_area_array=has_area_array,
        )


# Hidden-joint package families, with the vendor prefixes seen in package names (TFBGA,
# VQFN, WSON, ST's UFQFPN, Microchip's MLF, TI's LLP). Leaded packages (LQFP, TSSOP, SOIC)
# must not match, hence the letter guards.
_HIDDEN_JOINTS = re.compile(
    r"(?<![a-z])[a-z]{0,2}(?:bga|lga|csp|qfn|qfpn|dfn|son|mlf|mlp|llp)(?![a-z])", re.IGNORECASE
)


def has_hidden_joints(package: str) -> bool:
    """Whether a package or footprint name is an area array or bottom-terminated part.

    ``BGA-256_17x17mm``, ``TFBGA-100``, ``QFN-32-1EP_5x5mm``, ``UFQFPN-48``, ``WSON-8``,
    ``DFN2020``, ``LGA-14``, ``WLCSP-49`` have joints X-ray must inspect; ``LQFP-64``,
    ``TSSOP-20``, ``SOIC-8`` do not.
    """
    return bool(_HIDDEN_JOINTS.search(package))


class Condition(StrEnum):
    """When an operation applies to a revision, judged on its :class:`RoutingFacts`.

    ``HAS_TOP_SMT`` is not in the issue's list; the mixed template needs it, because a mixed
    board may carry its SMT parts on the bottom only.
    """

    NONE = "none"
    HAS_AREA_ARRAY = "has_area_array"
    HAS_TOP_SMT = "has_top_smt"
    HAS_BOTTOM_SMT = "has_bottom_smt"
    HAS_THT = "has_tht"

    @property
    def label(self) -> str:
        return _CONDITIONS[self][0]

    def holds(self, facts: RoutingFacts) -> bool:
        """Whether an operation with this condition applies to a design with ``facts``."""
        return _CONDITIONS[self][1](facts)


_CONDITIONS: Final[Mapping[Condition, tuple[str, Callable[[RoutingFacts], bool]]]] = {
    Condition.NONE: ("Always", lambda facts: True),
    Condition.HAS_AREA_ARRAY: ("Hidden joints (BGA, QFN, LGA)", lambda f: f.has_area_array),
    Condition.HAS_TOP_SMT: ("SMT parts on top", lambda facts: facts.smt_top > 0),
    Condition.HAS_BOTTOM_SMT: ("SMT parts on the bottom", lambda facts: facts.smt_bottom > 0),
    Condition.HAS_THT: ("THT parts", lambda facts: facts.has_tht),
}


@dataclass(frozen=True, slots=True)
class Operation:
    """One step of a routing.

    - ``step``: its number, strictly increasing along the routing (10, 20, 30 …).
    - ``station_type``: the kind of station that performs it; never ``REPAIR``, which is the
      loop off a test step, not a step of the route.
    - ``required``: a unit may skip an optional step (ICT without a fixture).
    - ``side``: the board side it works on, ``None`` when it is not a one-side step.
    - ``is_test_or_inspection``: it records pass or fail.
    - ``max_retests``: the repair loop of a test step: a failed unit goes to repair and comes
      back to this step at most this many times (0 to :data:`MAX_RETESTS`); 0 on other steps.

    Built without checks so an edit form can hold invalid input; :func:`validate` judges it.
    """

    step: int
    name: str
    station_type: StationType
    required: bool = True
    side: Side | None = None
    is_test_or_inspection: bool = False
    condition: Condition = Condition.NONE
    max_retests: int = 0

    def applies(self, facts: RoutingFacts) -> bool:
        return self.condition.holds(facts)

    @property
    def title(self) -> str:
        """``"50 AOI top"``: the step as operators and messages name it."""
        return f"{self.step} {self.name}"


@dataclass(frozen=True, slots=True)
class Routing:
    """The operations of one product revision, in order; ``version`` counts from 1.

    A released routing is locked: :func:`edit` refuses it and :func:`revise` copies it into
    the next draft version. ``operations`` is kept as a tuple whatever sequence is given.
    """

    revision: str
    operations: tuple[Operation, ...]
    version: int = 1
    released: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "operations", tuple(self.operations))

    @property
    def label(self) -> str:
        state = "released" if self.released else "draft"
        return f"{self.revision} routing v{self.version} ({state})".strip()

    def operation(self, step: int) -> Operation:
        """The operation numbered ``step``; ``InvalidInput`` naming the routing if none is."""
        found = find_operation(self.operations, step)
        if found is None:
            raise InvalidInput(f"{self.label} has no step {step}", field="step")
        return found


def find_operation(operations: Sequence[Operation], step: int) -> Operation | None:
    """The operation numbered ``step`` among ``operations``, or ``None``."""
    return next((op for op in operations if op.step == step), None)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a routing: the step it concerns (``None`` for the whole routing),
    the field an edit form should mark, and a sentence for a person."""

    step: int | None
    field: str
    message: str

    def __str__(self) -> str:
        return self.message if self.step is None else f"step {self.step}: {self.message}"


def validate(routing: Routing) -> tuple[Problem, ...]:
    """Every problem of ``routing``, in step order; empty when it may be released."""
    problems: list[Problem] = []
    if routing.version < 1:
        problems.append(Problem(None, "version", f"version {routing.version}: must be 1 or more"))
    if not routing.operations:
        problems.append(Problem(None, "operations", "a routing needs at least one operation"))
    elif not any(op.required for op in routing.operations):
        problems.append(Problem(None, "required", "at least one operation must be required"))
    previous: int | None = None
    for op in routing.operations:
        problems.extend(_operation_problems(op, previous))
        previous = op.step if previous is None else max(previous, op.step)
    return tuple(problems)


def _operation_problems(op: Operation, previous: int | None) -> list[Problem]:
    problems: list[Problem] = []

    def problem(field: str, message: str) -> None:
        problems.append(Problem(op.step, field, message))

    if op.step <= 0:
        problem("step", "the step number must be positive")
    if previous is not None and op.step <= previous:
        problem("step", f"step numbers must increase: it comes after step {previous}")
    if not op.name.strip():
        problem("name", "the operation needs a name")
    if op.station_type is StationType.REPAIR:
        problem(
            "station_type",
            "repair is the loop off a test step, not a step of the route; give the test step"
            " a number of retests instead",
        )
    if not 0 <= op.max_retests <= MAX_RETESTS:
        problem("max_retests", f"max retests {op.max_retests}: must be 0 to {MAX_RETESTS}")
    elif op.max_retests and not op.is_test_or_inspection:
        problem("max_retests", "only a test or inspection step has a repair loop")
    return problems


def check_routing(routing: Routing) -> None:
    """Raise ``InvalidInput`` listing every problem of ``routing`` (``problems`` extra)."""
    problems = validate(routing)
    if problems:
        raise InvalidInput(
            f"{routing.label}: " + "; ".join(str(p) for p in problems),
            problems=[{"step": p.step, "field": p.field, "message": p.message} for p in problems],
        )


def edit(routing: Routing, operations: Iterable[Operation]) -> Routing:
    """The draft ``routing`` with ``operations`` instead of its own (not yet validated).

    Raises ``Conflict`` for a released routing: changing it is a new version (:func:`revise`).
    """
    if routing.released:
        raise Conflict(
            f"{routing.label} is released and locked; revise it to make version"
            f" {routing.version + 1}",
            version=routing.version,
        )
    return replace(routing, operations=tuple(operations))


def release(routing: Routing) -> Routing:
    """The draft ``routing``, checked and locked.

    Raises ``InvalidInput`` listing every problem, ``Conflict`` if it is already released.
    """
    if routing.released:
        raise Conflict(f"{routing.label} is already released", version=routing.version)
    check_routing(routing)
    return replace(routing, released=True)


def revise(routing: Routing) -> Routing:
    """A new draft, version n + 1, with the operations of the released ``routing``.

    Raises ``Conflict`` for a draft, which is edited in place instead: two drafts of one
    revision would leave it unclear which one is released next.
    """
    if not routing.released:
        raise Conflict(f"{routing.label} is a draft; edit it instead", version=routing.version)
    return replace(routing, version=routing.version + 1, released=False)


def renumber(
    operations: Iterable[Operation], increment: int = STEP_INCREMENT
) -> tuple[Operation, ...]:
    """``operations`` in their order, numbered ``increment``, 2 × ``increment`` … again."""
    if increment < 1:
        raise InvalidInput(f"increment {increment}: must be at least 1", field="increment")
    return tuple(
        replace(op, step=increment * number) for number, op in enumerate(operations, start=1)
    )


def applicable_operations(routing: Routing, facts: RoutingFacts) -> tuple[Operation, ...]:
    """The operations of ``routing`` whose condition holds for ``facts``, in order."""
    return tuple(op for op in routing.operations if op.applies(facts))


def next_operation(
    routing: Routing, facts: RoutingFacts, completed_steps: Iterable[int]
) -> Operation | None:
    """The first applicable required operation not in ``completed_steps``; ``None`` when the
    route is done. Optional steps are never "next": a unit may skip them. Route enforcement
    (:func:`boardline.production.enforcement.position`) adds failures and repairs.
    """
    done = set(completed_steps)
    return next(
        (
            op
            for op in routing.operations
            if op.required and op.step not in done and op.applies(facts)
        ),
        None,
    )


# --- templates ------------------------------------------------------------------------


def template_for(facts: RoutingFacts, *, revision: str = "") -> Routing:
    """A draft routing, version 1, for a design with ``facts`` (see the module notes).

    SMT one side: print, SPI, place, reflow, AOI, X-ray (hidden joints), ICT (optional),
    FCT, pack. SMT both sides: the bottom side's print to AOI, then the top side's, then as
    one side. THT only: insertion, wave solder, AOI or visual inspection, FCT, pack. Mixed:
    the SMT sides it has, X-ray, then insertion, wave or selective solder, inspection, ICT,
    FCT, pack. Conditional steps carry their condition so the routing stays right when it is
    copied to a revision with other facts.

    Raises ``InvalidInput`` for a design with nothing to solder or of unknown mount: such a
    routing is built by hand.
    """
    kind = facts.assembly_type
    if kind in (AssemblyType.NOTHING, AssemblyType.UNKNOWN):
        raise InvalidInput(
            f"no routing template for {kind.label.lower()}: build the routing by hand",
            field="assembly_type",
        )
    # The facts agree with the assembly type (RoutingFacts checks), so the counts decide.
    ops: list[Operation] = []
    if facts.smt_bottom:
        ops += _smt_side(Side.BOTTOM)
    if facts.smt_top:
        ops += _smt_side(Side.TOP)
    if kind is not AssemblyType.THT_ONLY:
        ops.append(_test("X-ray", StationType.XRAY, condition=Condition.HAS_AREA_ARRAY))
    if kind in (AssemblyType.THT_ONLY, AssemblyType.MIXED):
        ops += _tht(wave=facts.smt_bottom == 0)
    if kind is not AssemblyType.THT_ONLY:
        ops.append(_test("ICT", StationType.ICT, required=False))
    ops.append(_test("FCT", StationType.FCT))
    ops.append(Operation(0, "Pack", StationType.PACK))
    return Routing(revision=revision, operations=renumber(ops))


def _test(
    name: str,
    station_type: StationType,
    *,
    side: Side | None = None,
    required: bool = True,
    condition: Condition = Condition.NONE,
) -> Operation:
    return Operation(
        0,
        name,
        station_type,
        required=required,
        side=side,
        is_test_or_inspection=True,
        condition=condition,
        max_retests=DEFAULT_RETESTS.get(station_type, 0),
    )


def _smt_side(side: Side) -> list[Operation]:
    condition = Condition.HAS_TOP_SMT if side is Side.TOP else Condition.HAS_BOTTOM_SMT

    def work(name: str, station_type: StationType) -> Operation:
        return Operation(0, f"{name} {side}", station_type, side=side, condition=condition)

    return [
        work("Print paste", StationType.PRINTER),
        _test(f"SPI {side}", StationType.SPI, side=side, condition=condition),
        work("Place", StationType.PLACER),
        work("Reflow", StationType.REFLOW),
        _test(f"AOI {side}", StationType.AOI, side=side, condition=condition),
    ]


def _tht(*, wave: bool) -> list[Operation]:
    solder = (
        Operation(0, "Wave solder", StationType.WAVE_SOLDER, condition=Condition.HAS_THT)
        if wave
        else Operation(
            0, "Selective solder", StationType.SELECTIVE_SOLDER, condition=Condition.HAS_THT
        )
    )
    return [
        Operation(0, "THT insertion", StationType.THT_INSERTION, condition=Condition.HAS_THT),
        solder,
        _test("THT inspection", StationType.AOI, condition=Condition.HAS_THT),
    ]
