"""Readers for customer data packages: BOM, centroid, KiCad board, IPC-2581. Pure functions.

Each reader takes the file's bytes and name and returns an
:class:`~boardline.npi.model.ImportResult`.
A problem that leaves the rest usable is a :class:`~boardline.npi.model.Finding`; a file that
cannot be used at all raises :class:`~boardline.core.errors.FileRejected`. Readers raise
nothing else, whatever the bytes (fuzzed with hypothesis in the tests).
"""
