"""Open findings of use against a decision in Nye metoder, per unit and month, as a measure in
the YAML framework (``counts: methods_open_findings``): charts, drill-down, exports and the
monthly e-mail come with it.

Counted from the findings (kind ``methods``, status open) by the month of the treatment start,
so it is recounted by the methods listener after each refresh of the findings and after people
resolve them, not by analytics' own refresh of an import (``reads`` names ``metoder``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from legemiddel.analytics.definitions import DefinitionError
from legemiddel.analytics.measure_kinds import MeasureKind
from legemiddel.analytics.models import MeasureValue
from legemiddel.findings.models import Finding
from legemiddel.methods.compliance import KIND as FINDING_KIND

SOURCE = "metoder"


def validate(raw: dict[str, Any], file: str) -> None:
    if raw["basis"] != "findings" or raw["kind"] != "total":
        raise DefinitionError(f"{file}: åpne funn telles som en sum (kind: total, basis: findings)")
    if raw.get("for_each_area"):
        raise DefinitionError(f"{file}: åpne funn telles for hele foretaket, ikke per område")


def compute(measure: Any, ctx: Any) -> list[MeasureValue]:
    prefixes = measure.definition.numerator.atc
    rows = (
        Finding.objects.filter(kind=FINDING_KIND, status=Finding.Status.OPEN)
        .values_list("occurred_on", "org_unit_id", "subject")
        .order_by()
    )
    counts: dict[tuple[Any, int | None], int] = defaultdict(int)
    for day, unit, atc in rows.iterator(chunk_size=5000):
        if prefixes and not atc.startswith(prefixes):
            continue
        counts[(day.replace(day=1), unit)] += 1
    return [
        MeasureValue(
            measure=measure.key, month=month, org_unit_id=unit, numerator=float(n), denominator=0.0
        )
        for (month, unit), n in counts.items()
    ]


KIND = MeasureKind(
    "methods_open_findings", compute, validate=validate, reads=lambda definition: {SOURCE}
)
