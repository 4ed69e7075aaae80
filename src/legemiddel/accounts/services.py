"""Writes for users and roles."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from legemiddel.accounts.models import ExternalIdentity, User
from legemiddel.accounts.roles import Role
from legemiddel.core.audit import audit_record
from legemiddel.core.models import AuditEvent


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
def identity_link(*, user: User, issuer: str, subject: str) -> ExternalIdentity:
    """Record that ``user`` logs in as ``subject`` at ``issuer`` and when they last did.

    Linking a subject that belongs to another user is refused: a provider's subject is the
    person, and moving it silently would hand one person's account to another."""
    identity, created = ExternalIdentity.objects.select_for_update().get_or_create(
        issuer=issuer, subject=subject, defaults={"user": user, "last_login": timezone.now()}
    )
    if identity.user_id != user.pk:
        raise ValueError(f"{subject} at {issuer} already belongs to another user.")
    if not created:
        identity.last_login = timezone.now()
        identity.save(update_fields=["last_login"])
    return identity
