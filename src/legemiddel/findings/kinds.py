"""Registry of finding kinds: which control produces findings and what they are called.

A control (income control, later Nye metoder compliance and the approvals reconciliation)
registers its kind from its ``AppConfig.ready()``; this app knows no control.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise

from legemiddel.accounts.roles import Role

# Who works on findings unless a kind says otherwise.
DEFAULT_ROLES: tuple[str, ...] = (Role.CONTROLLER, Role.CORE_GROUP, Role.ADMINISTRATOR)


@dataclass(frozen=True)
class Resolution:
    """One way a finding of a kind is closed (status "resolved"). ``needs_reference``: the
    resolution names something outside (an approved exception's case number)."""

    label: str | Promise
    needs_reference: bool = False


@dataclass(frozen=True)
class FindingKind:
    key: str
    label: str | Promise
    # What the reference column holds for this kind (e.g. "DIPS episode / administration").
    reference_label: str | Promise = ""
    # What each category code a finding of this kind stores is called.
    categories: dict[str, str | Promise] = field(default_factory=dict)
    # The kind's own resolutions (code -> Resolution); none: the statuses alone close a finding.
    resolutions: dict[str, Resolution] = field(default_factory=dict)
    # The roles that see and work on findings of this kind (within their units' scope).
    roles: tuple[str, ...] = DEFAULT_ROLES
    # Whether findings of this kind carry an estimated amount (income at risk).
    has_amount: bool = True

    def category_label(self, code: str) -> str | Promise:
        return self.categories.get(code, code)

    def resolution_label(self, code: str) -> str | Promise:
        found = self.resolutions.get(code)
        return found.label if found else code


_REGISTRY: dict[str, FindingKind] = {}


def register_kind(kind: FindingKind) -> None:
    _REGISTRY[kind.key] = kind


def get_kind(key: str) -> FindingKind | None:
    return _REGISTRY.get(key)


def all_kinds() -> list[FindingKind]:
    return list(_REGISTRY.values())


def kinds_for_user(user: object) -> list[FindingKind]:
    """The kinds whose findings the user works on (deny by default: no role, no kind)."""
    has_role = getattr(user, "has_role", None)
    if has_role is None or not getattr(user, "is_authenticated", False):
        return []
    return [kind for kind in _REGISTRY.values() if has_role(*kind.roles)]


def worker_roles() -> tuple[str, ...]:
    """Every role that works on findings of some kind (the work list's access rule)."""
    roles = set(DEFAULT_ROLES)
    for kind in _REGISTRY.values():
        roles |= set(kind.roles)
    return tuple(sorted(roles))
