"""``boardline demo``: each domain seeds its part of the demo factory, in dependency order."""

from __future__ import annotations

from rich.console import Console

from boardline.catalog import demo as catalog_demo
from boardline.core import demo as core_demo
from boardline.core.auth import Actor
from boardline.core.db import Database
from boardline.core.services import actor_for_user, find_user
from boardline.npi import demo as npi_demo
from boardline.production import demo as production_demo
from boardline.supply import demo as supply_demo


def seed_all(
    db: Database, admin_password: str, user_password: str, console: Console
) -> core_demo.DemoLogins:
    with console.status("seeding customers, users and signatures"):
        logins = core_demo.seed(db, admin_password, user_password)
    with db.unit_of_work(Actor.system("demo"), write=False) as s:
        engineer = actor_for_user(find_user(s, "eng"))
    with console.status("filling the item master"):
        lines = [f"Catalog: {line}" for line in catalog_demo.seed(db, engineer)]
    with db.unit_of_work(Actor.system("demo"), write=False) as s:
        buyer = actor_for_user(find_user(s, "buyer"))
    with console.status("adding a supplier with offers"):
        lines += [f"Supply: {line}" for line in supply_demo.seed(db, buyer)]
    with console.status("importing real open-hardware boards into NPI"):
        lines += [f"NPI: {line}" for line in npi_demo.seed(db, engineer, user_password)]
    with console.status("setting up the factory's lines and stations"):
        lines += [f"Production: {line}" for line in production_demo.seed(db, engineer)]
    with db.unit_of_work(Actor.system("demo"), write=False) as s:
        planner = actor_for_user(find_user(s, "planner"))
        boss = actor_for_user(find_user(s, "super"))
    with console.status("taking orders, buying, kitting and running MRP"):
        lines += [
            f"Orders: {line}"
            for line in supply_demo.seed_orders(
                db, engineer=engineer, planner=planner, buyer=buyer, boss=boss
            )
        ]
    with db.unit_of_work(Actor.system("demo"), write=False) as s:
        operator = actor_for_user(find_user(s, "op1"))
    with console.status("running units through the line"):
        lines += [
            f"Production: {line}"
            for line in production_demo.seed_wip(
                db, engineer=engineer, planner=planner, operator=operator, password=user_password
            )
        ]
        lines += [
            f"Production: {line}"
            for line in production_demo.seed_feeders(db, engineer=engineer, operator=operator)
        ]
    for line in lines:
        console.print(line)
    return logins
