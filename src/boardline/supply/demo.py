"""Demo data for supply: a distributor with offers for some demo items.

The prices are illustrative demo figures, not anyone's real price list.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from boardline.catalog import services as catalog
from boardline.core import clock
from boardline.core.auth import Actor
from boardline.core.db import Database
from boardline.supply import inventory, packages
from boardline.supply import services as supply
from boardline.supply.packages import Receipt

# (manufacturer, MPN, packaging, MOQ, multiple, lead time days, price breaks)
DEMO_OFFERS = [
    (
        "Lattice Semiconductor Corporation",
        "LFE5U-25F-8MG285C",
        "tray",
        1,
        1,
        28,
        [(1, "14.80"), (25, "13.20"), (119, "12.10")],
    ),
    (
        "Micron Technology Inc.",
        "MT41K64M16TW-107:J TR",
        "cut_tape",
        1,
        1,
        21,
        [(1, "3.95"), (100, "3.40"), (1000, "3.05")],
    ),
    ("Winbond Electronics", "W25Q128JVPIQ", "tube", 1, 1, 14, [(1, "1.20"), (100, "0.92")]),
    (
        "Texas Instruments",
        "TLV62569DRLR",
        "cut_tape",
        1,
        1,
        10,
        [(1, "0.62"), (100, "0.41"), (1000, "0.30")],
    ),
    ("Yageo", "RC0201FR-0710KL", "reel", 15000, 15000, 35, [(15000, "0.0012")]),
    ("Yageo", "RC0201FR-0710KL", "cut_tape", 10, 10, 3, [(10, "0.010"), (100, "0.006")]),
]


def seed(db: Database, buyer: Actor) -> list[str]:
    with db.unit_of_work(buyer) as s:
        dist = supply.do_create_supplier(s, buyer, code="DEMO-DIST", name="Demo Distribution")
        for maker, mpn, pack, moq, multiple, lead, breaks in DEMO_OFFERS:
            supply.do_add_offer(
                s,
                buyer,
                dist.id,
                manufacturer=maker,
                mpn=mpn,
                packaging=pack,
                breaks=breaks,
                moq=moq,
                multiple=multiple,
                lead_time_days=lead,
            )
        received = _receive_demo_packages(s, buyer)
    return [
        f"supplier DEMO-DIST with {len(DEMO_OFFERS)} offers (illustrative prices)",
        f"{received} packages received, MSD parts part-way through their floor life",
    ]


def _receive_demo_packages(s: Session, buyer: Actor) -> int:
    """Reels of demo parts, and a made-up MSL 3 part whose bags were opened at other times.

    The MSD part is a demo part (not a real MPN), so no moisture rating is claimed for
    anyone's real product.
    """
    msd_item = catalog.do_create_item(
        s,
        buyer,
        number="DEMO-MCU-QFN48",
        description="Demo MCU, QFN-48 (MSL 3)",
        package="QFN-48",
        pin_count=49,
        msl="3",
    )
    catalog.do_add_part(
        s, buyer, msd_item.id, manufacturer="Demo Semiconductor", mpn="DEMO-QFN48-001"
    )
    for code, kind in [
        ("A-01", "bin"),
        ("DRY-1", "dry_cabinet"),
        ("L1-SIDE", "line_side"),
        ("TROLLEY-1", "trolley"),
    ]:
        inventory.do_create_location(s, buyer, code=code, kind=kind)
    count = 0
    for maker, mpn, qty, pack in [
        ("Yageo", "RC0201FR-0710KL", 15000, "reel"),
        ("Texas Instruments", "TLV62569DRLR", 250, "cut_tape"),
        ("Winbond Electronics", "W25Q128JVPIQ", 100, "tube"),
    ]:
        pkg = packages.do_receive(
            s, buyer, Receipt(maker, mpn, qty, packaging=pack, lot="L2611", date_code="2644")
        )
        packages.do_set_state(s, buyer, pkg.uid, "available", reason="incoming inspection OK")
        inventory.do_move(s, buyer, pkg.uid, "A-01")
        count += 1
    now = clock.now()
    # opened 150 h ago (18 h of 168 left), 60 h ago and now in the dry cabinet, 200 h ago
    for opened_hours_ago, put_away in [(150, "L1-SIDE"), (60, "DRY-1"), (200, "A-01")]:
        pkg = packages.do_receive(
            s,
            buyer,
            Receipt(
                "Demo Semiconductor",
                "DEMO-QFN48-001",
                490,
                packaging="tray",
                lot="D7731",
                date_code="2640",
                sealed=False,  # its dry-bag history is backdated below
            ),
        )
        opened = now - timedelta(hours=opened_hours_ago)
        packages.do_msd_event(s, buyer, pkg.uid, "sealed", at=opened - timedelta(days=30))
        packages.do_set_state(s, buyer, pkg.uid, "available", reason="incoming inspection OK")
        packages.do_msd_event(s, buyer, pkg.uid, "opened", at=opened)
        inventory.do_move(s, buyer, pkg.uid, put_away)
        count += 1
    packages.do_enforce_floor_life(s, buyer, within=timedelta(hours=24))
    return count
