"""The core group opens the versions of the Nye metoder list from the menu and reads what the
demo's later list changed: the decision before and after side by side; then maps a specialty."""

from __future__ import annotations

import pytest

from legemiddel.demo.services import DEMO_PASSWORD, demo_load
from legemiddel.methods.models import Specialty

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    demo_load(usage=False)


def test_the_core_group_reads_the_changes_of_the_latest_list(live_server, page, screenshot, demo):
    base = live_server.url
    page.goto(f"{base}/logg-inn/")
    page.locator("#id_username").fill("kjernegruppe")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator('form button:has-text("Logg inn")').click()
    page.wait_for_url(f"{base}/")
    page.get_by_role("link", name="Versjoner av beslutningslisten").first.click()
    page.wait_for_url("**/metoder/versjoner/")
    assert page.get_by_text("Nye metoder beslutninger 2026-03.xlsx").is_visible()
    assert "ikke koblet til våre enheter" in page.content()
    screenshot("metoder-versjoner")
    page.locator("tbody a").first.click()
    page.wait_for_url("**/metoder/versjoner/*/")
    changed = page.locator("section[aria-labelledby=changed-h] tbody tr", has_text="Cemiplimab")
    cells = changed.locator("td")
    assert "Metoden er under vurdering" in cells.nth(0).inner_text()
    assert "kan innføres" in cells.nth(1).inner_text()
    assert "19.01.2026" in cells.nth(1).inner_text()
    assert page.locator("#new-h + table", has_text="Lekanemab").count() == 1
    assert (
        page.locator("section[aria-labelledby=removed-h]", has_text="Robotassistert").count() == 1
    )
    screenshot("metoder-endringer")

    page.goto(f"{base}/metoder/fagomrader/")
    genetics = Specialty.objects.get(name="Medisinsk genetikk")
    page.locator(f"a[href='/metoder/fagomrader/{genetics.pk}/']").click()
    page.locator("#id_units").select_option(label="Barnemedisinsk avdeling (BUK-MED)")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/metoder/fagomrader/")
    assert list(genetics.units.values_list("code", flat=True)) == ["BUK-MED"]
    screenshot("metoder-fagomrader")
