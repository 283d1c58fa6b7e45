"""The factory model: sites, lines and the stations on them (with their CFX handles).

Routings name station *types*; a station is one place of a type on a line (or off-line,
like a repair bench). Machines are known by their IPC-CFX handle, which the machine
messages carry, so a handle belongs to exactly one station.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import AlreadyExists, InvalidInput, NotFound
from boardline.core.services import check_version
from boardline.production.routing import StationType
from boardline.production.tables import Line, Site, Station

LINE_KINDS = ("smt", "tht", "box_build", "test")
_CODE = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,31}")
# A CFX handle is a dotted name ("acme.line1.placer1"): printable, no spaces.
_CFX_HANDLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}")


def check_code(code: str, what: str) -> str:
    clean = code.strip().upper()
    if not _CODE.fullmatch(clean):
        raise InvalidInput(
            f"{what} code {code!r}: 1 to 32 letters, digits, '.', '_' or '-'", field="code"
        )
    return clean


def check_station_type(value: str) -> StationType:
    try:
        return StationType(value.strip().lower())
    except ValueError:
        known = ", ".join(t.value for t in StationType)
        raise InvalidInput(
            f"station type {value!r} unknown; one of {known}", field="station_type"
        ) from None


def check_cfx_handle(handle: str | None) -> str | None:
    if handle is None or not handle.strip():
        return None
    clean = handle.strip()
    if not _CFX_HANDLE.fullmatch(clean):
        raise InvalidInput(
            f"CFX handle {handle!r}: up to 128 characters, no spaces (e.g. acme.l1.placer1)",
            field="cfx_handle",
        )
    return clean


# --- sites ----------------------------------------------------------------------------


def do_create_site(
    session: Session, actor: Actor, *, code: str, name: str, timezone: str = "UTC"
) -> Site:
    check_permission(actor, Perm.FACTORY_MANAGE)
    code = check_code(code, "site")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {timezone!r}", field="timezone") from None
    if session.scalar(select(Site.id).where(Site.code == code)) is not None:
        raise AlreadyExists(f"site {code} already exists", field="code")
    site = Site(code=code, name=name.strip() or code, timezone=timezone)
    session.add(site)
    session.flush()
    return site


def list_sites(session: Session, actor: Actor) -> Sequence[Site]:
    check_permission(actor, Perm.PRODUCTION_VIEW)
    return session.scalars(select(Site).order_by(Site.code)).all()


def find_site(session: Session, actor: Actor, code: str) -> Site:
    check_permission(actor, Perm.PRODUCTION_VIEW)
    site = session.scalar(select(Site).where(Site.code == code.strip().upper()))
    if site is None:
        raise NotFound(f"site {code} not found")
    return site


# --- lines ----------------------------------------------------------------------------


def do_create_line(
    session: Session,
    actor: Actor,
    *,
    site_code: str,
    code: str,
    name: str,
    kind: str,
    target_uph: int | None = None,
) -> Line:
    check_permission(actor, Perm.FACTORY_MANAGE)
    site = find_site(session, actor, site_code)
    code = check_code(code, "line")
    if kind not in LINE_KINDS:
        raise InvalidInput(f"line kind {kind!r}: one of {', '.join(LINE_KINDS)}", field="kind")
    if target_uph is not None and target_uph <= 0:
        raise InvalidInput("units per hour must be at least 1", field="target_uph")
    if session.scalar(select(Line.id).where(Line.code == code)) is not None:
        raise AlreadyExists(f"line {code} already exists", field="code")
    line = Line(
        site_id=site.id, code=code, name=name.strip() or code, kind=kind, target_uph=target_uph
    )
    session.add(line)
    session.flush()
    return line


def list_lines(session: Session, actor: Actor) -> Sequence[Line]:
    check_permission(actor, Perm.PRODUCTION_VIEW)
    return session.scalars(select(Line).order_by(Line.code)).all()


def find_line(session: Session, actor: Actor, code: str) -> Line:
    check_permission(actor, Perm.PRODUCTION_VIEW)
    line = session.scalar(select(Line).where(Line.code == code.strip().upper()))
    if line is None:
        raise NotFound(f"line {code} not found")
    return line


# --- stations -------------------------------------------------------------------------


def do_create_station(
    session: Session,
    actor: Actor,
    *,
    code: str,
    name: str,
    station_type: str,
    line_code: str | None = None,
    site_code: str | None = None,
    cfx_handle: str | None = None,
) -> Station:
    """A station on a line (placed after the line's last station) or off-line at a site."""
    check_permission(actor, Perm.FACTORY_MANAGE)
    code = check_code(code, "station")
    kind = check_station_type(station_type)
    handle = check_cfx_handle(cfx_handle)
    line = find_line(session, actor, line_code) if line_code else None
    if line is not None:
        site_id = line.site_id
    elif site_code:
        site_id = find_site(session, actor, site_code).id
    else:
        raise InvalidInput("a station belongs to a line or, off-line, to a site", field="line")
    if session.scalar(select(Station.id).where(Station.code == code)) is not None:
        raise AlreadyExists(f"station {code} already exists", field="code")
    _check_handle_free(session, handle)
    position = 0
    if line is not None:
        last = session.scalars(select(Station.position).where(Station.line_id == line.id)).all()
        position = max(last, default=0) + 10
    station = Station(
        site_id=site_id,
        line_id=line.id if line else None,
        code=code,
        name=name.strip() or code,
        station_type=kind.value,
        cfx_handle=handle,
        position=position,
    )
    session.add(station)
    session.flush()
    return station


def do_update_station(
    session: Session,
    actor: Actor,
    station_id: int,
    *,
    expected_version: int | None,
    name: str | None = None,
    cfx_handle: str | None = None,
    active: bool | None = None,
) -> Station:
    check_permission(actor, Perm.FACTORY_MANAGE)
    station = access_station(session, actor, station_id)
    check_version(station, expected_version, f"station {station.code}")
    if name is not None and name.strip():
        station.name = name.strip()
    if cfx_handle is not None:
        handle = check_cfx_handle(cfx_handle)
        if handle != station.cfx_handle:
            _check_handle_free(session, handle)
            station.cfx_handle = handle
    if active is not None:
        station.active = active
    session.flush()
    return station


def _check_handle_free(session: Session, handle: str | None) -> None:
    if handle is None:
        return
    holder = session.scalar(select(Station.code).where(Station.cfx_handle == handle))
    if holder is not None:
        raise AlreadyExists(
            f"CFX handle {handle} is already station {holder}'s", field="cfx_handle"
        )


def access_station(session: Session, actor: Actor, station_id: int) -> Station:
    check_permission(actor, Perm.PRODUCTION_VIEW)
    station = session.get(Station, station_id)
    if station is None:
        raise NotFound(f"station {station_id} not found")
    return station


def find_station(session: Session, actor: Actor, code: str) -> Station:
    check_permission(actor, Perm.PRODUCTION_VIEW)
    station = session.scalar(select(Station).where(Station.code == code.strip().upper()))
    if station is None:
        raise NotFound(f"station {code} not found")
    return station


def station_by_cfx_handle(session: Session, actor: Actor, handle: str) -> Station:
    """The station a machine message comes from (its CFX source handle)."""
    check_permission(actor, Perm.PRODUCTION_VIEW)
    station = session.scalar(select(Station).where(Station.cfx_handle == handle.strip()))
    if station is None:
        raise NotFound(f"no station has the CFX handle {handle}")
    return station


def list_stations(
    session: Session, actor: Actor, *, line_id: int | None = None
) -> Sequence[Station]:
    check_permission(actor, Perm.PRODUCTION_VIEW)
    stmt = select(Station)
    if line_id is not None:
        stmt = stmt.where(Station.line_id == line_id)
    return session.scalars(stmt.order_by(Station.line_id, Station.position, Station.code)).all()
