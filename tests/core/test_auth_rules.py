"""Roles, permissions and customer scoping as pure rules."""

from __future__ import annotations

import pytest

from boardline.core.auth import (
    ROLE_PERMISSIONS,
    Actor,
    Perm,
    Role,
    check_customer_scope,
    check_permission,
    check_role_assignment,
)
from boardline.core.errors import InvalidInput, NotFound, PermissionDenied


def test_every_role_has_a_permission_set_and_a_label() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert all(role.label for role in Role)


def test_only_admin_manages_users_and_tokens() -> None:
    for role in Role:
        actor = Actor(
            "user", "x", role, user_id=1, customer_id=1 if role is Role.CUSTOMER else None
        )
        assert actor.can(Perm.USERS_MANAGE) == (role is Role.ADMIN)
        assert actor.can(Perm.TOKENS_MANAGE) == (role is Role.ADMIN)


def test_wrong_role_is_denied_with_its_code() -> None:
    operator = Actor("user", "op1", Role.OPERATOR, user_id=5)
    with pytest.raises(PermissionDenied) as caught:
        check_permission(operator, Perm.USERS_MANAGE)
    assert caught.value.code == "permission_denied"
    assert caught.value.status == 403
    assert caught.value.extra["permission"] == "users.manage"


def test_anonymous_may_do_nothing() -> None:
    anonymous = Actor.anonymous()
    assert not any(anonymous.can(p) for p in Perm)


def test_customer_sees_only_its_own_customer_and_gets_not_found_otherwise() -> None:
    customer = Actor("user", "c", Role.CUSTOMER, user_id=9, customer_id=1)
    check_customer_scope(customer, 1, "customer 1")
    with pytest.raises(NotFound) as caught:
        check_customer_scope(customer, 2, "customer 2")
    assert caught.value.status == 404


def test_staff_are_not_limited_by_customer_scope() -> None:
    check_customer_scope(Actor("user", "e", Role.ENGINEER, user_id=2), 7, "customer 7")


@pytest.mark.parametrize(
    ("role", "customer_id", "ok"),
    [
        (Role.CUSTOMER, 1, True),
        (Role.CUSTOMER, None, False),
        (Role.ENGINEER, None, True),
        (Role.ENGINEER, 1, False),
    ],
)
def test_customer_users_belong_to_exactly_one_customer(
    role: Role, customer_id: int | None, ok: bool
) -> None:
    if ok:
        check_role_assignment(role, customer_id)
    else:
        with pytest.raises(InvalidInput):
            check_role_assignment(role, customer_id)


def test_audit_label_names_kind_and_name() -> None:
    assert Actor("token", "aoi-1", Role.OPERATOR).label == "token:aoi-1"
