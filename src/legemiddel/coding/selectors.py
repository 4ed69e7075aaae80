"""Reads for the income-control follow-up: completeness per unit, income at risk, recovered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from legemiddel.coding.matching import KIND
from legemiddel.coding.models import Match, Outcome, ReportingYear
from legemiddel.findings.models import Finding
from legemiddel.organisation.models import OrgUnit


@dataclass(frozen=True)
class UnitCompleteness:
    unit: OrgUnit | None
    administrations: int
    coded: int
    at_risk: float

    @property
    def share(self) -> float:
        return self.coded / self.administrations if self.administrations else 1.0


def completeness_by_unit(
    *, since: dt.date | None = None, until: dt.date | None = None
) -> list[UnitCompleteness]:
    """Share of listed administrations with a coded episode, per unit, furthest behind first."""
    matches = Match.objects.all()
    if since:
        matches = matches.filter(month__gte=since)
    if until:
        matches = matches.filter(month__lte=until)
    rows = matches.values("org_unit_id").annotate(
        total=Count("id"),
        coded=Count("id", filter=Q(outcome=Outcome.CODED)),
        at_risk=Sum("amount", filter=~Q(outcome=Outcome.CODED)),
    )
    units = OrgUnit.objects.in_bulk([r["org_unit_id"] for r in rows if r["org_unit_id"]])
    out = [
        UnitCompleteness(units.get(r["org_unit_id"]), r["total"], r["coded"], r["at_risk"] or 0)
        for r in rows
    ]
    return sorted(out, key=lambda u: (u.share, -u.administrations))


def income_trend() -> list[Any]:
    """Estimated income at risk of the open findings, per unit and month."""
    return list(
        Finding.objects.filter(kind=KIND, status__in=[Finding.Status.OPEN, Finding.Status.DISPUTED])
        .annotate(m=TruncMonth("occurred_on"))
        .values("org_unit__name", "m")
        .annotate(amount=Sum("amount"), count=Count("id"))
        .order_by("org_unit__name", "m")
    )


def recovered() -> dict[str, Any]:
    """What corrections have brought back: the corrected findings' estimated income."""
    return Finding.objects.filter(kind=KIND, status=Finding.Status.CORRECTED).aggregate(
        amount=Sum("amount"), count=Count("id")
    )


def reporting_years() -> list[ReportingYear]:
    return list(ReportingYear.objects.all())
