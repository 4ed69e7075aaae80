"""Measures: each definition applied to the trust, or to each therapeutic area."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from legemiddel.agreements.models import TherapeuticArea
from legemiddel.analytics.definitions import Definition, definitions
from legemiddel.analytics.models import MeasureValue

AREA_SEPARATOR = "--"


@dataclass(frozen=True)
class Measure:
    """A definition applied to one area (or to the whole trust when it has no area)."""

    key: str
    definition: Definition
    area: TherapeuticArea | None

    @property
    def is_share(self) -> bool:
        """Shown as a percentage."""
        return self.definition.kind == "share"

    @property
    def divides(self) -> bool:
        """Numerator over denominator (a share or a ratio), rather than a sum."""
        return self.definition.kind in {"share", "ratio"}

    @property
    def title(self) -> str:
        if self.area is None:
            return self.definition.title
        return f"{self.definition.title} – {self.area.name}"


def measures() -> list[Measure]:
    """Every measure: each ``for_each_area`` definition once per therapeutic area."""
    areas = list(TherapeuticArea.objects.order_by("name"))
    found: list[Measure] = []
    for definition in definitions():
        if definition.for_each_area:
            found += [
                Measure(f"{definition.id}{AREA_SEPARATOR}{area.code}", definition, area)
                for area in areas
            ]
        else:
            found.append(Measure(definition.id, definition, None))
    return found


def measure_by_key(key: str) -> Measure | None:
    return next((m for m in measures() if m.key == key), None)


def values_by_prescriber(
    measure: Measure,
    sums: dict[tuple[dt.date, int | None, str], list[float]],
    keep: Callable[[float, float], bool],
) -> list[MeasureValue]:
    """Values from sums per (month, unit, prescriber) of [numerator, denominator]."""
    return [
        MeasureValue(
            measure=measure.key,
            month=month,
            org_unit_id=unit,
            prescriber=prescriber,
            numerator=n,
            denominator=d,
        )
        for (month, unit, prescriber), (n, d) in sums.items()
        if keep(n, d)
    ]
