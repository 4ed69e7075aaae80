"""Issue 15 in a real browser: the core group opens the method register, filters the
unconfirmed methods, opens one whose decision changed after it was confirmed, reads the new
text beside the suggestion and confirms the changed status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from legemiddel.accounts.roles import Role
from legemiddel.methods.models import DecisionStatus, Method
from tests.conftest import PASSWORD
from tests.methods.conftest import add_method

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def changed(users):
    """Okrelizumab was confirmed introduced; the new list says it is not introduced."""
    confirmed = timezone.now() - dt.timedelta(days=30)
    add_method(
        "2023_001",
        "Revmatoid artritt",
        "Adalimumab",
        status=DecisionStatus.INTRODUCED,
        status_confirmed_at=confirmed,
        status_confirmed_by=users[Role.CORE_GROUP],
        changed_at=confirmed - dt.timedelta(days=1),
    )
    return add_method(
        "2023_002",
        "Primær progressiv multippel sklerose",
        "Okrelizumab",
        short="Ikke innført",
        full="Okrelizumab kan ikke innføres til behandling av primær progressiv MS. Prisen er "
        "for høy sammenlignet med nytten.",
        status=DecisionStatus.INTRODUCED,
        status_confirmed_at=confirmed,
        status_confirmed_by=users[Role.CORE_GROUP],
        changed_at=timezone.now(),
    )


def test_the_core_group_confirms_a_changed_status(live_server, page, screenshot, changed):
    base = live_server.url
    page.goto(f"{base}/logg-inn/")
    page.locator("#id_username").fill("core_group")
    page.locator("#id_password").fill(PASSWORD)
    page.locator('form button:has-text("Logg inn")').click()
    page.wait_for_url(f"{base}/")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Metoderegister"
    ).click()
    page.wait_for_url(f"{base}/metoder/register/")
    assert "ID2023_001" in page.locator("table.table tbody").inner_text()

    page.get_by_label("Ikke bekreftet").check()
    page.get_by_role("button", name="Vis", exact=True).click()
    page.wait_for_url("**ubekreftet=1**")
    rows = page.locator("table.table tbody").inner_text()
    assert "ID2023_002" in rows
    assert "ID2023_001" not in rows
    assert "endret siden bekreftet" in rows
    screenshot("metoderegister-ubekreftet")

    page.get_by_role("link", name="ID2023_002").click()
    page.wait_for_url(f"{base}/metoder/{changed.pk}/behandle/")
    assert "kan ikke innføres" in page.locator("#decision-full").inner_text()
    assert page.locator("#suggested-status").inner_text() == "Ikke innført"
    assert "Innført" in page.locator("#confirmed-status").inner_text()
    assert "endret siden statusen ble bekreftet" in page.content()
    assert page.locator("select[name=status]").input_value() == "not_introduced"
    screenshot("metode-behandle")
    page.get_by_role("button", name="Bekreft statusen").click()
    page.wait_for_url(f"{base}/metoder/{changed.pk}/behandle/")
    assert "Ikke innført" in page.locator("#confirmed-status").inner_text()
    assert "endret siden statusen ble bekreftet" not in page.content()

    changed.refresh_from_db()
    assert changed.status == DecisionStatus.NOT_INTRODUCED
    assert changed.status_confirmed_at > changed.changed_at
    page.get_by_role("link", name="Metoderegister").first.click()
    page.get_by_label("Ikke bekreftet").check()
    page.get_by_role("button", name="Vis", exact=True).click()
    page.wait_for_url("**ubekreftet=1**")
    assert "ID2023_002" not in page.locator("table.table tbody").inner_text()
    assert Method.objects.count() == 2
