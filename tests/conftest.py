"""Shared fixtures: a small organisation and one user per role."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from legemiddel.accounts.models import User
from legemiddel.accounts.roles import Role
from legemiddel.accounts.services import user_create
from legemiddel.organisation.models import HealthTrust, OrgUnit
from legemiddel.organisation.services import membership_add, org_unit_save

PASSWORD = "correct-horse-battery"

# Property tests run on a shared two-core machine (and in CI beside another database's run):
# a wall-clock deadline per example measures the machine's load, not the code, so none is set.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


@pytest.fixture
def org(db):
    """Trust HB with clinic MED > department MED-REV > units MED-REV-POL, MED-REV-DAG,
    and clinic NEVRO > NEVRO-NEV > NEVRO-MS."""
    trust = HealthTrust.objects.create(code="HB", name="Helse Bergen HF")
    units: dict[str, OrgUnit] = {}

    def add(code: str, name: str, level: int, parent: str | None) -> None:
        units[code] = org_unit_save(
            unit=OrgUnit(
                trust=trust,
                code=code,
                name=name,
                level=level,
                parent=units[parent] if parent else None,
            )
        )

    add("MED", "Medisinsk klinikk", 1, None)
    add("MED-REV", "Revmatologisk avdeling", 2, "MED")
    add("MED-REV-POL", "Revmatologisk poliklinikk", 3, "MED-REV")
    add("MED-REV-DAG", "Revmatologisk dagbehandling", 3, "MED-REV")
    add("NEVRO", "Nevroklinikken", 1, None)
    add("NEVRO-NEV", "Nevrologisk avdeling", 2, "NEVRO")
    add("NEVRO-MS", "MS-poliklinikken", 3, "NEVRO-NEV")
    return units


@pytest.fixture
def users(org) -> dict[Role, User]:
    """One active user per role, named after the role value, password ``PASSWORD``.
    The unit leader leads MED-REV; the controller follows MED."""
    result: dict[Role, User] = {}
    for role in Role:
        result[role] = user_create(
            username=role.value,
            password=PASSWORD,
            roles=[role],
            first_name=role.value.replace("_", " ").title(),
        )
    membership_add(user=result[Role.UNIT_LEADER], org_unit=org["MED-REV"], role=Role.UNIT_LEADER)
    membership_add(user=result[Role.CONTROLLER], org_unit=org["MED"], role=Role.CONTROLLER)
    return result


@pytest.fixture
def client_for(client, users):
    """``client_for(Role.X)`` returns the test client logged in as that role's user."""

    def login(role: Role):
        client.force_login(users[role])
        return client

    return login


def pytest_collection_modifyitems(config, items):
    """A test that makes its own database and processes proves the same on either pass: the
    test script runs the suite once on SQLite and once on PostgreSQL, so the second skips it."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    skip = pytest.mark.skip(reason="own database: run in the SQLite pass")
    for item in items:
        if item.get_closest_marker("own_database"):
            item.add_marker(skip)
