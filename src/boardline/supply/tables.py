"""Supply tables: suppliers, offers, purchase orders, packages, stock, kits, sales, MRP."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from boardline.catalog.tables import ItemPart
from boardline.core import clock
from boardline.core.db import Base, UTCDateTime
from boardline.core.tables import Audited
from boardline.supply.offers import Packaging


class Supplier(Audited, Base):
    __tablename__ = "supply_supplier"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Offer(Audited, Base):
    """A supplier's terms for one manufacturer part number of an item."""

    __tablename__ = "supply_offer"
    __table_args__ = (UniqueConstraint("supplier_id", "item_part_id", "packaging"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supply_supplier.id"), index=True)
    item_part_id: Mapped[int] = mapped_column(ForeignKey("catalog_item_part.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64), default="")
    packaging: Mapped[Packaging] = mapped_column(
        Enum(
            Packaging, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
        )
    )
    moq: Mapped[int] = mapped_column(Integer, default=1)
    multiple: Mapped[int] = mapped_column(Integer, default=1)
    lead_time_days: Mapped[int | None] = mapped_column(Integer)
    # [[from quantity, "unit price"], ...] ascending; prices as decimal strings
    breaks: Mapped[list[list[object]]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    supplier: Mapped[Supplier] = relationship(lazy="joined")
    item_part: Mapped[ItemPart] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class MaterialPackage(Audited, Base):
    """One physical package (reel, tray, tube, bag) with its own unique ID.

    ``state``: ``hold`` until incoming inspection releases it, then ``available``;
    ``blocked`` (for example floor life expired) and ``quarantined`` keep it from use.
    """

    __tablename__ = "supply_package"
    # Quantities never go negative, whatever path a write takes.
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_not_negative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    item_part_id: Mapped[int] = mapped_column(ForeignKey("catalog_item_part.id"), index=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supply_supplier.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    packaging: Mapped[Packaging] = mapped_column(
        Enum(
            Packaging, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
        )
    )
    lot: Mapped[str] = mapped_column(String(64), default="")
    date_code: Mapped[str] = mapped_column(String(16), default="")
    msl: Mapped[str | None] = mapped_column(String(4))
    # MSL 6 parts carry their floor life on the label (time on label, hours).
    tol_hours: Mapped[float | None] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(16), default="hold")
    location_id: Mapped[int | None] = mapped_column(ForeignKey("supply_location.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # The PO line it was received against (None: consigned or found stock).
    po_line_id: Mapped[int | None] = mapped_column(ForeignKey("supply_po_line.id"), index=True)
    # Whose material it is: bought for a customer (turnkey) or owned by it (consigned).
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    consigned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Shelf life: the last day the parts may be used (None: no shelf life on the item).
    expires_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    item_part: Mapped[ItemPart] = relationship(lazy="joined")
    supplier: Mapped[Supplier | None] = relationship(lazy="joined")
    location: Mapped[Location | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class MsdEventRow(Audited, Base):
    """One moisture-sensitivity event of a package: sealed, opened, dry storage, bake."""

    __tablename__ = "supply_msd_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("supply_package.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    temperature_c: Mapped[float | None] = mapped_column(Float)
    duration_h: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(String(200), default="")


class Location(Audited, Base):
    """Where packages are kept: a bin, a dry cabinet, line side, a feeder trolley."""

    __tablename__ = "supply_location"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # bin | dry_cabinet | line_side | trolley
    description: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class PurchaseOrder(Audited, Base):
    """A purchase order to one supplier.

    ``state``: draft → approved → sent → partially_received → closed, or cancelled before
    anything was received. ``customer_id`` names the customer the material is bought for
    (turnkey), which the excess and obsolete report follows.
    """

    __tablename__ = "supply_po"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supply_supplier.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    state: Mapped[str] = mapped_column(String(24), default="draft", index=True)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    approved_by: Mapped[str | None] = mapped_column(String(128))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    supplier: Mapped[Supplier] = relationship(lazy="joined")
    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        back_populates="order", order_by="PurchaseOrderLine.position", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class PurchaseOrderLine(Audited, Base):
    """``quantity`` of one MPN at ``unit_price`` (a decimal string), due on ``due_date``."""

    __tablename__ = "supply_po_line"
    __table_args__ = (UniqueConstraint("po_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    po_id: Mapped[int] = mapped_column(ForeignKey("supply_po.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    item_part_id: Mapped[int] = mapped_column(ForeignKey("catalog_item_part.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[str] = mapped_column(String(24), default="0")
    due_date: Mapped[date] = mapped_column(Date)
    received_quantity: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)

    order: Mapped[PurchaseOrder] = relationship(back_populates="lines", lazy="joined")
    item_part: Mapped[ItemPart] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class KitReservation(Audited, Base):
    """One package picked for a work order's kit: reserved, issued to the line, returned.

    ``state``: ``reserved`` (set aside in stores), ``issued`` (at the line; the package's
    parts count as used by the work order), ``returned`` (back with ``returned_quantity``
    counted; issued minus returned was consumed) or ``released`` (reservation undone).
    """

    __tablename__ = "supply_kit"
    __table_args__ = (Index("ix_supply_kit_wo_state", "work_order_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("production_work_order.id"))
    package_id: Mapped[int] = mapped_column(ForeignKey("supply_package.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="reserved")
    reserved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_quantity: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)

    package: Mapped[MaterialPackage] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class SalesOrder(Audited, Base):
    """A customer's order for ``quantity`` of one product revision, due on ``due_date``.

    ``state``: open → shipped (all shipped) → closed, or cancelled.
    """

    __tablename__ = "supply_sales_order"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("npi_revision.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    customer_po: Mapped[str] = mapped_column(String(64), default="")
    shipped_quantity: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Shipment(Audited, Base):
    """Finished units leaving the factory against a sales order."""

    __tablename__ = "supply_shipment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    sales_order_id: Mapped[int] = mapped_column(ForeignKey("supply_sales_order.id"), index=True)
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    shipped_by: Mapped[str] = mapped_column(String(128), default="")
    carrier: Mapped[str] = mapped_column(String(64), default="")
    tracking: Mapped[str] = mapped_column(String(64), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ShippedUnit(Base):
    """One serial in a shipment: the forward-trace record of where a unit went.

    A serial ships once (unique); the shipment itself is the audited record.
    """

    __tablename__ = "supply_shipped_unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("supply_shipment.id"), index=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)


class MrpRun(Base):
    """One regenerative MRP run: when, by whom, for which day, how long, what it found."""

    __tablename__ = "supply_mrp_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    actor: Mapped[str] = mapped_column(String(128))
    today: Mapped[date] = mapped_column(Date)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # What the run could not plan (BOM lines without an item, revisions without a BOM).
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)


class MrpPlannedOrder(Base):
    """A planned purchase or work order of the latest run, pegged to its demands.

    The plan's rows are derived data, replaced as a whole by every run from one consistent
    read: they carry ids but no foreign keys, because checking a key per row made writing
    a 100 000-row plan ten times slower on PostgreSQL and protects nothing a rerun does not.
    """

    __tablename__ = "supply_mrp_planned"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer)
    # No index: an index per column doubled the cost of writing a plan, and reading one
    # item's rows is a scan of a table that holds a single plan.
    node: Mapped[str] = mapped_column(String(96))  # item number or revision
    item_id: Mapped[int | None] = mapped_column(Integer)
    revision_id: Mapped[int | None] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    need_date: Mapped[date] = mapped_column(Date)
    release_date: Mapped[date] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean)
    is_purchase: Mapped[bool] = mapped_column(Boolean)
    supplier_id: Mapped[int | None] = mapped_column(Integer)
    unit_price: Mapped[str | None] = mapped_column(String(24))
    pegging: Mapped[str] = mapped_column(Text)  # demand ids, space separated


class MrpShortage(Base):
    """What stock and receipts due by ``need_date`` lack, and when it is covered."""

    __tablename__ = "supply_mrp_shortage"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer)
    node: Mapped[str] = mapped_column(String(96))
    item_id: Mapped[int | None] = mapped_column(Integer)
    need_date: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer)
    covered_on: Mapped[date] = mapped_column(Date)
    pegging: Mapped[str] = mapped_column(Text)


class MrpClearToBuild(Base):
    """Per open work order and direct component: required, available, short, covered when."""

    __tablename__ = "supply_mrp_ctb"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer)
    work_order_id: Mapped[int] = mapped_column(Integer, index=True)
    node: Mapped[str] = mapped_column(String(96))
    item_id: Mapped[int | None] = mapped_column(Integer)
    start: Mapped[date] = mapped_column(Date)
    required: Mapped[int] = mapped_column(Integer)
    available: Mapped[int] = mapped_column(Integer)
    short: Mapped[int] = mapped_column(Integer)
    covered_on: Mapped[date | None] = mapped_column(Date)
