"""From claims to roles and units.

The role map is data: a YAML file (``OIDC_ROLE_MAP_FILE``, by default ``roles.yaml`` beside
this module) from claim values to role codes, validated when it is read. Units are unit codes
(``OrgUnit.code``); the organisation app registers the function that turns them into unit
memberships, because accounts sits below organisation and may not import it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from legemiddel.accounts.roles import Role

logger = logging.getLogger(__name__)

DEFAULT_ROLE_MAP = Path(__file__).with_name("roles.yaml")

UnitSync = Callable[..., None]
_unit_syncs: list[UnitSync] = []


def register_unit_sync(sync: UnitSync) -> None:
    """Register ``sync(user=..., unit_codes=[...], roles=[...])``, called after each login
    through the identity provider when a units claim is configured (idempotent)."""
    if sync not in _unit_syncs:
        _unit_syncs.append(sync)


def unit_syncs() -> tuple[UnitSync, ...]:
    return tuple(_unit_syncs)


def role_map_path() -> Path:
    configured = str(getattr(settings, "OIDC_ROLE_MAP_FILE", "") or "")
    return Path(configured) if configured else DEFAULT_ROLE_MAP


def load_role_map(path: Path) -> dict[str, tuple[str, ...]]:
    """Read and check a role map: every key a claim value, every value a list of role codes."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ImproperlyConfigured(f"The role map {path} cannot be read: {exc}") from exc
    mapping = data.get("roles") if isinstance(data, dict) else None
    if not isinstance(mapping, dict):
        raise ImproperlyConfigured(f"The role map {path} needs a 'roles:' mapping.")
    result: dict[str, tuple[str, ...]] = {}
    for claim_value, roles in mapping.items():
        if isinstance(roles, str):
            roles = [roles]
        if not isinstance(roles, list) or not roles:
            raise ImproperlyConfigured(
                f"The role map {path}: {claim_value!r} must list one or more role codes."
            )
        unknown = [r for r in roles if r not in Role.values]
        if unknown:
            raise ImproperlyConfigured(
                f"The role map {path}: {claim_value!r} names unknown roles {unknown}; "
                f"use {', '.join(Role.values)}."
            )
        result[str(claim_value)] = tuple(str(r) for r in roles)
    return result


@lru_cache(maxsize=8)
def _cached_role_map(path: str, mtime: float) -> dict[str, tuple[str, ...]]:
    return load_role_map(Path(path))


def role_map() -> dict[str, tuple[str, ...]]:
    path = role_map_path()
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise ImproperlyConfigured(f"The role map {path} cannot be read: {exc}") from exc
    return _cached_role_map(str(path), mtime)


def claim_values(claims: dict[str, Any], name: str) -> list[str]:
    """The values of a claim as a list of strings: providers send a list, a single string, or
    (some) a space-separated string. Anything else counts as no value, and is logged."""
    value = claims.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in value.split() if part]
    if isinstance(value, list | tuple) and all(isinstance(v, str | int) for v in value):
        return [str(v) for v in value if str(v)]
    logger.warning("OpenID Connect claim %r has an unusable value of type %s", name, type(value))
    return []


def roles_from_claims(claims: dict[str, Any]) -> list[str]:
    """The roles the claims give, through the role map. Unknown values are ignored and logged."""
    mapping = role_map()
    roles: set[str] = set()
    for value in claim_values(claims, settings.OIDC_ROLES_CLAIM):
        if value in mapping:
            roles.update(mapping[value])
        else:
            logger.warning(
                "OpenID Connect role claim value %r is not in the role map %s; ignored",
                value,
                role_map_path(),
            )
    return sorted(roles)


def unit_codes_from_claims(claims: dict[str, Any]) -> list[str]:
    return sorted(set(claim_values(claims, settings.OIDC_UNITS_CLAIM)))


def sync_units(*, user: Any, unit_codes: Iterable[str], roles: Iterable[str]) -> None:
    for sync in unit_syncs():
        sync(user=user, unit_codes=list(unit_codes), roles=list(roles))
