"""Stock and kitting pages: stock by item and location, joins, the kit of a work order.

The kit page is made for a stores person with a scanner: every action is one scan field
(a GS1 label or a bare package ID) and one big button, and the scan field takes the focus.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from boardline.core.auth import Perm
from boardline.npi import services as npi
from boardline.production import work_orders
from boardline.supply import inventory, kitting, msd, packages, stock
from boardline.web import nav
from boardline.web.deps import PageCtx
from boardline.web.templating import render, submit

router = APIRouter(include_in_schema=False)

nav.register(
    nav.NavSection(
        "Materials",
        [
            nav.NavItem("Stock", "/supply/stock", Perm.CATALOG_VIEW),
            nav.NavItem("Kitting", "/supply/kits", Perm.STORES),
        ],
        order=20,
    )
)

Text = Annotated[str, Form()]
_SCANS = re.compile(r"[\r\n,;]+")


def floor_life_text(life: msd.FloorLifeState | None) -> str:
    """Remaining floor life in a few words for a table cell: ``68 h left``, ``12 d left``."""
    if life is None:
        return ""
    if life.status is msd.Status.SEALED:
        return "sealed"
    if life.bake_required:
        return "bake first"
    if life.remaining is None:
        return "unlimited"
    hours = life.remaining.total_seconds() / 3600
    left = f"{hours:.0f} h left" if hours < 72 else f"{hours / 24:.0f} d left"
    return left if life.clock_running else f"{left}, paused"


def split_scans(text: str) -> list[str]:
    """Package IDs scanned one per line (or separated by commas or spaces)."""
    out: list[str] = []
    for chunk in _SCANS.split(text):
        chunk = chunk.strip()
        if not chunk:
            continue
        # A bracketed GS1 string may contain spaces; bare IDs never do.
        out.extend([chunk] if chunk.startswith("(") else chunk.split())
    return out


def _page(ctx: PageCtx, name: str, **context: Any) -> HTMLResponse:
    return render(ctx.request, name, ctx.actor, life_text=floor_life_text, **context)


@router.get("/supply/stock", response_class=HTMLResponse)
def stock_page(ctx: PageCtx, q: str = "", state: str = "") -> HTMLResponse:
    with ctx.read() as s:
        rows = stock.stock_by_item(s, ctx.actor, search=q, state=state)
    filters = (*stock.STATES, "reserved", "at_line", "consigned", "turnkey")
    return _page(ctx, "supply/stock_items.html", rows=rows, q=q, state=state, filters=filters)


@router.get("/supply/stock/{item_number:path}", response_class=HTMLResponse)
def item_stock_page(ctx: PageCtx, item_number: str) -> HTMLResponse:
    with ctx.read() as s:
        detail = stock.item_stock(s, ctx.actor, item_number)
    return _page(ctx, "supply/stock_item.html", detail=detail)


@router.get("/supply/locations/{code}", response_class=HTMLResponse)
def location_page(ctx: PageCtx, code: str) -> HTMLResponse:
    with ctx.read() as s:
        detail = stock.location_stock(s, ctx.actor, code)
    return _page(ctx, "supply/stock_location.html", detail=detail)


@router.post("/supply/packages/{uid}/join")
def join_packages(ctx: PageCtx, uid: str, sources: Text) -> RedirectResponse:
    def act(s: Session) -> str:
        uids = [packages.find_by_scan(s, ctx.actor, scan).uid for scan in split_scans(sources)]
        target = inventory.do_join(s, ctx.actor, uid, uids)
        return f"Joined {', '.join(uids)} into {target.uid}: {target.quantity:,} pcs."

    return submit(ctx, act, back=f"/supply/packages/{uid}", failed="Not joined")


@router.get("/supply/kits", response_class=HTMLResponse)
def kits_page(ctx: PageCtx) -> HTMLResponse:
    with ctx.read() as s:
        orders = work_orders.list_work_orders(s, ctx.actor, open_only=True)
    return _page(ctx, "supply/kit_list.html", orders=orders)


@router.get("/supply/kits/{work_order_id}", response_class=HTMLResponse)
def kit_page(ctx: PageCtx, work_order_id: int) -> HTMLResponse:
    with ctx.read() as s:
        pick = kitting.pick_list(s, ctx.actor, work_order_id)
        revision = npi.access_revision(s, ctx.actor, pick.work_order.revision_id)
        title = f"{revision.product.code} rev {revision.label}"
        locations = inventory.list_locations(s, ctx.actor)
    return _page(
        ctx,
        "supply/kit_work_order.html",
        pick=pick,
        order=pick.work_order,
        revision_title=title,
        line_side=[loc for loc in locations if loc.kind in kitting.ISSUE_KINDS],
        stores=[loc for loc in locations if loc.kind not in kitting.ISSUE_KINDS],
    )


def _kit_url(work_order_id: int) -> str:
    return f"/supply/kits/{work_order_id}"


@router.post("/supply/kits/{work_order_id}/auto-reserve")
def auto_reserve(ctx: PageCtx, work_order_id: int) -> RedirectResponse:
    def act(s: Session) -> str:
        made = kitting.do_auto_reserve(s, ctx.actor, work_order_id)
        if not made:
            return "Nothing to reserve: the kit is covered or no stock can be picked."
        parts = sum(k.quantity for k in made)
        return f"Reserved {len(made)} package(s), {parts:,} parts."

    url = _kit_url(work_order_id)
    return submit(ctx, act, back=url, failed="Not reserved")


@router.post("/supply/kits/{work_order_id}/reserve")
def reserve(ctx: PageCtx, work_order_id: int, scan: Text) -> RedirectResponse:
    def act(s: Session) -> str:
        uid = packages.find_by_scan(s, ctx.actor, scan).uid
        kit = kitting.do_reserve(s, ctx.actor, work_order_id, uid)
        return f"{uid} reserved: {kit.quantity:,} parts."

    return submit(ctx, act, back=_kit_url(work_order_id), failed="Not reserved")


@router.post("/supply/kits/{work_order_id}/release")
def release(ctx: PageCtx, work_order_id: int, scan: Text) -> RedirectResponse:
    def act(s: Session) -> str:
        uid = packages.find_by_scan(s, ctx.actor, scan).uid
        kitting.do_release_reservation(s, ctx.actor, work_order_id, uid)
        return f"{uid} released back to stock."

    return submit(ctx, act, back=_kit_url(work_order_id), failed="Not released")


@router.post("/supply/kits/{work_order_id}/issue")
def issue(ctx: PageCtx, work_order_id: int, scan: Text, location: Text) -> RedirectResponse:
    def act(s: Session) -> str:
        uid = packages.find_by_scan(s, ctx.actor, scan).uid
        kit = kitting.do_issue(s, ctx.actor, work_order_id, uid, location)
        return f"{uid} issued to {location.strip().upper()}: {kit.quantity:,} parts."

    return submit(ctx, act, back=_kit_url(work_order_id), failed="Not issued")


@router.post("/supply/kits/{work_order_id}/return")
def return_package(
    ctx: PageCtx, work_order_id: int, scan: Text, counted: Annotated[int, Form()], location: Text
) -> RedirectResponse:
    def act(s: Session) -> str:
        uid = packages.find_by_scan(s, ctx.actor, scan).uid
        kit = kitting.do_return(s, ctx.actor, work_order_id, uid, counted, location)
        used = kit.quantity - counted
        return f"{uid} returned to {location.strip().upper()}: {counted:,} left, {used:,} used."

    return submit(ctx, act, back=_kit_url(work_order_id), failed="Not returned")
