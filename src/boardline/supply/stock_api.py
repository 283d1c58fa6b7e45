"""JSON API of stock and kitting: stock by item and location, joins, work-order kits.

Packages are named by whatever a scanner reads: a GS1 label string or the bare package ID.
"""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from boardline.core.auth import Actor
from boardline.supply import inventory, kitting, msd, packages, stock
from boardline.supply.tables import KitReservation
from boardline.web.deps import ApiCtx

router = APIRouter(prefix="/api", tags=["stock"])


class FloorLifeOut(BaseModel):
    msl: str
    status: str
    remaining_hours: float | None  # None: unlimited
    clock_running: bool
    expires_at: datetime | None
    reason: str


class PackageOut(BaseModel):
    uid: str
    item_number: str
    manufacturer: str
    mpn: str
    quantity: int
    lot: str
    date_code: str
    state: str
    location: str | None
    consigned: bool
    customer_id: int | None
    expires_on: date | None
    floor_life: FloorLifeOut | None  # None: not moisture sensitive
    kit_state: str | None = None
    work_order_id: int | None = None


class ItemStockOut(BaseModel):
    item_id: int
    item_number: str
    description: str
    msl: str | None
    on_hand: int
    available: int
    hold: int
    blocked: int
    quarantined: int
    expired: int
    reserved: int
    free: int
    at_line: int
    packages: int
    earliest_expiry: date | None
    consigned: int
    turnkey: int


class ItemDetailOut(BaseModel):
    item_number: str
    stock: ItemStockOut | None
    packages: list[PackageOut]


class LocationOut(BaseModel):
    code: str
    kind: str
    description: str
    packages: list[PackageOut]


class JoinIn(BaseModel):
    target: str
    sources: list[str] = Field(min_length=1)


class KitOut(BaseModel):
    work_order_id: int
    package: str
    item_id: int
    state: str
    quantity: int
    returned_quantity: int | None
    consumed: int | None


class KitRowOut(KitOut):
    problem: str | None
    package_detail: PackageOut


class PickLineOut(BaseModel):
    item_id: int
    item_number: str
    per_board: int
    attrition_pct: float
    required: int
    reserved: int
    at_line: int
    consumed: int
    to_pick: int
    short: int
    refdes: list[str]
    kits: list[KitRowOut]
    suggested: list[PackageOut]


class UnmatchedOut(BaseModel):
    refdes: list[str]
    quantity: int
    mpn: str
    manufacturer: str


class PickListOut(BaseModel):
    work_order_id: int
    work_order: str
    quantity: int
    source: str
    complete: bool
    lines: list[PickLineOut]
    unmatched: list[UnmatchedOut]


class ScanIn(BaseModel):
    package: str  # a GS1 label string or a bare package ID


class IssueIn(ScanIn):
    location: str


class ReturnIn(ScanIn):
    counted: int
    location: str


def _life(life: msd.FloorLifeState | None) -> FloorLifeOut | None:
    if life is None:
        return None
    remaining = life.remaining.total_seconds() / 3600 if life.remaining is not None else None
    return FloorLifeOut(
        msl=life.msl.value,
        status=life.status.value,
        remaining_hours=round(remaining, 2) if remaining is not None else None,
        clock_running=life.clock_running,
        expires_at=life.expires_at,
        reason=life.reason,
    )


def _package(row: stock.PackageRow) -> PackageOut:
    p = row.package
    return PackageOut(
        uid=p.uid,
        item_number=p.item_part.item.number,
        manufacturer=p.item_part.manufacturer.name,
        mpn=p.item_part.mpn,
        quantity=p.quantity,
        lot=p.lot,
        date_code=p.date_code,
        state=p.state,
        location=p.location.code if p.location else None,
        consigned=p.consigned,
        customer_id=p.customer_id,
        expires_on=p.expires_on,
        floor_life=_life(row.life),
        kit_state=row.kit_state,
        work_order_id=row.work_order_id,
    )


def _item(s: stock.ItemStock) -> ItemStockOut:
    return ItemStockOut(
        item_id=s.item_id,
        item_number=s.item_number,
        description=s.description,
        msl=s.msl,
        on_hand=s.on_hand,
        available=s.available,
        hold=s.hold,
        blocked=s.blocked,
        quarantined=s.quarantined,
        expired=s.expired,
        reserved=s.reserved,
        free=s.free,
        at_line=s.at_line,
        packages=s.packages,
        earliest_expiry=s.earliest_expiry,
        consigned=s.consigned,
        turnkey=s.turnkey,
    )


def _kit(kit: KitReservation) -> KitOut:
    consumed = None if kit.returned_quantity is None else kit.quantity - kit.returned_quantity
    return KitOut(
        work_order_id=kit.work_order_id,
        package=kit.package.uid,
        item_id=kit.item_id,
        state=kit.state,
        quantity=kit.quantity,
        returned_quantity=kit.returned_quantity,
        consumed=consumed,
    )


def _pick(pick: kitting.PickList) -> PickListOut:
    order = pick.work_order
    lines = []
    for line in pick.lines:
        kits = [
            KitRowOut(
                **_kit(k.reservation).model_dump(),
                problem=k.problem,
                package_detail=_package(stock.PackageRow(k.package, k.life, k.reservation.state)),
            )
            for k in line.kits
        ]
        lines.append(
            PickLineOut(
                item_id=line.item_id,
                item_number=line.item_number,
                per_board=line.per_board,
                attrition_pct=line.attrition_pct,
                required=line.required,
                reserved=line.reserved,
                at_line=line.at_line,
                consumed=line.consumed,
                to_pick=line.to_pick,
                short=line.short,
                refdes=list(line.refdes),
                kits=kits,
                suggested=[_package(stock.PackageRow(c.package, c.life)) for c in line.suggested],
            )
        )
    return PickListOut(
        work_order_id=order.id,
        work_order=order.number,
        quantity=order.quantity,
        source=pick.source,
        complete=pick.complete,
        lines=lines,
        unmatched=[
            UnmatchedOut(
                refdes=list(b.refdes),
                quantity=b.quantity if b.quantity is not None else len(b.refdes),
                mpn=b.mpn,
                manufacturer=b.manufacturer,
            )
            for b in pick.unmatched
        ],
    )


def _uid(s: Session, actor: Actor, scanned: str) -> str:
    return packages.find_by_scan(s, actor, scanned).uid


@router.get("/stock/items")
def get_stock(ctx: ApiCtx, q: str = "", state: str = "") -> list[ItemStockOut]:
    with ctx.read() as s:
        return [_item(i) for i in stock.stock_by_item(s, ctx.actor, search=q, state=state)]


@router.get("/stock/items/{item_number:path}")
def get_item_stock(ctx: ApiCtx, item_number: str) -> ItemDetailOut:
    with ctx.read() as s:
        detail = stock.item_stock(s, ctx.actor, item_number)
        return ItemDetailOut(
            item_number=detail.item.number,
            stock=_item(detail.stock) if detail.stock else None,
            packages=[_package(r) for r in detail.packages],
        )


@router.get("/stock/locations/{code}")
def get_location(ctx: ApiCtx, code: str) -> LocationOut:
    with ctx.read() as s:
        detail = stock.location_stock(s, ctx.actor, code)
        loc = detail.location
        return LocationOut(
            code=loc.code,
            kind=loc.kind,
            description=loc.description,
            packages=[_package(r) for r in detail.packages],
        )


@router.post("/stock/join")
def post_join(ctx: ApiCtx, body: JoinIn) -> PackageOut:
    with ctx.write() as s:
        target = _uid(s, ctx.actor, body.target)
        sources = [_uid(s, ctx.actor, u) for u in body.sources]
        package = inventory.do_join(s, ctx.actor, target, sources)
        life = packages.floor_life(s, package) if package.msl not in (None, "1") else None
        return _package(stock.PackageRow(package, life))


@router.get("/kits/{work_order_id}")
def get_kit(ctx: ApiCtx, work_order_id: int) -> PickListOut:
    with ctx.read() as s:
        return _pick(kitting.pick_list(s, ctx.actor, work_order_id))


@router.post("/kits/{work_order_id}/auto-reserve", status_code=201)
def post_auto_reserve(ctx: ApiCtx, work_order_id: int) -> list[KitOut]:
    with ctx.write() as s:
        return [_kit(k) for k in kitting.do_auto_reserve(s, ctx.actor, work_order_id)]


@router.post("/kits/{work_order_id}/reserve", status_code=201)
def post_reserve(ctx: ApiCtx, work_order_id: int, body: ScanIn) -> KitOut:
    with ctx.write() as s:
        uid = _uid(s, ctx.actor, body.package)
        return _kit(kitting.do_reserve(s, ctx.actor, work_order_id, uid))


@router.post("/kits/{work_order_id}/release")
def post_release(ctx: ApiCtx, work_order_id: int, body: ScanIn) -> KitOut:
    with ctx.write() as s:
        uid = _uid(s, ctx.actor, body.package)
        return _kit(kitting.do_release_reservation(s, ctx.actor, work_order_id, uid))


@router.post("/kits/{work_order_id}/issue")
def post_issue(ctx: ApiCtx, work_order_id: int, body: IssueIn) -> KitOut:
    with ctx.write() as s:
        uid = _uid(s, ctx.actor, body.package)
        return _kit(kitting.do_issue(s, ctx.actor, work_order_id, uid, body.location))


@router.post("/kits/{work_order_id}/return")
def post_return(ctx: ApiCtx, work_order_id: int, body: ReturnIn) -> KitOut:
    with ctx.write() as s:
        uid = _uid(s, ctx.actor, body.package)
        kit = kitting.do_return(s, ctx.actor, work_order_id, uid, body.counted, body.location)
        return _kit(kit)
