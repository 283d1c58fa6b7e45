"""NPI tables: products, revisions, the files of their data packages, and what was read.

BOM lines, placements and findings are children of a revision that are replaced as a
whole by each import (only while the revision is a draft). They are not audited row by
row (a 50 000-line BOM would flood the trail); the import itself is an audited record
that names every file by SHA-256 and carries the counts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from boardline.core import clock
from boardline.core.db import Base, UTCDateTime
from boardline.core.tables import Audited, Customer
from boardline.npi.rules import Stage


def _stage_column() -> Enum:
    return Enum(Stage, native_enum=False, length=16, values_callable=lambda s: [m.value for m in s])


class Product(Audited, Base):
    """A customer's product (an assembly), built in revisions A, B, C …"""

    __tablename__ = "npi_product"
    __table_args__ = (UniqueConstraint("customer_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Gate criteria per target stage when this product differs from the defaults (gates.py).
    gate_criteria: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    customer: Mapped[Customer] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Revision(Audited, Base):
    """One revision of a product. Editable as a draft; immutable once released to a stage."""

    __tablename__ = "npi_revision"
    __table_args__ = (UniqueConstraint("product_id", "label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("npi_product.id"), index=True)
    label: Mapped[str] = mapped_column(String(16))
    stage: Mapped[Stage] = mapped_column(_stage_column(), default=Stage.DRAFT)
    notes: Mapped[str] = mapped_column(Text, default="")
    # Figures from the last import (classification); JSON so later issues can add to it.
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The catalog item this revision builds (a PCBA used in a box build's BOM): what makes
    # BOMs multi-level for MRP. None: the revision is only ever ordered as itself.
    item_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_item.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    product: Mapped[Product] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class DesignImport(Audited, Base):
    """One import of a data package into a revision: which files, and what came out."""

    __tablename__ = "npi_import"
    __audit_ignore__ = frozenset({"version"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("npi_revision.id"), index=True)
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # name, kind, sha256, bytes
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1)


class DesignFile(Base):
    """The bytes of a file as the customer sent it, kept for re-reading and for the record."""

    __tablename__ = "npi_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("npi_import.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class BomLineRow(Base):
    __tablename__ = "npi_bom_line"
    __table_args__ = (Index("ix_npi_bom_line_revision", "revision_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("npi_revision.id"))
    position: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(255))
    line: Mapped[int] = mapped_column(Integer)
    refdes: Mapped[list[str]] = mapped_column(JSON)
    quantity: Mapped[int | None] = mapped_column(Integer)
    mpn: Mapped[str] = mapped_column(String(128))
    manufacturer: Mapped[str] = mapped_column(String(128))
    value: Mapped[str] = mapped_column(String(255))
    footprint: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    dnp: Mapped[bool] = mapped_column(Boolean)
    supplier_parts: Mapped[list[list[str]]] = mapped_column(JSON)
    alternates: Mapped[list[list[str]]] = mapped_column(JSON)
    unit_price: Mapped[float | None] = mapped_column(Float)
    # The catalog item this line buys: matched by MPN on import, or chosen by a person.
    item_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_item.id"))


class PlacementRow(Base):
    __tablename__ = "npi_placement"
    __table_args__ = (Index("ix_npi_placement_revision", "revision_id", "refdes"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("npi_revision.id"))
    refdes: Mapped[str] = mapped_column(String(64))
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    rotation: Mapped[float] = mapped_column(Float)
    side: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(255))
    package: Mapped[str] = mapped_column(String(255))
    mount: Mapped[str | None] = mapped_column(String(8))
    pin_count: Mapped[int | None] = mapped_column(Integer)
    width: Mapped[float | None] = mapped_column(Float)
    height: Mapped[float | None] = mapped_column(Float)
    pitch: Mapped[float | None] = mapped_column(Float)
    dnp: Mapped[bool] = mapped_column(Boolean)
    mpn: Mapped[str] = mapped_column(String(128))
    manufacturer: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(255))
    line: Mapped[int | None] = mapped_column(Integer)


class FindingRow(Base):
    __tablename__ = "npi_finding"
    __table_args__ = (Index("ix_npi_finding_revision", "revision_id", "severity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("npi_revision.id"))
    origin: Mapped[str] = mapped_column(String(16))  # import | crosscheck | dfm
    severity: Mapped[str] = mapped_column(String(8))
    code: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    file: Mapped[str | None] = mapped_column(String(255))
    line: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(128))
    refdes: Mapped[str | None] = mapped_column(String(64))
    hint: Mapped[str | None] = mapped_column(Text)


class Waiver(Audited, Base):
    """A signed decision to accept one DFM finding: who, why, and for which finding.

    Keyed by the finding's code, part and message rather than its row, so a waiver still
    applies when the same package is imported again into the draft.
    """

    __tablename__ = "npi_waiver"
    __table_args__ = (Index("ix_npi_waiver_revision", "revision_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("npi_revision.id"))
    code: Mapped[str] = mapped_column(String(64))
    refdes: Mapped[str] = mapped_column(String(64), default="")
    message: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    waived_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.code, self.refdes, self.message)


class GateEvent(Audited, Base):
    """A revision moved to the next stage: the criteria as checked, and the signature."""

    __tablename__ = "npi_gate_event"
    __table_args__ = (Index("ix_npi_gate_event_revision", "revision_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("npi_revision.id"))
    from_stage: Mapped[Stage] = mapped_column(_stage_column())
    to_stage: Mapped[Stage] = mapped_column(_stage_column())
    results: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    override_reason: Mapped[str] = mapped_column(Text, default="")
    released_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    signature_id: Mapped[int | None] = mapped_column(ForeignKey("signature.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
