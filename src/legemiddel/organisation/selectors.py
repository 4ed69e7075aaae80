"""Reads of the organisation, including what a user is scoped to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.db.models.lookups import Exact
from django.utils import timezone

from legemiddel.accounts.roles import UNIT_SCOPED_ROLES, Role
from legemiddel.organisation.models import OrgUnit, UnitMembership

TRUST_WIDE_ROLES = frozenset(set(Role) - UNIT_SCOPED_ROLES - {Role.PRESCRIBER})


def user_sees_whole_trust(user: Any, roles: Iterable[str] | None = None) -> bool:
    """Core group, management, pharmacy, auditors and administrators work trust-wide. With
    ``roles`` (what a kind of data is for), only a trust-wide role among them counts."""
    trust_wide = TRUST_WIDE_ROLES if roles is None else TRUST_WIDE_ROLES & set(roles)
    return bool(user.is_authenticated and trust_wide and user.has_role(*trust_wide))


def member_units(user: Any, roles: Iterable[str] | None = None) -> QuerySet[OrgUnit]:
    """Units the user is a current member of (not their sub-units), counting only memberships
    for unit-scoped roles the user actually holds: a membership row alone grants nothing.
    With ``roles``, only memberships in those roles count."""
    if not getattr(user, "is_authenticated", False):
        return OrgUnit.objects.none()
    today = timezone.localdate()
    wanted = set(UNIT_SCOPED_ROLES) if roles is None else set(roles) & set(UNIT_SCOPED_ROLES)
    held = [r for r in wanted if user.has_role(r)]
    current = UnitMembership.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
        user=user,
        role__in=held,
    )
    return OrgUnit.objects.filter(id__in=current.values("org_unit_id")).select_related("parent")


def org_units_in_scope(user: Any, roles: Iterable[str] | None = None) -> QuerySet[OrgUnit]:
    """Every unit whose unit-level data the user may see: all units for trust-wide roles,
    otherwise the units of the user's memberships and everything under them. With ``roles``
    (what a kind of data is for), only those roles count: a trust-wide role outside them does
    not open the whole trust, and only memberships in them give units."""
    if user_sees_whole_trust(user, roles):
        return OrgUnit.objects.all()
    paths = list(member_units(user, roles).values_list("trust_id", "path"))
    if not paths:
        return OrgUnit.objects.none()
    condition: Any = Q()
    for trust_id, path in paths:
        prefix = path + "/"
        # startswith is LIKE, which ignores ASCII case on SQLite: "MED/med-rev/X" would match
        # "MED/MED-REV/". Comparing the prefix exactly as well keeps scope case-sensitive.
        below = Q(path__startswith=prefix) & Exact(Substr("path", 1, len(prefix)), prefix)
        condition |= Q(trust_id=trust_id) & (Q(path=path) | below)
    return OrgUnit.objects.filter(condition)


@dataclass
class TreeNode:
    unit: OrgUnit
    children: list[TreeNode] = field(default_factory=list)
    in_scope: bool = False


def org_tree(user: Any) -> list[TreeNode]:
    """The active units as a tree (a query for units, one for scope), children sorted by name,
    each marked with whether it is in the user's scope. Built in Python because path order
    depends on the database collation."""
    units = list(OrgUnit.objects.filter(active=True).order_by("name"))
    scope = set(org_units_in_scope(user).values_list("id", flat=True))
    nodes = {u.id: TreeNode(unit=u, in_scope=u.id in scope) for u in units}
    roots: list[TreeNode] = []
    for unit in units:
        node = nodes[unit.id]
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots
