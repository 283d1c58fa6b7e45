"""JSON API of the catalog: items, their MPNs, customers' approved manufacturers."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from boardline.catalog import services as catalog
from boardline.catalog.rules import Lifecycle, Mounting
from boardline.catalog.tables import Item
from boardline.core.services import access_customer
from boardline.web.deps import ApiCtx

router = APIRouter(prefix="/api/catalog", tags=["catalog"])


class PartIn(BaseModel):
    manufacturer: str
    mpn: str


class ItemIn(BaseModel):
    number: str
    description: str = ""
    package: str = ""
    mounting: Mounting = Mounting.SMT
    pin_count: int | None = None
    msl: str | None = None
    shelf_life_days: int | None = None
    lifecycle: Lifecycle = Lifecycle.ACTIVE
    attrition_pct: float = 0.0
    parts: list[PartIn] = []


class PartOut(BaseModel):
    rank: int
    manufacturer: str
    mpn: str


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    description: str
    package: str
    mounting: Mounting
    pin_count: int | None
    msl: str | None
    lifecycle: Lifecycle
    attrition_pct: float
    version: int
    parts: list[PartOut]


def _out(item: Item) -> ItemOut:
    return ItemOut(
        id=item.id,
        number=item.number,
        description=item.description,
        package=item.package,
        mounting=item.mounting,
        pin_count=item.pin_count,
        msl=item.msl,
        lifecycle=item.lifecycle,
        attrition_pct=item.attrition_pct,
        version=item.version,
        parts=[
            PartOut(rank=p.rank, manufacturer=p.manufacturer.name, mpn=p.mpn) for p in item.parts
        ],
    )


@router.get("/items")
def get_items(ctx: ApiCtx, q: str = "") -> list[ItemOut]:
    with ctx.read() as s:
        return [_out(i) for i in catalog.list_items(s, ctx.actor, search=q)]


@router.post("/items", status_code=201)
def post_item(ctx: ApiCtx, body: ItemIn) -> ItemOut:
    with ctx.write() as s:
        item = catalog.do_create_item(
            s,
            ctx.actor,
            number=body.number,
            description=body.description,
            package=body.package,
            mounting=body.mounting.value,
            pin_count=body.pin_count,
            msl=body.msl,
            shelf_life_days=body.shelf_life_days,
            lifecycle=body.lifecycle.value,
            attrition_pct=body.attrition_pct,
        )
        for part in body.parts:
            catalog.do_add_part(s, ctx.actor, item.id, manufacturer=part.manufacturer, mpn=part.mpn)
        s.refresh(item)
        return _out(item)


@router.get("/items/{item_id}")
def get_item(ctx: ApiCtx, item_id: int) -> ItemOut:
    with ctx.read() as s:
        return _out(catalog.access_item(s, ctx.actor, item_id))


@router.post("/items/{item_id}/parts", status_code=201)
def post_part(ctx: ApiCtx, item_id: int, body: PartIn) -> ItemOut:
    with ctx.write() as s:
        catalog.do_add_part(s, ctx.actor, item_id, manufacturer=body.manufacturer, mpn=body.mpn)
        item = catalog.access_item(s, ctx.actor, item_id)
        s.refresh(item)
        return _out(item)


class ApproveIn(BaseModel):
    manufacturer: str


@router.get("/customers/{customer_id}/approved-manufacturers")
def get_avl(ctx: ApiCtx, customer_id: int) -> list[str]:
    with ctx.read() as s:
        access_customer(s, ctx.actor, customer_id)
        return catalog.approved_manufacturers(s, customer_id)


@router.post("/customers/{customer_id}/approved-manufacturers", status_code=201)
def post_avl(ctx: ApiCtx, customer_id: int, body: ApproveIn) -> list[str]:
    with ctx.write() as s:
        catalog.do_approve_manufacturer(s, ctx.actor, customer_id, body.manufacturer)
        return catalog.approved_manufacturers(s, customer_id)
