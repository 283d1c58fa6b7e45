"""Catalog pages: items with their MPNs, and customers' approved manufacturer lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from boardline.catalog import services as catalog
from boardline.catalog.rules import Lifecycle, Mounting
from boardline.core import services as core_services
from boardline.core.auth import Perm
from boardline.web import nav
from boardline.web.deps import PageCtx
from boardline.web.templating import render, submit

router = APIRouter(include_in_schema=False)

nav.register(
    nav.NavSection(
        "Materials",
        [
            nav.NavItem("Items", "/catalog/items", Perm.CATALOG_VIEW),
            nav.NavItem("Approved manufacturers", "/catalog/avl", Perm.CATALOG_VIEW),
        ],
        order=20,
    )
)

Text = Annotated[str, Form()]


@router.get("/catalog/items", response_class=HTMLResponse)
def items_page(ctx: PageCtx, q: str = "") -> HTMLResponse:
    with ctx.read() as s:
        items = catalog.list_items(s, ctx.actor, search=q)
    return render(
        ctx.request,
        "catalog/items.html",
        ctx.actor,
        items=items,
        q=q,
        lifecycles=list(Lifecycle),
        mountings=list(Mounting),
    )


@router.post("/catalog/items")
def create_item(
    ctx: PageCtx,
    number: Text,
    description: Annotated[str, Form()] = "",
    package: Annotated[str, Form()] = "",
    mounting: Annotated[str, Form()] = "smt",
    pin_count: Annotated[str, Form()] = "",
    msl: Annotated[str, Form()] = "",
    lifecycle: Annotated[str, Form()] = "active",
    manufacturer: Annotated[str, Form()] = "",
    mpn: Annotated[str, Form()] = "",
) -> RedirectResponse:
    def act(s: Session) -> tuple[str, str]:
        item = catalog.do_create_item(
            s,
            ctx.actor,
            number=number,
            description=description,
            package=package,
            mounting=mounting,
            pin_count=int(pin_count) if pin_count.strip().isdigit() else None,
            msl=msl or None,
            lifecycle=lifecycle,
        )
        if mpn.strip():
            catalog.do_add_part(
                s, ctx.actor, item.id, manufacturer=manufacturer or "unknown", mpn=mpn
            )
        return f"Item {item.number} created.", f"/catalog/items/{item.id}"

    return submit(ctx, act, back="/catalog/items", failed="Item not created")


@router.get("/catalog/items/{item_id}", response_class=HTMLResponse)
def item_page(ctx: PageCtx, item_id: int) -> HTMLResponse:
    with ctx.read() as s:
        item = catalog.access_item(s, ctx.actor, item_id)
    return render(
        ctx.request, "catalog/item.html", ctx.actor, item=item, lifecycles=list(Lifecycle)
    )


@router.post("/catalog/items/{item_id}/parts")
def add_part(ctx: PageCtx, item_id: int, manufacturer: Text, mpn: Text) -> RedirectResponse:
    def act(s: Session) -> str:
        part = catalog.do_add_part(s, ctx.actor, item_id, manufacturer=manufacturer, mpn=mpn)
        return f"{part.mpn} added (rank {part.rank})."

    return submit(ctx, act, back=f"/catalog/items/{item_id}", failed="Not added")


@router.post("/catalog/items/{item_id}")
def update_item(
    ctx: PageCtx,
    item_id: int,
    version: Annotated[int, Form()],
    lifecycle: Text,
    msl: Annotated[str, Form()] = "",
    attrition_pct: Annotated[float | None, Form()] = None,
    reason: Annotated[str, Form()] = "",
) -> RedirectResponse:
    def act(s: Session) -> str:
        catalog.do_update_item(
            s,
            ctx.actor,
            item_id,
            expected_version=version,
            lifecycle=lifecycle,
            msl=msl,
            attrition_pct=attrition_pct,
            reason=reason or None,
        )
        return "Saved."

    return submit(ctx, act, back=f"/catalog/items/{item_id}", failed="Not saved")


@router.get("/catalog/avl", response_class=HTMLResponse)
def avl_page(ctx: PageCtx) -> HTMLResponse:
    with ctx.read() as s:
        customers = core_services.list_customers(s, ctx.actor)
        lists = {c.id: catalog.approved_manufacturers(s, c.id) for c in customers}
    return render(ctx.request, "catalog/avl.html", ctx.actor, customers=customers, lists=lists)


@router.post("/catalog/avl/{customer_id}")
def change_avl(
    ctx: PageCtx, customer_id: int, manufacturer: Text, action: Annotated[str, Form()] = "approve"
) -> RedirectResponse:
    def act(s: Session) -> str:
        if action == "withdraw":
            catalog.do_withdraw_approval(s, ctx.actor, customer_id, manufacturer)
            return f"{manufacturer} withdrawn."
        catalog.do_approve_manufacturer(s, ctx.actor, customer_id, manufacturer)
        return f"{manufacturer} approved."

    return submit(ctx, act, back="/catalog/avl", failed="Not changed")
