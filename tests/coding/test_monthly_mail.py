"""Coding completeness in the monthly e-mail to unit leaders, like the other measures with a
target: the units below it are listed, for the leaders whose units they are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from legemiddel.accounts.roles import Role
from legemiddel.analytics.alerts import alert_for, alerts_send
from legemiddel.analytics.engine import measures_refresh
from legemiddel.coding.measure import SOURCE
from tests.analytics.dataset import load_dataset

from .conftest import AFLIBERCEPT, CKD05

DAY = dt.date(2026, 2, 10)  # February 2026: the newest month of the sales data below
LINE = "Revmatologisk avdeling: Kodekompletthet for sykehusgitte legemidler (ISF): "


@pytest.fixture
def leader(org, users, settings):
    """The unit leader of MED-REV (with an address), the sales data that gives the month, and
    no provisional months (the dataset has only January and February)."""
    settings.ANALYTICS_PROVISIONAL_MONTHS = 0
    load_dataset(org)
    leader = users[Role.UNIT_LEADER]
    leader.email = "leder@example.org"
    leader.save()
    return leader


def coded(data, *, coded: int, uncoded: int) -> None:
    """Eye injections at MED-REV-POL in February, ``coded`` of them with a coded episode;
    matched, and the measures refreshed as after an episode import."""
    for i in range(coded + uncoded):
        data.adm(DAY, f"p{i}", "MED-REV-POL", "S01LA05", episode=f"E{i}")
        if i < coded:
            data.episode(f"E{i}", f"p{i}", "MED-REV-POL", DAY, codes=[AFLIBERCEPT, CKD05])
    data.refresh()
    measures_refresh()
    measures_refresh(sources={SOURCE})  # what the coding listener runs after the matching


@pytest.mark.django_db
def test_a_unit_below_the_coding_target_is_in_the_monthly_email(leader, data):
    coded(data, coded=1, uncoded=1)
    mail.outbox.clear()
    assert alerts_send() == (1, 0)
    (message,) = mail.outbox
    assert message.to == ["leder@example.org"]
    assert f"{LINE}50,0\u00a0% (mål 95,0\u00a0%)" in message.body


@pytest.mark.django_db
def test_a_unit_at_the_target_is_not_listed(leader, data):
    coded(data, coded=2, uncoded=0)
    alert = alert_for(leader)
    assert alert is not None
    assert "Kodekompletthet" not in alert.body()


@pytest.mark.django_db
def test_a_leader_of_other_units_does_not_get_it(leader, data, org):
    from legemiddel.accounts.services import user_create
    from legemiddel.organisation.services import membership_add

    other = user_create(username="nevro_leder", password=None, roles=[Role.UNIT_LEADER])
    membership_add(user=other, org_unit=org["NEVRO-MS"], role=Role.UNIT_LEADER)
    coded(data, coded=0, uncoded=2)
    assert LINE in alert_for(leader).body()
    assert "Kodekompletthet" not in alert_for(other).body()


@pytest.mark.django_db
def test_the_preview_page_shows_it(leader, data, client):
    from django.urls import reverse

    coded(data, coded=0, uncoded=1)
    client.force_login(leader)
    page = client.get(reverse("analytics:alert")).content.decode()
    assert "Kodekompletthet for sykehusgitte legemidler (ISF)" in page
    assert "0,0" in page
