"""Registry of finding kinds: which control produces findings and what they are called.

A control (income control, later Nye metoder compliance and the approvals reconciliation)
registers its kind from its ``AppConfig.ready()``; this app knows no control.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise


@dataclass(frozen=True)
class FindingKind:
    key: str
    label: str | Promise
    # What the reference column holds for this kind (e.g. "DIPS episode / administration").
    reference_label: str | Promise = ""
    # What each category code a finding of this kind stores is called.
    categories: dict[str, str | Promise] = field(default_factory=dict)

    def category_label(self, code: str) -> str | Promise:
        return self.categories.get(code, code)


_REGISTRY: dict[str, FindingKind] = {}


def register_kind(kind: FindingKind) -> None:
    _REGISTRY[kind.key] = kind


def get_kind(key: str) -> FindingKind | None:
    return _REGISTRY.get(key)


def all_kinds() -> list[FindingKind]:
    return list(_REGISTRY.values())
