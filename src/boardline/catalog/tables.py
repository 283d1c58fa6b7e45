"""Catalog tables: manufacturers, items, the MPNs that make an item, approved lists."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from boardline.catalog.rules import Lifecycle, Mounting, Supply
from boardline.core import clock
from boardline.core.db import Base, UTCDateTime
from boardline.core.tables import Audited


def _enum(cls: type[Lifecycle] | type[Mounting] | type[Supply]) -> Enum:
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class Manufacturer(Audited, Base):
    __tablename__ = "catalog_manufacturer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    key: Mapped[str] = mapped_column(String(128), unique=True)  # rules.manufacturer_key
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Item(Audited, Base):
    """An internal part number: one form-fit-function part, bought as any approved MPN."""

    __tablename__ = "catalog_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    package: Mapped[str] = mapped_column(String(128), default="")
    mounting: Mapped[Mounting] = mapped_column(_enum(Mounting), default=Mounting.SMT)
    pin_count: Mapped[int | None] = mapped_column(Integer)
    msl: Mapped[str | None] = mapped_column(String(4))
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    lifecycle: Mapped[Lifecycle] = mapped_column(_enum(Lifecycle), default=Lifecycle.ACTIVE)
    # Parts lost in production per part used (mispicks, splices, reel leaders), percent.
    attrition_pct: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    parts: Mapped[list[ItemPart]] = relationship(
        back_populates="item", order_by="ItemPart.rank", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ItemPart(Audited, Base):
    """One manufacturer part number that is this item; rank 1 is preferred, others alternates."""

    __tablename__ = "catalog_item_part"
    __table_args__ = (UniqueConstraint("manufacturer_id", "mpn_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"), index=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("catalog_manufacturer.id"))
    mpn: Mapped[str] = mapped_column(String(128))
    mpn_key: Mapped[str] = mapped_column(String(128), index=True)  # rules.mpn_key
    rank: Mapped[int] = mapped_column(Integer, default=1)
    version: Mapped[int] = mapped_column(Integer, default=1)

    item: Mapped[Item] = relationship(back_populates="parts", lazy="joined")
    manufacturer: Mapped[Manufacturer] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ApprovedManufacturer(Audited, Base):
    """A customer's approved manufacturer list (AVL): an empty list means no restriction."""

    __tablename__ = "catalog_customer_avl"
    __table_args__ = (UniqueConstraint("customer_id", "manufacturer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("catalog_manufacturer.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    manufacturer: Mapped[Manufacturer] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CustomerItemSupply(Audited, Base):
    """Whether the EMS buys an item for this customer (turnkey) or the customer supplies it."""

    __tablename__ = "catalog_customer_item"
    __table_args__ = (UniqueConstraint("customer_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    supply: Mapped[Supply] = mapped_column(_enum(Supply))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
