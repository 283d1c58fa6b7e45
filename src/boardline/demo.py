"""``boardline demo``: each domain seeds its part of the demo factory, in dependency order."""

from __future__ import annotations

from rich.console import Console

from boardline.core import demo as core_demo
from boardline.core.db import Database


def seed_all(
    db: Database, admin_password: str, user_password: str, console: Console
) -> core_demo.DemoLogins:
    with console.status("seeding customers, users and signatures"):
        return core_demo.seed(db, admin_password, user_password)
