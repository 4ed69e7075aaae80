"""Cost per patient-year: invoiced amount over the patients treated in the month / 12.

Patients are counted distinct at every level: a patient with an administration in one unit
and an H-prescription from another in the same month is one patient in their department,
clinic and trust. The unit rows are stored as usual; every place above units with data and
the trust get a ``subtree`` row of their own (the amounts summed, the patients counted again), which
the dashboards read instead of adding the units up.
"""

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
from legemiddel.organisation.models import OrgUnit

# (month, org unit or None, whole subtree) -> [amount, patient-years]
Cells = dict[tuple[dt.date, int | None, bool], list[float]]


def patient_months(
    packages: set[str], sources: Iterable[str]
) -> list[tuple[dt.date, int | None, bool, int]]:
    """(month, place, whole subtree, distinct patients) with an event of the packages,
    counted in SQL: per unit the events are recorded at (``False``), per place counting its
    whole subtree (``True``: every unit and each of its ancestors, matched by path), and for
    the trust (place ``None``, ``True``)."""
    events, params = events_sql(sources, sorted(packages))
    if not events:
        return []
    units = OrgUnit._meta.db_table
    # Only table names from the models go into the SQL text; values are parameters.
    sql = f"""
        WITH events AS ({events})
        SELECT month, org_unit_id, 0, COUNT(DISTINCT patient) FROM events
        GROUP BY month, org_unit_id
        UNION ALL
        SELECT e.month, a.id, 1, COUNT(DISTINCT e.patient)
        FROM events e
        JOIN {units} u ON u.id = e.org_unit_id
        JOIN {units} a ON a.trust_id = u.trust_id AND (
            u.path = a.path OR SUBSTR(u.path, 1, LENGTH(a.path) + 1) = a.path || '/'
        )
        GROUP BY e.month, a.id
        UNION ALL
        SELECT month, NULL, 1, COUNT(DISTINCT patient) FROM events GROUP BY month
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(as_date(m), unit, bool(whole), int(n)) for m, unit, whole, n in cursor.fetchall()]


def _ancestors() -> dict[int, list[int]]:
    """Each org unit's chain of places above it (nearest first)."""
    parents: dict[int, int | None] = dict(OrgUnit.objects.values_list("id", "parent_id"))
    chains: dict[int, list[int]] = {}
    for unit in parents:
        chain: list[int] = []
        parent = parents[unit]
        while parent is not None:
            chain.append(parent)
            parent = parents.get(parent)
        chains[unit] = chain
    return chains


def compute(measure: Measure, ctx: RefreshContext) -> list[MeasureValue]:
    """Invoiced amount over patient-years (patients treated in the month / 12), per unit and
    for every place above the units and the trust as a whole."""
    assert measure.area is not None
    packages = area_packages(measure.area, ctx)
    chains = _ancestors()
    sums: Cells = defaultdict(lambda: [0.0, 0.0])
    for month, unit, _, _, amount, _ in cube_rows(measure.definition.sources, packages, ctx):
        sums[(month, unit, False)][0] += amount
        places: list[int | None] = [unit, *chains.get(unit, [])] if unit is not None else []
        for place in [*places, None]:
            sums[(month, place, True)][0] += amount
    if ctx.sources is not None and not ctx.sources & {"hresept", "dips"}:
        # The import brought no patient data: the patient-years stored last time still hold.
        stored = MeasureValue.objects.filter(measure=measure.key, denominator__gt=0)
        for month, unit, whole, years in stored.values_list(
            "month", "org_unit_id", "subtree", "denominator"
        ):
            sums[(month, unit, whole)][1] += years
    else:
        for month, place, whole, patients in patient_months(packages, ("hresept", "dips")):
            sums[(month, place, whole)][1] += patients / 12
    # A unit with nothing below it keeps its unit row alone (its whole value already); the
    # places above units with data, and the trust, get a subtree row.
    above: set[tuple[dt.date, int | None]] = {
        (month, place)
        for month, unit, whole in list(sums)
        if not whole and unit is not None
        for place in [*(chains.get(unit, [])), None]
    }
    return [
        MeasureValue(
            measure=measure.key,
            month=month,
            org_unit_id=unit,
            subtree=whole,
            numerator=n,
            denominator=d,
        )
        for (month, unit, whole), (n, d) in sums.items()
        if (n or d) and (not whole or unit is None or (month, unit) in above)
    ]


def reads(definition: Any) -> set[str]:
    """The amounts come from the definition's sources, the patients from H-prescriptions
    and administrations."""
    return set(definition.sources) | {"hresept", "dips"}


KIND = MeasureKind("cost_per_patient_year", compute, reads=reads, ratio=True)
