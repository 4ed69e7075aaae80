"""Coding completeness as a measure in the YAML framework (``counts: coding_completeness``):
per unit and month, the listed administrations with a coded episode over all of them.

Computed from the matches (``coding_match``), so it is refreshed by the coding listener after
the matching, not by analytics' own refresh of DIPS imports (``reads`` names ``episoder``).
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from legemiddel.analytics.definitions import DefinitionError
from legemiddel.analytics.measure_kinds import MeasureKind
from legemiddel.analytics.models import MeasureValue
from legemiddel.coding.models import Match, Outcome

SOURCE = "episoder"


def validate(raw: dict[str, Any], file: str) -> None:
    if raw["basis"] != "administrations" or raw["kind"] != "share":
        raise DefinitionError(f"{file}: kodekompletthet er en andel (share) av administrations")
    if raw.get("sources") != ["dips"]:
        raise DefinitionError(f"{file}: kodekompletthet leser sources: [dips]")


def compute(measure: Any, ctx: Any) -> list[MeasureValue]:
    prefixes = measure.definition.numerator.atc
    where = " OR ".join(["atc LIKE %s"] * len(prefixes)) or "1 = 1"
    sql = f"""
        SELECT month, org_unit_id,
          COUNT(DISTINCT CASE WHEN outcome = %s THEN administration_id END),
          COUNT(DISTINCT administration_id)
        FROM {Match._meta.db_table} WHERE {where}
        GROUP BY month, org_unit_id
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [int(Outcome.CODED), *[f"{p}%" for p in prefixes]])
        rows = cursor.fetchall()
    return [
        MeasureValue(
            measure=measure.key,
            month=month,
            org_unit_id=unit,
            numerator=float(coded),
            denominator=float(total),
        )
        for month, unit, coded, total in rows
    ]


KIND = MeasureKind(
    "coding_completeness", compute, validate=validate, reads=lambda definition: {SOURCE}
)
