"""Realised savings since each agreement started, against the cost per DDD before it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from legemiddel.agreements.models import Agreement
from legemiddel.analytics.engine.context import RefreshContext
from legemiddel.analytics.engine.measures import Measure
from legemiddel.analytics.engine.reading import (
    area_packages,
    atc_of,
    cube_rows,
)
from legemiddel.analytics.kinds.validation import validate_savings
from legemiddel.analytics.measure_kinds import MeasureKind
from legemiddel.analytics.models import MeasureValue


def _months_before(day: dt.date, count: int) -> list[dt.date]:
    months, month = [], day.replace(day=1)
    for _ in range(count):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    return months


def compute(measure: Measure, ctx: RefreshContext) -> list[MeasureValue]:
    """For each agreement of the area: the same DDDs at the trust's cost per DDD in the three
    months before it started (per substance), minus what they cost, month by month."""
    assert measure.area is not None
    packages = area_packages(measure.area, ctx)
    rows = cube_rows(measure.definition.sources, packages, ctx)
    atc_by_varenr = atc_of(ctx)
    agreements = list(
        Agreement.objects.filter(area=measure.area, status=Agreement.Status.PUBLISHED).order_by(
            "start"
        )
    )
    sums: dict[tuple[dt.date, int | None], float] = defaultdict(float)
    for i, agreement in enumerate(agreements):
        before = set(_months_before(agreement.start, 3))
        totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for month, _, varenr, _, amount, ddd in rows:
            if month in before and ddd and ddd > 0:
                cell = totals[atc_by_varenr.get(varenr) or ""]
                cell[0] += amount
                cell[1] += ddd
        baseline = {atc: a / d for atc, (a, d) in totals.items() if atc and d > 0}
        until = agreement.effective_end
        if i + 1 < len(agreements):
            until = min(until, agreements[i + 1].start - dt.timedelta(days=1))
        for month, unit, varenr, _, amount, ddd in rows:
            per_ddd = baseline.get(atc_by_varenr.get(varenr) or "")
            if per_ddd is None or not ddd or not agreement.start <= month <= until:
                continue
            sums[(month, unit)] += ddd * per_ddd - amount
    return [
        MeasureValue(measure=measure.key, month=month, org_unit_id=unit, numerator=value)
        for (month, unit), value in sums.items()
        if value
    ]


KIND = MeasureKind("savings_realised", compute, validate=validate_savings)
