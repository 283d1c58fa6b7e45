"""Roles, permissions and the acting identity: pure rules, no I/O.

Every service call names an :class:`Actor`. Permission checks and customer scoping are
decided here so the web, the CLI and machine handlers all get the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from boardline.core.errors import InvalidInput, NotFound, PermissionDenied


class Role(StrEnum):
    ADMIN = "admin"
    ENGINEER = "engineer"
    PLANNER = "planner"
    BUYER = "buyer"
    SUPERVISOR = "supervisor"
    OPERATOR = "operator"
    QUALITY = "quality"
    CUSTOMER = "customer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.ENGINEER: "NPI / process engineer",
    Role.PLANNER: "Planner",
    Role.BUYER: "Buyer",
    Role.SUPERVISOR: "Supervisor",
    Role.OPERATOR: "Operator",
    Role.QUALITY: "Quality engineer",
    Role.CUSTOMER: "Customer",
}


class Perm(StrEnum):
    """What an actor may do. Later domains add theirs here, next to the roles that hold them."""

    USERS_VIEW = "users.view"
    USERS_MANAGE = "users.manage"
    TOKENS_MANAGE = "tokens.manage"
    CUSTOMERS_VIEW = "customers.view"
    CUSTOMERS_MANAGE = "customers.manage"
    AUDIT_VIEW = "audit.view"
    RECORDS_SIGN = "records.sign"
    NPI_VIEW = "npi.view"
    NPI_MANAGE = "npi.manage"
    CATALOG_VIEW = "catalog.view"
    CATALOG_MANAGE = "catalog.manage"
    # Materials: buying, the stores, selling, planning.
    PURCHASE_MANAGE = "purchase.manage"  # draft, send, cancel purchase orders
    PURCHASE_APPROVE = "purchase.approve"  # approve a purchase order (spend)
    RECEIVE_OVER = "purchase.receive_over"  # accept more than a PO line ordered
    STORES = "stores"  # receive, move, split, join, count, kit, issue, return
    SALES_VIEW = "sales.view"  # sales orders and shipments (customers see their own)
    SALES_MANAGE = "sales.manage"  # enter sales orders, ship
    PLANNING = "planning"  # work orders by hand, MRP runs
    PRODUCTION_VIEW = "production.view"  # work orders (customers see their own)
    FACTORY_MANAGE = "factory.manage"  # sites, lines, stations, routings
    PRODUCTION_RECORD = "production.record"  # start and finish operations on units


_STAFF = {
    Perm.CUSTOMERS_VIEW,
    Perm.RECORDS_SIGN,
    Perm.NPI_VIEW,
    Perm.CATALOG_VIEW,
    Perm.SALES_VIEW,
    Perm.PRODUCTION_VIEW,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.ADMIN: frozenset(Perm),
    Role.ENGINEER: frozenset(
        _STAFF | {Perm.NPI_MANAGE, Perm.CATALOG_MANAGE, Perm.FACTORY_MANAGE, Perm.PRODUCTION_RECORD}
    ),
    Role.PLANNER: frozenset(_STAFF | {Perm.PLANNING, Perm.SALES_MANAGE, Perm.STORES}),
    Role.BUYER: frozenset(
        _STAFF | {Perm.CATALOG_MANAGE, Perm.PURCHASE_MANAGE, Perm.STORES, Perm.PLANNING}
    ),
    # Approving spend and accepting over-deliveries is a second person's decision.
    Role.SUPERVISOR: frozenset(
        _STAFF
        | {
            Perm.USERS_VIEW,
            Perm.AUDIT_VIEW,
            Perm.PURCHASE_APPROVE,
            Perm.RECEIVE_OVER,
            Perm.STORES,
            Perm.SALES_MANAGE,
            Perm.PLANNING,
            Perm.FACTORY_MANAGE,
            Perm.PRODUCTION_RECORD,
        }
    ),
    # Operators take kits to the line and bring the rest back.
    Role.OPERATOR: frozenset(
        {
            Perm.CUSTOMERS_VIEW,
            Perm.NPI_VIEW,
            Perm.CATALOG_VIEW,
            Perm.STORES,
            Perm.PRODUCTION_VIEW,
            Perm.PRODUCTION_RECORD,
        }
    ),
    Role.QUALITY: frozenset(
        _STAFF | {Perm.AUDIT_VIEW, Perm.USERS_VIEW, Perm.STORES, Perm.PRODUCTION_RECORD}
    ),
    # A customer sees its own account and nothing of other customers (see Actor.scope).
    Role.CUSTOMER: frozenset(
        {Perm.CUSTOMERS_VIEW, Perm.NPI_VIEW, Perm.SALES_VIEW, Perm.PRODUCTION_VIEW}
    ),
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a signed-in person, an API token, or the system itself (CLI, jobs)."""

    kind: str  # "user" | "token" | "system"
    name: str
    role: Role
    user_id: int | None = None
    customer_id: int | None = None

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(kind="system", name=name, role=Role.ADMIN)

    @classmethod
    def anonymous(cls) -> Actor:
        """Nobody signed in yet: may do nothing, sees no customer's records."""
        return cls(kind="anonymous", name="anonymous", role=Role.CUSTOMER)

    @property
    def label(self) -> str:
        """How the actor appears in the audit trail: ``user:alice``, ``token:aoi-1``."""
        return f"{self.kind}:{self.name}"

    @property
    def is_customer(self) -> bool:
        return self.role is Role.CUSTOMER

    def can(self, perm: Perm) -> bool:
        return self.kind != "anonymous" and perm in ROLE_PERMISSIONS[self.role]


def check_permission(actor: Actor, perm: Perm) -> None:
    """Raise PermissionDenied unless the actor's role holds ``perm``."""
    if not actor.can(perm):
        raise PermissionDenied(
            f"your role ({actor.role.label}) may not do this ({perm.value})", permission=perm.value
        )


def check_customer_scope(actor: Actor, owner_customer_id: int | None, what: str) -> None:
    """Raise NotFound when a customer actor reaches for a record that is not its customer's.

    NotFound, not PermissionDenied: a customer must not learn that another customer's
    record exists.
    """
    if actor.is_customer and owner_customer_id != actor.customer_id:
        raise NotFound(f"{what} not found")


def check_role_assignment(role: Role, customer_id: int | None) -> None:
    """A customer user belongs to exactly one customer; staff belong to none."""
    if role is Role.CUSTOMER and customer_id is None:
        raise InvalidInput("a customer user needs a customer account", field="customer")
    if role is not Role.CUSTOMER and customer_id is not None:
        raise InvalidInput("only customer users belong to a customer account", field="customer")
