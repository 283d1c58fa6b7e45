"""NPI use cases: products, revisions, and importing a revision's data package.

Every read goes through customer scoping (a customer user sees only its own products);
every write is audited through the unit of work.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import case, delete, insert, select
from sqlalchemy.orm import Session

from boardline.catalog import services as catalog
from boardline.catalog.rules import mpn_key
from boardline.core import clock
from boardline.core.audit_trail import audit_reason
from boardline.core.auth import Actor, Perm, check_permission
from boardline.core.errors import AlreadyExists, InvalidInput, NotFound
from boardline.core.scoping import access_scoped, scoped
from boardline.core.services import access_customer, check_reason, find_customer
from boardline.npi import dfm
from boardline.npi.classify import Classification
from boardline.npi.gates import gate_plan
from boardline.npi.model import BomLine, SupplierPart
from boardline.npi.pipeline import Analysis, InputFile, analyse
from boardline.npi.quote import PriceBreak, PriceLookup, Quote, QuoteConfig, quote
from boardline.npi.rules import check_editable, check_product_code, check_revision_label
from boardline.npi.tables import (
    BomLineRow,
    DesignFile,
    DesignImport,
    FindingRow,
    PlacementRow,
    Product,
    Revision,
)
from boardline.supply import services as supply
from boardline.supply.offers import best_choice


def do_create_product(
    session: Session, actor: Actor, *, customer_id: int, code: str, name: str, description: str = ""
) -> Product:
    check_permission(actor, Perm.NPI_MANAGE)
    access_customer(session, actor, customer_id)
    code = check_product_code(code)
    if not name.strip():
        raise InvalidInput("product name is empty", field="name")
    exists = session.scalar(
        select(Product.id).where(Product.customer_id == customer_id, Product.code == code)
    )
    if exists is not None:
        raise AlreadyExists(f"product {code} already exists for this customer", field="product")
    product = Product(
        customer_id=customer_id, code=code, name=name.strip(), description=description
    )
    session.add(product)
    session.flush()
    return product


def access_product(session: Session, actor: Actor, product_id: int) -> Product:
    check_permission(actor, Perm.NPI_VIEW)
    return access_scoped(
        session, actor, Product, product_id, owner_attr="customer_id", what="product"
    )


def list_products(session: Session, actor: Actor) -> Sequence[Product]:
    check_permission(actor, Perm.NPI_VIEW)
    stmt = select(Product).order_by(Product.code)
    return session.scalars(scoped(stmt, actor, Product.customer_id)).all()


def find_product(session: Session, actor: Actor, customer_code: str, code: str) -> Product | None:
    customer = find_customer(session, customer_code)
    access_customer(session, actor, customer.id)
    return session.scalar(
        select(Product).where(Product.customer_id == customer.id, Product.code == code.strip())
    )


def do_create_revision(
    session: Session, actor: Actor, product_id: int, *, label: str, notes: str = ""
) -> Revision:
    check_permission(actor, Perm.NPI_MANAGE)
    product = access_product(session, actor, product_id)
    label = check_revision_label(label)
    exists = session.scalar(
        select(Revision.id).where(Revision.product_id == product.id, Revision.label == label)
    )
    if exists is not None:
        raise AlreadyExists(f"{product.code} revision {label} already exists", field="revision")
    revision = Revision(product_id=product.id, label=label, notes=notes, summary={})
    session.add(revision)
    session.flush()
    return revision


def access_revision(session: Session, actor: Actor, revision_id: int) -> Revision:
    check_permission(actor, Perm.NPI_VIEW)
    revision = session.get(Revision, revision_id)
    if revision is None:
        raise NotFound(f"revision {revision_id} not found")
    access_product(session, actor, revision.product_id)
    return revision


def list_revisions(session: Session, actor: Actor, product_id: int) -> Sequence[Revision]:
    access_product(session, actor, product_id)
    return session.scalars(
        select(Revision).where(Revision.product_id == product_id).order_by(Revision.label)
    ).all()


def find_revision(session: Session, product_id: int, label: str) -> Revision | None:
    return session.scalar(
        select(Revision).where(
            Revision.product_id == product_id, Revision.label == label.strip().upper()
        )
    )


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    revision_id: int
    import_id: int
    analysis: Analysis


def do_import(
    session: Session,
    actor: Actor,
    revision_id: int,
    files: list[InputFile],
    *,
    column_map: dict[str, str] | None = None,
) -> ImportOutcome:
    """Read a data package into a draft revision, replacing what an earlier import stored.

    All or nothing: any file that cannot be used rejects the whole import before anything
    is written, and the unit of work commits the rows, the findings and the audit entry
    together.
    """
    check_permission(actor, Perm.NPI_MANAGE)
    revision = access_revision(session, actor, revision_id)
    check_editable(revision.stage, f"revision {revision.label}")
    customer_id = revision.product.customer_id
    # Read once from the catalog for the DFM review, then reused to link BOM lines to items.
    facts: dict[str, catalog.ItemFacts] = {}

    def load_facts(mpns: list[str]) -> Callable[[str], dfm.PartFacts | None]:
        facts.update(catalog.facts_by_mpn(session, mpns))
        return _facts_lookup(facts)

    analysis = analyse(
        files,
        column_map=column_map,
        facts_for=load_facts,
        approved_manufacturers=catalog.approved_manufacturers(session, customer_id),
    )
    _replace_design(session, revision.id, analysis, _item_matches(analysis, facts))
    record = DesignImport(
        revision_id=revision.id,
        files=[
            {
                "name": f.name,
                "kind": r.kind,
                "sha256": hashlib.sha256(f.data).hexdigest(),
                "bytes": len(f.data),
            }
            for f, r in zip(analysis.files, analysis.results, strict=True)
        ],
        counts=counts_of(analysis),
    )
    session.add(record)
    session.flush()
    session.execute(
        insert(DesignFile),
        [
            {
                "import_id": record.id,
                "kind": r.kind,
                "name": f.name,
                "sha256": hashlib.sha256(f.data).hexdigest(),
                "size": len(f.data),
                "content": f.data,
            }
            for f, r in zip(analysis.files, analysis.results, strict=True)
        ],
    )
    outline = analysis.design.outline
    revision.summary = {
        # Which DFM rules ran, and why the others did not: a skipped rule is not a pass.
        "dfm_runs": [
            {
                "rule": r.rule_id,
                "status": r.status.value,
                "reason": r.reason,
                "findings": r.findings,
                "truncated": r.truncated,
            }
            for r in analysis.dfm_report.runs
        ],
        "classification": asdict(analysis.classification),
        "counts": record.counts,
        "imported_at": clock.now().isoformat(),
        "outline": [[[round(x, 3), round(y, 3)] for x, y in poly] for poly in outline.polygons]
        if outline
        else [],
    }
    session.flush()
    return ImportOutcome(revision.id, record.id, analysis)


def counts_of(analysis: Analysis) -> dict[str, int]:
    """BOM lines, designators, placements and findings per severity of an analysis."""
    severities = Counter(f.severity.value for _, f in analysis.findings)
    design = analysis.design
    return {
        "bom_lines": len(design.bom_lines),
        "bom_refs": sum(len(line.refdes) for line in design.bom_lines),
        "placements": len(design.placements),
        "errors": severities.get("error", 0),
        "warnings": severities.get("warning", 0),
        "infos": severities.get("info", 0),
    }


def _facts_lookup(facts: dict[str, catalog.ItemFacts]) -> Callable[[str], dfm.PartFacts | None]:
    def lookup(mpn: str) -> dfm.PartFacts | None:
        found = facts.get(mpn_key(mpn))
        if found is None:
            return None
        return dfm.PartFacts(
            lifecycle=dfm.Lifecycle(found.lifecycle.value), msl=found.msl, sources=found.sources
        )

    return lookup


def _item_matches(analysis: Analysis, facts: dict[str, catalog.ItemFacts]) -> list[int | None]:
    """The catalog item of each BOM line: by its MPN, else by its first matching alternate."""
    lines = analysis.design.bom_lines
    matches: list[int | None] = []
    for b in lines:
        found = next(
            (
                facts[k]
                for m in (b.mpn, *(a[1] for a in b.alternates))
                if (k := mpn_key(m)) in facts
            ),
            None,
        )
        matches.append(found.item_id if found else None)
    return matches


def _replace_design(
    session: Session, revision_id: int, analysis: Analysis, items: list[int | None]
) -> None:
    for table in (BomLineRow, PlacementRow, FindingRow):
        session.execute(delete(table).where(table.revision_id == revision_id))
    design = analysis.design
    if design.bom_lines:
        session.execute(
            insert(BomLineRow),
            [
                {
                    "revision_id": revision_id,
                    "position": i,
                    "source": b.source,
                    "line": b.line,
                    "refdes": b.refdes,
                    "quantity": b.quantity,
                    "mpn": b.mpn,
                    "manufacturer": b.manufacturer,
                    "value": b.value,
                    "footprint": b.footprint,
                    "description": b.description,
                    "dnp": b.dnp,
                    "supplier_parts": [[s.supplier, s.part_number] for s in b.supplier_parts],
                    "alternates": [list(a) for a in b.alternates],
                    "unit_price": b.unit_price,
                    "item_id": items[i],
                }
                for i, b in enumerate(design.bom_lines)
            ],
        )
    if design.placements:
        session.execute(
            insert(PlacementRow),
            [
                {
                    "revision_id": revision_id,
                    "refdes": p.refdes,
                    "x": p.x,
                    "y": p.y,
                    "rotation": p.rotation,
                    "side": p.side.value,
                    "value": p.value,
                    "package": p.package,
                    "mount": p.mount.value if p.mount else None,
                    "pin_count": p.pin_count,
                    "width": p.width,
                    "height": p.height,
                    "pitch": p.pitch,
                    "dnp": p.dnp,
                    "mpn": p.mpn,
                    "manufacturer": p.manufacturer,
                    "source": p.source,
                    "line": p.line,
                }
                for p in design.placements
            ],
        )
    if analysis.findings:
        session.execute(
            insert(FindingRow),
            [
                {
                    "revision_id": revision_id,
                    "origin": origin,
                    "severity": f.severity.value,
                    "code": f.code,
                    "message": f.message,
                    "file": f.file,
                    "line": f.line,
                    "field": f.field,
                    "refdes": f.refdes,
                    "hint": f.hint,
                }
                for origin, f in analysis.findings
            ],
        )


def revision_findings(session: Session, actor: Actor, revision_id: int) -> Sequence[FindingRow]:
    access_revision(session, actor, revision_id)
    # Errors first, then warnings, then notes; within each, in the order they were found.
    rank = case((FindingRow.severity == "error", 0), (FindingRow.severity == "warning", 1), else_=2)
    return session.scalars(
        select(FindingRow)
        .where(FindingRow.revision_id == revision_id)
        .order_by(rank, FindingRow.id)
    ).all()


def revision_bom(session: Session, actor: Actor, revision_id: int) -> Sequence[BomLineRow]:
    access_revision(session, actor, revision_id)
    return session.scalars(
        select(BomLineRow)
        .where(BomLineRow.revision_id == revision_id)
        .order_by(BomLineRow.position)
    ).all()


def revision_placements(session: Session, actor: Actor, revision_id: int) -> Sequence[PlacementRow]:
    access_revision(session, actor, revision_id)
    return session.scalars(
        select(PlacementRow)
        .where(PlacementRow.revision_id == revision_id)
        .order_by(PlacementRow.id)
    ).all()


def analysis_json(analysis: Analysis) -> dict[str, Any]:
    """The import result as plain JSON: BOM lines, placements, findings, classification."""
    design = analysis.design
    return {
        "bom_lines": [
            {**asdict(b), "supplier_parts": [asdict(s) for s in b.supplier_parts]}
            for b in design.bom_lines
        ],
        "placements": [
            {**asdict(p), "side": p.side.value, "mount": p.mount.value if p.mount else None}
            for p in design.placements
        ],
        "findings": [
            {"origin": origin, **asdict(f), "severity": f.severity.value}
            for origin, f in analysis.findings
        ],
        "classification": asdict(analysis.classification),
        "files": [{"name": r.file, "kind": r.kind, **r.notes} for r in analysis.results],
    }


def revision_design_lines(session: Session, actor: Actor, revision_id: int) -> list[BomLine]:
    """The revision's stored BOM lines as the pure model's BomLine (for quotes)."""
    return [
        BomLine(
            line=r.line,
            refdes=list(r.refdes),
            quantity=r.quantity,
            mpn=r.mpn,
            manufacturer=r.manufacturer,
            value=r.value,
            footprint=r.footprint,
            description=r.description,
            dnp=r.dnp,
            supplier_parts=[SupplierPart(s, p) for s, p in r.supplier_parts],
            alternates=[(a[0], a[1]) for a in r.alternates],
            unit_price=r.unit_price,
            source=r.source,
        )
        for r in revision_bom(session, actor, revision_id)
    ]


def quote_config(quantities: str, material_margin: str, labour_margin: str) -> QuoteConfig:
    """Quote settings from what a person typed: ``10, 100; 1000`` and margins in percent."""
    try:
        qty = tuple(int(q) for q in quantities.replace(";", ",").split(",") if q.strip())
        return QuoteConfig(
            quantities=qty or QuoteConfig().quantities,
            material_margin_pct=Decimal(material_margin),
            labour_margin_pct=Decimal(labour_margin),
        )
    except (ValueError, ArithmeticError):
        raise InvalidInput(
            "quantities are whole numbers separated by commas; margins are percentages",
            field="quantities",
        ) from None


def quote_revision(session: Session, actor: Actor, revision_id: int, config: QuoteConfig) -> Quote:
    """A quote for the revision's last import, at the configured build quantities."""
    revision = access_revision(session, actor, revision_id)
    stored = (revision.summary or {}).get("classification")
    if not stored:
        raise InvalidInput(f"revision {revision.label} has no imported data package to quote")
    classification = Classification(**stored)
    lines = revision_design_lines(session, actor, revision_id)
    if config.price_lookup is None:
        config = replace(config, price_lookup=_supplier_prices(session, lines))
    return quote(lines, classification, config)


def _supplier_prices(session: Session, lines: list[BomLine]) -> PriceLookup:
    """Price breaks from the suppliers' offers for the BOM's MPNs (one query)."""
    terms = supply.terms_by_mpn(
        session, [m for b in lines for m in (b.mpn, *(a[1] for a in b.alternates)) if m]
    )

    def lookup(mpn: str, quantity: int) -> PriceBreak | None:
        choice = best_choice(quantity, terms.get(mpn_key(mpn), []))
        if choice is None:
            return None
        t = choice.terms
        return PriceBreak(
            unit_price=choice.unit_price,
            moq=t.moq,
            multiple=t.multiple,
            supplier=t.supplier,
            sku=t.sku,
        )

    return lookup


def do_set_gate_criteria(
    session: Session,
    actor: Actor,
    product_id: int,
    criteria: dict[str, list[str]] | None,
    *,
    reason: str,
) -> Product:
    """Choose which checks each gate of this product's revisions needs (None: defaults).

    Audited with the reason: relaxing a gate is a decision someone must own.
    """
    check_permission(actor, Perm.NPI_MANAGE)
    product = access_product(session, actor, product_id)
    reason = check_reason(reason, "changing gate criteria")
    gate_plan(criteria)  # refuses unknown stages and criteria
    product.gate_criteria = criteria
    with audit_reason(session, reason):
        session.flush()
    return product


def unmatched_lines(session: Session, actor: Actor, revision_id: int) -> list[BomLineRow]:
    """Fitted BOM lines that no catalog item matched: a person must resolve them."""
    return [b for b in revision_bom(session, actor, revision_id) if b.item_id is None and not b.dnp]


def do_resolve_line(
    session: Session, actor: Actor, bom_line_id: int, *, item_number: str
) -> BomLineRow:
    """Link a BOM line to an item; its MPN joins the item so the next import matches it."""
    check_permission(actor, Perm.NPI_MANAGE)
    line = session.get(BomLineRow, bom_line_id)
    if line is None:
        raise NotFound(f"BOM line {bom_line_id} not found")
    revision = access_revision(session, actor, line.revision_id)
    check_editable(revision.stage, f"revision {revision.label}")
    item = catalog.find_item(session, actor, item_number)
    if line.mpn and not any(mpn_key(p.mpn) == mpn_key(line.mpn) for p in item.parts):
        catalog.do_add_part(
            session, actor, item.id, manufacturer=line.manufacturer or "unknown", mpn=line.mpn
        )
    line.item_id = item.id
    session.flush()
    return line


def do_set_built_item(
    session: Session, actor: Actor, revision_id: int, *, item_number: str | None
) -> Revision:
    """Say which catalog item this revision builds (None: it builds no stocked item).

    A box build's BOM names the PCBA by its item; linking the PCBA's revision to that item
    lets MRP explode the box build through the PCBA's own BOM. It is planning data, not
    design content, so it may change after release (audited).
    """
    check_permission(actor, Perm.NPI_MANAGE)
    revision = access_revision(session, actor, revision_id)
    item_id = None
    if item_number and item_number.strip():
        item = catalog.find_item(session, actor, item_number)
        uses_itself = session.scalar(
            select(BomLineRow.id).where(
                BomLineRow.revision_id == revision.id, BomLineRow.item_id == item.id
            )
        )
        if uses_itself is not None:
            raise InvalidInput(
                f"revision {revision.label} cannot build {item.number}: its own BOM uses it",
                field="item_number",
            )
        item_id = item.id
    revision.item_id = item_id
    session.flush()
    return revision


def revisions_by_id(
    session: Session, actor: Actor, revision_ids: Iterable[int]
) -> dict[int, Revision]:
    """Revisions (with product and customer) by id in one query, scoped to the actor.

    Ids outside the actor's scope or unknown are left out, as if they did not exist.
    """
    check_permission(actor, Perm.NPI_VIEW)
    ids = sorted(set(revision_ids))
    if not ids:
        return {}
    stmt = scoped(
        select(Revision)
        .join(Product, Product.id == Revision.product_id)
        .where(Revision.id.in_(ids)),
        actor,
        Product.customer_id,
    )
    return {r.id: r for r in session.scalars(stmt)}


def customer_revisions(session: Session, actor: Actor, customer_id: int) -> Sequence[Revision]:
    """Every revision of every product of one customer, by product code and label (none
    when the customer is outside the actor's scope)."""
    check_permission(actor, Perm.NPI_VIEW)
    stmt = (
        select(Revision)
        .join(Product, Product.id == Revision.product_id)
        .where(Product.customer_id == customer_id)
        .order_by(Product.code, Revision.label)
    )
    return session.scalars(scoped(stmt, actor, Product.customer_id)).all()
