"""Production tables: the factory (sites, lines, stations) and work orders."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from boardline.core import clock
from boardline.core.db import Base, UTCDateTime
from boardline.core.tables import Audited


class WorkOrder(Audited, Base):
    """Build ``quantity`` of one product revision, from a sales order or by hand.

    ``state``: draft → released → in_progress → completed → closed, or cancelled.
    ``stage`` is the NPI stage the build is for (prototype, pilot, mass_production).
    """

    __tablename__ = "production_work_order"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("npi_revision.id"), index=True)
    sales_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("supply_sales_order.id"), index=True
    )
    stage: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    completed_quantity: Mapped[int] = mapped_column(Integer, default=0)
    scrapped_quantity: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Site(Audited, Base):
    """A factory: its lines share a time zone, shifts and stores."""

    __tablename__ = "production_site"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Line(Audited, Base):
    """A production line (SMT, THT, box build, test) with its output target."""

    __tablename__ = "production_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("production_site.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    target_uph: Mapped[int | None] = mapped_column(Integer)  # units per hour, for dashboards
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Station(Audited, Base):
    """A place where units are processed: a machine on a line or a manual bench.

    ``cfx_handle`` is the machine's IPC-CFX endpoint handle: how its messages name it.
    ``position`` orders the stations along the line. Off-line stations (a repair bench, a
    shared ICT) belong to the site and to no line.
    """

    __tablename__ = "production_station"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("production_site.id"), index=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("production_line.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    station_type: Mapped[str] = mapped_column(String(24))
    cfx_handle: Mapped[str | None] = mapped_column(String(128), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
