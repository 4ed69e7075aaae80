"""Measure kinds: what a definition's ``counts`` names, and how such a measure is computed.

Each kind is one module (``analytics/kinds/``) with its own validation of the definition and
its own computation. Apps that bring measures of their own register their kinds from their
``AppConfig.ready()``; the definitions and the refresh look kinds up here and never import
the apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def _no_rules(raw: dict[str, Any], file: str) -> None:
    return None


def _own_sources(definition: Any) -> set[str]:
    return set(definition.sources)


@dataclass(frozen=True)
class MeasureKind:
    """``compute(measure, ctx)`` returns the measure's values; ``validate(raw, file)`` raises
    ``DefinitionError`` for a definition this kind cannot compute; ``reads(definition)`` names
    the sources its values come from (an import of another source leaves them alone)."""

    key: str
    compute: Callable[..., list[Any]]
    validate: Callable[[dict[str, Any], str], None] = _no_rules
    reads: Callable[[Any], set[str]] = _own_sources
    patient_level: bool = False  # counts patients (basis: patients, look_back_days)
    ratio: bool = False  # numerator over a denominator the kind computes itself


_KINDS: dict[str, MeasureKind] = {}


def register_kind(kind: MeasureKind) -> None:
    _KINDS[kind.key] = kind


def get_kind(key: str) -> MeasureKind | None:
    return _KINDS.get(key)


def kind_keys() -> list[str]:
    return sorted(_KINDS)
