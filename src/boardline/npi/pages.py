"""NPI pages: products, revisions, data package upload, and the checked design."""

from __future__ import annotations

import json
from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from boardline.catalog import services as catalog
from boardline.core import services as core_services
from boardline.core.auth import Perm, check_permission
from boardline.core.db import on_commit
from boardline.core.errors import FileRejected
from boardline.npi import dfm, gates, release, reports, services, staging
from boardline.npi.classify import Classification
from boardline.npi.pipeline import InputFile, detect_kind, read_file
from boardline.npi.rules import check_editable
from boardline.npi.tables import PlacementRow
from boardline.web import nav
from boardline.web.deps import Ctx, PageCtx
from boardline.web.templating import render, submit

router = APIRouter(include_in_schema=False)

nav.register(
    nav.NavSection(
        "NPI",
        [
            nav.NavItem("Products", "/npi", Perm.NPI_VIEW),
            nav.NavItem("DFM rules", "/npi/dfm-rules", Perm.NPI_VIEW),
        ],
        order=10,
    )
)


@router.get("/npi", response_class=HTMLResponse)
def products_page(ctx: PageCtx) -> HTMLResponse:
    with ctx.read() as s:
        products = services.list_products(s, ctx.actor)
        customers = core_services.list_customers(s, ctx.actor)
    return render(
        ctx.request, "npi/products.html", ctx.actor, products=products, customers=customers
    )


@router.post("/npi")
def create_product(
    ctx: PageCtx,
    customer: Annotated[int, Form()],
    code: Annotated[str, Form()],
    name: Annotated[str, Form()],
    description: Annotated[str, Form()] = "",
) -> RedirectResponse:
    def act(s: Session) -> tuple[str, str]:
        product = services.do_create_product(
            s, ctx.actor, customer_id=customer, code=code, name=name, description=description
        )
        return f"Product {product.code} created.", f"/npi/products/{product.id}"

    return submit(ctx, act, back="/npi", failed="Product not created")


@router.get("/npi/products/{product_id}", response_class=HTMLResponse)
def product_page(ctx: PageCtx, product_id: int) -> HTMLResponse:
    with ctx.read() as s:
        product = services.access_product(s, ctx.actor, product_id)
        revisions = services.list_revisions(s, ctx.actor, product_id)
    return render(
        ctx.request,
        "npi/product.html",
        ctx.actor,
        product=product,
        revisions=revisions,
        plan=gates.gate_plan(product.gate_criteria),
        criteria=gates.CRITERIA,
    )


@router.post("/npi/products/{product_id}/gates")
async def set_gates(ctx: PageCtx, product_id: int) -> RedirectResponse:
    form = await ctx.request.form()
    criteria = {
        stage.value: [c for c in gates.CRITERIA if form.get(f"{stage.value}:{c}")]
        for stage in gates.DEFAULT_GATES
    }
    reason = str(form.get("reason", ""))

    def act(s: Session) -> str:
        services.do_set_gate_criteria(s, ctx.actor, product_id, criteria, reason=reason)
        return "Gate criteria saved."

    return submit(ctx, act, back=f"/npi/products/{product_id}", failed="Not saved")


@router.post("/npi/products/{product_id}/revisions")
def create_revision(
    ctx: PageCtx, product_id: int, label: Annotated[str, Form()], notes: Annotated[str, Form()] = ""
) -> RedirectResponse:
    def act(s: Session) -> tuple[str, str]:
        revision = services.do_create_revision(s, ctx.actor, product_id, label=label, notes=notes)
        return f"Revision {revision.label} created.", f"/npi/revisions/{revision.id}"

    return submit(ctx, act, back=f"/npi/products/{product_id}", failed="Revision not created")


@router.get("/npi/revisions/{revision_id}", response_class=HTMLResponse)
def revision_page(
    ctx: PageCtx, revision_id: int, severity: str | None = None, tab: str = "findings"
) -> HTMLResponse:
    with ctx.read() as s:
        revision = services.access_revision(s, ctx.actor, revision_id)
        findings = services.revision_findings(s, ctx.actor, revision_id)
        bom = services.revision_bom(s, ctx.actor, revision_id) if tab in ("bom", "items") else []
        items = catalog.item_numbers(s, [*(b.item_id for b in bom), revision.item_id])
        placements = services.revision_placements(s, ctx.actor, revision_id)
        gate = release.gate_view(s, ctx.actor, revision_id)
        waived = {w.key: w for w in release.waivers_of(s, revision_id)}
    by_severity = Counter(f.severity for f in findings)
    shown = [f for f in findings if severity in (None, "", f.severity)]
    return render(
        ctx.request,
        "npi/revision.html",
        ctx.actor,
        revision=revision,
        findings=shown,
        by_severity=by_severity,
        bom=bom,
        placements=placements if tab == "placements" else [],
        tab=tab,
        severity=severity or "",
        board_chart=board_chart(placements, revision.summary),
        gate=gate,
        waived=waived,
        items=items,
        finding_key=release.finding_key,
    )


@router.post("/npi/revisions/{revision_id}/builds")
def set_built_item(
    ctx: PageCtx, revision_id: int, item: Annotated[str, Form()] = ""
) -> RedirectResponse:
    """Which catalog item this revision builds: what makes a box build's BOM multi-level."""

    def act(s: Session) -> str:
        revision = services.do_set_built_item(s, ctx.actor, revision_id, item_number=item or None)
        if revision.item_id is None:
            return f"Revision {revision.label} builds no stocked item now."
        return f"Revision {revision.label} builds {item.strip()}: MRP explodes it where it is used."

    return submit(ctx, act, back=f"/npi/revisions/{revision_id}", failed="Not changed")


@router.post("/npi/bom-lines/{line_id}/resolve")
def resolve_line(
    ctx: PageCtx, line_id: int, revision: Annotated[int, Form()], item: Annotated[str, Form()]
) -> RedirectResponse:
    def act(s: Session) -> str:
        line = services.do_resolve_line(s, ctx.actor, line_id, item_number=item)
        return f"Line {line.line} linked to {item}; its MPN now matches on the next import."

    return submit(ctx, act, back=f"/npi/revisions/{revision}?tab=items", failed="Not linked")


@router.post("/npi/findings/{finding_id}/waive")
def waive_finding(
    ctx: PageCtx,
    finding_id: int,
    revision: Annotated[int, Form()],
    reason: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> RedirectResponse:
    def act(s: Session) -> str:
        waiver = release.do_waive(s, ctx.actor, finding_id, reason=reason, password=password)
        return f"Finding {waiver.code} {waiver.refdes} waived and signed."

    return submit(ctx, act, back=f"/npi/revisions/{revision}", failed="Not waived")


@router.post("/npi/revisions/{revision_id}/release")
def release_revision(
    ctx: PageCtx,
    revision_id: int,
    target: Annotated[str, Form()],
    password: Annotated[str, Form()],
    override_reason: Annotated[str, Form()] = "",
) -> RedirectResponse:
    def act(s: Session) -> str:
        event = release.do_release(
            s,
            ctx.actor,
            revision_id,
            target=target,
            password=password,
            override_reason=override_reason,
        )
        return f"Released to {event.to_stage.label}, signed."

    return submit(ctx, act, back=f"/npi/revisions/{revision_id}", failed="Not released")


@router.post("/npi/revisions/{revision_id}/import", response_model=None)
async def upload_package(
    ctx: PageCtx,
    revision_id: int,
    files: Annotated[list[UploadFile], File()],
    preview: Annotated[bool, Form()] = False,
    units: Annotated[str, Form()] = "",
) -> RedirectResponse:
    package = [
        InputFile(name=f.filename or "upload", data=await f.read(), units=units or None)
        for f in files
        if f.filename
    ]
    # A BOM whose columns could be read two ways is shown to a person before importing.
    if preview or _unsure_boms(package):
        return _to_preview(ctx, revision_id, package)

    def act(s: Session) -> str:
        outcome = services.do_import(s, ctx.actor, revision_id, package)
        return _imported_message(len(package), outcome)

    return submit(ctx, act, back=f"/npi/revisions/{revision_id}", failed="Nothing imported")


def _imported_message(n_files: int, outcome: services.ImportOutcome) -> str:
    counts = services.counts_of(outcome.analysis)
    return (
        f"Imported {n_files} file(s): {counts['bom_lines']} BOM lines, "
        f"{counts['placements']} placements, {counts['errors']} errors, "
        f"{counts['warnings']} warnings."
    )


def _unsure_boms(package: list[InputFile]) -> list[str]:
    unsure = []
    for f in package:
        try:
            if detect_kind(f) != "bom":
                continue
            result = read_file(f)
        except FileRejected:
            continue  # the import itself names the problem
        if result.notes.get("unsure"):
            unsure.append(f.name)
    return unsure


def _to_preview(ctx: Ctx, revision_id: int, package: list[InputFile]) -> RedirectResponse:
    with ctx.read() as s:
        revision = services.access_revision(s, ctx.actor, revision_id)
        check_permission(ctx.actor, Perm.NPI_MANAGE)
        check_editable(revision.stage, f"revision {revision.label}")
    token = staging.stage(
        ctx.settings.upload_dir, package, revision_id=revision_id, user_id=ctx.actor.user_id or 0
    )
    return RedirectResponse(f"/npi/revisions/{revision_id}/preview/{token}", status_code=303)


@router.get("/npi/revisions/{revision_id}/preview/{token}", response_class=HTMLResponse)
def preview_page(ctx: PageCtx, revision_id: int, token: str) -> HTMLResponse:
    files, column_map = staging.load(
        ctx.settings.upload_dir, token, revision_id=revision_id, user_id=ctx.actor.user_id or 0
    )
    with ctx.read() as s:
        revision = services.access_revision(s, ctx.actor, revision_id)
    previews = [_preview_of(f, column_map) for f in files]
    return render(
        ctx.request,
        "npi/preview.html",
        ctx.actor,
        revision=revision,
        token=token,
        previews=previews,
        fields=MAPPABLE_FIELDS,
    )


MAPPABLE_FIELDS = [
    "refdes",
    "quantity",
    "mpn",
    "manufacturer",
    "value",
    "footprint",
    "description",
    "dnp",
    "fitted",
    "lcsc",
    "digikey",
    "mouser",
    "unit_price",
]


def _preview_of(file: InputFile, column_map: dict[str, str]) -> dict[str, Any]:
    kind = detect_kind(file)
    preview: dict[str, Any] = {"name": file.name, "kind": kind, "error": None}
    if kind != "bom":
        return preview
    try:
        result = read_file(file, column_map=column_map or None)
    except FileRejected as exc:
        preview["error"] = exc.detail
        return preview
    preview.update(
        headers=json.loads(result.notes.get("headers", "[]")),
        mapping=result.column_map,
        unsure=[u for u in result.notes.get("unsure", "").split(",") if u],
        lines=result.bom_lines[:15],
        total=len(result.bom_lines),
        findings=len(result.findings),
    )
    return preview


@router.post("/npi/revisions/{revision_id}/preview/{token}")
async def confirm_preview(ctx: PageCtx, revision_id: int, token: str) -> RedirectResponse:
    form = await ctx.request.form()
    column_map = {
        name: str(form[f"map_{name}"])
        for name in MAPPABLE_FIELDS
        if str(form.get(f"map_{name}", "")).strip()
    }
    root, user_id = ctx.settings.upload_dir, ctx.actor.user_id or 0
    files, _ = staging.load(root, token, revision_id=revision_id, user_id=user_id)
    if form.get("action") != "import":
        staging.remember_mapping(root, token, column_map, revision_id=revision_id, user_id=user_id)
        return RedirectResponse(f"/npi/revisions/{revision_id}/preview/{token}", status_code=303)

    def act(s: Session) -> tuple[str, str]:
        outcome = services.do_import(
            s, ctx.actor, revision_id, files, column_map=column_map or None
        )
        on_commit(s, lambda: staging.discard(root, token))
        return _imported_message(len(files), outcome), f"/npi/revisions/{revision_id}"

    return submit(
        ctx, act, back=f"/npi/revisions/{revision_id}/preview/{token}", failed="Nothing imported"
    )


def board_chart(placements: Any, summary: dict[str, Any]) -> dict[str, Any] | None:
    """ECharts options: the placements seen from the top, per side, with the outline."""
    rows: list[PlacementRow] = list(placements)
    if not rows:
        return None
    series: list[dict[str, Any]] = []
    for side, colour in (("top", "#0b6e4f"), ("bottom", "#c0602b")):
        points = [
            [round(p.x, 3), round(p.y, 3), p.refdes] for p in rows if p.side == side and not p.dnp
        ]
        if points:
            series.append(
                {
                    "name": side,
                    "type": "scatter",
                    "symbolSize": 5,
                    "data": points,
                    "itemStyle": {"color": colour},
                }
            )
    dnp = [[round(p.x, 3), round(p.y, 3), p.refdes] for p in rows if p.dnp]
    if dnp:
        series.append(
            {
                "name": "DNP",
                "type": "scatter",
                "symbol": "emptyCircle",
                "symbolSize": 6,
                "data": dnp,
                "itemStyle": {"color": "#888"},
            }
        )
    for i, poly in enumerate(summary.get("outline") or []):
        series.append(
            {
                "name": "outline" if i == 0 else f"cutout {i}",
                "type": "line",
                "data": [*poly, poly[0]],
                "symbol": "none",
                "silent": True,
                "lineStyle": {"color": "#1d232b", "width": 1},
            }
        )
    return {
        "animation": False,
        "tooltip": {"trigger": "item"},
        "legend": {"top": 0},
        "grid": {"left": 50, "right": 20, "top": 30, "bottom": 30},
        "xAxis": {"type": "value", "scale": True, "name": "x mm"},
        "yAxis": {"type": "value", "scale": True, "name": "y mm"},
        "series": series,
    }


@router.get("/npi/revisions/{revision_id}/quote", response_class=HTMLResponse)
def quote_page(
    ctx: PageCtx,
    revision_id: int,
    quantities: str = "10,100,1000,10000",
    material_margin: str = "8",
    labour_margin: str = "20",
) -> HTMLResponse:
    config = services.quote_config(quantities, material_margin, labour_margin)
    with ctx.read() as s:
        revision = services.access_revision(s, ctx.actor, revision_id)
        result = services.quote_revision(s, ctx.actor, revision_id, config)
    return render(
        ctx.request,
        "npi/quote.html",
        ctx.actor,
        revision=revision,
        quote=result,
        form={
            "quantities": quantities,
            "material_margin": material_margin,
            "labour_margin": labour_margin,
        },
    )


@router.get("/npi/revisions/{revision_id}/quote.pdf")
def quote_pdf(
    ctx: PageCtx,
    revision_id: int,
    quantities: str = "10,100,1000,10000",
    material_margin: str = "8",
    labour_margin: str = "20",
) -> Response:
    config = services.quote_config(quantities, material_margin, labour_margin)
    with ctx.read() as s:
        revision = services.access_revision(s, ctx.actor, revision_id)
        result = services.quote_revision(s, ctx.actor, revision_id, config)
        product = revision.product
        pdf = reports.quote_pdf(
            result,
            title=f"Quote {product.code} rev {revision.label}",
            customer=product.customer.name,
            product=product.name,
            revision=revision.label,
        )
    return _pdf(pdf, f"quote-{product.code}-{revision.label}.pdf")


@router.get("/npi/revisions/{revision_id}/dfm.pdf")
def dfm_pdf(ctx: PageCtx, revision_id: int) -> Response:
    with ctx.read() as s:
        revision = services.access_revision(s, ctx.actor, revision_id)
        findings = services.revision_findings(s, ctx.actor, revision_id)
        product = revision.product
        stored = (revision.summary or {}).get("classification")
        text = Classification(**stored).as_text() if stored else "no data package imported"
        pdf = reports.dfm_report_pdf(
            findings,
            Counter(f.severity for f in findings),
            title=f"DFM review {product.code} rev {revision.label}",
            customer=product.customer.name,
            product=product.name,
            revision=revision.label,
            classification_text=text,
        )
    return _pdf(pdf, f"dfm-{product.code}-{revision.label}.pdf")


def _pdf(data: bytes, filename: str) -> Response:
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@router.get("/npi/dfm-rules", response_class=HTMLResponse)
def dfm_rules_page(ctx: PageCtx) -> HTMLResponse:
    check_permission(ctx.actor, Perm.NPI_VIEW)
    return render(ctx.request, "npi/dfm_rules.html", ctx.actor, rules=dfm.rule_catalogue())
