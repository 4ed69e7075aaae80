"""The core group maps the list's specialties to our units (who hears of changed decisions)."""

from __future__ import annotations

import pytest

from legemiddel.accounts.roles import Role
from legemiddel.core.models import AuditEvent
from legemiddel.methods.models import Specialty

pytestmark = pytest.mark.django_db


@pytest.fixture
def revmatologi(db):
    return Specialty.objects.create(name="Revmatologi")


def test_the_list_shows_unmapped_specialties(client_for, revmatologi):
    page = client_for(Role.CORE_GROUP).get("/metoder/fagomrader/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Revmatologi" in html
    assert "Ikke koblet" in html
    assert f'href="/metoder/fagomrader/{revmatologi.pk}/"' in html


def test_the_core_group_maps_a_specialty_to_units(client_for, revmatologi, org, users):
    client = client_for(Role.CORE_GROUP)
    assert client.get(f"/metoder/fagomrader/{revmatologi.pk}/").status_code == 200
    response = client.post(
        f"/metoder/fagomrader/{revmatologi.pk}/",
        {"units": [org["MED-REV"].pk, org["MED-REV-POL"].pk]},
    )
    assert response.status_code == 302
    assert set(revmatologi.units.values_list("code", flat=True)) == {"MED-REV", "MED-REV-POL"}
    event = AuditEvent.objects.get(action="specialty_map")
    assert event.user == users[Role.CORE_GROUP]
    assert "MED-REV, MED-REV-POL" in event.detail
    assert client.get("/metoder/fagomrader/").content.decode().count("Ikke koblet") == 0


def test_an_unknown_unit_is_refused(client_for, revmatologi):
    response = client_for(Role.ADMINISTRATOR).post(
        f"/metoder/fagomrader/{revmatologi.pk}/", {"units": ["999999"]}
    )
    assert response.status_code == 200
    assert not revmatologi.units.exists()


@pytest.mark.parametrize("role", [Role.UNIT_LEADER, Role.DRUG_COMMITTEE, Role.PRESCRIBER])
def test_others_may_not_map(client_for, revmatologi, role):
    client = client_for(role)
    assert client.get("/metoder/fagomrader/").status_code == 403
    assert client.post(f"/metoder/fagomrader/{revmatologi.pk}/", {"units": []}).status_code == 403


def test_an_unknown_specialty_is_not_found(client_for, db):
    assert client_for(Role.CORE_GROUP).get("/metoder/fagomrader/999/").status_code == 404
