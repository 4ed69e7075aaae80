"""Which findings a user may see: the kinds their roles work on (``FindingKind.roles``), and
of those, controllers' and unit leaders' their units' (and the units below), trust-wide roles
all of them. ``Http404`` stands for "not there"."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from legemiddel.findings.kinds import kinds_for_user
from legemiddel.findings.models import Finding
from legemiddel.organisation.selectors import org_units_in_scope, user_sees_whole_trust


def findings_for_user(user: Any) -> QuerySet[Finding]:
    """Per kind, by the roles the kind is for: the whole trust when one of them is a
    trust-wide role the user holds, else the units of the user's memberships in those roles
    (and the units below). Kinds no longer registered are nobody's (deny by default)."""
    condition = Q()
    granted = False
    for kind in kinds_for_user(user):
        if user_sees_whole_trust(user, roles=kind.roles):
            condition |= Q(kind=kind.key)
            granted = True
            continue
        # The unit ids as values, not a subquery: with a list the planner can tell how few
        # findings one clinic has and walks the deadline index instead of sorting them all.
        ids = list(org_units_in_scope(user, roles=kind.roles).values_list("id", flat=True))
        if ids:
            condition |= Q(kind=kind.key, org_unit_id__in=ids)
            granted = True
    return Finding.objects.filter(condition) if granted else Finding.objects.none()


def get_finding_for_user(user: Any, finding_id: int) -> Finding:
    found = (
        findings_for_user(user).select_related("org_unit", "assignee").filter(pk=finding_id).first()
    )
    if found is None:
        raise Http404
    return found
