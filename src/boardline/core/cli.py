"""CLI commands of the platform core: database, users, tokens, customers, audit trail.

The CLI acts as the system (``cli:<os user>`` in the audit trail): whoever can run it on
the server can reach the database anyway.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.orm import Session

from boardline.core import audit_trail, migrate, services
from boardline.core.auth import Actor
from boardline.core.db import Database
from boardline.core.settings import get_settings

console = Console()
err = Console(stderr=True)

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="People who sign in.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for machines and scripts.", no_args_is_help=True)
customer_app = typer.Typer(help="Customer accounts.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)


def cli_actor() -> Actor:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = str(os.getuid())
    return Actor.system(f"cli:{who}")


@contextmanager
def open_db() -> Iterator[Database]:
    db = Database(get_settings().database_url)
    try:
        yield db
    finally:
        db.dispose()


@contextmanager
def uow(*, write: bool = True) -> Iterator[Session]:
    """A unit of work on the configured database, acting as the CLI user."""
    with open_db() as db, db.unit_of_work(cli_actor(), write=write) as session:
        yield session


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Create or migrate the database schema to the newest version."""
    url = get_settings().database_url
    path = get_settings().sqlite_path()
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(url, revision)
    console.print(f"database at [bold]{migrate.head_revision(url)}[/bold]")


@db_app.command("current")
def db_current() -> None:
    """Print the schema revision of the database and the newest one."""
    with open_db() as db:
        console.print(
            f"current: {migrate.current_revision(db.engine)}  head: {migrate.head_revision(db.url)}"
        )


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[
        str,
        typer.Option(
            help="admin, engineer, planner, buyer, supervisor, operator, quality or customer"
        ),
    ],
    full_name: Annotated[str, typer.Option("--name", help="printed name for signatures")],
    customer: Annotated[str | None, typer.Option(help="customer code (customer users)")] = None,
    email: str = "",
    password: Annotated[
        str | None,
        typer.Option(
            help="initial password; asked for when not given", envvar="BOARDLINE_NEW_PASSWORD"
        ),
    ] = None,
) -> None:
    """Add a user."""
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with uow() as s:
        customer_id = None
        if customer:
            customer_id = services.find_customer(s, customer).id
        user = services.do_create_user(
            s,
            cli_actor(),
            username=username,
            full_name=full_name,
            role=role,
            password=password,
            customer_id=customer_id,
            email=email,
        )
        console.print(f"added user [bold]{user.username}[/bold] ({user.role.label})")


@user_app.command("list")
def user_list() -> None:
    """List users."""
    table = Table("username", "name", "role", "customer", "state")
    with uow(write=False) as s:
        for u in services.list_users(s, cli_actor()):
            table.add_row(
                u.username,
                u.full_name,
                u.role.value,
                u.customer.code if u.customer else "",
                "active" if u.active else "disabled",
            )
    console.print(table)


@user_app.command("disable")
def user_disable(username: str, reason: Annotated[str, typer.Option(help="why (audited)")]) -> None:
    """Disable a user: they can no longer sign in or sign records."""
    with uow() as s:
        user = services.find_user(s, username)
        services.do_set_active(s, cli_actor(), user.id, active=False, reason=reason)
    console.print(f"disabled {username}")


@user_app.command("enable")
def user_enable(username: str, reason: Annotated[str, typer.Option(help="why (audited)")]) -> None:
    """Enable a disabled user again."""
    with uow() as s:
        user = services.find_user(s, username)
        services.do_set_active(s, cli_actor(), user.id, active=True, reason=reason)
    console.print(f"enabled {username}")


@token_app.command("create")
def token_create(
    name: str,
    role: Annotated[str, typer.Option(help="the role the token acts with")],
    days: Annotated[int, typer.Option(help="days until it expires")] = 365,
    customer: Annotated[str | None, typer.Option(help="customer code (customer role)")] = None,
) -> None:
    """Create an API token; it is printed once and only its hash is stored."""
    with uow() as s:
        customer_id = services.find_customer(s, customer).id if customer else None
        token, secret = services.do_create_token(
            s, cli_actor(), name=name, role=role, days=days, customer_id=customer_id
        )
    err.print(
        f"token [bold]{token.name}[/bold] (prefix {token.prefix}), role {token.role.value},"
        f" expires {token.expires_at:%Y-%m-%d}. Store it now; it is not shown again:"
    )
    print(secret)


@token_app.command("revoke")
def token_revoke(
    ref: Annotated[str, typer.Argument(help="token id or prefix")],
    reason: Annotated[str, typer.Option(help="why (audited)")],
) -> None:
    """Revoke an API token at once."""
    with uow() as s:
        token = services.do_revoke_token(s, cli_actor(), ref, reason=reason)
    console.print(f"revoked {token.name} ({token.prefix})")


@token_app.command("list")
def token_list() -> None:
    """List API tokens (never their secrets)."""
    table = Table("id", "name", "prefix", "role", "expires", "state")
    with uow(write=False) as s:
        for t in services.list_tokens(s, cli_actor()):
            state = "revoked" if t.revoked_at else "live"
            table.add_row(
                str(t.id), t.name, t.prefix, t.role.value, f"{t.expires_at:%Y-%m-%d}", state
            )
    console.print(table)


@customer_app.command("add")
def customer_add(code: str, name: str, notes: str = "") -> None:
    """Add a customer account."""
    with uow() as s:
        c = services.do_create_customer(s, cli_actor(), code=code, name=name, notes=notes)
        console.print(f"added customer [bold]{c.code}[/bold] (id {c.id})")


@customer_app.command("list")
def customer_list() -> None:
    """List customer accounts."""
    table = Table("id", "code", "name", "state")
    with uow(write=False) as s:
        for c in services.list_customers(s, cli_actor()):
            table.add_row(str(c.id), c.code, c.name, "active" if c.active else "inactive")
    console.print(table)


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the hash chain; exit 1 and name the first altered, inserted or missing entry."""
    with uow(write=False) as s, Progress(console=err, transient=True) as progress:
        task = progress.add_task("verifying audit trail", total=None)
        result = audit_trail.verify_trail(
            s, cli_actor(), progress=lambda n: progress.advance(task, n)
        )
    if result.ok:
        console.print(f"[green]audit trail intact[/green]: {result.checked} entries verified")
        return
    assert result.problem is not None
    err.print(
        f"[red]audit trail BROKEN[/red] at entry #{result.problem.seq} "
        f"({result.problem.kind}): {result.problem.message}"
    )
    err.print(f"{result.checked} entries before it verified, of {result.total}")
    raise typer.Exit(1)
