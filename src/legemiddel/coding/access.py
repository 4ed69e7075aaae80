"""Which income-control objects a user may open. Findings themselves are scoped in
:mod:`legemiddel.findings.access`; the reporting years are trust-wide reference data."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from legemiddel.coding.models import ReportingYear


def get_reporting_year_for_user(user: Any, year_id: int) -> ReportingYear:
    found = ReportingYear.objects.filter(pk=year_id).first()
    if found is None:
        raise Http404
    return found
