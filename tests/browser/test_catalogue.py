"""A prescriber finds a drug in the catalogue as they type and reads its prices and ATC group."""

from __future__ import annotations

import pytest

from legemiddel.demo.services import DEMO_PASSWORD, demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    demo_load()


def _login(page, base, username):
    page.goto(f"{base}/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{base}/")


def test_a_prescriber_searches_as_they_type_and_opens_a_package(
    live_server, page, screenshot, demo
):
    _login(page, live_server.url, "forskriver")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Legemiddelkatalog"
    ).click()
    page.get_by_label("Navn, varenummer, EAN, ATC-kode eller virkestoff").press_sequentially(
        "INFLIKSIMAB", delay=30
    )
    page.wait_for_url("**q=INFLIKSIMAB*")
    results = page.locator("#package-results")
    results.get_by_role("link", name="Remicade", exact=False).first.wait_for()
    assert "Inflectra" in results.inner_text()
    assert "Humira" not in results.inner_text()
    screenshot("katalog-sok")

    results.get_by_role("link", name="Remicade", exact=False).first.click()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Remicade")
    prices = page.get_by_role("table").inner_text()
    assert "01.01.2026" in prices
    assert "31.12.2025" in prices
    assert "kr" in prices
    screenshot("katalog-pakning")

    page.get_by_role("navigation", name="Brødsmulesti").get_by_role(
        "link", name="L04AB", exact=True
    ).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("L04AB")
    assert page.get_by_role("link", name="L04AB02", exact=True).is_visible()
    screenshot("katalog-atc")
