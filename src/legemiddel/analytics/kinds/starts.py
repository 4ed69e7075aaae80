"""Share of treatment starts on a selection, from patient-level events."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection

from legemiddel.analytics.engine.context import RefreshContext
from legemiddel.analytics.engine.measures import Measure, values_by_prescriber
from legemiddel.analytics.engine.reading import (
    area_packages,
    as_date,
    atc_of,
    events_sql,
    matches,
    ranks_by_month,
)
from legemiddel.analytics.kinds.validation import validate_patient_level
from legemiddel.analytics.measure_kinds import MeasureKind
from legemiddel.analytics.models import MeasureValue
from legemiddel.lib.db import days_between_sql


def start_counts(
    packages: set[str], sources: Iterable[str], look_back_days: int
) -> list[tuple[dt.date, int | None, str, str, int]]:
    """Treatment starts counted in the database: (month, unit, prescriber, varenr, starts).

    A start is a patient's first event (H-prescription dispensing or administration) of one of
    ``packages``, or the first after a gap longer than the look-back window. Events in the
    first window of the data are left out: what came before them is not known, so they may be
    continuing treatment. A window function over the patient's events does the work, so
    millions of lines never pass through Python.
    """
    events, params = events_sql(sources, sorted(packages))
    if not events:
        return []
    sql = f"""
        WITH events AS ({events}),
        ordered AS (
            SELECT day, month, package_id, org_unit_id, prescriber,
                   LAG(day) OVER (PARTITION BY patient ORDER BY day) AS previous
            FROM events
        ),
        bounds AS (SELECT MIN(day) AS first_day FROM events)
        SELECT month, org_unit_id, prescriber, package_id, COUNT(*)
        FROM ordered CROSS JOIN bounds
        WHERE (previous IS NULL OR {days_between_sql("day", "previous")} > %s)
          AND {days_between_sql("day", "first_day")} >= %s
        GROUP BY month, org_unit_id, prescriber, package_id
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, look_back_days, look_back_days])
        rows = cursor.fetchall()
    return [
        (as_date(month), unit, prescriber or "", varenr, int(count))
        for month, unit, prescriber, varenr, count in rows
    ]


def compute(measure: Measure, ctx: RefreshContext) -> list[MeasureValue]:
    """Share of treatment starts: numerator and denominator count starts per month, unit and
    prescriber, from patient-level H-prescriptions and administrations."""
    definition = measure.definition
    assert measure.area is not None
    packages = area_packages(measure.area, ctx)
    counts = start_counts(packages, definition.sources, definition.look_back_days)
    ranks = ranks_by_month(measure.area, {month for month, *_ in counts}, ctx)
    atc_by_varenr = atc_of(ctx)
    sums: dict[tuple[dt.date, int | None, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for month, unit, prescriber, varenr, starts in counts:
        rank = ranks[month].get(varenr)
        if rank is None:
            continue  # started on a package not ranked that month
        atc = atc_by_varenr.get(varenr) or ""
        cell = sums[(month, unit, prescriber)]
        if matches(definition.numerator, varenr, atc, rank):
            cell[0] += starts
        if definition.denominator is not None and matches(
            definition.denominator, varenr, atc, rank
        ):
            cell[1] += starts
    return values_by_prescriber(measure, sums, keep=lambda n, d: bool(n or d))


KIND = MeasureKind("starts", compute, validate=validate_patient_level, patient_level=True)
