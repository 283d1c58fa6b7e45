"""Demo data for supply: a distributor with offers for some demo items, then orders.

The prices are illustrative demo figures, not anyone's real price list.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from boardline.catalog import services as catalog
from boardline.core import clock
from boardline.core.auth import Actor
from boardline.core.db import Database
from boardline.core.services import find_customer
from boardline.npi import services as npi
from boardline.npi.pipeline import InputFile
from boardline.supply import inventory, kitting, packages, planning, purchasing, sales
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


def seed_orders(
    db: Database, *, engineer: Actor, planner: Actor, buyer: Actor, boss: Actor
) -> list[str]:
    """Orders on the imported boards, a PO part-received, a kit, a shipment and an MRP run.

    ORBIT buys OrangeCrab PCBAs and a kit built around one (box build: PCBA, enclosure,
    cable), so MRP explodes two BOM levels. Stock covers part of the need and a sent PO
    more; the rest shows as shortages and planned purchases.
    """
    today = clock.today()
    with db.unit_of_work(engineer) as s:
        orbit = find_customer(s, "ORBIT")
        crab = npi.find_product(s, engineer, "ORBIT", "ORANGECRAB")
        assert crab is not None, "the NPI demo imports OrangeCrab first"
        crab_rev = npi.find_revision(s, crab.id, "A")
        assert crab_rev is not None
        for number, description, maker, mpn in [
            ("PCBA-ORANGECRAB-A", "OrangeCrab PCBA rev A", "Orbit Avionics", "ORANGECRAB-PCBA-A"),
            ("ENCL-OC-1", "Demo enclosure for OrangeCrab", "Demo Mechanics", "DM-ENCL-OC1"),
            ("CABLE-USBC-1M", "Demo USB-C cable, 1 m", "Demo Mechanics", "DM-USBC-1M"),
        ]:
            item = catalog.do_create_item(s, engineer, number=number, description=description)
            catalog.do_add_part(s, engineer, item.id, manufacturer=maker, mpn=mpn)
        npi.do_set_built_item(s, engineer, crab_rev.id, item_number="PCBA-ORANGECRAB-A")
        # A part ORBIT consigned for an earlier design: obsolete now, so it shows as E&O.
        old_osc = catalog.do_create_item(
            s,
            engineer,
            number="OSC-25M-OLD",
            description="25 MHz oscillator of a retired ORBIT design",
            lifecycle="obsolete",
        )
        catalog.do_add_part(s, engineer, old_osc.id, manufacturer="Demo Timing", mpn="DT-25M-3225")
        kit = npi.do_create_product(
            s, engineer, customer_id=orbit.id, code="OC-DEVKIT", name="OrangeCrab dev kit"
        )
        kit_rev = npi.do_create_revision(s, engineer, kit.id, label="A")
        npi.do_import(s, engineer, kit_rev.id, [InputFile("devkit-bom.csv", DEVKIT_BOM)])
        crab_rev_id, kit_rev_id, orbit_id = crab_rev.id, kit_rev.id, orbit.id

    with db.unit_of_work(planner) as s:
        new = sales.NewSalesOrder
        shipped_so = sales.do_create_sales_order(
            s, planner, new(orbit_id, crab_rev_id, 5, today + timedelta(days=2), "ORB-PO-7701")
        )
        sales.do_ship(
            s,
            planner,
            shipped_so.id,
            [f"OC-A-{n:05d}" for n in range(1, 6)],
            carrier="DHL",
            tracking="JD014600006281234567",
        )
        pcba_so = sales.do_create_sales_order(
            s, planner, new(orbit_id, crab_rev_id, 20, today + timedelta(days=21), "ORB-PO-7714")
        )
        sales.do_create_sales_order(
            s, planner, new(orbit_id, kit_rev_id, 40, today + timedelta(days=45), "ORB-PO-7720")
        )
        wo = sales.do_create_work_order_for(s, planner, pcba_so.id)
        wo_id, wo_number = wo.id, wo.number

    with db.unit_of_work(buyer) as s:
        dist = supply.find_supplier(s, buyer, "DEMO-DIST")
        po = purchasing.do_create_po(s, buyer, supplier_id=dist.id, customer_id=orbit_id)
        fpga = purchasing.do_add_line(
            s,
            buyer,
            po.id,
            manufacturer="Lattice Semiconductor Corporation",
            mpn="LFE5U-25F-8MG285C",
            quantity=20,
        )
        purchasing.do_add_line(
            s,
            buyer,
            po.id,
            manufacturer="Micron Technology Inc.",
            mpn="MT41K64M16TW-107:J TR",
            quantity=20,
        )
        po_id, fpga_line = po.id, fpga.id
    with db.unit_of_work(boss) as s:
        purchasing.do_approve(s, boss, po_id)
    with db.unit_of_work(buyer) as s:
        purchasing.do_send(s, buyer, po_id)
        received = packages.do_receive_many(
            s,
            buyer,
            Receipt(
                "", "", 4, packaging="tray", lot="LAT2611A", date_code="2641", po_line_id=fpga_line
            ),
            2,
        )
        for pkg in received:
            packages.do_set_state(s, buyer, pkg.uid, "available", reason="incoming inspection OK")
            inventory.do_move(s, buyer, pkg.uid, "A-01")
        consigned = packages.do_receive(
            s,
            buyer,
            Receipt(
                "Demo Timing",
                "DT-25M-3225",
                2000,
                lot="ORB-C-0412",
                customer_id=orbit_id,
                consigned=True,
            ),
        )
        packages.do_set_state(s, buyer, consigned.uid, "available", reason="consigned by ORBIT")
        inventory.do_move(s, buyer, consigned.uid, "A-01")
        po_number = purchasing.access_po(s, buyer, po_id).number
        draft = purchasing.do_create_po(s, buyer, supplier_id=dist.id, customer_id=orbit_id)
        purchasing.do_add_line(
            s, buyer, draft.id, manufacturer="Winbond Electronics", mpn="W25Q128JVPIQ", quantity=100
        )

    with db.unit_of_work(planner) as s:
        kitted = kitting.do_auto_reserve(s, planner, wo_id)
        outcome = planning.do_run_mrp(s, planner, today=today)
        counts = outcome.run.counts
    return [
        "ORBIT sales orders for OrangeCrab PCBAs and a dev kit built around one (two BOM "
        f"levels); 5 prototypes shipped with a packing list; {wo_number} for 20 PCBAs",
        f"{po_number} sent to DEMO-DIST and part-received (2 trays of FPGAs, labels "
        "printable); a draft PO waiting",
        f"{len(kitted)} packages reserved for {wo_number}'s kit; a reel ORBIT consigned "
        "for a retired design shows as excess and obsolete",
        f"MRP run: {counts['planned_purchases']} planned purchases, {counts['shortages']} "
        f"shortages, {counts['clear_to_build']} of {counts['work_orders']} work orders clear "
        "to build",
    ]


# The dev kit's BOM: the PCBA by its item's part number, and two mechanical parts.
DEVKIT_BOM = (
    b"Designator,Qty,MPN,Manufacturer,Description\n"
    b"A1,1,ORANGECRAB-PCBA-A,Orbit Avionics,OrangeCrab PCBA rev A\n"
    b"M1,1,DM-ENCL-OC1,Demo Mechanics,Enclosure\n"
    b"W1,1,DM-USBC-1M,Demo Mechanics,USB-C cable 1 m\n"
)
