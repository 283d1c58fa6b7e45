"""``boardline msd …``: moisture-sensitive packages whose floor life is running out."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from boardline.core.cli import cli_actor, uow
from boardline.supply import packages

msd_app = typer.Typer(help="Moisture-sensitive devices (J-STD-033).", no_args_is_help=True)
console = Console()


@msd_app.command("check")
def msd_check(
    within: Annotated[float, typer.Option(help="hours ahead to warn about")] = 24.0,
) -> None:
    """List packages that need a bake or run out within the window; block the expired ones."""
    with uow() as s:
        soon, blocked = packages.do_enforce_floor_life(
            s, cli_actor(), within=timedelta(hours=within)
        )
    table = Table(title=f"MSD packages needing attention within {within:g} h")
    for col in ("package", "MSL", "status", "expires (UTC)", "reason"):
        table.add_column(col)
    for uid, state in soon:
        expires = f"{state.expires_at:%Y-%m-%d %H:%M}" if state.expires_at else ""
        table.add_row(uid, state.msl.value, state.status.value, expires, state.reason)
    console.print(table)
    if blocked:
        console.print(f"[red]blocked now[/red]: {', '.join(blocked)}")
