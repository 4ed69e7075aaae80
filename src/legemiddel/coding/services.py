"""Writes of the income control's reference data (the rest is import and matching)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from legemiddel.coding.models import ReportingYear
from legemiddel.core.audit import audit_record


def reporting_year_save(*, year: ReportingYear, actor: Any, request: Any = None) -> ReportingYear:
    with transaction.atomic():
        year.save()
        audit_record(
            action="reporting_year_save",
            user=actor,
            request=request,
            detail=f"{year.year}: enhetspris {year.unit_price}, ISF-andel {year.isf_share}, "
            f"frist {year.correction_deadline}",
        )
    return year
