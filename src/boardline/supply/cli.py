"""``boardline msd …`` (floor life running out) and ``boardline mrp run`` (the plan)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from boardline.core import clock
from boardline.core.cli import cli_actor, uow
from boardline.core.settings import get_settings
from boardline.supply import packages, planning, stock

msd_app = typer.Typer(help="Moisture-sensitive devices (J-STD-033).", no_args_is_help=True)
console = Console()


@msd_app.command("check")
def msd_check(
    within: Annotated[float, typer.Option(help="hours ahead to warn about")] = 24.0,
) -> None:
    """List packages that need a bake or run out within the window; block the ones whose
    floor life ran out and expire the ones past their shelf life."""
    with uow() as s:
        soon, blocked = packages.do_enforce_floor_life(
            s, cli_actor(), within=timedelta(hours=within)
        )
        expired = [
            p.uid
            for p in stock.do_enforce_shelf_life(s, cli_actor(), clock.today(get_settings().tz))
        ]
    table = Table(title=f"MSD packages needing attention within {within:g} h")
    for col in ("package", "MSL", "status", "expires (UTC)", "reason"):
        table.add_column(col)
    for uid, state in soon:
        expires = f"{state.expires_at:%Y-%m-%d %H:%M}" if state.expires_at else ""
        table.add_row(uid, state.msl.value, state.status.value, expires, state.reason)
    console.print(table)
    if blocked:
        console.print(f"[red]blocked now[/red]: {', '.join(blocked)}")
    if expired:
        console.print(f"[red]past shelf life, expired now[/red]: {', '.join(expired)}")


mrp_app = typer.Typer(help="Material requirements planning.", no_args_is_help=True)


@mrp_app.command("run")
def mrp_run(
    as_json: Annotated[bool, typer.Option("--json", help="print the whole plan as JSON")] = False,
    today: Annotated[
        str | None, typer.Option(help="plan as of this day (YYYY-MM-DD); default: today")
    ] = None,
) -> None:
    """Replan every item from scratch: planned orders, shortages, clear to build."""
    day = _parse_day(today) if today else clock.today(get_settings().tz)
    with uow() as s:
        outcome = planning.do_run_mrp(s, cli_actor(), today=day)
        if as_json:
            typer.echo(json.dumps(planning.result_json(outcome), indent=1))
            return
        run = outcome.run
        table = Table(title=f"MRP run {run.id} as of {run.today} ({run.seconds:.2f} s)")
        table.add_column("figure")
        table.add_column("value", justify="right")
        for key, value in run.counts.items():
            table.add_row(key.replace("_", " "), f"{value:,}")
        console.print(table)
        for warning in outcome.warnings:
            console.print(f"[yellow]warning[/yellow]: {warning}")
        short = [a for a in outcome.result.clear_to_build.values() if not a.clear]
        if short:
            ctb = Table(title="Work orders not clear to build")
            for col in ("work order", "start", "clear on", "short items"):
                ctb.add_column(col)
            for a in sorted(short, key=lambda a: a.start):
                lacking = ", ".join(f"{c.item} ({c.short})" for c in a.components if c.short)
                ctb.add_row(a.work_order, str(a.start), str(a.clear_on), lacking)
            console.print(ctb)


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from None
