"""Demo data for supply: a distributor with offers for some demo items.

The prices are illustrative demo figures, not anyone's real price list.
"""

from __future__ import annotations

from boardline.core.auth import Actor
from boardline.core.db import Database
from boardline.supply import services as supply

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
    return [f"supplier DEMO-DIST with {len(DEMO_OFFERS)} offers (illustrative prices)"]
