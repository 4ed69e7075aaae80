"""Which findings a user may see: the kinds their roles work on (``FindingKind.roles``), and
of those, controllers' and unit leaders' their units' (and the units below), trust-wide roles
all of them. ``Http404`` stands for "not there"."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from legemiddel.findings.kinds import all_kinds, kinds_for_user
from legemiddel.findings.models import Finding
from legemiddel.organisation.selectors import org_units_in_scope, user_sees_whole_trust


def findings_for_user(user: Any) -> QuerySet[Finding]:
    mine = [kind.key for kind in kinds_for_user(user)]
    if not mine:
        return Finding.objects.none()
    found = Finding.objects.all()
    if len(mine) < len(all_kinds()):
        found = found.filter(kind__in=mine)
    if user_sees_whole_trust(user):
        return found
    # The unit ids as values, not a subquery: with a list the planner can tell how few findings
    # one clinic has and walks the deadline index (LIMIT 51) instead of sorting them all.
    units = list(org_units_in_scope(user).values_list("id", flat=True))
    return found.filter(org_unit_id__in=units)


def get_finding_for_user(user: Any, finding_id: int) -> Finding:
    found = (
        findings_for_user(user).select_related("org_unit", "assignee").filter(pk=finding_id).first()
    )
    if found is None:
        raise Http404
    return found
