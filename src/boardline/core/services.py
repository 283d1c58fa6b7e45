"""Use cases of the platform core: customers, users, sign-in and API tokens.

Write paths are named ``do_…``, validations ``check_…`` and permission-checked fetches
``access_…``. Each takes the session of a unit of work and the acting :class:`Actor`;
none commits: the caller's unit of work does, together with the audit entries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boardline.core import clock
from boardline.core.audit_trail import audit_reason
from boardline.core.auth import Actor, Perm, Role, check_permission, check_role_assignment
from boardline.core.errors import (
    AccountDisabled,
    AlreadyExists,
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleRecord,
    TokenInvalid,
)
from boardline.core.scoping import access_scoped, scoped
from boardline.core.security import (
    hash_password,
    hash_token,
    new_token,
    same_secret,
    split_token,
    verify_password,
)
from boardline.core.tables import ApiToken, Customer, User

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
CUSTOMER_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")
MIN_PASSWORD_LENGTH = 10
MAX_TOKEN_DAYS = 3 * 365
LOGIN_FAILED = "wrong username or password"


def check_version(record: Any, expected_version: int | None, what: str) -> None:
    """Refuse a write based on an out-of-date copy of the record (no lost updates)."""
    if expected_version is not None and record.version != expected_version:
        raise StaleRecord(
            f"{what} was changed by someone else (version {record.version}, "
            f"you edited version {expected_version}); reload and apply your change again",
            current_version=record.version,
        )


def check_reason(reason: str | None, action: str) -> str:
    if not reason or not reason.strip():
        raise InvalidInput(f"{action} needs a reason", field="reason")
    return reason.strip()


# --- customers ------------------------------------------------------------------------


def check_customer_code(code: str) -> str:
    code = code.strip().upper()
    if not CUSTOMER_CODE_RE.match(code):
        raise InvalidInput(
            f"customer code {code!r}: use 1-32 letters, digits, '-' or '_'", field="code"
        )
    return code


def do_create_customer(
    session: Session, actor: Actor, *, code: str, name: str, notes: str = ""
) -> Customer:
    check_permission(actor, Perm.CUSTOMERS_MANAGE)
    code = check_customer_code(code)
    if not name.strip():
        raise InvalidInput("customer name is empty", field="name")
    if session.scalar(select(Customer.id).where(Customer.code == code)) is not None:
        raise AlreadyExists(f"customer code {code} is taken", field="code")
    customer = Customer(code=code, name=name.strip(), notes=notes)
    session.add(customer)
    session.flush()
    return customer


def find_customer(session: Session, code: str) -> Customer:
    customer = session.scalar(select(Customer).where(Customer.code == code.strip().upper()))
    if customer is None:
        raise NotFound(f"customer {code} not found")
    return customer


def access_customer(session: Session, actor: Actor, customer_id: int) -> Customer:
    check_permission(actor, Perm.CUSTOMERS_VIEW)
    return access_scoped(session, actor, Customer, customer_id, owner_attr="id", what="customer")


def list_customers(session: Session, actor: Actor) -> Sequence[Customer]:
    check_permission(actor, Perm.CUSTOMERS_VIEW)
    stmt = scoped(select(Customer).order_by(Customer.code), actor, Customer.id)
    return session.scalars(stmt).all()


def do_update_customer(
    session: Session,
    actor: Actor,
    customer_id: int,
    *,
    expected_version: int | None,
    name: str | None = None,
    notes: str | None = None,
    active: bool | None = None,
    reason: str | None = None,
) -> Customer:
    check_permission(actor, Perm.CUSTOMERS_MANAGE)
    customer = access_customer(session, actor, customer_id)
    check_version(customer, expected_version, f"customer {customer.code}")
    if name is not None:
        if not name.strip():
            raise InvalidInput("customer name is empty", field="name")
        customer.name = name.strip()
    if notes is not None:
        customer.notes = notes
    if active is not None and active != customer.active:
        reason = check_reason(reason, "deactivating or reactivating a customer")
        customer.active = active
    with audit_reason(session, reason):
        session.flush()
    return customer


# --- users ----------------------------------------------------------------------------


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"password must have at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )


def _check_customer_ref(session: Session, customer_id: int | None) -> None:
    if customer_id is not None:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise InvalidInput(f"customer {customer_id} does not exist", field="customer")
        if not customer.active:
            raise InvalidInput(f"customer {customer.code} is inactive", field="customer")


def do_create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    full_name: str,
    role: Role | str,
    password: str,
    customer_id: int | None = None,
    email: str = "",
) -> User:
    check_permission(actor, Perm.USERS_MANAGE)
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise InvalidInput(
            f"username {username!r}: use 2-64 lower-case letters, digits, '.', '_' or '-'",
            field="username",
        )
    if not full_name.strip():
        raise InvalidInput("the printed (full) name is needed for signatures", field="full_name")
    role = parse_role(role)
    check_role_assignment(role, customer_id)
    _check_customer_ref(session, customer_id)
    check_password_strength(password)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AlreadyExists(f"username {username} is taken", field="username")
    user = User(
        username=username,
        full_name=full_name.strip(),
        email=email.strip(),
        role=role,
        customer_id=customer_id,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user


def parse_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidInput(
            f"unknown role {role!r}; roles are {', '.join(r.value for r in Role)}", field="role"
        ) from None


def access_user(session: Session, actor: Actor, user_id: int) -> User:
    if actor.user_id != user_id:
        check_permission(actor, Perm.USERS_VIEW)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound(f"user {username} not found")
    return user


def list_users(session: Session, actor: Actor, *, include_inactive: bool = True) -> Sequence[User]:
    check_permission(actor, Perm.USERS_VIEW)
    stmt = select(User).order_by(User.username)
    if not include_inactive:
        stmt = stmt.where(User.active.is_(True))
    return session.scalars(stmt).all()


def do_update_user(
    session: Session,
    actor: Actor,
    user_id: int,
    *,
    expected_version: int | None,
    full_name: str | None = None,
    email: str | None = None,
    role: Role | str | None = None,
    customer_id: int | bool | None = False,
    reason: str | None = None,
) -> User:
    """Change a user's details. A role or customer change needs a reason.

    ``customer_id=False`` leaves the customer as it is (``None`` clears it).
    """
    check_permission(actor, Perm.USERS_MANAGE)
    user = access_user(session, actor, user_id)
    check_version(user, expected_version, f"user {user.username}")
    if full_name is not None:
        if not full_name.strip():
            raise InvalidInput("the printed (full) name is empty", field="full_name")
        user.full_name = full_name.strip()
    if email is not None:
        user.email = email.strip()
    new_role = parse_role(role) if role is not None else user.role
    new_customer = user.customer_id if customer_id is False else customer_id
    assert not isinstance(new_customer, bool)
    if new_role != user.role or new_customer != user.customer_id:
        reason = check_reason(reason, "changing a user's role or customer")
        if user.id == actor.user_id and new_role != user.role:
            raise PermissionDenied("you cannot change your own role")
        check_role_assignment(new_role, new_customer)
        _check_customer_ref(session, new_customer)
        user.role, user.customer_id = new_role, new_customer
    with audit_reason(session, reason):
        session.flush()
    return user


def do_set_active(
    session: Session,
    actor: Actor,
    user_id: int,
    *,
    active: bool,
    reason: str,
    expected_version: int | None = None,
) -> User:
    """Disable (or re-enable) a user; disabled users cannot sign in or sign records."""
    check_permission(actor, Perm.USERS_MANAGE)
    user = access_user(session, actor, user_id)
    check_version(user, expected_version, f"user {user.username}")
    reason = check_reason(reason, "disabling or enabling a user")
    if user.id == actor.user_id and not active:
        raise PermissionDenied("you cannot disable your own account")
    user.active = active
    with audit_reason(session, reason):
        session.flush()
    return user


def do_set_password(session: Session, actor: Actor, user_id: int, new_password: str) -> User:
    if actor.user_id != user_id:
        check_permission(actor, Perm.USERS_MANAGE)
    user = access_user(session, actor, user_id)
    check_password_strength(new_password)
    user.password_hash = hash_password(new_password)
    session.flush()
    return user


def check_login(session: Session, username: str, password: str) -> User:
    """The user whose credentials these are.

    Unknown user and wrong password give the same answer after the same amount of work.
    A disabled account is named only once the password proved who is asking.
    """
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    ok, new_hash = verify_password(password, user.password_hash if user else None)
    if user is None or not ok:
        raise AuthenticationFailed(LOGIN_FAILED)
    if not user.active:
        raise AccountDisabled(f"account {user.username} is disabled; ask an administrator")
    if new_hash:
        user.password_hash = new_hash
        session.flush()
    return user


def actor_for_user(user: User) -> Actor:
    return Actor(
        kind="user",
        name=user.username,
        role=user.role,
        user_id=user.id,
        customer_id=user.customer_id,
    )


def count_users_by_role(session: Session, actor: Actor) -> dict[Role, int]:
    check_permission(actor, Perm.USERS_VIEW)
    rows = session.execute(
        select(User.role, func.count()).where(User.active.is_(True)).group_by(User.role)
    ).all()
    return {Role(role): n for role, n in rows}


# --- API tokens -----------------------------------------------------------------------


def do_create_token(
    session: Session,
    actor: Actor,
    *,
    name: str,
    role: Role | str,
    days: int = 365,
    customer_id: int | None = None,
) -> tuple[ApiToken, str]:
    """A new API token; the secret is returned once and only its hash is stored."""
    check_permission(actor, Perm.TOKENS_MANAGE)
    if not name.strip():
        raise InvalidInput("a token needs a name (which machine or script uses it)", field="name")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidInput(f"expiry must be 1 to {MAX_TOKEN_DAYS} days", field="days")
    role = parse_role(role)
    check_role_assignment(role, customer_id)
    _check_customer_ref(session, customer_id)
    secret, prefix, secret_hash = new_token()
    token = ApiToken(
        name=name.strip(),
        prefix=prefix,
        secret_hash=secret_hash,
        role=role,
        customer_id=customer_id,
        created_by_id=actor.user_id,
        expires_at=clock.now() + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    return token, secret


def list_tokens(session: Session, actor: Actor) -> Sequence[ApiToken]:
    check_permission(actor, Perm.TOKENS_MANAGE)
    return session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())).all()


def access_token(session: Session, actor: Actor, ref: int | str) -> ApiToken:
    """A token by id or by its prefix (what the CLI shows)."""
    check_permission(actor, Perm.TOKENS_MANAGE)
    if isinstance(ref, int):
        token = session.get(ApiToken, ref)
    else:
        # A prefix is random hex and can be all digits: look it up as a prefix first.
        token = session.scalar(select(ApiToken).where(ApiToken.prefix == ref))
        if token is None and ref.isdigit():
            token = session.get(ApiToken, int(ref))
    if token is None:
        raise NotFound(f"API token {ref} not found")
    return token


def do_revoke_token(session: Session, actor: Actor, ref: int | str, *, reason: str) -> ApiToken:
    token = access_token(session, actor, ref)
    reason = check_reason(reason, "revoking a token")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        with audit_reason(session, reason):
            session.flush()
    return token


def authenticate_token(session: Session, raw: str) -> Actor:
    """The actor an ``Authorization: Bearer`` token stands for, or TokenInvalid."""
    prefix = split_token(raw)
    token = session.scalar(select(ApiToken).where(ApiToken.prefix == prefix)) if prefix else None
    if token is None or not same_secret(token.secret_hash, hash_token(raw)):
        raise TokenInvalid("API token not recognised")
    if token.revoked_at is not None:
        raise TokenInvalid(f"API token {token.name} was revoked")
    if token.expires_at <= clock.now():
        raise TokenInvalid(f"API token {token.name} expired")
    return Actor(kind="token", name=token.name, role=token.role, customer_id=token.customer_id)
