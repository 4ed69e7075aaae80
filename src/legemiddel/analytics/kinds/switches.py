"""Share of the patients on another product who were switched after a change of first choice."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from legemiddel.agreements.models import TherapeuticArea
from legemiddel.analytics.engine.context import RefreshContext
from legemiddel.analytics.engine.measures import Measure, values_by_prescriber
from legemiddel.analytics.engine.reading import (
    area_lines,
    as_date,
    events_sql,
    in_force,
)
from legemiddel.analytics.kinds.validation import validate_patient_level
from legemiddel.analytics.measure_kinds import MeasureKind
from legemiddel.analytics.models import MeasureValue
from legemiddel.lib.db import date_param


@dataclass(frozen=True)
class FirstChoiceChange:
    """The day a substance's first choice changed, the new first choice and the others."""

    day: dt.date
    atc: str
    first: frozenset[str]
    others: frozenset[str]


def first_choice_changes(
    area: TherapeuticArea, ctx: RefreshContext | None = None
) -> list[FirstChoiceChange]:
    """Every day a product became first choice for a substance (ATC level 5) while another
    product of it was ranked the day before (at a new agreement or mid-period): patients on
    the other products are expected to switch."""
    lines = [line for line in area_lines(area, ctx or RefreshContext()) if line.package.atc_id]
    substance_of = {line.package_id: line.package.atc_id or "" for line in lines}

    def ranked_on(day: dt.date, first_only: bool) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for line in lines:
            if in_force(line, day) and (line.rank == 1 or not first_only):
                found[substance_of[line.package_id]].add(line.package_id)
        return found

    days = sorted(
        {line.agreement.start for line in lines}
        | {line.valid_from for line in lines if line.valid_from}
    )
    changes = []
    for day in days:
        previous = day - dt.timedelta(days=1)
        first_before, ranked_before = ranked_on(previous, True), ranked_on(previous, False)
        for atc, first in ranked_on(day, True).items():
            new = first - first_before.get(atc, set())
            if new and ranked_before.get(atc, set()) - first:
                same_substance = {v for v, a in substance_of.items() if a == atc}
                changes.append(
                    FirstChoiceChange(day, atc, frozenset(first), frozenset(same_substance - first))
                )
    return changes


def switch_counts(
    change: FirstChoiceChange, sources: Iterable[str], look_back_days: int, months: int = 12
) -> list[tuple[dt.date, int | None, str, int, int]]:
    """(month, unit, prescriber, switched, treated) for the patients who had another product
    of the substance in the look-back window before the change, in each month after it: the
    product at their last event that month decides."""
    products = sorted(change.first | change.others)
    others, first = sorted(change.others), sorted(change.first)
    if not others or not first:
        return []
    events, params = events_sql(sources, products)
    if not events:
        return []
    end = change.day
    for _ in range(months):
        end = (end.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    window_start = change.day - dt.timedelta(days=look_back_days)
    # One pass over the events (no second scan of them): a window over each patient flags the
    # cohort, another numbers each patient's events in a month from the last.
    other_marks = ", ".join(["%s"] * len(others))
    first_marks = ", ".join(["%s"] * len(first))
    sql = f"""
        WITH events AS ({events}),
        flagged AS (
            SELECT day, month, package_id, org_unit_id, prescriber,
                   MAX(CASE WHEN day >= %s AND day < %s AND package_id IN ({other_marks})
                       THEN 1 ELSE 0 END) OVER (PARTITION BY patient) AS in_cohort,
                   ROW_NUMBER() OVER (
                       PARTITION BY patient, month, CASE WHEN day >= %s THEN 1 ELSE 0 END
                       ORDER BY day DESC
                   ) AS position
            FROM events
        )
        SELECT month, org_unit_id, prescriber,
               SUM(CASE WHEN package_id IN ({first_marks}) THEN 1 ELSE 0 END),
               COUNT(*)
        FROM flagged
        WHERE in_cohort = 1 AND position = 1 AND day >= %s AND day < %s
        GROUP BY month, org_unit_id, prescriber
    """  # noqa: S608
    arguments = [
        *params,
        date_param(window_start),
        date_param(change.day),
        *others,
        date_param(change.day),
        *first,
        date_param(change.day),
        date_param(end),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, arguments)
        rows = cursor.fetchall()
    return [
        (as_date(month), unit, prescriber or "", int(switched), int(treated))
        for month, unit, prescriber, switched, treated in rows
    ]


def compute(measure: Measure, ctx: RefreshContext) -> list[MeasureValue]:
    """Share of the patients on another product who were switched after each change."""
    assert measure.area is not None
    definition = measure.definition
    sums: dict[tuple[dt.date, int | None, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for change in first_choice_changes(measure.area, ctx):
        for month, unit, prescriber, switched, treated in switch_counts(
            change, definition.sources, definition.look_back_days
        ):
            cell = sums[(month, unit, prescriber)]
            cell[0] += switched
            cell[1] += treated
    return values_by_prescriber(measure, sums, keep=lambda n, d: bool(d))


KIND = MeasureKind("switches", compute, validate=validate_patient_level, patient_level=True)
