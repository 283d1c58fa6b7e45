"""Every domain's tables, imported so that ``metadata`` is complete (Alembic, tests)."""

from boardline.catalog import tables as catalog_tables
from boardline.core import tables as core_tables
from boardline.core.db import Base
from boardline.npi import tables as npi_tables
from boardline.production import tables as production_tables
from boardline.supply import tables as supply_tables

metadata = Base.metadata

__all__ = [
    "catalog_tables",
    "core_tables",
    "metadata",
    "npi_tables",
    "production_tables",
    "supply_tables",
]
