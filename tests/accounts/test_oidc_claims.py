"""From the provider's claims to roles: the role map is data, checked when it is read."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured

from legemiddel.accounts.oidc.claims import (
    DEFAULT_ROLE_MAP,
    claim_values,
    load_role_map,
    roles_from_claims,
    unit_codes_from_claims,
)
from legemiddel.accounts.roles import Role


@pytest.fixture
def entra_map(tmp_path, settings):
    path = tmp_path / "roles.yaml"
    path.write_text(
        "roles:\n"
        "  Legemiddel.Kjernegruppe: [core_group]\n"
        "  Legemiddel.Enhetsleder: [unit_leader, controller]\n"
        "  Legemiddel.Revisor: auditor\n",
        encoding="utf-8",
    )
    settings.OIDC_ROLE_MAP_FILE = str(path)
    settings.OIDC_ROLES_CLAIM = "roles"
    return path


def test_the_shipped_map_accepts_every_role_code_and_nothing_else():
    mapping = load_role_map(DEFAULT_ROLE_MAP)
    assert mapping == {role.value: (role.value,) for role in Role}


def test_claim_values_map_to_roles(entra_map):
    claims = {"roles": ["Legemiddel.Enhetsleder", "Legemiddel.Revisor"]}
    assert roles_from_claims(claims) == ["auditor", "controller", "unit_leader"]


def test_an_unknown_claim_value_gives_no_role_and_is_logged(entra_map, caplog):
    with caplog.at_level(logging.WARNING):
        roles = roles_from_claims({"roles": ["Legemiddel.Kjernegruppe", "administrator"]})
    # "administrator" is a role code, but this map does not list it: no back door.
    assert roles == ["core_group"]
    assert "'administrator' is not in the role map" in caplog.text


def test_no_roles_claim_gives_no_roles(entra_map):
    assert roles_from_claims({"sub": "x"}) == []
    assert roles_from_claims({"roles": []}) == []


def test_role_values_may_come_as_one_string(entra_map):
    assert roles_from_claims({"roles": "Legemiddel.Kjernegruppe"}) == ["core_group"]


@pytest.mark.parametrize("value", [{"a": 1}, 42, [["nested"]], [None]])
def test_an_unusable_claim_value_gives_nothing_and_is_logged(value, caplog):
    with caplog.at_level(logging.WARNING):
        assert claim_values({"roles": value}, "roles") == []
    assert "unusable value" in caplog.text


def test_unit_codes_come_from_the_configured_claim(settings):
    settings.OIDC_UNITS_CLAIM = "enheter"
    assert unit_codes_from_claims({"enheter": ["MED-REV", "MED", "MED-REV"]}) == ["MED", "MED-REV"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("roles:\n  X: [superuser]\n", "unknown roles"),
        ("roles:\n  X: []\n", "one or more"),
        ("groups:\n  X: [auditor]\n", "'roles:'"),
        ("roles: [: broken\n", "cannot be read"),
    ],
)
def test_a_bad_role_map_is_refused_with_a_clear_message(tmp_path, text, message):
    path = tmp_path / "roles.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match=message):
        load_role_map(path)


def test_a_missing_role_map_is_refused(settings, tmp_path):
    settings.OIDC_ROLE_MAP_FILE = str(tmp_path / "nowhere.yaml")
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        roles_from_claims({"roles": ["auditor"]})
