"""Supply tables: suppliers and their offers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Enum, Float, ForeignKey, Integer, String, UniqueConstraint
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
    state: Mapped[str] = mapped_column(String(16), default="hold")
    location_id: Mapped[int | None] = mapped_column(ForeignKey("supply_location.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
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
