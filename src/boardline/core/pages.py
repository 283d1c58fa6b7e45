"""Pages of the platform core: sign-in, users, customers, API tokens, audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from boardline.core import audit_trail, clock, services, signing
from boardline.core.audit_trail import AuditFilter
from boardline.core.auth import Perm, Role, check_permission
from boardline.core.db import on_commit
from boardline.core.errors import AuthenticationFailed, InvalidInput
from boardline.core.signatures import Meaning
from boardline.web import nav
from boardline.web.deps import PageCtx, PublicCtx, start_session
from boardline.web.templating import render, submit

router = APIRouter(include_in_schema=False)

nav.register(
    nav.NavSection(
        "Administration",
        [
            nav.NavItem("Customers", "/customers", Perm.CUSTOMERS_VIEW),
            nav.NavItem("Users", "/admin/users", Perm.USERS_VIEW),
            nav.NavItem("API tokens", "/admin/tokens", Perm.TOKENS_MANAGE),
            nav.NavItem("Audit trail", "/audit", Perm.AUDIT_VIEW),
        ],
        order=90,
    )
)

Text = Annotated[str, Form()]
OptText = Annotated[str, Form()]


def _back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect after sign-in would help phishing.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


# --- sign-in --------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_form(ctx: PublicCtx, next: str = "/") -> HTMLResponse:
    return render(ctx.request, "core/login.html", None, next=_safe_next(next))


@router.post("/login", response_model=None)
def login(
    ctx: PublicCtx, username: Text, password: Text, next: Annotated[str, Form()] = "/"
) -> Response:
    try:
        with ctx.write() as s:
            user = services.check_login(s, username, password)
    except AuthenticationFailed as exc:
        return render(
            ctx.request,
            "core/login.html",
            None,
            status_code=401,
            error=exc.detail,
            username=username,
            next=_safe_next(next),
        )
    start_session(ctx.request, user)
    return _back(_safe_next(next))


@router.post("/logout")
def logout(ctx: PageCtx) -> RedirectResponse:
    ctx.request.session.clear()
    return _back("/login")


# --- users ----------------------------------------------------------------------------


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(ctx: PageCtx) -> HTMLResponse:
    with ctx.read() as s:
        users = services.list_users(s, ctx.actor)
        customers = services.list_customers(s, ctx.actor)
    return render(
        ctx.request,
        "core/users.html",
        ctx.actor,
        users=users,
        customers=customers,
        roles=list(Role),
    )


def _customer_ref(value: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isdigit():
        raise InvalidInput(f"customer {value!r} is not a customer id", field="customer")
    return int(value)


@router.post("/admin/users")
def create_user(
    ctx: PageCtx,
    username: Text,
    full_name: Text,
    role: Text,
    password: Text,
    email: Annotated[str, Form()] = "",
    customer: Annotated[str, Form()] = "",
) -> RedirectResponse:
    def act(s: Session) -> str:
        user = services.do_create_user(
            s,
            ctx.actor,
            username=username,
            full_name=full_name,
            role=role,
            password=password,
            email=email,
            customer_id=_customer_ref(customer),
        )
        return f"User {user.username} created."

    return submit(ctx, act, back="/admin/users", failed="User not created")


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def user_page(ctx: PageCtx, user_id: int) -> HTMLResponse:
    with ctx.read() as s:
        user = services.access_user(s, ctx.actor, user_id)
        customers = services.list_customers(s, ctx.actor)
        history = (
            audit_trail.list_entries(
                s, ctx.actor, AuditFilter(table="app_user", record_id=str(user_id)), limit=50
            )
            if ctx.actor.can(Perm.AUDIT_VIEW)
            else []
        )
    return render(
        ctx.request,
        "core/user.html",
        ctx.actor,
        user=user,
        customers=customers,
        roles=list(Role),
        history=history,
    )


@router.post("/admin/users/{user_id}")
def update_user(
    ctx: PageCtx,
    user_id: int,
    version: Annotated[int, Form()],
    full_name: Text,
    role: Text,
    email: Annotated[str, Form()] = "",
    customer: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> RedirectResponse:
    def act(s: Session) -> str:
        services.do_update_user(
            s,
            ctx.actor,
            user_id,
            expected_version=version,
            full_name=full_name,
            email=email,
            role=role,
            customer_id=_customer_ref(customer),
            reason=reason,
        )
        return "Saved."

    return submit(ctx, act, back=f"/admin/users/{user_id}", failed="Not saved")


@router.post("/admin/users/{user_id}/active")
def set_user_active(
    ctx: PageCtx,
    user_id: int,
    version: Annotated[int, Form()],
    active: Annotated[bool, Form()],
    reason: Annotated[str, Form()] = "",
) -> RedirectResponse:
    def act(s: Session) -> str:
        user = services.do_set_active(
            s, ctx.actor, user_id, active=active, reason=reason, expected_version=version
        )
        return f"User {user.username} {'enabled' if active else 'disabled'}."

    return submit(ctx, act, back=f"/admin/users/{user_id}", failed="Not changed")


@router.post("/admin/users/{user_id}/password")
def set_password(ctx: PageCtx, user_id: int, password: Text) -> RedirectResponse:
    def act(s: Session) -> str:
        user = services.do_set_password(s, ctx.actor, user_id, password)
        if user.id == ctx.actor.user_id:
            # Other sessions of this user end; this one goes on with the new password.
            on_commit(s, lambda: start_session(ctx.request, user))
        return "Password changed."

    return submit(ctx, act, back=f"/admin/users/{user_id}", failed="Password not changed")


# --- customers ------------------------------------------------------------------------


@router.get("/customers", response_class=HTMLResponse)
def customers_page(ctx: PageCtx) -> HTMLResponse:
    with ctx.read() as s:
        customers = services.list_customers(s, ctx.actor)
    return render(ctx.request, "core/customers.html", ctx.actor, customers=customers)


@router.post("/customers")
def create_customer(
    ctx: PageCtx, code: Text, name: Text, notes: Annotated[str, Form()] = ""
) -> RedirectResponse:
    def act(s: Session) -> tuple[str, str]:
        customer = services.do_create_customer(s, ctx.actor, code=code, name=name, notes=notes)
        return f"Customer {customer.code} created.", f"/customers/{customer.id}"

    return submit(ctx, act, back="/customers", failed="Customer not created")


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(ctx: PageCtx, customer_id: int) -> HTMLResponse:
    with ctx.read() as s:
        customer = services.access_customer(s, ctx.actor, customer_id)
        signatures = signing.signatures_for(s, customer)
    return render(
        ctx.request,
        "core/customer.html",
        ctx.actor,
        customer=customer,
        signatures=signatures,
        meanings=list(Meaning),
    )


@router.post("/customers/{customer_id}")
def update_customer(
    ctx: PageCtx,
    customer_id: int,
    version: Annotated[int, Form()],
    name: Text,
    notes: Annotated[str, Form()] = "",
) -> RedirectResponse:
    def act(s: Session) -> str:
        services.do_update_customer(
            s, ctx.actor, customer_id, expected_version=version, name=name, notes=notes
        )
        return "Saved."

    return submit(ctx, act, back=f"/customers/{customer_id}", failed="Not saved")


@router.post("/customers/{customer_id}/sign")
def sign_customer(
    ctx: PageCtx,
    customer_id: int,
    meaning: Text,
    password: Text,
    comment: Annotated[str, Form()] = "",
) -> RedirectResponse:
    def act(s: Session) -> str:
        customer = services.access_customer(s, ctx.actor, customer_id)
        signing.do_sign(s, ctx.actor, customer, meaning=meaning, password=password, comment=comment)
        return f"Signed as {meaning}."

    return submit(ctx, act, back=f"/customers/{customer_id}", failed="Not signed")


# --- API tokens -----------------------------------------------------------------------


@router.get("/admin/tokens", response_class=HTMLResponse)
def tokens_page(ctx: PageCtx) -> HTMLResponse:
    with ctx.read() as s:
        tokens = services.list_tokens(s, ctx.actor)
        customers = services.list_customers(s, ctx.actor)
    new_secret = ctx.request.session.pop("new_token", None)
    return render(
        ctx.request,
        "core/tokens.html",
        ctx.actor,
        tokens=tokens,
        customers=customers,
        roles=list(Role),
        new_secret=new_secret,
        now=clock.now(),
    )


@router.post("/admin/tokens")
def create_token(
    ctx: PageCtx,
    name: Text,
    role: Text,
    days: Annotated[int, Form()] = 365,
    customer: Annotated[str, Form()] = "",
) -> RedirectResponse:
    def act(s: Session) -> str:
        token, secret = services.do_create_token(
            s, ctx.actor, name=name, role=role, days=days, customer_id=_customer_ref(customer)
        )
        # Shown once on the next page, then gone: only its hash is stored.
        shown = {"name": token.name, "secret": secret}
        on_commit(s, lambda: ctx.request.session.update(new_token=shown))
        return f"Token {token.name} created."

    return submit(ctx, act, back="/admin/tokens", failed="Token not created")


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(ctx: PageCtx, token_id: int, reason: Text) -> RedirectResponse:
    def act(s: Session) -> str:
        token = services.do_revoke_token(s, ctx.actor, token_id, reason=reason)
        return f"Token {token.name} revoked."

    return submit(ctx, act, back="/admin/tokens", failed="Token not revoked")


# --- audit trail ----------------------------------------------------------------------


def _parse_day(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{field}: {value!r} is not a date (YYYY-MM-DD)", field=field) from None


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    ctx: PageCtx,
    table: Annotated[str | None, Query()] = None,
    record: Annotated[str | None, Query()] = None,
    who: Annotated[str | None, Query()] = None,
    since: Annotated[str | None, Query()] = None,
    until: Annotated[str | None, Query()] = None,
    text: Annotated[str | None, Query()] = None,
    before: Annotated[int | None, Query()] = None,
) -> HTMLResponse:
    check_permission(ctx.actor, Perm.AUDIT_VIEW)
    tz = ctx.settings.tz
    since_at = _parse_day(since, "since")
    until_at = _parse_day(until, "until")
    flt = AuditFilter(
        table=table or None,
        record_id=record or None,
        actor=who or None,
        since=since_at.replace(tzinfo=tz) if since_at else None,
        until=(until_at.replace(tzinfo=tz) + timedelta(days=1)) if until_at else None,
        text=text or None,
    )
    with ctx.read() as s:
        entries = audit_trail.list_entries(s, ctx.actor, flt, limit=100, before_seq=before)
        tables = audit_trail.audited_tables(s)
    template = (
        "core/_audit_rows.html" if ctx.request.headers.get("HX-Request") else "core/audit.html"
    )
    return render(
        ctx.request,
        template,
        ctx.actor,
        entries=entries,
        tables=tables,
        flt={
            "table": table or "",
            "record": record or "",
            "who": who or "",
            "since": since or "",
            "until": until or "",
            "text": text or "",
        },
    )


@router.post("/audit/verify", response_class=HTMLResponse)
def audit_verify(ctx: PageCtx) -> HTMLResponse:
    with ctx.read() as s:
        result = audit_trail.verify_trail(s, ctx.actor)
    return render(ctx.request, "core/_audit_verify.html", ctx.actor, result=result)
