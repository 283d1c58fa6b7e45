"""Demo data for the catalog: items for parts of the OrangeCrab BOM, and approved lists.

The MPNs and alternates are the ones the OrangeCrab BOM itself names. No lifecycle or MSL
facts are claimed for these real parts: those fields stay at their defaults.
"""

from __future__ import annotations

from boardline.catalog import services as catalog
from boardline.core.auth import Actor
from boardline.core.db import Database
from boardline.core.services import find_customer

# (item number, description, package, pins, [(manufacturer, mpn), ...] preferred first)
DEMO_ITEMS = [
    (
        "FPGA-ECP5-25F-285",
        "ECP5 FPGA 25k LUT, csBGA-285",
        "csBGA-285",
        285,
        [
            ("Lattice Semiconductor Corporation", "LFE5U-25F-8MG285C"),
            ("Lattice Semiconductor Corporation", "LFE5U-25F-8MG285I"),
        ],
    ),
    (
        "DRAM-DDR3L-1G-96",
        "DDR3L SDRAM 1 Gbit, FBGA-96",
        "BGA-96",
        96,
        [("Micron Technology Inc.", "MT41K64M16TW-107:J TR")],
    ),
    (
        "FLASH-QSPI-128M",
        "QSPI NOR flash 128 Mbit, WSON-8",
        "WSON-8",
        9,
        [("Winbond Electronics", "W25Q128JVPIQ")],
    ),
    (
        "REG-BUCK-TLV62569",
        "Buck converter 2 A, SOT-563",
        "SOT-563",
        6,
        [("Texas Instruments", "TLV62569DRLR")],
    ),
    (
        "CHG-LIPO-BQ24232",
        "Li-ion charger, QFN-16",
        "QFN-16",
        17,
        [("Texas Instruments", "BQ24232RGTR")],
    ),
    (
        "CAP-10N-0201",
        "10 nF X5R 0201",
        "0201",
        2,
        [("Samsung Electro-Mechanics", "CL03B103KP3NNNC"), ("Yageo", "CC0201KRX5R7BB103")],
    ),
    (
        "CAP-100N-0201",
        "100 nF X5R 0201",
        "0201",
        2,
        [("Samsung Electro-Mechanics", "CL03A104KQ3NNNC"), ("Yageo", "CC0201KRX5R7BB104")],
    ),
    (
        "RES-10K-0201",
        "10 kΩ 1 % 0201",
        "0201",
        2,
        [("Yageo", "RC0201FR-0710KL"), ("UNI-ROYAL(Uniroyal Elec)", "0201WMF1002TCE")],
    ),
    (
        "RES-1K-0201",
        "1 kΩ 1 % 0201",
        "0201",
        2,
        [("Yageo", "RC0201FR-071KL"), ("UNI-ROYAL(Uniroyal Elec)", "0201WMF1001TCE")],
    ),
    ("USB-C-RCPT-GCT", "USB-C receptacle, USB 2.0", "USB-C", 16, [("GCT", "USB4105-GF-A")]),
]

# ORBIT's approved manufacturers (an aerospace customer with a short list).
DEMO_AVL = {
    "ORBIT": [
        "Lattice Semiconductor Corporation",
        "Micron Technology Inc.",
        "Texas Instruments",
        "Winbond Electronics",
        "Yageo",
        "Samsung Electro-Mechanics",
        "Murata Electronics",
    ],
}


def seed(db: Database, engineer: Actor) -> list[str]:
    with db.unit_of_work(engineer) as s:
        for number, description, package, pins, parts in DEMO_ITEMS:
            item = catalog.do_create_item(
                s, engineer, number=number, description=description, package=package, pin_count=pins
            )
            for manufacturer, mpn in parts:
                catalog.do_add_part(s, engineer, item.id, manufacturer=manufacturer, mpn=mpn)
        for code, makers in DEMO_AVL.items():
            customer = find_customer(s, code)
            for maker in makers:
                catalog.do_approve_manufacturer(s, engineer, customer.id, maker)
    return [f"{len(DEMO_ITEMS)} items with their MPNs; approved list for " + ", ".join(DEMO_AVL)]
