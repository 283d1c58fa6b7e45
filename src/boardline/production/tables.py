"""Production tables: work orders (lines, stations, routings and units come later)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
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
