"""Catalog: items (internal part numbers), manufacturers, MPNs and alternates, approved lists."""
