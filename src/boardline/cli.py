"""The ``boardline`` command: one Typer app; each domain adds its command groups."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from boardline.core import cli as core_cli
from boardline.core.errors import BoardlineError
from boardline.npi import cli as npi_cli
from boardline.supply import cli as supply_cli

app = typer.Typer(
    help="Boardline: ERP and MES for electronics manufacturing services.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(core_cli.db_app, name="db")
app.add_typer(core_cli.user_app, name="user")
app.add_typer(core_cli.token_app, name="token")
app.add_typer(core_cli.customer_app, name="customer")
app.add_typer(core_cli.audit_app, name="audit")
app.add_typer(npi_cli.npi_app, name="npi")
app.add_typer(supply_cli.msd_app, name="msd")
app.add_typer(supply_cli.mrp_app, name="mrp")

console = Console()


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the web app and API on the configured database."""
    import uvicorn

    from boardline.web.app import create_app

    uvicorn.run(create_app(), host=host, port=port, log_level="info")


@app.command()
def demo(
    database: Annotated[Path, typer.Option(help="SQLite file, made anew")] = Path(
        "var/demo.sqlite"
    ),
    host: str = "127.0.0.1",
    port: int = 8000,
    serve: Annotated[bool, typer.Option(help="serve after seeding")] = True,
) -> None:
    """Create a demo factory database with data, print the logins, and serve it."""
    from boardline.core import migrate
    from boardline.core.db import Database
    from boardline.core.settings import Settings, get_settings
    from boardline.demo import seed_all

    database.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    with console.status("creating the demo database"):
        migrate.upgrade(url)
    db = Database(url)
    admin_password = secrets.token_urlsafe(9)
    user_password = "demo-" + secrets.token_urlsafe(6)
    logins = seed_all(db, admin_password, user_password, console)

    table = Table(title="Demo logins", show_lines=False)
    table.add_column("username")
    table.add_column("role")
    table.add_column("password")
    table.add_row("admin", "Administrator", admin_password)
    for username, role in logins.users:
        table.add_row(username, role, user_password)
    console.print(table)
    console.print(f"Machine API token (aoi-line1, operator): {logins.machine_token}")
    console.print(f"Database: {database}")
    if not serve:
        return
    console.print(f"Open [bold]http://{host}:{port}/[/bold] and sign in as admin.")
    import uvicorn

    from boardline.web.app import create_app

    settings = Settings(**{**get_settings().model_dump(), "database_url": url})
    uvicorn.run(create_app(settings, db), host=host, port=port, log_level="warning")


@app.command()
def bench(
    what: Annotated[
        str, typer.Argument(help="audit | npi | mrp | receiving | units | all")
    ] = "all",
    entries: Annotated[int, typer.Option(help="audit entries to write")] = 20000,
    pg_url: Annotated[
        str | None,
        typer.Option(envvar="BOARDLINE_TEST_PG_URL", help="also measure on this PostgreSQL"),
    ] = None,
) -> None:
    """Measure and print the platform's figures (see docs/benchmarks.md)."""
    from boardline.core.bench import run_audit_bench
    from boardline.npi.bench import run_npi_bench
    from boardline.production.units_bench import run_units_bench
    from boardline.supply.mrp_bench import run_mrp_bench
    from boardline.supply.receiving_bench import run_receiving_bench

    if what not in ("audit", "npi", "mrp", "receiving", "units", "all"):
        raise typer.BadParameter(
            f"unknown benchmark {what!r}; use audit, npi, mrp, receiving, units or all"
        )
    if what in ("audit", "all"):
        run_audit_bench(console, entries=entries, pg_url=pg_url)
    if what in ("npi", "all"):
        run_npi_bench(console)
    if what in ("mrp", "all"):
        run_mrp_bench(console, pg_url=pg_url)
    if what in ("receiving", "all"):
        run_receiving_bench(console, pg_url=pg_url)
    if what in ("units", "all"):
        run_units_bench(console, pg_url=pg_url)


def main() -> None:
    """Entry point: domain errors become a clear message and exit code 2, not a traceback."""
    try:
        app()
    except BoardlineError as exc:
        Console(stderr=True).print(f"[red]error[/red] ({exc.code}): {exc.detail}")
        sys.exit(2)
