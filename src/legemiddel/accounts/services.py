"""Writes for users, roles, memberships and the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest

from legemiddel.accounts.models import AuditEvent, UnitMembership, User
from legemiddel.accounts.roles import Role


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    request: HttpRequest | None = None,
    user: Any = None,
    username: str = "",
    detail: str = "",
) -> AuditEvent:
    """Append one event to the audit trail.

    ``user`` defaults to the request's user; with neither user, request nor user name the
    event is recorded as done by "system". ``detail`` must never contain a clear
    fødselsnummer or a confidential price; pass pseudonyms and identifiers instead.
    """
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    if user is not None and not getattr(user, "pk", None):
        user = None
    if user is None and request is None and not username:
        # No person and no request: the system itself (demo loader, scheduled job).
        username = "system"
    return AuditEvent.objects.create(
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        action=action,
        path=(request.get_full_path() if request is not None else "")[:500],
        ip_address=_client_ip(request),
        detail=detail[:1000],
    )


def user_sync_admin_flags(*, user: User) -> None:
    """Administrators run the whole system: they are Django staff and superusers. Losing the
    role takes both away. Called wherever roles change (service, admin, identity provider)."""
    is_admin = user.groups.filter(name=Role.ADMINISTRATOR.value).exists()
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])


def role_groups_ensure() -> None:
    """Create the group of every role (idempotent)."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[Role | str], actor: User | None = None) -> None:
    """Replace the user's roles with ``roles`` and record the change.

    Group memberships that are not roles are left alone. Administrators become Django staff so
    they can use the admin; staff status of other users is not touched.
    """
    wanted = {str(Role(r)) for r in roles}
    role_groups_ensure()
    current = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    if wanted == current:
        return
    user.groups.remove(*Group.objects.filter(name__in=current - wanted))
    user.groups.add(*Group.objects.filter(name__in=wanted - current))
    user.__dict__.pop("_role_cache", None)
    user_sync_admin_flags(user=user)
    audit_record(
        action=AuditEvent.Action.ROLES_CHANGED,
        user=actor,
        detail=f"{user.get_username()}: {', '.join(sorted(current))} -> {', '.join(sorted(wanted))}",
    )


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    roles: Iterable[Role | str] = (),
    hpr_number: str = "",
    actor: User | None = None,
) -> User:
    """Create a local account with roles. ``password=None`` creates an account that cannot
    log in with a password (for single sign-on users)."""
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        hpr_number=hpr_number,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        action=AuditEvent.Action.USER_CREATED,
        user=actor,
        detail=username,
    )
    user_set_roles(user=user, roles=roles, actor=actor)
    return user


@transaction.atomic
def membership_add(
    *,
    user: User,
    org_unit: Any,
    role: Role | str,
    valid_from: dt.date | None = None,
    actor: User | None = None,
) -> UnitMembership:
    """Scope ``user`` to ``org_unit`` (and its sub-units) for ``role``."""
    membership, created = UnitMembership.objects.get_or_create(
        user=user, org_unit=org_unit, role=str(Role(role)), defaults={"valid_from": valid_from}
    )
    if not created:
        return membership
    audit_record(
        action=AuditEvent.Action.MEMBERSHIP_CHANGED,
        user=actor,
        detail=f"{user.get_username()} + {org_unit.code} ({role})",
    )
    return membership
