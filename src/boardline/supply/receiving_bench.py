"""Benchmark: receiving 1 000 packages with labels (being built this session)."""

from __future__ import annotations

from rich.console import Console


def run_receiving_bench(console: Console, *, pg_url: str | None = None) -> None:
    raise NotImplementedError("the receiving benchmark is being built")
