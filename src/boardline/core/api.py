"""JSON API of the platform core (token or signed-in session with CSRF header)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from boardline.core import audit_trail, services, signing
from boardline.core.audit_trail import AuditFilter
from boardline.core.auth import Role
from boardline.core.signatures import Meaning, SignatureState
from boardline.web.deps import ApiCtx

router = APIRouter(prefix="/api", tags=["core"])


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class MeOut(BaseModel):
    kind: str
    name: str
    role: Role
    customer_id: int | None


class CustomerIn(BaseModel):
    code: str = Field(examples=["ACME"])
    name: str
    notes: str = ""


class CustomerPatch(BaseModel):
    version: int = Field(description="the version you read; a newer stored one is a 409")
    name: str | None = None
    notes: str | None = None
    active: bool | None = None
    reason: str | None = None


class CustomerOut(_Out):
    id: int
    code: str
    name: str
    active: bool
    notes: str
    version: int


class UserIn(BaseModel):
    username: str
    full_name: str
    role: Role
    password: str
    email: str = ""
    customer_id: int | None = None


class UserPatch(BaseModel):
    version: int = Field(description="the version you read; a newer stored one is a 409")
    full_name: str | None = None
    email: str | None = None
    role: Role | None = None
    customer_id: int | None = None
    reason: str | None = None


class UserOut(_Out):
    id: int
    username: str
    full_name: str
    email: str
    role: Role
    customer_id: int | None
    active: bool
    version: int


class TokenIn(BaseModel):
    name: str
    role: Role
    days: int = 365
    customer_id: int | None = None


class TokenOut(_Out):
    id: int
    name: str
    prefix: str
    role: Role
    customer_id: int | None
    expires_at: datetime
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="shown once; only its hash is stored")


class RevokeIn(BaseModel):
    reason: str


class AuditEntryOut(_Out):
    seq: int
    at: datetime
    actor: str
    action: str
    table_name: str
    record_id: str
    changes: dict[str, list[Any]]
    reason: str | None
    hash: str


class VerifyOut(BaseModel):
    ok: bool
    checked: int
    total: int
    broken_seq: int | None = None
    problem: str | None = None


class SignIn(BaseModel):
    meaning: Meaning
    password: str
    comment: str = ""


class SignatureOut(BaseModel):
    id: int
    printed_name: str
    meaning: str
    signed_at: datetime
    state: str
    changed_fields: list[str]

    @classmethod
    def of(cls, view: signing.SignatureView) -> SignatureOut:
        sig = view.signature
        return cls(
            id=sig.id,
            printed_name=sig.printed_name,
            meaning=sig.meaning,
            signed_at=sig.signed_at,
            state=view.state.value,
            changed_fields=view.changed,
        )


@router.get("/me")
def me(ctx: ApiCtx) -> MeOut:
    a = ctx.actor
    return MeOut(kind=a.kind, name=a.name, role=a.role, customer_id=a.customer_id)


@router.get("/customers")
def get_customers(ctx: ApiCtx) -> list[CustomerOut]:
    with ctx.read() as s:
        return [CustomerOut.model_validate(c) for c in services.list_customers(s, ctx.actor)]


@router.post("/customers", status_code=201)
def post_customer(ctx: ApiCtx, body: CustomerIn) -> CustomerOut:
    with ctx.write() as s:
        customer = services.do_create_customer(s, ctx.actor, **body.model_dump())
        return CustomerOut.model_validate(customer)


@router.get("/customers/{customer_id}")
def get_customer(ctx: ApiCtx, customer_id: int) -> CustomerOut:
    with ctx.read() as s:
        return CustomerOut.model_validate(services.access_customer(s, ctx.actor, customer_id))


@router.patch("/customers/{customer_id}")
def patch_customer(ctx: ApiCtx, customer_id: int, body: CustomerPatch) -> CustomerOut:
    with ctx.write() as s:
        customer = services.do_update_customer(
            s,
            ctx.actor,
            customer_id,
            expected_version=body.version,
            name=body.name,
            notes=body.notes,
            active=body.active,
            reason=body.reason,
        )
    return CustomerOut.model_validate(customer)


@router.post("/customers/{customer_id}/signatures", status_code=201)
def sign_customer(ctx: ApiCtx, customer_id: int, body: SignIn) -> SignatureOut:
    with ctx.write() as s:
        customer = services.access_customer(s, ctx.actor, customer_id)
        sig = signing.do_sign(
            s,
            ctx.actor,
            customer,
            meaning=body.meaning,
            password=body.password,
            comment=body.comment,
        )
        return SignatureOut.of(signing.SignatureView(sig, SignatureState.VALID, []))


@router.get("/customers/{customer_id}/signatures")
def customer_signatures(ctx: ApiCtx, customer_id: int) -> list[SignatureOut]:
    with ctx.read() as s:
        customer = services.access_customer(s, ctx.actor, customer_id)
        return [SignatureOut.of(v) for v in signing.signatures_for(s, customer)]


@router.get("/users")
def get_users(ctx: ApiCtx) -> list[UserOut]:
    with ctx.read() as s:
        return [UserOut.model_validate(u) for u in services.list_users(s, ctx.actor)]


@router.post("/users", status_code=201)
def post_user(ctx: ApiCtx, body: UserIn) -> UserOut:
    with ctx.write() as s:
        return UserOut.model_validate(services.do_create_user(s, ctx.actor, **body.model_dump()))


@router.get("/users/{user_id}")
def get_user(ctx: ApiCtx, user_id: int) -> UserOut:
    with ctx.read() as s:
        return UserOut.model_validate(services.access_user(s, ctx.actor, user_id))


@router.patch("/users/{user_id}")
def patch_user(ctx: ApiCtx, user_id: int, body: UserPatch) -> UserOut:
    fields = body.model_dump(exclude_unset=True)
    with ctx.write() as s:
        user = services.do_update_user(
            s,
            ctx.actor,
            user_id,
            expected_version=body.version,
            full_name=body.full_name,
            email=body.email,
            role=body.role,
            customer_id=fields.get("customer_id", False),
            reason=body.reason,
        )
    return UserOut.model_validate(user)


@router.post("/tokens", status_code=201)
def post_token(ctx: ApiCtx, body: TokenIn) -> TokenCreated:
    with ctx.write() as s:
        token, secret = services.do_create_token(s, ctx.actor, **body.model_dump())
        return TokenCreated(token=secret, **TokenOut.model_validate(token).model_dump())


@router.get("/tokens")
def get_tokens(ctx: ApiCtx) -> list[TokenOut]:
    with ctx.read() as s:
        return [TokenOut.model_validate(t) for t in services.list_tokens(s, ctx.actor)]


@router.post("/tokens/{token_id}/revoke", status_code=204)
def revoke_token(ctx: ApiCtx, token_id: int, body: RevokeIn) -> Response:
    with ctx.write() as s:
        services.do_revoke_token(s, ctx.actor, token_id, reason=body.reason)
    return Response(status_code=204)


@router.get("/audit")
def get_audit(
    ctx: ApiCtx,
    table: str | None = None,
    record_id: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_seq: int | None = None,
    limit: int = 100,
) -> list[AuditEntryOut]:
    tz = ctx.settings.tz
    flt = AuditFilter(
        table=table,
        record_id=record_id,
        actor=actor,
        since=since.replace(tzinfo=since.tzinfo or tz) if since else None,
        until=until.replace(tzinfo=until.tzinfo or tz) if until else None,
    )
    with ctx.read() as s:
        entries = audit_trail.list_entries(
            s, ctx.actor, flt, limit=min(limit, 1000), before_seq=before_seq
        )
        return [AuditEntryOut.model_validate(e) for e in entries]


@router.get("/audit/verify")
def verify_audit(ctx: ApiCtx) -> VerifyOut:
    with ctx.read() as s:
        result = audit_trail.verify_trail(s, ctx.actor)
    problem = result.problem
    return VerifyOut(
        ok=result.ok,
        checked=result.checked,
        total=result.total,
        broken_seq=problem.seq if problem else None,
        problem=problem.message if problem else None,
    )
