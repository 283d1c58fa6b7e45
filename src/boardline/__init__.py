"""Boardline: ERP and MES for electronics manufacturing services."""
