"""The built-in measure kinds, one module each (see ``analytics.measure_kinds``)."""

from __future__ import annotations

from legemiddel.analytics.measure_kinds import register_kind


def register_builtin_kinds() -> None:
    from legemiddel.analytics.kinds import (
        patient_years,
        savings_potential,
        savings_realised,
        starts,
        switches,
        usage,
    )

    for module in (usage, starts, switches, patient_years, savings_potential, savings_realised):
        register_kind(module.KIND)
