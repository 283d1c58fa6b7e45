"""`make demo` seeds a working factory: the same seeding on both databases."""

from __future__ import annotations

from rich.console import Console
from sqlalchemy import func, select

from boardline.core import audit_trail
from boardline.core.auth import Actor
from boardline.core.db import Database
from boardline.demo import seed_all
from boardline.npi.rules import Stage
from boardline.npi.tables import Revision, Waiver


def test_demo_seeds_users_boards_a_release_and_a_waiver(db: Database) -> None:
    logins = seed_all(db, "admin-password-1", "demo-password-1", Console(quiet=True))
    assert {u for u, _ in logins.users} >= {"eng", "qe", "acme.viewer"}
    system = Actor.system()
    with db.unit_of_work(system, write=False) as s:
        stages = sorted(r.stage.value for r in s.scalars(select(Revision)))
        waivers = s.scalar(select(func.count()).select_from(Waiver))
        chain = audit_trail.verify_trail(s, system)
    # ACME has two boards; OrangeCrab was released to prototype.
    assert stages == sorted([Stage.DRAFT.value] * 3 + [Stage.PROTOTYPE.value])
    assert waivers == 1
    assert chain.ok
