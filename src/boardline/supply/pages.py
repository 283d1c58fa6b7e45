"""Supply pages: suppliers and their offers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from boardline.core.auth import Perm
from boardline.core.errors import InvalidInput
from boardline.core.services import list_customers
from boardline.supply import inventory, labels, packages, purchasing
from boardline.supply import services as supply
from boardline.supply.offers import Packaging
from boardline.web import nav
from boardline.web.deps import PageCtx
from boardline.web.templating import render, submit

router = APIRouter(include_in_schema=False)

nav.register(
    nav.NavSection(
        "Materials",
        [
            nav.NavItem("Suppliers", "/supply/suppliers", Perm.CATALOG_VIEW),
            nav.NavItem("Packages (reels)", "/supply/packages", Perm.CATALOG_VIEW),
            nav.NavItem("Locations", "/supply/locations", Perm.CATALOG_VIEW),
        ],
        order=20,
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


@router.get("/supply/packages", response_class=HTMLResponse)
def packages_page(ctx: PageCtx) -> HTMLResponse:
    with ctx.read() as s:
        items = packages.list_packages(s, ctx.actor)
        lives = packages.floor_lives(s, [p for p in items if p.msl not in (None, "1")])
        suppliers = supply.list_suppliers(s, ctx.actor)
        po_lines = purchasing.receivable_lines(s, ctx.actor)
        customers = list_customers(s, ctx.actor)
    return render(
        ctx.request,
        "supply/packages.html",
        ctx.actor,
        packages=items,
        lives=lives,
        suppliers=suppliers,
        packagings=list(Packaging),
        po_lines=po_lines,
        customers=customers,
        open_quantity=purchasing.open_quantity,
    )


def _form_id(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


@router.post("/supply/packages")
def receive_package(
    ctx: PageCtx,
    quantity: Annotated[int, Form()],
    packaging: Text,
    manufacturer: Annotated[str, Form()] = "",
    mpn: Annotated[str, Form()] = "",
    lot: Annotated[str, Form()] = "",
    date_code: Annotated[str, Form()] = "",
    supplier: Annotated[str, Form()] = "",
    po_line: Annotated[str, Form()] = "",
    customer: Annotated[str, Form()] = "",
    consigned: Annotated[str, Form()] = "",
    uid: Annotated[str, Form()] = "",
    tol_hours: Annotated[float | None, Form()] = None,
) -> RedirectResponse:
    """One package, as found or against a PO line (whose MPN it then is), or consigned
    material a customer sent."""

    def act(s: Session) -> tuple[str, str]:
        package = packages.do_receive(
            s,
            ctx.actor,
            packages.Receipt(
                manufacturer=manufacturer,
                mpn=mpn,
                quantity=quantity,
                packaging=packaging,
                lot=lot,
                date_code=date_code,
                supplier_id=_form_id(supplier),
                po_line_id=_form_id(po_line),
                customer_id=_form_id(customer),
                consigned=bool(consigned),
                uid=uid or None,
                tol_hours=tol_hours,
            ),
        )
        return (
            f"Received {package.uid} (on hold for incoming inspection).",
            f"/supply/packages/{package.uid}",
        )

    return submit(ctx, act, back="/supply/packages", failed="Not received")


@router.get("/supply/scan")
def scan(ctx: PageCtx, code: str) -> RedirectResponse:
    """A scanned label (GS1 or bare ID) opens its package."""
    with ctx.read() as s:
        package = packages.find_by_scan(s, ctx.actor, code)
    return RedirectResponse(f"/supply/packages/{package.uid}", status_code=303)


@router.get("/supply/packages/{uid}/label.pdf")
def label_pdf(ctx: PageCtx, uid: str) -> Response:
    with ctx.read() as s:
        label = packages.label_of(packages.access_package(s, ctx.actor, uid))
    return Response(
        labels.label_pdf(label),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{uid}.pdf"'},
    )


@router.get("/supply/packages/{uid}/label.zpl")
def label_zpl(ctx: PageCtx, uid: str) -> Response:
    with ctx.read() as s:
        label = packages.label_of(packages.access_package(s, ctx.actor, uid))
    return Response(
        labels.zpl_label(label),
        media_type="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{uid}.zpl"'},
    )


@router.get("/supply/packages/{uid}", response_class=HTMLResponse)
def package_page(ctx: PageCtx, uid: str) -> HTMLResponse:
    with ctx.read() as s:
        package = packages.access_package(s, ctx.actor, uid)
        life = packages.floor_life(s, package) if package.msl not in (None, "1") else None
        events = packages.events_of(s, package)
        locations = inventory.list_locations(s, ctx.actor)
    return render(
        ctx.request,
        "supply/package.html",
        ctx.actor,
        package=package,
        life=life,
        events=events,
        locations=locations,
        kinds=["opened", "dry_store_in", "dry_store_out", "resealed"],
    )


@router.post("/supply/packages/{uid}/msd")
def msd_event(
    ctx: PageCtx,
    uid: str,
    kind: Text,
    temperature_c: Annotated[str, Form()] = "",
    duration_h: Annotated[str, Form()] = "",
) -> RedirectResponse:
    def act(s: Session) -> str:
        state = packages.do_msd_event(
            s,
            ctx.actor,
            uid,
            kind,
            temperature_c=float(temperature_c) if temperature_c.strip() else None,
            duration_h=float(duration_h) if duration_h.strip() else None,
        )
        return f"Recorded {kind}: {state.reason}"

    return submit(ctx, act, back=f"/supply/packages/{uid}", failed="Not recorded")


@router.post("/supply/packages/{uid}/state")
def package_state(ctx: PageCtx, uid: str, state: Text, reason: Text) -> RedirectResponse:
    def act(s: Session) -> str:
        packages.do_set_state(s, ctx.actor, uid, state, reason=reason)
        return f"{uid} is now {state}."

    return submit(ctx, act, back=f"/supply/packages/{uid}", failed="Not changed")


@router.get("/supply/locations", response_class=HTMLResponse)
def locations_page(ctx: PageCtx) -> HTMLResponse:
    with ctx.read() as s:
        locations = inventory.list_locations(s, ctx.actor)
    return render(
        ctx.request, "supply/locations.html", ctx.actor, locations=locations, kinds=inventory.KINDS
    )


@router.post("/supply/locations")
def create_location(
    ctx: PageCtx, code: Text, kind: Text, description: Annotated[str, Form()] = ""
) -> RedirectResponse:
    def act(s: Session) -> str:
        location = inventory.do_create_location(
            s, ctx.actor, code=code, kind=kind, description=description
        )
        return f"Location {location.code} created."

    return submit(ctx, act, back="/supply/locations", failed="Location not created")


@router.post("/supply/packages/{uid}/move")
def move_package(ctx: PageCtx, uid: str, location: Text) -> RedirectResponse:
    def act(s: Session) -> str:
        inventory.do_move(s, ctx.actor, uid, location)
        return f"{uid} moved to {location.upper()}."

    return submit(ctx, act, back=f"/supply/packages/{uid}", failed="Not moved")


@router.post("/supply/packages/{uid}/split")
def split_package(ctx: PageCtx, uid: str, quantity: Annotated[int, Form()]) -> RedirectResponse:
    def act(s: Session) -> tuple[str, str]:
        child = inventory.do_split(s, ctx.actor, uid, quantity)
        return f"{quantity} split off {uid} into {child.uid}.", f"/supply/packages/{child.uid}"

    return submit(ctx, act, back=f"/supply/packages/{uid}", failed="Not split")


@router.post("/supply/packages/{uid}/count")
def count_package(
    ctx: PageCtx, uid: str, counted: Annotated[int, Form()], reason: Annotated[str, Form()] = ""
) -> RedirectResponse:
    def act(s: Session) -> str:
        package = inventory.do_count(s, ctx.actor, uid, counted, reason=reason)
        return f"{uid} counted: {package.quantity}."

    return submit(ctx, act, back=f"/supply/packages/{uid}", failed="Count not recorded")
