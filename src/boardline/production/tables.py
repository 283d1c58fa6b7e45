"""Production tables: the factory (sites, lines, stations), routings, work orders, units."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    # The routing version the units follow (fixed at release), and a hold on the whole order.
    routing_id: Mapped[int | None] = mapped_column(ForeignKey("production_routing.id"))
    on_hold: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    hold_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")
    started_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
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


class RoutingRow(Audited, Base):
    """One version of a revision's routing; released versions are locked (see routing.py)."""

    __tablename__ = "production_routing"
    __table_args__ = (UniqueConstraint("revision_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("npi_revision.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # routing version 1, 2, 3 …
    released: Mapped[bool] = mapped_column(Boolean, default=False)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by: Mapped[str | None] = mapped_column(String(128))
    # The design facts the template was made from (assembly type, sides, area arrays).
    facts: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    operations: Mapped[list[RoutingOperationRow]] = relationship(
        back_populates="routing", order_by="RoutingOperationRow.step", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class RoutingOperationRow(Audited, Base):
    __tablename__ = "production_routing_op"
    __table_args__ = (UniqueConstraint("routing_id", "step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    routing_id: Mapped[int] = mapped_column(ForeignKey("production_routing.id"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    station_type: Mapped[str] = mapped_column(String(24))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    side: Mapped[str | None] = mapped_column(String(8))
    is_test: Mapped[bool] = mapped_column(Boolean, default=False)
    condition: Mapped[str] = mapped_column(String(24), default="none")
    max_retests: Mapped[int] = mapped_column(Integer, default=0)
    instructions: Mapped[str] = mapped_column(Text, default="")  # work instructions (text)

    routing: Mapped[RoutingRow] = relationship(back_populates="operations")


class SerialScheme(Audited, Base):
    """How a product's serial numbers are made: a pattern (serials.py) and the next number."""

    __tablename__ = "production_serial_scheme"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("npi_product.id"), unique=True)
    pattern: Mapped[str] = mapped_column(String(80))
    next_seq: Mapped[int] = mapped_column(Integer, default=1)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Panel(Base):
    """A multi-board panel: rows × columns positions, X-outs left without a unit."""

    __tablename__ = "production_panel"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("production_work_order.id"), index=True)
    rows: Mapped[int] = mapped_column(Integer)
    cols: Mapped[int] = mapped_column(Integer)
    x_outs: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Unit(Base):
    """One board or product with its serial, following its work order's routing.

    Not audited row by row (a million units would flood the trail): every change is an
    event in ``production_unit_event``, its history. ``version`` makes two stations
    finishing the same unit at once conflict: exactly one of them wins.
    """

    __tablename__ = "production_unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("production_work_order.id"), index=True)
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("production_panel.id"), index=True)
    panel_position: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="in_progress")
    on_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    hold_reason: Mapped[str] = mapped_column(String(200), default="")
    last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class UnitEvent(Base):
    """One thing that happened to a unit: an operation started or finished (passed,
    failed, repaired), a hold, a scrap. Appended, never changed."""

    __tablename__ = "production_unit_event"
    __table_args__ = (Index("ix_production_unit_event_unit_id_id", "unit_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("production_unit.id"))
    kind: Mapped[str] = mapped_column(String(16))  # started | passed | failed | repaired | hold …
    step: Mapped[int | None] = mapped_column(Integer)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("production_station.id"))
    operator: Mapped[str] = mapped_column(String(128), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class FeederSetup(Audited, Base):
    """Which item goes in which feeder slot for one placement program of a revision on a
    line (one side of the board). Loading is verified against it, slot by slot."""

    __tablename__ = "production_feeder_setup"
    __table_args__ = (UniqueConstraint("line_id", "revision_id", "program", "side"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("production_line.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("npi_revision.id"), index=True)
    program: Mapped[str] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(8), default="top")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class FeederSlot(Audited, Base):
    __tablename__ = "production_feeder_slot"
    __table_args__ = (UniqueConstraint("setup_id", "slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    setup_id: Mapped[int] = mapped_column(ForeignKey("production_feeder_setup.id"), index=True)
    slot: Mapped[str] = mapped_column(String(32))  # as the machine names it, e.g. "1-12"
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    refdes: Mapped[list[str]] = mapped_column(JSON, default=list)  # placed from this slot


class SlotLoad(Base):
    """A package sitting in a slot from ``loaded_at`` until ``unloaded_at``: the setup
    history traceability derives which reel fed which reference designator from.

    ``spliced_onto``: the package this one was spliced to (the reel running out)."""

    __tablename__ = "production_slot_load"
    __table_args__ = (Index("ix_production_slot_load_setup_slot", "setup_id", "slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    setup_id: Mapped[int] = mapped_column(ForeignKey("production_feeder_setup.id"))
    slot: Mapped[str] = mapped_column(String(32))
    package_id: Mapped[int] = mapped_column(ForeignKey("supply_package.id"), index=True)
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("production_work_order.id"))
    kind: Mapped[str] = mapped_column(String(8), default="load")  # load | splice
    spliced_onto: Mapped[int | None] = mapped_column(ForeignKey("supply_package.id"))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    loaded_by: Mapped[str] = mapped_column(String(128), default="")
    unloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SlotRejection(Base):
    """A refused load or splice: what was scanned where, and why (kept for quality)."""

    __tablename__ = "production_slot_rejection"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    setup_id: Mapped[int] = mapped_column(ForeignKey("production_feeder_setup.id"), index=True)
    slot: Mapped[str] = mapped_column(String(32))
    scanned: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    by: Mapped[str] = mapped_column(String(128), default="")


class StationStateEvent(Base):
    """A station's equipment state from ``at`` on (SEMI E10 via the CFX ResourceState
    code, ``oee.py``), with the reason a person or the machine gave. Appended, never
    changed: OEE and the line dashboard are computed from these."""

    __tablename__ = "production_station_state"
    __table_args__ = (Index("ix_production_station_state_station_at", "station_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("production_station.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    state_code: Mapped[int] = mapped_column(Integer)  # CFX ResourceState, e.g. 1100
    reason: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(128), default="")  # who or which machine
