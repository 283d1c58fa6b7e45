"""Feeder setup pages (list, setup with its slots, the scanner loading screen) and their API.

``router`` holds the pages, ``api_router`` the JSON API under ``/api/feeder-setups``.

A scan is answered in two units of work (:func:`scan`): the load or splice, which a
refusal rolls back whole, then, only for a refusal, the rejection record. So a refused
reel changes nothing in the slot history and is still kept for quality.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from boardline.core import services as core
from boardline.core.auth import Perm
from boardline.core.errors import Conflict, InvalidInput
from boardline.production import factory, feeders
from boardline.production.feeder_rules import slots_text
from boardline.supply import msd
from boardline.web import nav
from boardline.web.deps import ApiCtx, Ctx, PageCtx
from boardline.web.templating import flash, render, submit

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/feeder-setups", tags=["production"])

nav.register(
    nav.NavSection(
        "Production",
        [nav.NavItem("Feeder setups", "/production/feeder-setups", Perm.PRODUCTION_VIEW)],
        order=27,
    )
)

LIST = "/production/feeder-setups"
MODES = ("load", "splice", "unload")
Text = Annotated[str, Form()]


@dataclass(frozen=True, slots=True)
class ScanAnswer:
    """What the operator sees after a scan: green or red, the reason code, a sentence."""

    ok: bool
    reason: str
    message: str
    slot: str
    scanned: str
    mode: str


def scan(ctx: Ctx, setup_id: int, mode: str, slot: str, scanned: str) -> ScanAnswer:
    """Load, splice or unload, recording a refusal in a unit of work of its own.

    Only refusals of the verification (a ``Conflict`` carrying a ``reason``) become
    rejection rows; anything else (no permission, unknown setup) propagates.
    """
    if mode not in MODES:
        raise InvalidInput(f"mode {mode!r}: one of {', '.join(MODES)}", field="mode")
    try:
        with ctx.write() as s:
            if mode == "unload":
                load = feeders.do_unload(s, ctx.actor, setup_id, slot)
                text = f"{feeders.package_uid(s, load)} unloaded from slot {load.slot}"
            else:
                do = feeders.do_splice if mode == "splice" else feeders.do_load
                load = do(s, ctx.actor, setup_id, slot, scanned)
                verb = "spliced onto the running reel in" if mode == "splice" else "loaded in"
                text = f"{feeders.package_uid(s, load)} {verb} slot {load.slot}"
    except Conflict as exc:
        if "reason" not in exc.extra:
            raise
        if mode != "unload":
            with ctx.write() as s:
                feeders.do_record_rejection(s, ctx.actor, setup_id, slot, scanned, exc)
        return ScanAnswer(False, str(exc.extra["reason"]), exc.detail, slot, scanned, mode)
    return ScanAnswer(True, "ok", text, slot, scanned, mode)


# --- pages ----------------------------------------------------------------------------


@router.get(LIST, response_class=HTMLResponse)
def setup_list(ctx: PageCtx) -> HTMLResponse:
    with ctx.read() as s:
        setups = feeders.list_setups(s, ctx.actor)
        lines = factory.list_lines(s, ctx.actor)
        customers = core.list_customers(s, ctx.actor)
    return render(
        ctx.request,
        "production/feeder_list.html",
        ctx.actor,
        setups=setups,
        lines=lines,
        customers=customers,
    )


@router.post(LIST)
def create_setup(
    ctx: PageCtx,
    line: Text,
    revision: Annotated[int, Form()],
    program: Text,
    side: Annotated[str, Form()] = "top",
) -> RedirectResponse:
    def act(s: Session) -> tuple[str, str]:
        setup = feeders.do_create_setup(
            s, ctx.actor, line_code=line, revision_id=revision, program=program, side=side
        )
        return f"Feeder setup {setup.program} ({setup.side}) created.", f"{LIST}/{setup.id}"

    return submit(ctx, act, back=LIST, failed="Feeder setup not created")


def _setup_page(
    ctx: Ctx, setup_id: int, *, text: str | None = None, error: str = "", status: int = 200
) -> HTMLResponse:
    with ctx.read() as s:
        setup = feeders.access_setup(s, ctx.actor, setup_id)
        info = feeders.describe_setup(s, ctx.actor, setup)
        state = feeders.setup_state(s, ctx.actor, setup_id)
        if text is None:
            text = slots_text(feeders.setup_slots(s, ctx.actor, setup_id))
    return render(
        ctx.request,
        "production/feeder_setup.html",
        ctx.actor,
        status_code=status,
        setup=setup,
        info=info,
        state=state,
        text=text,
        error=error,
        hours=_hours,
    )


def _hours(life: msd.FloorLifeState | None) -> str:
    if life is None:
        return "—"
    if life.remaining is None:
        return "unlimited"
    if life.bake_required:
        return "bake first"
    return f"{life.remaining.total_seconds() / 3600:.0f} h left"


@router.get(LIST + "/{setup_id}", response_class=HTMLResponse)
def setup_page(ctx: PageCtx, setup_id: int, propose: bool = False) -> HTMLResponse:
    text = None
    if propose:
        with ctx.read() as s:
            text = slots_text(feeders.propose_slots(s, ctx.actor, setup_id))
    return _setup_page(ctx, setup_id, text=text)


@router.post(LIST + "/{setup_id}/slots", response_model=None)
def save_slots(ctx: PageCtx, setup_id: int, slots: Text = "") -> HTMLResponse | RedirectResponse:
    """Saves the whole list or nothing; on error the page comes back with the text kept."""
    try:
        with ctx.write() as s:
            rows = feeders.do_set_slots(s, ctx.actor, setup_id, slots)
    except InvalidInput as exc:
        return _setup_page(ctx, setup_id, text=slots, error=exc.detail, status=422)
    flash(ctx.request, f"{len(rows)} slot(s) saved.")
    return RedirectResponse(f"{LIST}/{setup_id}", status_code=303)


def _load_page(ctx: Ctx, setup_id: int, answer: ScanAnswer | None, mode: str) -> HTMLResponse:
    partial = ctx.request.headers.get("HX-Request") == "true"
    with ctx.read() as s:
        setup = feeders.access_setup(s, ctx.actor, setup_id)
        info = feeders.describe_setup(s, ctx.actor, setup)
        actions = feeders.recent_actions(s, ctx.actor, setup_id)
    return render(
        ctx.request,
        "production/feeder_scan.html" if partial else "production/feeder_load.html",
        ctx.actor,
        setup=setup,
        info=info,
        answer=answer,
        actions=actions,
        mode=mode,
    )


@router.get(LIST + "/{setup_id}/load", response_class=HTMLResponse)
def load_page(ctx: PageCtx, setup_id: int, mode: str = "load") -> HTMLResponse:
    return _load_page(ctx, setup_id, None, mode if mode in MODES else "load")


@router.post(LIST + "/{setup_id}/load", response_class=HTMLResponse)
def load_scan(
    ctx: PageCtx,
    setup_id: int,
    slot: Annotated[str, Form()] = "",
    package: Annotated[str, Form()] = "",
    mode: Annotated[str, Form()] = "load",
) -> HTMLResponse:
    """One scan from the loading screen: the answer in big green or red, never an error page
    for a refused reel (a refusal is the screen doing its job)."""
    try:
        answer = scan(ctx, setup_id, mode, slot, package)
    except InvalidInput as exc:
        answer = ScanAnswer(False, exc.code, exc.detail, slot, package, mode)
    return _load_page(ctx, setup_id, answer, answer.mode if answer.mode in MODES else "load")


# --- API ------------------------------------------------------------------------------


class ScanIn(BaseModel):
    slot: str
    package: str = ""


class SlotOut(BaseModel):
    slot: str
    item: str
    refdes: list[str]
    status: str  # ok | missing | wrong
    package: str | None
    lot: str | None
    loaded_at: datetime | None
    floor_life_status: str | None
    floor_life_remaining_hours: float | None


class SetupOut(BaseModel):
    id: int
    line: str
    revision_id: int
    program: str
    side: str
    slots: list[SlotOut]


class AnswerOut(BaseModel):
    ok: bool
    reason: str
    message: str


class HistoryOut(BaseModel):
    slot: str
    package: str
    lot: str
    item: str
    kind: str
    spliced_onto: int | None
    work_order_id: int | None
    loaded_at: datetime
    loaded_by: str
    unloaded_at: datetime | None


def _slot_out(st: feeders.SlotState) -> SlotOut:
    life = st.life
    remaining = None
    if life is not None and life.remaining is not None:
        remaining = round(life.remaining.total_seconds() / 3600, 2)
    return SlotOut(
        slot=st.slot,
        item=st.item,
        refdes=list(st.refdes),
        status=st.status,
        package=st.package.uid if st.package else None,
        lot=st.package.lot if st.package else None,
        loaded_at=st.load.loaded_at if st.load else None,
        floor_life_status=life.status.value if life else None,
        floor_life_remaining_hours=remaining,
    )


@api_router.get("/{setup_id}")
def get_setup(ctx: ApiCtx, setup_id: int) -> SetupOut:
    """The setup with each slot's expected item and what is loaded in it now."""
    with ctx.read() as s:
        setup = feeders.access_setup(s, ctx.actor, setup_id)
        info = feeders.describe_setup(s, ctx.actor, setup)
        state = feeders.setup_state(s, ctx.actor, setup_id)
        return SetupOut(
            id=setup.id,
            line=info.line_code,
            revision_id=setup.revision_id,
            program=setup.program,
            side=setup.side,
            slots=[_slot_out(st) for st in state],
        )


def _api_scan(ctx: Ctx, setup_id: int, mode: str, body: ScanIn) -> AnswerOut:
    """200 with the answer when accepted; a refusal is recorded and answered as a 409
    problem whose ``reason`` is the verification's code."""
    answer = scan(ctx, setup_id, mode, body.slot, body.package)
    if not answer.ok:
        raise Conflict(answer.message, reason=answer.reason, slot=body.slot)
    return AnswerOut(ok=True, reason=answer.reason, message=answer.message)


@api_router.post("/{setup_id}/load")
def api_load(ctx: ApiCtx, setup_id: int, body: ScanIn) -> AnswerOut:
    return _api_scan(ctx, setup_id, "load", body)


@api_router.post("/{setup_id}/splice")
def api_splice(ctx: ApiCtx, setup_id: int, body: ScanIn) -> AnswerOut:
    return _api_scan(ctx, setup_id, "splice", body)


@api_router.post("/{setup_id}/unload")
def api_unload(ctx: ApiCtx, setup_id: int, body: ScanIn) -> AnswerOut:
    return _api_scan(ctx, setup_id, "unload", body)


@api_router.get("/{setup_id}/history")
def api_history(ctx: ApiCtx, setup_id: int, slot: str | None = None) -> list[HistoryOut]:
    """Which package sat in the slot (every slot without ``slot``) from when to when."""
    with ctx.read() as s:
        rows = feeders.slot_history(s, ctx.actor, setup_id, slot)
    return [
        HistoryOut(
            slot=r.slot,
            package=r.uid,
            lot=r.lot,
            item=r.item,
            kind=r.kind,
            spliced_onto=r.spliced_onto,
            work_order_id=r.work_order_id,
            loaded_at=r.loaded_at,
            loaded_by=r.loaded_by,
            unloaded_at=r.unloaded_at,
        )
        for r in rows
    ]
