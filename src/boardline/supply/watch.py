"""The server's periodic material check: block packages whose floor life ran out, expire
packages past their shelf life, and log what runs out soon.

``boardline msd check`` does the same on demand. In the server it runs once at start and
then every ``material_check_s`` seconds in a worker thread, so a reel that expires at
03:00 is blocked at 03:00, not when someone next looks at it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from boardline.core import clock
from boardline.core.auth import Actor
from boardline.core.db import Database
from boardline.core.settings import Settings
from boardline.supply import packages, stock

log = logging.getLogger(__name__)
WARN_WITHIN = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class CheckReport:
    blocked: list[str]  # floor life ran out: blocked now
    expired: list[str]  # past shelf life: expired now
    running_out: list[str]  # floor life ends within WARN_WITHIN (or needs a bake)


def run_material_checks(db: Database, settings: Settings) -> CheckReport:
    """One pass of every automatic material rule, in one unit of work."""
    actor = Actor.system("material-check")
    with db.unit_of_work(actor) as s:
        soon, blocked = packages.do_enforce_floor_life(s, actor, within=WARN_WITHIN)
        expired = stock.do_enforce_shelf_life(s, actor, clock.today(settings.tz))
    report = CheckReport(
        blocked=list(blocked),
        expired=[p.uid for p in expired],
        running_out=[uid for uid, _ in soon if uid not in blocked],
    )
    if report.blocked or report.expired:
        log.warning(
            "material check: blocked %s; expired %s", report.blocked or "-", report.expired or "-"
        )
    return report


async def material_watch(db: Database, settings: Settings) -> None:
    """Run the checks now and then every ``settings.material_check_s`` until cancelled."""
    while True:
        try:
            await asyncio.to_thread(run_material_checks, db, settings)
        except Exception:
            # A failed pass (database briefly away) must not end the watch for good.
            log.exception("material check failed; retrying at the next interval")
        await asyncio.sleep(settings.material_check_s)
