"""One design from the files of a revision: BOM, centroid and board merged. Pure, no I/O.

Where each part of the :class:`~boardline.npi.model.Design` comes from:

- BOM lines: every BOM file, in the order given; without one, the BOM the board file
  (KiCad or IPC-2581) derives from its footprints.
- Placements: the centroid files when there are any (they are what the machine program is
  built from), else the board's.
- Outline: the board's.

With a board *and* centroid files, each centroid placement is enriched from the board part of
the same refdes (mount, pin count, body size, pitch, MPN, flags), and each centroid file's
side is brought into the board's frame. Exports differ in origin (page origin, auxiliary
origin, edge rails added by the assembler), in whether bottom X is mirrored, in the Y
direction and in the bottom rotation convention (θ, −θ, 180° − θ), so the transform is
estimated from the data rather than assumed: for each sign choice the translation is the
median of the refdes offsets, the choice that puts most parts within
:data:`POSITION_TOLERANCE_MM` wins, and the rotation rule is the most common angle offset.
Medians and modes ignore the few parts an assembler moved or turned on purpose, which are
then reported one by one.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from statistics import median

from boardline.npi.model import (
    BomLine,
    Design,
    Finding,
    ImportResult,
    Mount,
    Placement,
    Severity,
    Side,
)

BOARD_KINDS = ("kicad_pcb", "ipc2581")
KNOWN_KINDS = ("bom", "centroid", *BOARD_KINDS)
POSITION_TOLERANCE_MM = 0.5
ROTATION_TOLERANCE_DEG = 0.5


@dataclass(frozen=True, slots=True)
class FrameTransform:
    """Maps a file's frame to the board's: ``x' = sx·x + dx``, ``y' = sy·y + dy``,
    ``rotation' = (sr·rotation + dr) mod 360``."""

    sx: int = 1
    sy: int = 1
    dx: float = 0.0
    dy: float = 0.0
    sr: int = 1
    dr: float = 0.0

    def apply(self, p: Placement) -> Placement:
        """The placement moved into the board's frame."""
        moved = replace(p)
        self.move(moved)
        return moved

    def move(self, p: Placement) -> None:
        """Move the placement into the board's frame, in place."""
        p.x = self.sx * p.x + self.dx
        p.y = self.sy * p.y + self.dy
        p.rotation = _angle(self.sr * p.rotation + self.dr)

    def describe(self) -> str:
        """The transform in words: ``board X = x − 7.000 mm, board Y = y, rotation unchanged``."""
        x = _axis("board X", "x", self.sx, self.dx)
        y = _axis("board Y", "y", self.sy, self.dy)
        return f"{x}, {y}, {_rotation_rule(self.sr, self.dr)}"


def _rotation_rule(sign: int, offset: float) -> str:
    if sign == 1:
        return f"rotation = θ + {offset:g}°" if offset else "rotation unchanged"
    return f"rotation = {offset:g}° − θ" if offset else "rotation = −θ"


def _axis(name: str, var: str, sign: int, offset: float) -> str:
    term = var if sign == 1 else f"−{var} (mirrored)"
    if abs(offset) < 0.0005:
        return f"{name} = {term}"
    return f"{name} = {term} {'+' if offset > 0 else '−'} {abs(offset):.3f} mm"


def merge(results: list[ImportResult]) -> tuple[Design, list[Finding]]:
    """The revision's design from what the importers read, and the merge's own findings.

    The importers' findings stay in their results. The design has one placement per refdes
    (the first wins; later duplicates are reported as ``merge.duplicate_refdes``), marked DNP
    when a BOM line says so. With a board and centroid files the findings include, per file
    and side, ``centroid.frame_aligned`` (the transform found and how well it fits) or
    ``centroid.frame_unknown``, and per part ``centroid.position_mismatch``,
    ``centroid.rotation_differs``, ``centroid.side_differs`` and ``centroid.not_in_board``.
    With a board and a BOM file, ``merge.bom_not_on_board`` names BOM designators the board
    does not have (a stale BOM). Inputs are not modified.
    """
    findings: list[Finding] = []
    boms, centroids, boards = _by_kind(results, findings)
    board = boards[0] if boards else None
    if len(boards) > 1:
        findings.append(_several_boards(boards))
    bom_lines = _bom_lines(boms if boms else ([board] if board else []))
    if centroids:
        placements = _unique(_placements(centroids), findings)
        if board is not None:
            board_parts = {p.refdes: p for p in reversed(board.placements)}
            _align(placements, board_parts, findings)
    elif board is not None:
        placements = _unique(_placements([board]), findings)
    else:
        placements = []
    _apply_bom_dnp(placements, bom_lines, findings, bom_decides=bool(boms))
    if boms and board is not None:
        findings += _not_on_board(bom_lines, {p.refdes for p in board.placements}, board.file)
    outline = board.outline if board is not None else None
    return Design(bom_lines=bom_lines, placements=placements, outline=outline), findings


def _by_kind(
    results: Sequence[ImportResult], findings: list[Finding]
) -> tuple[list[ImportResult], list[ImportResult], list[ImportResult]]:
    boms, centroids, boards = [], [], []
    for r in results:
        if r.kind == "bom":
            boms.append(r)
        elif r.kind == "centroid":
            centroids.append(r)
        elif r.kind in BOARD_KINDS:
            boards.append(r)
        else:
            findings.append(
                Finding(
                    Severity.WARNING,
                    "merge.unknown_kind",
                    f"file kind {r.kind!r} is not one of {', '.join(KNOWN_KINDS)}; ignored",
                    file=r.file,
                )
            )
    return boms, centroids, boards


def _several_boards(boards: Sequence[ImportResult]) -> Finding:
    others = ", ".join(b.file for b in boards[1:])
    return Finding(
        Severity.WARNING,
        "merge.several_boards",
        f"{len(boards)} board files; the design uses {boards[0].file} and ignores {others}",
        file=boards[1].file,
        hint="Upload one board file per revision.",
    )


def _bom_lines(sources: Iterable[ImportResult]) -> list[BomLine]:
    return [replace(b, source=b.source or r.file) for r in sources for b in r.bom_lines]


def _placements(sources: Iterable[ImportResult]) -> list[Placement]:
    """Copies of the placements: later steps change these in place, as ``replace`` per step
    would dominate the merge of a large board."""
    return [replace(p, source=p.source or r.file) for r in sources for p in r.placements]


def _unique(placements: Sequence[Placement], findings: list[Finding]) -> list[Placement]:
    """The first placement of each refdes; one finding per duplicated refdes."""
    kept: dict[str, Placement] = {}
    dropped: dict[str, list[Placement]] = {}
    for p in placements:
        if p.refdes in kept:
            dropped.setdefault(p.refdes, []).append(p)
        else:
            kept[p.refdes] = p
    for refdes, extra in dropped.items():
        first = kept[refdes]
        # Artwork (logos as G***) repeats a placeholder designator and is never placed.
        artwork = all(_is_artwork(p) for p in (first, *extra))
        findings.append(
            Finding(
                Severity.INFO if artwork else Severity.WARNING,
                "merge.duplicate_refdes",
                f"{refdes} is placed {len(extra) + 1} times; kept the one from {_where(first)},"
                f" dropped {', '.join(_where(p) for p in extra)}",
                file=extra[0].source or None,
                line=extra[0].line,
                refdes=refdes,
                hint="Give every part its own designator, or upload each placement file once.",
            )
        )
    return list(kept.values())


def _is_artwork(p: Placement) -> bool:
    return p.exclude_from_bom or p.mount == Mount.OTHER


def _where(p: Placement) -> str:
    return f"{p.source} line {p.line}" if p.line is not None else p.source or "(unnamed file)"


def _align(
    placements: list[Placement], board: dict[str, Placement], findings: list[Finding]
) -> None:
    """Move the placements into the board's frame and enrich them from the board."""
    groups: dict[tuple[str, Side], list[int]] = {}
    for i, p in enumerate(placements):
        groups.setdefault((p.source, p.side), []).append(i)
    transforms = _transforms(placements, groups, board, findings)
    for key, indices in groups.items():
        transform = transforms[key]
        for i in indices:
            _align_part(placements[i], transform, board, findings)


def _transforms(
    placements: Sequence[Placement],
    groups: dict[tuple[str, Side], list[int]],
    board: dict[str, Placement],
    findings: list[Finding],
) -> dict[tuple[str, Side], FrameTransform]:
    """One transform per (file, side); the best-matched group sets the signs others prefer.

    The Y direction is a property of the two programs, not of the side, so a side with only
    a part or two (where every sign choice fits) follows the side with the most parts.
    """
    pairs = {key: _pairs(placements, idx, board) for key, idx in groups.items()}
    prefer = (1, 1)
    transforms: dict[tuple[str, Side], FrameTransform] = {}
    for key in sorted(pairs, key=lambda k: -len(pairs[k])):
        file, side = key
        if not pairs[key]:
            transforms[key] = FrameTransform()
            findings.append(_frame_unknown(file, side))
            continue
        transform, inliers, residual = _estimate(pairs[key], prefer)
        if not transforms:
            prefer = (transform.sx, transform.sy)
        transforms[key] = transform
        findings.append(_frame_aligned(file, side, transform, len(pairs[key]), inliers, residual))
    return transforms


def _pairs(
    placements: Sequence[Placement], indices: Sequence[int], board: dict[str, Placement]
) -> list[tuple[Placement, Placement]]:
    """(file part, board part) pairs usable for estimating: same refdes, same side, finite."""
    pairs = []
    for i in indices:
        p = placements[i]
        b = board.get(p.refdes)
        if b is not None and b.side == p.side and _finite(p) and _finite(b):
            pairs.append((p, b))
    return pairs


def _finite(p: Placement) -> bool:
    return math.isfinite(p.x) and math.isfinite(p.y) and math.isfinite(p.rotation)


def _estimate(
    pairs: Sequence[tuple[Placement, Placement]], prefer: tuple[int, int]
) -> tuple[FrameTransform, int, float]:
    """The best transform for the pairs, how many parts it fits, and the median residual."""
    best: tuple[FrameTransform, int, float] | None = None
    for sx, sy in _sign_order(prefer):
        dx = median(b.x - sx * p.x for p, b in pairs)
        dy = median(b.y - sy * p.y for p, b in pairs)
        residuals = [math.hypot(sx * p.x + dx - b.x, sy * p.y + dy - b.y) for p, b in pairs]
        inliers = sum(1 for r in residuals if r <= POSITION_TOLERANCE_MM)
        residual = median(residuals)
        # Earlier sign choices win ties: with one or two parts every choice fits exactly.
        if best is None or (inliers, -round(residual, 6)) > (best[1], -round(best[2], 6)):
            best = (FrameTransform(sx, sy, dx, dy), inliers, residual)
    assert best is not None
    sr, dr = _estimate_rotation(pairs)
    return replace(best[0], sr=sr, dr=dr), best[1], best[2]


def _sign_order(prefer: tuple[int, int]) -> list[tuple[int, int]]:
    sx, sy = prefer
    return [(sx, sy), (-sx, sy), (sx, -sy), (-sx, -sy)]


def _estimate_rotation(pairs: Sequence[tuple[Placement, Placement]]) -> tuple[int, float]:
    """The rotation rule (sign, offset) that most parts follow; θ unchanged wins ties."""
    best = (1, 0.0)
    best_score = (-1, False)
    for sr in (1, -1):
        offsets = Counter(_angle(round(_angle(b.rotation - sr * p.rotation), 1)) for p, b in pairs)
        dr, count = max(offsets.items(), key=lambda item: (item[1], item[0] == 0.0))
        score = (count, dr == 0.0)
        if score > best_score:
            best, best_score = (sr, dr), score
    return best


def _angle(degrees: float) -> float:
    """The angle in [0, 360)."""
    a = degrees % 360.0
    return 0.0 if a >= 360.0 else a


def _frame_aligned(
    file: str, side: Side, t: FrameTransform, matched: int, inliers: int, residual: float
) -> Finding:
    poor = inliers * 2 < matched
    return Finding(
        Severity.WARNING if poor else Severity.INFO,
        "centroid.frame_aligned",
        f"{side} side brought into the board's frame: {t.describe()}; fitted from {matched}"
        f" parts matched by refdes, {inliers} within {POSITION_TOLERANCE_MM} mm,"
        f" median residual {residual:.3f} mm",
        file=file,
        hint="Most parts do not fit one transform: is this file for this board revision?"
        if poor
        else None,
    )


def _frame_unknown(file: str, side: Side) -> Finding:
    return Finding(
        Severity.WARNING,
        "centroid.frame_unknown",
        f"no {side} part of this file matches a {side} part of the board by refdes; its"
        " placements stay in the file's own frame",
        file=file,
        hint="Check that the centroid file and the board are the same revision.",
    )


def _align_part(
    p: Placement, transform: FrameTransform, board: dict[str, Placement], findings: list[Finding]
) -> None:
    b = board.get(p.refdes)
    if b is not None and b.side != p.side:
        findings.append(_side_differs(p, b))
    transform.move(p)
    if b is None:
        findings.append(_not_in_board(p))
        return
    if b.side == p.side:
        findings.extend(_differences(p, b))
    _enrich(p, b)


def _enrich(p: Placement, b: Placement) -> None:
    """Complete the centroid part from the board part.

    The board is the authority on the footprint (mount, pin count, body size, pitch); value,
    package, MPN and manufacturer fill only what the centroid lacks; a flag set in either
    file stays set.
    """
    p.value = p.value or b.value
    p.package = p.package or b.package
    p.mount = b.mount if b.mount is not None else p.mount
    p.pin_count = b.pin_count if b.pin_count is not None else p.pin_count
    p.width = b.width if b.width is not None else p.width
    p.height = b.height if b.height is not None else p.height
    p.pitch = b.pitch if b.pitch is not None else p.pitch
    p.mpn = p.mpn or b.mpn
    p.manufacturer = p.manufacturer or b.manufacturer
    p.dnp = p.dnp or b.dnp
    p.exclude_from_bom = p.exclude_from_bom or b.exclude_from_bom
    p.exclude_from_pos = p.exclude_from_pos or b.exclude_from_pos


def _differences(moved: Placement, b: Placement) -> list[Finding]:
    found = []
    distance = math.hypot(moved.x - b.x, moved.y - b.y)
    if distance > POSITION_TOLERANCE_MM:
        found.append(
            Finding(
                Severity.WARNING,
                "centroid.position_mismatch",
                f"{moved.refdes} is {distance:.3f} mm from its place on the board after"
                f" alignment ({moved.x:.3f}, {moved.y:.3f} against {b.x:.3f}, {b.y:.3f})",
                file=moved.source or None,
                line=moved.line,
                refdes=moved.refdes,
                hint="Check which position is right before the machine program is built.",
            )
        )
    turn = 180.0 - (b.rotation - moved.rotation + 180.0) % 360.0  # in (-180, 180]
    if abs(turn) > ROTATION_TOLERANCE_DEG:
        found.append(
            Finding(
                Severity.INFO,
                "centroid.rotation_differs",
                f"{moved.refdes} is turned {turn:+g}° against the board ({moved.rotation:g}°"
                f" here, {b.rotation:g}° on the board): an assembler's rotation correction for"
                " its tape orientation, or a mistake",
                file=moved.source or None,
                line=moved.line,
                refdes=moved.refdes,
                hint="Keep deliberate corrections; confirm the others against the package.",
            )
        )
    return found


def _side_differs(p: Placement, b: Placement) -> Finding:
    return Finding(
        Severity.WARNING,
        "centroid.side_differs",
        f"{p.refdes} is on the {p.side} side here but on the {b.side} side of the board",
        file=p.source or None,
        line=p.line,
        refdes=p.refdes,
    )


def _not_in_board(p: Placement) -> Finding:
    return Finding(
        Severity.WARNING,
        "centroid.not_in_board",
        f"{p.refdes} is in the centroid file but not on the board; nothing to enrich it from",
        file=p.source or None,
        line=p.line,
        refdes=p.refdes,
        hint="A stale centroid file or a renamed part.",
    )


def _apply_bom_dnp(
    placements: list[Placement],
    bom_lines: Sequence[BomLine],
    findings: list[Finding],
    *,
    bom_decides: bool,
) -> None:
    """Mark placements DNP as the BOM says.

    A BOM file is the document the assembly follows, so it overrides a DNP flag from the
    board or centroid that it contradicts (``bom_decides``); a BOM derived from the board
    only adds its DNP marks.
    """
    dnp: set[str] = set()
    fitted: dict[str, BomLine] = {}
    for line in bom_lines:
        for refdes in line.refdes:
            if line.dnp:
                dnp.add(refdes)
            else:
                fitted.setdefault(refdes, line)
    for p in placements:
        if p.refdes in dnp:
            p.dnp = True
        elif bom_decides and p.dnp and p.refdes in fitted:
            findings.append(_dnp_conflict(p, fitted[p.refdes]))
            p.dnp = False


def _dnp_conflict(p: Placement, line: BomLine) -> Finding:
    return Finding(
        Severity.WARNING,
        "merge.dnp_conflict",
        f"{p.refdes} is marked DNP in {p.source or 'the placement data'} but fitted in the BOM"
        f" (line {line.line}); the BOM decides: fitted",
        file=line.source or None,
        line=line.line,
        refdes=p.refdes,
        hint="Mark the part DNP in the BOM if it must not be placed.",
    )


def _not_on_board(lines: Sequence[BomLine], on_board: set[str], board_file: str) -> list[Finding]:
    findings = []
    for line in lines:
        for refdes in line.refdes:
            if refdes not in on_board:
                findings.append(
                    Finding(
                        Severity.WARNING,
                        "merge.bom_not_on_board",
                        f"{refdes} is on BOM line {line.line} but not on the board ({board_file})",
                        file=line.source or None,
                        line=line.line,
                        refdes=refdes,
                        hint="A stale BOM or a renamed part: check the BOM against the board.",
                    )
                )
    return findings
