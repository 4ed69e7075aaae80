"""Rules shared by several measure kinds."""

from __future__ import annotations

from typing import Any

from legemiddel.analytics.definitions import DefinitionError


def validate_savings(raw: dict[str, Any], file: str) -> None:
    if raw["basis"] != "nok" or raw["kind"] != "total" or not raw.get("for_each_area"):
        raise DefinitionError(
            f"{file}: gevinst er en sum i kroner per område (kind: total, basis: nok, "
            "for_each_area: true)"
        )


def validate_patient_level(raw: dict[str, Any], file: str) -> None:
    look_back = raw.get("look_back_days", 0)
    if raw["basis"] != "patients":
        raise DefinitionError(f"{file}: pasienter telles med basis: patients")
    if not isinstance(raw["sources"], list) or not set(raw["sources"]) <= {"hresept", "dips"}:
        raise DefinitionError(f"{file}: pasientdata finnes bare i hresept og dips")
    if not isinstance(look_back, int) or isinstance(look_back, bool) or not 30 <= look_back <= 1095:
        raise DefinitionError(f"{file}: look_back_days må være et helt tall fra 30 til 1095")
