"""A unit leader follows LIS adherence down to a prescriber and downloads the figures; without
price access no amount in kroner shows anywhere in the follow-up pages."""

from __future__ import annotations

import io

import pytest

from legemiddel.demo.services import DEMO_PASSWORD, demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    demo_load()


def _login(page, base, username):
    page.goto(f"{base}/logg-inn/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator('form button:has-text("Logg inn")').click()
    page.wait_for_url(f"{base}/")


def test_a_unit_leader_drills_to_a_prescriber_and_downloads_xlsx(
    live_server, page, screenshot, demo
):
    from python_calamine import CalamineWorkbook

    base = live_server.url
    _login(page, base, "enhetsleder")
    page.get_by_role("navigation", name="Hovedmeny").locator("a[href='/analyse/']").click()
    index = page.locator("main").inner_text()
    assert "Andel behandlingsstarter på førstevalg" in index
    assert " kr" not in index  # no price access: no amounts
    page.get_by_role("link", name="Andel behandlingsstarter på førstevalg – TNF BIO").click()
    assert "Siste datamåned: 10.2026" in page.locator("main").inner_text()
    page.get_by_role("link", name="Revmatologisk avdeling").click()
    page.get_by_role("link", name="Revmatologisk poliklinikk").click()
    prescribers = page.locator("#prescribers-h").locator("..")
    prescribers.get_by_role("link").first.click()
    page.wait_for_url("**forskriver=*")
    assert page.locator("svg[role=img]").count() == 1
    screenshot("analyse-forskriver")
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned (XLSX)").click()
    data = download.value.path().read_bytes()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["Sted", "Måned", "Teller", "Nevner", "Andel"]
    assert len(rows) > 1
    text = page.locator("main").inner_text()
    assert " kr" not in text

    # Another unit's page is not there for this leader.
    response = page.goto(f"{base}/analyse/kostnad--TNF-BIO/")
    assert response is not None
    assert response.status == 403
