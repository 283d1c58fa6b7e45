"""The core CLI commands against both databases."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from boardline.cli import app
from boardline.core import services
from boardline.core.auth import Actor
from boardline.core.db import Database
from boardline.core.settings import get_settings
from tests.conftest import PASSWORD, add_customer


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("BOARDLINE_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_user_add_list_disable(cli: CliRunner, db: Database) -> None:
    add_customer(db, "ACME")
    added = cli.invoke(
        app,
        [
            "user",
            "add",
            "acme.qa",
            "--role",
            "customer",
            "--name",
            "Alex Acme",
            "--customer",
            "acme",
            "--password",
            PASSWORD,
        ],
    )
    assert added.exit_code == 0, added.output
    listed = cli.invoke(app, ["user", "list"])
    assert "acme.qa" in listed.output
    assert "ACME" in listed.output
    disabled = cli.invoke(app, ["user", "disable", "acme.qa", "--reason", "contract ended"])
    assert disabled.exit_code == 0, disabled.output
    assert "disabled" in cli.invoke(app, ["user", "list"]).output
    system = Actor.system()
    with db.unit_of_work(system, write=False) as s:
        assert services.find_user(s, "acme.qa").active is False


def test_bad_input_prints_a_clear_error_and_exits_2(db: Database) -> None:
    env = {**os.environ, "BOARDLINE_DATABASE_URL": db.url}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "boardline",
            "user",
            "add",
            "x1",
            "--role",
            "wizard",
            "--name",
            "X",
            "--password",
            PASSWORD,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "invalid_input" in result.stderr
    assert "unknown role 'wizard'" in result.stderr
    assert "Traceback" not in result.stderr


def test_token_create_then_revoke(cli: CliRunner, db: Database) -> None:
    created = cli.invoke(
        app, ["token", "create", "spi-line1", "--role", "operator", "--days", "90"]
    )
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    system = Actor.system()
    with db.unit_of_work(system, write=False) as s:
        assert services.authenticate_token(s, secret).name == "spi-line1"
    prefix = secret.split("_")[1]
    revoked = cli.invoke(app, ["token", "revoke", prefix, "--reason", "line rebuilt"])
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in cli.invoke(app, ["token", "list"]).output


def test_customer_add_and_list(cli: CliRunner) -> None:
    assert cli.invoke(app, ["customer", "add", "orbit", "Orbit Avionics"]).exit_code == 0
    assert "ORBIT" in cli.invoke(app, ["customer", "list"]).output
