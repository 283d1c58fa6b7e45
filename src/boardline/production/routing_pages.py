"""Routing pages (a revision's routing: generate, edit, release, revise) and the routing API.

``router`` holds the pages, ``api_router`` the JSON API under ``/api/routings``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from boardline.core.auth import Perm
from boardline.core.errors import InvalidInput, NotFound
from boardline.npi import services as npi
from boardline.npi.model import Side
from boardline.production import routing, routings
from boardline.production.routing import Condition, StationType
from boardline.production.tables import RoutingRow
from boardline.web import nav
from boardline.web.deps import ApiCtx, PageCtx
from boardline.web.templating import render, submit

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/routings", tags=["production"])

nav.register(
    nav.NavSection(
        "Production",
        [nav.NavItem("Routings", "/production/routings", Perm.PRODUCTION_VIEW)],
        order=27,
    )
)

Texts = Annotated[list[str], Form()]
LIST = "/production/routings"


def _label(enum: type[StationType] | type[Condition], value: str) -> str:
    # Rows store the enum values; a value unknown to this version of the code shows as is.
    try:
        return enum(value).label
    except ValueError:
        return value


def _page_of(revision_id: int) -> str:
    return f"/production/revisions/{revision_id}/routing"


@router.get(LIST, response_class=HTMLResponse)
def routing_list(ctx: PageCtx) -> HTMLResponse:
    with ctx.read() as s:
        entries = routings.list_routings(s, ctx.actor)
    return render(ctx.request, "production/routing_list.html", ctx.actor, entries=entries)


@router.get("/production/revisions/{revision_id}/routing", response_class=HTMLResponse)
def routing_page(ctx: PageCtx, revision_id: int) -> HTMLResponse:
    with ctx.read() as s:
        revision = npi.access_revision(s, ctx.actor, revision_id)
        history = routings.routings_of(s, ctx.actor, revision_id)
        current = history[0] if history else None
        try:
            facts = routings.facts_of_revision(s, ctx.actor, revision_id)
            facts_problem = ""
        except InvalidInput as exc:
            facts, facts_problem = None, exc.detail
        made_from = routings.facts_from_json(current.facts) if current else None
        rules = routings.to_rules(current) if current else None
        problems = routing.validate(rules) if rules and not rules.released else ()
    return render(
        ctx.request,
        "production/routing.html",
        ctx.actor,
        revision=revision,
        title=routings.routing_label(revision),
        current=current,
        history=history[1:],
        facts=facts,
        facts_problem=facts_problem,
        made_from=made_from,
        applies=routings.applies_to(rules.operations if rules else (), facts or made_from),
        problems=problems,
        station_types=[t for t in StationType if t is not StationType.REPAIR],
        conditions=list(Condition),
        sides=list(Side),
        manage=ctx.actor.can(Perm.FACTORY_MANAGE),
        station_label=lambda value: _label(StationType, value),
        condition_label=lambda value: _label(Condition, value),
    )


@router.post("/production/revisions/{revision_id}/routing/generate")
def generate(ctx: PageCtx, revision_id: int) -> RedirectResponse:
    def act(s: Session) -> str:
        row = routings.do_generate_routing(s, ctx.actor, revision_id)
        return f"Routing v{row.number} generated from the design; it is a draft."

    return submit(ctx, act, back=_page_of(revision_id), failed="Routing not generated")


def _revision_of(ctx: PageCtx, routing_id: int) -> int:
    with ctx.read() as s:
        return routings.access_routing(s, ctx.actor, routing_id).revision_id


@router.post("/production/routings/{routing_id}/release")
def release(
    ctx: PageCtx, routing_id: int, version: Annotated[int | None, Form()] = None
) -> RedirectResponse:
    def act(s: Session) -> str:
        row = routings.do_release_routing(s, ctx.actor, routing_id, expected_version=version)
        return f"Routing v{row.number} released; it is locked now."

    back = _page_of(_revision_of(ctx, routing_id))
    return submit(ctx, act, back=back, failed="Routing not released")


@router.post("/production/routings/{routing_id}/revise")
def revise(
    ctx: PageCtx, routing_id: int, version: Annotated[int | None, Form()] = None
) -> RedirectResponse:
    def act(s: Session) -> str:
        row = routings.do_revise_routing(s, ctx.actor, routing_id, expected_version=version)
        return f"Routing v{row.number} started as a draft from v{row.number - 1}."

    back = _page_of(_revision_of(ctx, routing_id))
    return submit(ctx, act, back=back, failed="Routing not revised")


def _number(value: str, what: str, row: int) -> int | None:
    clean = value.strip()
    if not clean:
        return None
    try:
        return int(clean)
    except ValueError:
        raise InvalidInput(f"row {row}: {what} {value!r} is not a whole number") from None


def operations_from_form(
    step: list[str],
    name: list[str],
    station_type: list[str],
    side: list[str],
    condition: list[str],
    max_retests: list[str],
    instructions: list[str],
    required: list[str],
    is_test: list[str],
    delete: list[str],
) -> list[routings.OperationIn]:
    """The edit form's rows as operations. Checkboxes send the row's index when ticked;
    a row with neither step nor name (the blank "add" row) is left out, and a named row
    without a step number comes after the row above it."""
    count = len(name)
    for column in (step, station_type, side, condition, max_retests, instructions):
        if len(column) != count:
            raise InvalidInput("the form's rows are incomplete; reload the page")
    ops: list[routings.OperationIn] = []
    for i in range(count):
        number = _number(step[i], "step", i + 1)
        if str(i) in delete or (number is None and not name[i].strip()):
            continue
        if number is None:
            number = (ops[-1].step if ops else 0) + routing.STEP_INCREMENT
        ops.append(
            routings.OperationIn(
                step=number,
                name=name[i],
                station_type=station_type[i],
                required=str(i) in required,
                side=side[i] or None,
                is_test=str(i) in is_test,
                condition=condition[i] or Condition.NONE.value,
                max_retests=_number(max_retests[i], "max retests", i + 1) or 0,
                instructions=instructions[i],
            )
        )
    return ops


@router.post("/production/routings/{routing_id}/operations")
def edit_operations(
    ctx: PageCtx,
    routing_id: int,
    version: Annotated[int, Form()],
    step: Texts,
    name: Texts,
    station_type: Texts,
    side: Texts,
    condition: Texts,
    max_retests: Texts,
    instructions: Texts,
    required: Annotated[list[str] | None, Form()] = None,
    is_test: Annotated[list[str] | None, Form()] = None,
    delete: Annotated[list[str] | None, Form()] = None,
) -> RedirectResponse:
    def act(s: Session) -> str:
        ops = operations_from_form(
            step,
            name,
            station_type,
            side,
            condition,
            max_retests,
            instructions,
            required or [],
            is_test or [],
            delete or [],
        )
        row = routings.do_edit_operations(s, ctx.actor, routing_id, ops, expected_version=version)
        return f"Routing v{row.number} saved ({len(row.operations)} operations)."

    back = _page_of(_revision_of(ctx, routing_id))
    return submit(ctx, act, back=back, failed="Routing not saved")


# --- API ------------------------------------------------------------------------------


class OperationOut(BaseModel):
    step: int
    name: str
    station_type: str
    required: bool
    side: str | None
    is_test: bool
    condition: str
    max_retests: int
    instructions: str


class RoutingOut(BaseModel):
    id: int
    revision_id: int
    number: int
    released: bool
    released_by: str | None
    facts: dict[str, object]
    version: int
    operations: list[OperationOut]


class InstructionsIn(BaseModel):
    text: str


def _out(row: RoutingRow) -> RoutingOut:
    return RoutingOut(
        id=row.id,
        revision_id=row.revision_id,
        number=row.number,
        released=row.released,
        released_by=row.released_by,
        facts=dict(row.facts),
        version=row.version,
        operations=[
            OperationOut(
                step=op.step,
                name=op.name,
                station_type=op.station_type,
                required=op.required,
                side=op.side,
                is_test=op.is_test,
                condition=op.condition,
                max_retests=op.max_retests,
                instructions=op.instructions,
            )
            for op in sorted(row.operations, key=lambda o: o.step)
        ],
    )


@api_router.get("/{revision_id}")
def current(ctx: ApiCtx, revision_id: int, released_only: bool = False) -> RoutingOut:
    """The revision's latest routing version (or latest released one)."""
    with ctx.read() as s:
        row = routings.current_routing(s, ctx.actor, revision_id, released_only=released_only)
        if row is None:
            raise NotFound(f"revision {revision_id} has no routing")
        return _out(row)


@api_router.post("/{revision_id}/generate", status_code=201)
def api_generate(ctx: ApiCtx, revision_id: int) -> RoutingOut:
    with ctx.write() as s:
        return _out(routings.do_generate_routing(s, ctx.actor, revision_id))


@api_router.post("/{routing_id}/release")
def api_release(ctx: ApiCtx, routing_id: int, expected_version: int | None = None) -> RoutingOut:
    with ctx.write() as s:
        return _out(
            routings.do_release_routing(s, ctx.actor, routing_id, expected_version=expected_version)
        )


@api_router.post("/{routing_id}/revise", status_code=201)
def api_revise(ctx: ApiCtx, routing_id: int) -> RoutingOut:
    with ctx.write() as s:
        return _out(routings.do_revise_routing(s, ctx.actor, routing_id))


@api_router.put("/{routing_id}/operations/{step}/instructions")
def api_instructions(ctx: ApiCtx, routing_id: int, step: int, body: InstructionsIn) -> RoutingOut:
    with ctx.write() as s:
        routings.do_set_instructions(s, ctx.actor, routing_id, step, body.text)
        return _out(routings.access_routing(s, ctx.actor, routing_id))
