"""Sums of the monthly cube: shares of DDD, packs or NOK on a selection, totals, costs."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from legemiddel.analytics.engine.context import RefreshContext
from legemiddel.analytics.engine.measures import Measure
from legemiddel.analytics.engine.reading import (
    area_packages,
    atc_of,
    basis_value,
    cube_rows,
    matches,
    ranks_by_month,
)
from legemiddel.analytics.measure_kinds import MeasureKind
from legemiddel.analytics.models import MeasureValue


def compute(measure: Measure, ctx: RefreshContext) -> list[MeasureValue]:
    """Sums of the cube per month and unit: the numerator's and the denominator's selection."""
    definition = measure.definition
    selections = [s for s in (definition.numerator, definition.denominator) if s is not None]
    prefixes = {p for s in selections for p in s.atc}
    numbers = {v for s in selections for v in s.varenr}
    ranks: dict[dt.date, dict[str, int]] = {}
    packages: set[str] | None = None
    if measure.area is not None:
        packages = area_packages(measure.area, ctx)
    elif numbers and not prefixes:
        packages = numbers
    rows = cube_rows(definition.sources, packages, ctx)
    if measure.area is not None:
        ranks = ranks_by_month(measure.area, {row[0] for row in rows}, ctx)
    atc_by_varenr = atc_of(ctx)
    sums: dict[tuple[dt.date, int | None], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for month, unit, varenr, quantity, amount, ddd in rows:
        month_ranks = ranks.get(month, {})
        if measure.area is not None and not month_ranks:
            continue  # no agreement in force that month: no value
        rank = month_ranks.get(varenr)
        atc = atc_by_varenr.get(varenr, "")
        value = basis_value(definition.basis, quantity, amount, ddd)
        cell = sums[(month, unit)]
        if matches(definition.numerator, varenr, atc, rank):
            cell[0] += value
        if definition.denominator is not None and matches(
            definition.denominator, varenr, atc, rank
        ):
            cell[1] += value
    return [
        MeasureValue(measure=measure.key, month=month, org_unit_id=unit, numerator=n, denominator=d)
        for (month, unit), (n, d) in sums.items()
        if n or d
    ]


KIND = MeasureKind("usage", compute)
