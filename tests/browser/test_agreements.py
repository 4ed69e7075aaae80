"""The procurement adviser changes an agreement, publishes it and sends the notice; a prescriber
reads the drug portal and sees no price."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from legemiddel.agreements.models import Agreement, Delivery, Notice
from legemiddel.core.models import MailDelivery
from legemiddel.demo.services import DEMO_PASSWORD, demo_load

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


def test_the_procurement_adviser_publishes_a_change_and_sends_the_notice(
    live_server, page, screenshot, demo
):
    base = live_server.url
    _login(page, base, "innkjop")
    # The start page says what needs attention: the overdue start-up meeting.
    attention = page.locator("#attention-h").locator("..")
    assert "PD-1/PD-L1" in attention.inner_text()
    screenshot("avtaler-start")

    page.get_by_role("navigation", name="Hovedmeny").locator("a[href='/avtaler/register/']").click()
    page.get_by_role("main").locator("table").get_by_role("link", name="MS 2026").click()
    agreement = Agreement.objects.get(title="MS 2026")
    assert page.url.endswith(f"/avtaler/register/{agreement.pk}/")
    page.locator(f"a[href='/avtaler/register/{agreement.pk}/endre/']").first.click()
    page.locator("#id_extended_to").fill("2027-07-31")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"**/avtaler/register/{agreement.pk}/")
    page.locator("#id_note").fill("Avtalen er forlenget til 31.07.2027.")
    screenshot("avtaler-publiser")
    page.locator(f"form[action='/avtaler/register/{agreement.pk}/publiser/'] button").click()
    page.wait_for_url("**/avtaler/utsendelser/*/")
    notice = Notice.objects.get(agreement=agreement, status=Notice.Status.DRAFT)
    body = page.locator("#id_body").input_value()
    assert "31.07.2027" in body
    assert " kr" not in body
    screenshot("avtaler-varsel-utkast")

    mail.outbox.clear()
    page.locator(f"form[action='/avtaler/utsendelser/{notice.pk}/send/'] button").click()
    page.wait_for_url(f"**/avtaler/utsendelser/{notice.pk}/")
    messages = page.get_by_role("status").inner_text()
    sent = Delivery.objects.filter(notice=notice, mail__status=MailDelivery.Status.SENT).count()
    assert sent > 3
    assert str(sent) in messages
    assert len(mail.outbox) == sent
    assert all("MS 2026" in m.subject for m in mail.outbox)
    screenshot("avtaler-varsel-sendt")

    page.goto(f"{base}/avtaler/utsendelser/")
    row = page.locator("tr", has_text="MS 2026").first
    assert re.search(rf"{sent}\s*/\s*\d+", row.inner_text())
    screenshot("avtaler-utsendelser")


def test_a_prescriber_reads_the_portal_without_prices(live_server, page, screenshot, demo):
    base = live_server.url
    _login(page, base, "forskriver")
    page.get_by_role("navigation", name="Hovedmeny").locator("a[href='/avtaler/']").click()
    assert "/avtaler/register/" not in page.content()
    card = page.locator(".card", has_text="TNF BIO")
    assert "Amgevita" in card.inner_text()
    page.locator("a[href='/avtaler/omrade/VEGF/']").click()
    text = page.locator("main").inner_text()
    assert "Yesafili" in text
    assert "Ximluci" in text
    assert " kr" not in text
    assert "/priser/" not in page.content()
    screenshot("portal-forskriver")

    agreement = Agreement.objects.get(title="Anti-VEGF 2025")
    response = page.goto(f"{base}/avtaler/register/{agreement.pk}/priser/")
    assert response is not None
    assert response.status == 403
