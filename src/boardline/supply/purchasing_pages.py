"""Purchase order pages: the list, a new order, an order with its lines, and receiving.

Receiving against a line makes all the packages of a delivery at once and shows their
labels (one PDF, one ZPL file for the printer) on the receipt page. A receipt is the
packages of one line received together; its URL names the line and the receive time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from boardline.core.auth import Perm
from boardline.core.errors import InvalidInput, NotFound
from boardline.core.services import access_customer, list_customers
from boardline.supply import labels, packages, purchasing
from boardline.supply import services as supply
from boardline.supply.offers import Packaging
from boardline.supply.purchasing import PoAction, PoState
from boardline.supply.tables import MaterialPackage, PurchaseOrder
from boardline.web import nav
from boardline.web.deps import PageCtx
from boardline.web.templating import render, submit

router = APIRouter(include_in_schema=False)

nav.register(
    nav.NavSection(
        "Materials",
        [nav.NavItem("Purchase orders", "/supply/purchase-orders", Perm.CATALOG_VIEW)],
        order=20,
    )
)

BASE = "/supply/purchase-orders"
STAMP = "%Y%m%dT%H%M%S%fZ"
Field = Annotated[str, Form()]


def stamp(at: datetime) -> str:
    """A receive time as a URL path segment (no "+" or ":" to escape)."""
    return at.astimezone(UTC).strftime(STAMP)


def parse_stamp(text: str) -> datetime:
    try:
        return datetime.strptime(text, STAMP).replace(tzinfo=UTC)
    except ValueError:
        raise NotFound(f"no receipt at {text!r}") from None


def form_int(text: str, field: str) -> int | None:
    """A whole number typed (or scanned) into a form; None when left empty."""
    clean = text.strip().replace(",", "").replace(" ", "")
    if not clean:
        return None
    try:
        return int(clean)
    except ValueError:
        raise InvalidInput(
            f"{field.replace('_', ' ')} {text!r} is not a whole number", field=field
        ) from None


def form_date(text: str, field: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"{field.replace('_', ' ')} {text!r}: write YYYY-MM-DD", field=field
        ) from None


def _required_int(text: str, field: str) -> int:
    value = form_int(text, field)
    if value is None:
        raise InvalidInput(f"{field.replace('_', ' ')} is needed", field=field)
    return value


@router.get(BASE, response_class=HTMLResponse)
def po_list_page(ctx: PageCtx, state: str = "") -> HTMLResponse:
    with ctx.read() as s:
        orders = purchasing.list_pos(s, ctx.actor, state=state or None)
        suppliers = supply.list_suppliers(s, ctx.actor)
        customers = list_customers(s, ctx.actor)
    return render(
        ctx.request,
        "supply/po_list.html",
        ctx.actor,
        orders=orders,
        state=state,
        states=list(PoState),
        po_state=PoState,
        suppliers=suppliers,
        customers=customers,
        customer_codes={c.id: c.code for c in customers},
        total=_total,
    )


def _total(po: PurchaseOrder) -> str:
    return f"{purchasing.order_total(po):,.2f}"


@router.post(BASE)
def create_po(
    ctx: PageCtx, supplier: Field, customer: Field = "", notes: Field = ""
) -> RedirectResponse:
    def act(s: Session) -> tuple[str, str]:
        po = purchasing.do_create_po(
            s,
            ctx.actor,
            supplier_id=_required_int(supplier, "supplier"),
            customer_id=form_int(customer, "customer"),
            notes=notes,
        )
        return f"{po.number} drafted: add its lines.", f"{BASE}/{po.id}"

    return submit(ctx, act, back=BASE, failed="Purchase order not created")


@router.get(BASE + "/{po_id}", response_class=HTMLResponse)
def po_page(ctx: PageCtx, po_id: int) -> HTMLResponse:
    with ctx.read() as s:
        po = purchasing.access_po(s, ctx.actor, po_id)
        customer = access_customer(s, ctx.actor, po.customer_id) if po.customer_id else None
        receipts = purchasing.receipts_of(s, ctx.actor, po)
    state = PoState(po.state)
    return render(
        ctx.request,
        "supply/po_detail.html",
        ctx.actor,
        po=po,
        state=state,
        actions={a.value for a in purchasing.allowed_actions(state)},
        customer=customer,
        receipts=receipts,
        positions={x.id: x.position for x in po.lines},
        open_quantity=purchasing.open_quantity,
        line_total=purchasing.line_total,
        total=_total(po),
        packagings=list(Packaging),
        stamp=stamp,
        receivable=PoAction.RECEIVE in purchasing.allowed_actions(state),
    )


@router.post(BASE + "/{po_id}/lines")
def add_line(
    ctx: PageCtx,
    po_id: int,
    manufacturer: Field,
    mpn: Field,
    quantity: Field,
    unit_price: Field = "",
    due_date: Field = "",
    version: Field = "",
) -> RedirectResponse:
    def act(s: Session) -> str:
        line = purchasing.do_add_line(
            s,
            ctx.actor,
            po_id,
            manufacturer=manufacturer,
            mpn=mpn,
            quantity=_required_int(quantity, "quantity"),
            unit_price=unit_price or None,
            due_date=form_date(due_date, "due_date"),
            expected_version=form_int(version, "version"),
        )
        return (
            f"Line {line.position} added: {line.quantity:,} × {line.item_part.mpn} "
            f"at {line.unit_price}, due {line.due_date.isoformat()}."
        )

    return submit(ctx, act, back=f"{BASE}/{po_id}", failed="Line not added")


@router.post(BASE + "/{po_id}/lines/{line_id}")
def change_line(
    ctx: PageCtx,
    po_id: int,
    line_id: int,
    quantity: Field = "",
    unit_price: Field = "",
    due_date: Field = "",
    version: Field = "",
) -> RedirectResponse:
    def act(s: Session) -> str:
        line = purchasing.do_change_line(
            s,
            ctx.actor,
            _line_of(s, ctx, po_id, line_id),
            expected_version=form_int(version, "version"),
            quantity=form_int(quantity, "quantity"),
            unit_price=unit_price or None,
            due_date=form_date(due_date, "due_date"),
        )
        return f"Line {line.position} changed."

    return submit(ctx, act, back=f"{BASE}/{po_id}", failed="Line not changed")


@router.post(BASE + "/{po_id}/lines/{line_id}/remove")
def remove_line(ctx: PageCtx, po_id: int, line_id: int, version: Field = "") -> RedirectResponse:
    def act(s: Session) -> str:
        purchasing.do_remove_line(
            s,
            ctx.actor,
            _line_of(s, ctx, po_id, line_id),
            expected_version=form_int(version, "version"),
        )
        return "Line removed."

    return submit(ctx, act, back=f"{BASE}/{po_id}", failed="Line not removed")


def _line_of(s: Session, ctx: PageCtx, po_id: int, line_id: int) -> int:
    """``line_id`` if it is a line of order ``po_id`` (a URL cannot mix two orders)."""
    if purchasing.access_line(s, ctx.actor, line_id).po_id != po_id:
        raise NotFound(f"line {line_id} is not on purchase order {po_id}")
    return line_id


@router.post(BASE + "/{po_id}/approve")
def approve(ctx: PageCtx, po_id: int, version: Field = "") -> RedirectResponse:
    def act(s: Session) -> str:
        po = purchasing.do_approve(
            s, ctx.actor, po_id, expected_version=form_int(version, "version")
        )
        return f"{po.number} approved."

    return submit(ctx, act, back=f"{BASE}/{po_id}", failed="Not approved")


@router.post(BASE + "/{po_id}/send")
def send(ctx: PageCtx, po_id: int, version: Field = "") -> RedirectResponse:
    def act(s: Session) -> str:
        po = purchasing.do_send(s, ctx.actor, po_id, expected_version=form_int(version, "version"))
        return f"{po.number} marked as sent to {po.supplier.code}."

    return submit(ctx, act, back=f"{BASE}/{po_id}", failed="Not sent")


@router.post(BASE + "/{po_id}/cancel")
def cancel(ctx: PageCtx, po_id: int, reason: Field = "", version: Field = "") -> RedirectResponse:
    def act(s: Session) -> str:
        po = purchasing.do_cancel(
            s, ctx.actor, po_id, reason=reason, expected_version=form_int(version, "version")
        )
        return f"{po.number} cancelled."

    return submit(ctx, act, back=f"{BASE}/{po_id}", failed="Not cancelled")


@router.post(BASE + "/{po_id}/close")
def close(ctx: PageCtx, po_id: int, reason: Field = "", version: Field = "") -> RedirectResponse:
    def act(s: Session) -> str:
        po = purchasing.do_close(
            s, ctx.actor, po_id, reason=reason, expected_version=form_int(version, "version")
        )
        return f"{po.number} short-closed."

    return submit(ctx, act, back=f"{BASE}/{po_id}", failed="Not closed")


@router.get(BASE + "/{po_id}/po.pdf")
def po_pdf(ctx: PageCtx, po_id: int) -> Response:
    with ctx.read() as s:
        po = purchasing.access_po(s, ctx.actor, po_id)
        pdf = purchasing.po_pdf(s, ctx.actor, po_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{po.number}.pdf"'},
    )


@router.post(BASE + "/{po_id}/lines/{line_id}/receive")
def receive(
    ctx: PageCtx,
    po_id: int,
    line_id: int,
    quantity: Field,
    count: Field = "1",
    packaging: Field = "reel",
    lot: Field = "",
    date_code: Field = "",
    uid: Field = "",
    reason: Field = "",
    tol_hours: Annotated[float | None, Form()] = None,
) -> RedirectResponse:
    def act(s: Session) -> tuple[str, str]:
        made = packages.do_receive_many(
            s,
            ctx.actor,
            packages.Receipt(
                manufacturer="",
                mpn="",
                quantity=_required_int(quantity, "quantity"),
                packaging=packaging,
                lot=lot,
                date_code=date_code,
                po_line_id=_line_of(s, ctx, po_id, line_id),
                uid=uid or None,
                reason=reason or None,
                tol_hours=tol_hours,
            ),
            _required_int(count or "1", "count"),
        )
        return (
            f"Received {len(made)} package{'s' if len(made) != 1 else ''} "
            f"(on hold for incoming inspection): print their labels.",
            f"{BASE}/{po_id}/receipts/{line_id}/{stamp(made[0].received_at)}",
        )

    return submit(ctx, act, back=f"{BASE}/{po_id}", failed="Not received")


def _receipt(ctx: PageCtx, s: Session, po_id: int, line_id: int, at: str) -> list[MaterialPackage]:
    _line_of(s, ctx, po_id, line_id)
    return list(purchasing.packages_of_receipt(s, ctx.actor, line_id, parse_stamp(at)))


@router.get(BASE + "/{po_id}/receipts/{line_id}/{at}", response_class=HTMLResponse)
def receipt_page(ctx: PageCtx, po_id: int, line_id: int, at: str) -> HTMLResponse:
    with ctx.read() as s:
        found = _receipt(ctx, s, po_id, line_id, at)
        po = purchasing.access_po(s, ctx.actor, po_id)
        line = purchasing.access_line(s, ctx.actor, line_id)
    return render(
        ctx.request,
        "supply/receive_done.html",
        ctx.actor,
        po=po,
        line=line,
        packages=found,
        labels_url=f"{BASE}/{po_id}/receipts/{line_id}/{at}/labels",
    )


@router.get(BASE + "/{po_id}/receipts/{line_id}/{at}/labels.pdf")
def receipt_labels_pdf(ctx: PageCtx, po_id: int, line_id: int, at: str) -> Response:
    with ctx.read() as s:
        found = _receipt(ctx, s, po_id, line_id, at)
        pdf = labels.label_pdf(*(packages.label_of(p) for p in found))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="labels-{at}.pdf"'},
    )


@router.get(BASE + "/{po_id}/receipts/{line_id}/{at}/labels.zpl")
def receipt_labels_zpl(ctx: PageCtx, po_id: int, line_id: int, at: str) -> Response:
    with ctx.read() as s:
        found = _receipt(ctx, s, po_id, line_id, at)
        zpl = "".join(labels.zpl_label(packages.label_of(p)) for p in found)
    return Response(
        zpl,
        media_type="text/plain",
        headers={"Content-Disposition": f'attachment; filename="labels-{at}.zpl"'},
    )
