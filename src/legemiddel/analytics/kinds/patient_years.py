"""Cost per patient-year: invoiced amount over the patients treated in the month / 12."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection

from legemiddel.analytics.engine.context import RefreshContext
from legemiddel.analytics.engine.measures import Measure
from legemiddel.analytics.engine.reading import (
    area_packages,
    as_date,
    cube_rows,
    events_sql,
)
from legemiddel.analytics.measure_kinds import MeasureKind
from legemiddel.analytics.models import MeasureValue


def patient_months(
    packages: set[str], sources: Iterable[str]
) -> list[tuple[dt.date, int | None, int]]:
    """(month, unit, distinct patients) with an event of the packages, counted in SQL."""
    events, params = events_sql(sources, sorted(packages))
    if not events:
        return []
    sql = f"""
        WITH events AS ({events})
        SELECT month, org_unit_id, COUNT(DISTINCT patient) FROM events
        GROUP BY month, org_unit_id
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(as_date(m), unit, int(n)) for m, unit, n in cursor.fetchall()]


def compute(measure: Measure, ctx: RefreshContext) -> list[MeasureValue]:
    """Invoiced amount over patient-years (patients treated in the month / 12), per unit."""
    assert measure.area is not None
    packages = area_packages(measure.area, ctx)
    sums: dict[tuple[dt.date, int | None], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for month, unit, _, _, amount, _ in cube_rows(measure.definition.sources, packages, ctx):
        sums[(month, unit)][0] += amount
    if ctx.sources is not None and not ctx.sources & {"hresept", "dips"}:
        # The import brought no patient data: the patient-years stored last time still hold.
        stored = MeasureValue.objects.filter(measure=measure.key, denominator__gt=0)
        for month, unit, years in stored.values_list("month", "org_unit_id", "denominator"):
            sums[(month, unit)][1] += years
    else:
        for month, unit, patients in patient_months(packages, ("hresept", "dips")):
            sums[(month, unit)][1] += patients / 12
    return [
        MeasureValue(measure=measure.key, month=month, org_unit_id=unit, numerator=n, denominator=d)
        for (month, unit), (n, d) in sums.items()
        if n or d
    ]


def reads(definition: Any) -> set[str]:
    """The amounts come from the definition's sources, the patients from H-prescriptions
    and administrations."""
    return set(definition.sources) | {"hresept", "dips"}


KIND = MeasureKind("cost_per_patient_year", compute, reads=reads, ratio=True)
