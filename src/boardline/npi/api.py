"""JSON API of NPI: products, revisions, data package upload and what it produced."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from boardline.npi import release, services
from boardline.npi.pipeline import InputFile
from boardline.npi.quote import quote_json
from boardline.npi.rules import Stage
from boardline.web.deps import ApiCtx

router = APIRouter(prefix="/api/npi", tags=["npi"])

MAX_UPLOAD_BYTES = 64 * 1024 * 1024


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ProductIn(BaseModel):
    customer_id: int
    code: str
    name: str
    description: str = ""


class ProductOut(_Out):
    id: int
    customer_id: int
    code: str
    name: str
    description: str


class RevisionIn(BaseModel):
    label: str
    notes: str = ""


class RevisionOut(_Out):
    id: int
    product_id: int
    label: str
    stage: Stage
    notes: str
    summary: dict[str, Any]
    created_at: datetime
    released_at: datetime | None


class FindingOut(_Out):
    origin: str
    severity: str
    code: str
    message: str
    file: str | None
    line: int | None
    field: str | None
    refdes: str | None
    hint: str | None


class BomLineOut(_Out):
    position: int
    source: str
    line: int
    refdes: list[str]
    quantity: int | None
    mpn: str
    manufacturer: str
    value: str
    footprint: str
    description: str
    dnp: bool
    supplier_parts: list[list[str]]
    alternates: list[list[str]]
    unit_price: float | None


class PlacementOut(_Out):
    refdes: str
    x: float
    y: float
    rotation: float
    side: str
    value: str
    package: str
    mount: str | None
    pin_count: int | None
    dnp: bool
    source: str
    line: int | None


class ImportOut(BaseModel):
    import_id: int
    revision: RevisionOut
    counts: dict[str, int]
    findings: list[FindingOut]


@router.get("/products")
def get_products(ctx: ApiCtx) -> list[ProductOut]:
    with ctx.read() as s:
        return [ProductOut.model_validate(p) for p in services.list_products(s, ctx.actor)]


@router.post("/products", status_code=201)
def post_product(ctx: ApiCtx, body: ProductIn) -> ProductOut:
    with ctx.write() as s:
        return ProductOut.model_validate(
            services.do_create_product(s, ctx.actor, **body.model_dump())
        )


@router.get("/products/{product_id}/revisions")
def get_revisions(ctx: ApiCtx, product_id: int) -> list[RevisionOut]:
    with ctx.read() as s:
        return [
            RevisionOut.model_validate(r) for r in services.list_revisions(s, ctx.actor, product_id)
        ]


@router.post("/products/{product_id}/revisions", status_code=201)
def post_revision(ctx: ApiCtx, product_id: int, body: RevisionIn) -> RevisionOut:
    with ctx.write() as s:
        revision = services.do_create_revision(
            s, ctx.actor, product_id, label=body.label, notes=body.notes
        )
        return RevisionOut.model_validate(revision)


@router.get("/revisions/{revision_id}")
def get_revision(ctx: ApiCtx, revision_id: int) -> RevisionOut:
    with ctx.read() as s:
        return RevisionOut.model_validate(services.access_revision(s, ctx.actor, revision_id))


@router.post("/revisions/{revision_id}/import", status_code=201)
async def import_package(
    ctx: ApiCtx,
    revision_id: int,
    files: Annotated[list[UploadFile], File()],
    units: str | None = None,
) -> ImportOut:
    """Upload a data package (any mix of BOM, centroid, KiCad board, IPC-2581 files).

    The kind of each file is told from its name and content; ``units`` applies to centroid
    files that do not state theirs. All or nothing: one unusable
    file rejects the upload with a problem naming the file, line and field.
    """
    package = [
        InputFile(name=f.filename or "upload", data=await f.read(MAX_UPLOAD_BYTES + 1), units=units)
        for f in files
    ]
    with ctx.write() as s:
        outcome = services.do_import(s, ctx.actor, revision_id, package)
        revision = RevisionOut.model_validate(services.access_revision(s, ctx.actor, revision_id))
        findings = [
            FindingOut(
                origin=o,
                severity=f.severity.value,
                code=f.code,
                message=f.message,
                file=f.file,
                line=f.line,
                field=f.field,
                refdes=f.refdes,
                hint=f.hint,
            )
            for o, f in outcome.analysis.findings
        ]
        return ImportOut(
            import_id=outcome.import_id,
            revision=revision,
            counts=revision.summary.get("counts", {}),
            findings=findings,
        )


@router.get("/revisions/{revision_id}/bom")
def get_bom(ctx: ApiCtx, revision_id: int) -> list[BomLineOut]:
    with ctx.read() as s:
        return [
            BomLineOut.model_validate(b) for b in services.revision_bom(s, ctx.actor, revision_id)
        ]


@router.get("/revisions/{revision_id}/placements")
def get_placements(ctx: ApiCtx, revision_id: int) -> list[PlacementOut]:
    with ctx.read() as s:
        return [
            PlacementOut.model_validate(p)
            for p in services.revision_placements(s, ctx.actor, revision_id)
        ]


@router.get("/revisions/{revision_id}/findings")
def get_findings(ctx: ApiCtx, revision_id: int) -> list[FindingOut]:
    with ctx.read() as s:
        return [
            FindingOut.model_validate(f)
            for f in services.revision_findings(s, ctx.actor, revision_id)
        ]


@router.get("/revisions/{revision_id}/quote")
def get_quote(
    ctx: ApiCtx,
    revision_id: int,
    quantities: str = "10,100,1000,10000",
    material_margin: Decimal = Decimal(8),
    labour_margin: Decimal = Decimal(20),
) -> dict[str, Any]:
    """A quote at the given build quantities; unpriced lines are listed, never zero."""
    config = services.quote_config(quantities, str(material_margin), str(labour_margin))
    with ctx.read() as s:
        return quote_json(services.quote_revision(s, ctx.actor, revision_id, config))


class DfmReportOut(BaseModel):
    counts: dict[str, int]
    rules: list[dict[str, Any]] = Field(description="each rule: ran, skipped (and why), failed")
    findings: list[FindingOut]


@router.get("/revisions/{revision_id}/dfm")
def get_dfm_report(ctx: ApiCtx, revision_id: int) -> DfmReportOut:
    """The review: counts per severity, then every finding (import, cross-check, DFM)."""
    with ctx.read() as s:
        rows = services.revision_findings(s, ctx.actor, revision_id)
        runs = (services.access_revision(s, ctx.actor, revision_id).summary or {}).get(
            "dfm_runs", []
        )
        return DfmReportOut(
            rules=runs,
            counts=dict(Counter(f.severity for f in rows)),
            findings=[FindingOut.model_validate(f) for f in rows],
        )


class GatesIn(BaseModel):
    criteria: dict[str, list[str]] | None = Field(
        description="target stage -> criterion ids; null restores the defaults"
    )
    reason: str


class ReleaseIn(BaseModel):
    target: Stage
    password: str = Field(description="the signer re-enters the password (e-signature)")
    override_reason: str = ""


class WaiveIn(BaseModel):
    reason: str
    password: str


class GateEventOut(_Out):
    revision_id: int
    from_stage: Stage
    to_stage: Stage
    results: list[dict[str, str]]
    override_reason: str
    signature_id: int | None
    at: datetime


@router.put("/products/{product_id}/gates")
def put_gates(ctx: ApiCtx, product_id: int, body: GatesIn) -> ProductOut:
    with ctx.write() as s:
        product = services.do_set_gate_criteria(
            s, ctx.actor, product_id, body.criteria, reason=body.reason
        )
        return ProductOut.model_validate(product)


@router.post("/revisions/{revision_id}/release", status_code=201)
def release_revision(ctx: ApiCtx, revision_id: int, body: ReleaseIn) -> GateEventOut:
    """Move the revision through its next gate, signed by the (signed-in) engineer."""
    with ctx.write() as s:
        event = release.do_release(
            s,
            ctx.actor,
            revision_id,
            target=body.target,
            password=body.password,
            override_reason=body.override_reason,
        )
        return GateEventOut.model_validate(event)


@router.post("/findings/{finding_id}/waive", status_code=201)
def waive_finding(ctx: ApiCtx, finding_id: int, body: WaiveIn) -> dict[str, Any]:
    with ctx.write() as s:
        waiver = release.do_waive(
            s, ctx.actor, finding_id, reason=body.reason, password=body.password
        )
        return {
            "id": waiver.id,
            "code": waiver.code,
            "refdes": waiver.refdes,
            "reason": waiver.reason,
        }
