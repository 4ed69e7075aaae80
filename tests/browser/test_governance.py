"""The core group plans a core-group meeting, records the minutes with a decision and an
action; the action's owner sees it on their start page and on "My actions"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from legemiddel.accounts.models import User
from legemiddel.demo.services import DEMO_PASSWORD, demo_load
from legemiddel.governance.models import Meeting, MeetingAction, MeetingDecision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    demo_load(usage=False)


def _login(page, base, username):
    page.goto(f"{base}/logg-inn/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator('form button:has-text("Logg inn")').click()
    page.wait_for_url(f"{base}/")


def test_the_core_group_plans_minutes_and_gives_an_action_its_owner_sees(
    live_server, page, screenshot, demo
):
    base = live_server.url
    _login(page, base, "kjernegruppe")
    # The meetings to act on stand on the start page (a start-up meeting held without minutes).
    assert "MS 2026" in page.locator("#meetings-attention-h").locator("..").inner_text()

    page.get_by_role("navigation", name="Hovedmeny").locator("a[href='/styring/']").click()
    page.get_by_role("link", name="Planlegg et møte").click()
    page.locator("#id_forum").select_option(label="Kjernegruppen")
    page.locator("#id_title").fill("Kjernegruppen desember")
    earlier = timezone.localtime() - dt.timedelta(hours=2)
    page.locator("#id_scheduled_at").fill(earlier.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_location").fill("Møterom 4 / Teams")
    page.locator("#id_agenda").fill("1. Kostnader per område\n2. Nye avtaler")
    screenshot("styring-planlegg")
    page.get_by_role("button", name="Planlegg møtet").click()
    page.wait_for_url("**/styring/moter/*/")
    meeting = Meeting.objects.get(title="Kjernegruppen desember")
    assert meeting.forum.kind == "core_group"

    page.locator("#id_minutes_minutes").fill("Kostnadene per område ble gjennomgått.")
    page.get_by_role("button", name="Lagre referatet").click()
    page.wait_for_url(f"**/styring/moter/{meeting.pk}/")
    page.locator("#id_decision_text").fill("Revmatologi følger opp andel førstevalg.")
    page.get_by_role("button", name="Registrer beslutningen").click()
    page.wait_for_url(f"**/styring/moter/{meeting.pk}/")
    page.locator("#id_action_text").fill("Send tallene for TNF til enhetene")
    page.locator("#id_action_owner").select_option(label="Lars Myklebust (enhetsleder)")
    page.locator("#id_action_due").fill("2027-01-15")
    page.get_by_role("button", name="Legg til tiltaket").click()
    page.wait_for_url(f"**/styring/moter/{meeting.pk}/")
    screenshot("styring-mote")

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert MeetingDecision.objects.filter(meeting=meeting).count() == 1
    action = MeetingAction.objects.get(meeting=meeting)
    assert action.owner == User.objects.get(username="enhetsleder")
    assert "Send tallene for TNF til enhetene" in page.get_by_role("main").inner_text()

    page.context.clear_cookies()
    _login(page, base, "enhetsleder")
    panel = page.locator("#my-actions-h").locator("..")
    assert "Send tallene for TNF til enhetene" in panel.inner_text()
    page.get_by_role("navigation", name="Hovedmeny").locator(
        "a[href='/styring/mine-tiltak/']"
    ).click()
    row = page.locator("tr", has_text="Send tallene for TNF til enhetene")
    assert "15.01.2027" in row.inner_text()
    screenshot("styring-mine-tiltak")
    row.get_by_role("button", name="Merk som utført").click()
    page.wait_for_url("**/styring/mine-tiltak/")
    assert "Du har ingen åpne tiltak." in page.get_by_role("main").inner_text()
    action.refresh_from_db()
    assert action.status == MeetingAction.Status.DONE
