"""Demo data for the platform core: customers, one user per role, a machine token, signatures.

Everything goes through the services, as a person would do it, so the audit trail of the
demo is a real one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from boardline.core import services, signing
from boardline.core.auth import Actor, Role
from boardline.core.db import Database
from boardline.core.signatures import Meaning

DEMO_CUSTOMERS = [
    ("ACME", "Acme Industrial Controls", "Automotive tier 2; IATF 16949 traceability."),
    ("MEDIQ", "MediQ Devices", "Class II medical; device history record per serial."),
    ("ORBIT", "Orbit Avionics", "AS9100; first article inspection on every new revision."),
]

DEMO_STAFF = [
    ("eng", "Erin Engineer", Role.ENGINEER),
    ("planner", "Pat Planner", Role.PLANNER),
    ("buyer", "Bo Buyer", Role.BUYER),
    ("super", "Sam Supervisor", Role.SUPERVISOR),
    ("op1", "Olu Operator", Role.OPERATOR),
    ("qe", "Quinn Quality", Role.QUALITY),
]


@dataclass
class DemoLogins:
    admin_password: str
    user_password: str
    users: list[tuple[str, str]] = field(default_factory=list)
    machine_token: str = ""


def seed(db: Database, admin_password: str, user_password: str) -> DemoLogins:
    system = Actor.system("demo")
    logins = DemoLogins(admin_password, user_password)
    with db.unit_of_work(system) as s:
        admin = services.do_create_user(
            s,
            system,
            username="admin",
            full_name="Ada Admin",
            role=Role.ADMIN,
            password=admin_password,
        )
        customers = {
            code: services.do_create_customer(s, system, code=code, name=name, notes=notes)
            for code, name, notes in DEMO_CUSTOMERS
        }
        for username, name, role in DEMO_STAFF:
            services.do_create_user(
                s, system, username=username, full_name=name, role=role, password=user_password
            )
            logins.users.append((username, role.label))
        services.do_create_user(
            s,
            system,
            username="acme.viewer",
            full_name="Alex Acme",
            role=Role.CUSTOMER,
            password=user_password,
            customer_id=customers["ACME"].id,
        )
        logins.users.append(("acme.viewer", "Customer (ACME only)"))
        _, logins.machine_token = services.do_create_token(
            s, system, name="aoi-line1", role=Role.OPERATOR, days=365
        )
        admin_actor = services.actor_for_user(admin)

    with db.unit_of_work(system) as s:
        qe_user = services.find_user(s, "qe")
        qe = services.actor_for_user(qe_user)
    with db.unit_of_work(qe) as s:
        for code in ("MEDIQ", "ORBIT"):
            customer = services.find_customer(s, code)
            signing.do_sign(
                s,
                qe,
                customer,
                meaning=Meaning.APPROVED,
                password=user_password,
                comment="Quality agreement on file",
            )
    # A change after signing: the ORBIT approval now shows as broken.
    with db.unit_of_work(admin_actor) as s:
        orbit = services.find_customer(s, "ORBIT")
        services.do_update_customer(
            s,
            admin_actor,
            orbit.id,
            expected_version=orbit.version,
            notes=orbit.notes + " Quality agreement under revision.",
        )
    return logins
