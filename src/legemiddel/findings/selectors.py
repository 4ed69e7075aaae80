"""Reads of findings: the work list a controller works through, nearest deadline first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet, Sum

from legemiddel.findings.access import findings_for_user
from legemiddel.findings.models import Finding
from legemiddel.organisation.models import HealthPersonnel


@dataclass(frozen=True)
class WorkListFilter:
    kind: str = ""
    status: str = Finding.Status.OPEN
    unit: int | None = None
    assignee: int | None = None


def worklist(user: Any, chosen: WorkListFilter) -> QuerySet[Finding]:
    found = findings_for_user(user).select_related("org_unit", "assignee")
    if chosen.kind:
        found = found.filter(kind=chosen.kind)
    if chosen.status:
        found = found.filter(status=chosen.status)
    if chosen.unit:
        found = found.filter(org_unit_id=chosen.unit)
    if chosen.assignee:
        found = found.filter(assignee_id=chosen.assignee)
    # Nearest deadline first (no deadline last), then the oldest.
    return found.order_by("due", "occurred_on", "id")


def totals(found: QuerySet[Finding]) -> dict[str, Any]:
    """How many findings and their estimated amount, in one query."""
    return found.order_by().aggregate(count=Count("id"), amount=Sum("amount"))


def prescriber_names(hpr_numbers: Iterable[str]) -> dict[str, str]:
    """HPR number -> name, for the prescribers the register knows (one query)."""
    wanted = sorted({h for h in hpr_numbers if h})
    if not wanted:
        return {}
    return dict(
        HealthPersonnel.objects.filter(hpr_number__in=wanted).values_list("hpr_number", "name")
    )
