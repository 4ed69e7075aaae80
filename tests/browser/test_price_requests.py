"""A prescriber asks for price access from the drug portal; the procurement adviser grants it from
the queue; the prescriber then sees the prices. And the notice editor is wide enough to read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from legemiddel.accounts.models import User
from legemiddel.agreements.models import (
    Agreement,
    Notice,
    PriceAccessGrant,
    PriceAccessRequest,
)
from legemiddel.demo.services import DEMO_PASSWORD, demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    demo_load(usage=False)


def _login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/logg-inn/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator('form button:has-text("Logg inn")').click()
    page.wait_for_url(f"{base}/")


def test_a_prescriber_asks_for_price_access_the_adviser_grants_it_and_prices_show(
    live_server, page, screenshot, demo
):
    base = live_server.url
    prescriber = User.objects.get(username="forskriver")
    _login(page, base, "forskriver")
    page.goto(f"{base}/avtaler/")
    panel = page.locator("#price-access")
    assert "deles på forespørsel" in panel.inner_text()
    panel.get_by_role("link", name="Be om pristilgang").click()
    page.wait_for_url("**/avtaler/pristilgang/be-om/")
    page.locator("#id_need").fill("Kostnadsbevisst valg ved oppstart av biologisk behandling")
    screenshot("pristilgang-be-om")
    mail.outbox.clear()
    page.get_by_role("button", name="Send forespørsel").click()
    page.wait_for_url(f"{base}/avtaler/")
    assert "Forespørselen venter på behandling" in page.locator("#price-access").inner_text()
    assert page.locator("#price-access").get_by_role("link", name="Be om pristilgang").count() == 0
    asked = PriceAccessRequest.objects.get(user=prescriber)
    assert asked.status == PriceAccessRequest.Status.OPEN
    assert [m.to for m in mail.outbox] == [[User.objects.get(username="innkjop").email]]
    screenshot("pristilgang-venter")

    _login(page, base, "innkjop")
    page.locator("#price-requests-h").locator("..").get_by_role("link").click()
    page.wait_for_url("**/avtaler/pristilgang/foresporsler/")
    row = page.locator(f"#request-{asked.pk}")
    assert "Kostnadsbevisst valg" in row.inner_text()
    expires = timezone.localdate() + dt.timedelta(days=90)
    row.locator("input[type=date]").fill(expires.isoformat())
    screenshot("pristilgang-ko")
    mail.outbox.clear()
    row.get_by_role("button", name="Gi tilgang").click()
    page.wait_for_url("**/avtaler/pristilgang/foresporsler/")
    assert "Pristilgang gitt til Øyvind Rønning" in page.get_by_role("status").inner_text()
    grant = PriceAccessGrant.objects.get(user=prescriber, revoked_at__isnull=True)
    assert grant.expires_on == expires
    asked.refresh_from_db()
    assert (asked.status, asked.grant) == (PriceAccessRequest.Status.GRANTED, grant)
    assert [m.to for m in mail.outbox] == [[prescriber.email]]
    screenshot("pristilgang-gitt")

    _login(page, base, "forskriver")
    page.goto(f"{base}/avtaler/")
    assert f"til og med {expires:%d.%m.%Y}" in page.locator("#price-access").inner_text()
    assert page.locator("#price-access").get_by_role("link").count() == 0
    page.locator("a[href='/avtaler/omrade/VEGF/']").first.click()
    page.get_by_role("link", name="Priser og kostnadssammenligning").click()
    agreement = Agreement.objects.get(title="Anti-VEGF 2025")
    page.wait_for_url(f"**/avtaler/register/{agreement.pk}/priser/")
    assert " kr" in page.locator("main").inner_text()
    screenshot("pristilgang-priser")


def test_the_notice_editor_gives_room_for_the_subject_and_the_text(
    live_server, page, screenshot, demo
):
    # The demo's coming agreement is published with its notice awaiting approval.
    notice = Notice.objects.filter(status=Notice.Status.DRAFT).first()
    assert notice is not None
    _login(page, live_server.url, "innkjop")
    page.goto(f"{live_server.url}/avtaler/utsendelser/{notice.pk}/")
    form_width = page.locator("#approve-h").locator("..").bounding_box()["width"]
    subject = page.locator("#id_subject").bounding_box()
    body = page.locator("#id_body").bounding_box()
    screenshot("varsel-redigering")
    assert subject["width"] > 0.8 * min(form_width, 960)
    assert body["width"] > 0.8 * min(form_width, 960)
    assert body["height"] > 200
