"""JSON API of the factory model: sites, lines, stations (machines look themselves up)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from boardline.production import factory
from boardline.production.tables import Station
from boardline.web.deps import ApiCtx

router = APIRouter(prefix="/api/factory", tags=["production"])


class StationIn(BaseModel):
    code: str
    name: str
    station_type: str
    line: str | None = None
    site: str | None = None
    cfx_handle: str | None = None


class StationOut(BaseModel):
    id: int
    code: str
    name: str
    station_type: str
    line_id: int | None
    site_id: int
    cfx_handle: str | None
    position: int
    active: bool


def _out(st: Station) -> StationOut:
    return StationOut(
        id=st.id,
        code=st.code,
        name=st.name,
        station_type=st.station_type,
        line_id=st.line_id,
        site_id=st.site_id,
        cfx_handle=st.cfx_handle,
        position=st.position,
        active=st.active,
    )


@router.get("/stations")
def stations(ctx: ApiCtx) -> list[StationOut]:
    with ctx.read() as s:
        return [_out(st) for st in factory.list_stations(s, ctx.actor)]


@router.post("/stations", status_code=201)
def create_station(ctx: ApiCtx, body: StationIn) -> StationOut:
    with ctx.write() as s:
        return _out(
            factory.do_create_station(
                s,
                ctx.actor,
                code=body.code,
                name=body.name,
                station_type=body.station_type,
                line_code=body.line,
                site_code=body.site,
                cfx_handle=body.cfx_handle,
            )
        )


@router.get("/stations/by-cfx-handle/{handle:path}")
def station_by_handle(ctx: ApiCtx, handle: str) -> StationOut:
    """The station a CFX endpoint handle belongs to."""
    with ctx.read() as s:
        return _out(factory.station_by_cfx_handle(s, ctx.actor, handle))
