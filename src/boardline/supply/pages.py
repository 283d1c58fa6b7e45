"""Supply pages: suppliers and their offers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from boardline.core.auth import Perm
from boardline.core.errors import InvalidInput
from boardline.supply import services as supply
from boardline.supply.offers import Packaging
from boardline.web import nav
from boardline.web.deps import PageCtx
from boardline.web.templating import render, submit

router = APIRouter(include_in_schema=False)

nav.register(
    nav.NavSection(
        "Materials", [nav.NavItem("Suppliers", "/supply/suppliers", Perm.CATALOG_VIEW)], order=20
    )
)

Text = Annotated[str, Form()]


@router.get("/supply/suppliers", response_class=HTMLResponse)
def suppliers_page(ctx: PageCtx) -> HTMLResponse:
    with ctx.read() as s:
        suppliers = supply.list_suppliers(s, ctx.actor)
    return render(ctx.request, "supply/suppliers.html", ctx.actor, suppliers=suppliers)


@router.post("/supply/suppliers")
def create_supplier(
    ctx: PageCtx, code: Text, name: Text, currency: Annotated[str, Form()] = "EUR"
) -> RedirectResponse:
    def act(s: Session) -> tuple[str, str]:
        supplier = supply.do_create_supplier(s, ctx.actor, code=code, name=name, currency=currency)
        return f"Supplier {supplier.code} created.", f"/supply/suppliers/{supplier.id}"

    return submit(ctx, act, back="/supply/suppliers", failed="Supplier not created")


@router.get("/supply/suppliers/{supplier_id}", response_class=HTMLResponse)
def supplier_page(ctx: PageCtx, supplier_id: int) -> HTMLResponse:
    with ctx.read() as s:
        supplier = supply.access_supplier(s, ctx.actor, supplier_id)
        offers = supply.offers_of_supplier(s, ctx.actor, supplier_id)
    return render(
        ctx.request,
        "supply/supplier.html",
        ctx.actor,
        supplier=supplier,
        offers=offers,
        packagings=list(Packaging),
    )


def parse_breaks(text: str) -> list[tuple[object, object]]:
    """``1:0.10, 100:0.05`` -> [(1, "0.10"), (100, "0.05")]."""
    pairs: list[tuple[object, object]] = []
    for chunk in text.replace(";", ",").split(","):
        if not chunk.strip():
            continue
        quantity, sep, price = chunk.partition(":")
        if not sep:
            raise InvalidInput(
                f"price break {chunk.strip()!r}: write quantity:price", field="breaks"
            )
        pairs.append((quantity.strip(), price.strip()))
    return pairs


@router.post("/supply/suppliers/{supplier_id}/offers")
def add_offer(
    ctx: PageCtx,
    supplier_id: int,
    manufacturer: Text,
    mpn: Text,
    packaging: Text,
    breaks: Text,
    moq: Annotated[int, Form()] = 1,
    multiple: Annotated[int, Form()] = 1,
    lead_time_days: Annotated[str, Form()] = "",
    sku: Annotated[str, Form()] = "",
) -> RedirectResponse:
    def act(s: Session) -> str:
        offer = supply.do_add_offer(
            s,
            ctx.actor,
            supplier_id,
            manufacturer=manufacturer,
            mpn=mpn,
            packaging=packaging,
            breaks=parse_breaks(breaks),
            moq=moq,
            multiple=multiple,
            lead_time_days=int(lead_time_days) if lead_time_days.strip().isdigit() else None,
            sku=sku,
        )
        return f"Offer for {offer.item_part.mpn} added."

    return submit(ctx, act, back=f"/supply/suppliers/{supplier_id}", failed="Offer not added")
