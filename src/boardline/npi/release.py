"""Use cases of the revision gates: waive a DFM finding, check a gate, release a revision.

Both waiving and releasing are electronic signatures (the signer re-enters the password);
both are audited. A released revision is immutable (rules.check_editable).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from boardline.core import clock
from boardline.core.audit_trail import audit_reason
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from boardline.core.services import check_reason
from boardline.core.signatures import Meaning
from boardline.core.signing import do_sign
from boardline.npi import gates
from boardline.npi.rules import Stage, check_editable
from boardline.npi.services import access_revision
from boardline.npi.tables import BomLineRow, FindingRow, GateEvent, Revision, Waiver

ERROR = "error"


@dataclass(frozen=True, slots=True)
class GateView:
    """The next gate of a revision as the page shows it."""

    target: Stage | None
    results: list[gates.Result]
    history: Sequence[GateEvent]

    @property
    def ready(self) -> bool:
        return self.target is not None and not any(
            r.status is gates.Status.NOT_MET for r in self.results
        )

    @property
    def needs_override(self) -> list[gates.Result]:
        return [r for r in self.results if r.status is gates.Status.NO_DATA]


def _check_person(actor: Actor, what: str) -> int:
    if actor.kind != "user" or actor.user_id is None:
        raise PermissionDenied(f"only a signed-in person can {what}")
    return actor.user_id


def waivers_of(session: Session, revision_id: int) -> Sequence[Waiver]:
    return session.scalars(
        select(Waiver).where(Waiver.revision_id == revision_id).order_by(Waiver.id)
    ).all()


def finding_key(f: FindingRow) -> tuple[str, str, str]:
    return (f.code, f.refdes or "", f.message)


def do_waive(
    session: Session, actor: Actor, finding_id: int, *, reason: str, password: str
) -> Waiver:
    """Accept one finding of a draft revision, with a reason and the engineer's signature."""
    check_permission(actor, Perm.NPI_MANAGE)
    user_id = _check_person(actor, "waive a finding")
    finding = session.get(FindingRow, finding_id)
    if finding is None:
        raise NotFound(f"finding {finding_id} not found")
    revision = access_revision(session, actor, finding.revision_id)
    check_editable(revision.stage, f"revision {revision.label}")
    reason = check_reason(reason, "waiving a finding")
    key = finding_key(finding)
    if any(w.key == key for w in waivers_of(session, revision.id)):
        raise Conflict(f"finding {finding.code} {finding.refdes or ''} is already waived")
    waiver = Waiver(
        revision_id=revision.id,
        code=key[0],
        refdes=key[1],
        message=key[2],
        reason=reason,
        waived_by_id=user_id,
    )
    session.add(waiver)
    with audit_reason(session, reason):
        session.flush()
    do_sign(
        session,
        actor,
        waiver,
        meaning=Meaning.APPROVED,
        password=password,
        comment=f"waiver of {finding.code}: {reason}",
    )
    return waiver


def gate_facts(session: Session, revision: Revision) -> gates.GateFacts:
    errors = session.scalars(
        select(FindingRow).where(
            FindingRow.revision_id == revision.id, FindingRow.severity == ERROR
        )
    ).all()
    waived = {w.key for w in waivers_of(session, revision.id)}
    open_errors = sum(1 for f in errors if finding_key(f) not in waived)
    counts = (revision.summary or {}).get("counts", {})
    has_bom = session.scalar(
        select(BomLineRow.id).where(BomLineRow.revision_id == revision.id).limit(1)
    )
    return gates.GateFacts(
        imported=has_bom is not None,
        bom_lines=int(counts.get("bom_lines", 0)),
        placements=int(counts.get("placements", 0)),
        open_dfm_errors=open_errors,
        waived_dfm_errors=len(errors) - open_errors,
    )


def gate_view(session: Session, actor: Actor, revision_id: int) -> GateView:
    revision = access_revision(session, actor, revision_id)
    target = revision.stage.next
    plan = gates.gate_plan(revision.product.gate_criteria)
    results = gates.evaluate(target, gate_facts(session, revision), plan) if target else []
    history = session.scalars(
        select(GateEvent).where(GateEvent.revision_id == revision.id).order_by(GateEvent.id)
    ).all()
    return GateView(target, results, history)


def do_release(
    session: Session,
    actor: Actor,
    revision_id: int,
    *,
    target: Stage | str,
    password: str,
    override_reason: str = "",
) -> GateEvent:
    """Move a revision to the next stage once its gate is met, signed by the engineer.

    Criteria that are not met block. Criteria whose data Boardline does not record yet
    (first article inspection, pilot yield) need an override reason, which is signed and
    kept with the gate event.
    """
    check_permission(actor, Perm.NPI_MANAGE)
    user_id = _check_person(actor, "release a revision")
    revision = access_revision(session, actor, revision_id)
    try:
        target = Stage(target)
    except ValueError:
        raise InvalidInput(f"unknown stage {target!r}", field="stage") from None
    gates.check_transition(revision.stage, target)
    view = gate_view(session, actor, revision_id)
    failing = [r for r in view.results if r.status is gates.Status.NOT_MET]
    if failing:
        raise Conflict(
            f"gate to {target.label} not met: "
            + "; ".join(f"{r.title}: {r.detail}" for r in failing),
            criteria=[r.criterion for r in failing],
        )
    if view.needs_override and not override_reason.strip():
        raise InvalidInput(
            "no data yet for: "
            + ", ".join(r.title for r in view.needs_override)
            + "; give an override reason to release anyway",
            field="override_reason",
        )
    previous = revision.stage
    revision.stage = target
    revision.released_at = clock.now()
    with audit_reason(session, override_reason.strip() or f"released to {target.label}"):
        session.flush()
    signature = do_sign(
        session,
        actor,
        revision,
        meaning=Meaning.APPROVED,
        password=password,
        comment=f"release to {target.label}",
    )
    event = GateEvent(
        revision_id=revision.id,
        from_stage=previous,
        to_stage=target,
        results=[
            {
                "criterion": r.criterion,
                "title": r.title,
                "status": r.status.value,
                "detail": r.detail,
            }
            for r in view.results
        ],
        override_reason=override_reason.strip(),
        released_by_id=user_id,
        signature_id=signature.id,
    )
    session.add(event)
    session.flush()
    return event
