"""Savings potential: use of other products priced at the first choice's LIS cost per DDD."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from legemiddel.agreements.models import TherapeuticArea
from legemiddel.analytics.engine.context import RefreshContext
from legemiddel.analytics.engine.measures import Measure
from legemiddel.analytics.engine.reading import (
    area_lines,
    area_packages,
    atc_of,
    cube_rows,
    in_force,
    ranks_by_month,
)
from legemiddel.analytics.kinds.validation import validate_savings
from legemiddel.analytics.measure_kinds import MeasureKind
from legemiddel.analytics.models import MeasureValue


def _first_choice_cost_per_ddd(
    area: TherapeuticArea, months: Iterable[dt.date], ctx: RefreshContext
) -> dict[dt.date, dict[str, float]]:
    """Per month and substance (ATC level 5): the lowest LIS cost per DDD among the area's
    first choices in force on the 15th. Confidential: used only for savings, which only users
    with price access see."""
    lines = [
        line
        for line in area_lines(area, ctx)
        if line.rank == 1
        and line.lis_price is not None
        and line.package.atc_id
        and (line.package.ddd_per_pack or 0) > 0
    ]
    result: dict[dt.date, dict[str, float]] = {}
    for month in months:
        mid = month.replace(day=15)
        costs: dict[str, float] = {}
        for line in lines:
            if in_force(line, mid):
                atc = line.package.atc_id or ""
                per_ddd = float(line.lis_price or 0) / float(line.package.ddd_per_pack or 1)
                costs[atc] = min(per_ddd, costs.get(atc, per_ddd))
        result[month] = costs
    return result


def compute(measure: Measure, ctx: RefreshContext) -> list[MeasureValue]:
    """Invoiced amount minus the same DDDs at the first choice's LIS cost per DDD, per month,
    unit and substance, for use of packages other than the first choice; a use already
    cheaper than the first choice counts as nothing."""
    assert measure.area is not None
    packages = area_packages(measure.area, ctx)
    rows = cube_rows(measure.definition.sources, packages, ctx)
    months = {row[0] for row in rows}
    costs = _first_choice_cost_per_ddd(measure.area, months, ctx)
    ranks = ranks_by_month(measure.area, months, ctx)
    atc_by_varenr = atc_of(ctx)
    sums: dict[tuple[dt.date, int | None], float] = defaultdict(float)
    for month, unit, varenr, _, amount, ddd in rows:
        if ranks[month].get(varenr) == 1:
            continue  # already the first choice
        per_ddd = costs[month].get(atc_by_varenr.get(varenr) or "")
        if per_ddd is None or not ddd or ddd <= 0:
            continue
        sums[(month, unit)] += max(0.0, amount - ddd * per_ddd)
    return [
        MeasureValue(measure=measure.key, month=month, org_unit_id=unit, numerator=value)
        for (month, unit), value in sums.items()
        if value
    ]


KIND = MeasureKind("savings_potential", compute, validate=validate_savings)
