"""A person logs in as a demo user in Chromium and uses the start page."""

from __future__ import annotations

import pytest

from legemiddel.demo.services import DEMO_PASSWORD, demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    demo_load()


def _login(page, base, username):
    page.goto(f"{base}/")
    assert "/logg-inn/" in page.url
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/")


def test_a_unit_leader_logs_in_and_sees_their_start_page(live_server, page, screenshot, demo):
    _login(page, live_server.url, "enhetsleder")
    assert page.get_by_role("heading", level=1).inner_text() == "Velkommen, Lars Myklebust"
    main = page.get_by_role("main")
    assert main.get_by_text("Enhetsleder", exact=True).is_visible()
    assert main.get_by_role("link", name="Revmatologisk avdeling").is_visible()
    nav = page.get_by_role("navigation", name="Hovedmeny")
    assert nav.get_by_role("link", name="Organisasjon").is_visible()
    assert nav.get_by_role("link", name="Tilgangslogg").count() == 0
    screenshot("start-enhetsleder")

    # Every menu link opens a real page (no placeholders, no 403).
    for href in nav.get_by_role("link").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        response = page.goto(f"{live_server.url}{href}")
        assert response is not None, href
        assert response.status == 200, href
    page.goto(f"{live_server.url}/organisasjon/")
    page.get_by_role("link", name="Revmatologisk avdeling").first.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Revmatologisk avdeling")
    screenshot("enhet-revmatologi")


def test_personnel_search_as_you_type_handles_norwegian_letters(
    live_server, page, screenshot, demo
):
    _login(page, live_server.url, "kjernegruppe")
    page.goto(f"{live_server.url}/organisasjon/helsepersonell/")
    page.get_by_label("Søk på navn eller HPR-nummer").press_sequentially("øyvind rø", delay=30)
    page.wait_for_url("**q=*")
    rows = page.locator("#personnel-rows tr")
    rows.first.wait_for()
    assert "Øyvind Rønning" in page.locator("#personnel-rows").inner_text()
    screenshot("helsepersonell-sok")


def test_the_language_can_be_switched_to_english(live_server, page, demo):
    _login(page, live_server.url, "revisor")
    page.get_by_label("Språk").select_option("en")
    page.get_by_role("button", name="Bytt").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Nils Fjeld"
    assert page.get_by_role("link", name="Audit log").first.is_visible()


def test_a_wrong_password_shows_a_readable_error(live_server, page, screenshot, demo):
    page.goto(f"{live_server.url}/logg-inn/")
    page.get_by_label("Brukernavn").fill("revisor")
    page.get_by_label("Passord").fill("feil-passord")
    page.get_by_role("button", name="Logg inn").click()
    alert = page.get_by_role("alert")
    assert "passord" in alert.inner_text().lower()
    screenshot("innlogging-feil")
