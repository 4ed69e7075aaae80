"""The core group opens the versions of the Nye metoder list from the menu and reads what the
demo's later list changed: the decision before and after side by side; then maps a specialty.
And it imports a new list through the web, sees the changed decision and confirms it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import xlsxwriter
from django.core.management import call_command

from legemiddel.demo import methods_data
from legemiddel.demo.services import DEMO_PASSWORD, demo_load
from legemiddel.methods.models import Method, MethodImport, Specialty

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


def _third_list(path):
    """The demo's latest list, with mepolizumab no longer introduced (decided 10.11.2026)."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Beslutninger")
    sheet.write_row(0, 0, methods_data.HEADER)
    for r, row in enumerate(methods_data._rows(2), start=1):
        *texts, day, short, full = row
        if texts[0] == "2019_094":
            day = dt.date(2026, 11, 10)
            short = full = (
                "Mepolizumab (Nucala) kan ikke innføres til behandling av alvorlig astma."
            )
        sheet.write_row(r, 0, texts)
        sheet.write_number(r, 6, (day - methods_data.EPOCH).days if day else 0)
        sheet.write_string(r, 7, short)
        sheet.write_string(r, 8, full)
    book.close()
    return path


def test_the_core_group_imports_a_new_list_sees_the_change_and_confirms_it(
    live_server, page, screenshot, demo, tmp_path
):
    base = live_server.url
    page.goto(f"{base}/logg-inn/")
    page.locator("#id_username").fill("kjernegruppe")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator('form button:has-text("Logg inn")').click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/jobber/")
    page.locator("#id_kind").select_option("metoder")
    page.locator("#id_file").set_input_files(
        str(_third_list(tmp_path / "beslutninger-2026-11.xlsx"))
    )
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/jobber/\d+/$"))
    call_command("worker", "--batch", verbosity=0)
    page.reload()
    assert "1 endrede beslutninger" in page.content()
    page.get_by_role("link", name="Se hva listen endret").click()
    page.wait_for_url(f"**/metoder/versjoner/{MethodImport.objects.order_by('-id')[0].pk}/")
    screenshot("metoder-ny-liste-importert")

    latest = MethodImport.objects.order_by("-id").first()
    assert latest.file_name == "beslutninger-2026-11.xlsx"
    page.goto(f"{base}/metoder/versjoner/{latest.pk}/")
    changed = page.locator("section[aria-labelledby=changed-h] tbody tr", has_text="Mepolizumab")
    assert "kan ikke innføres" in changed.locator("td").nth(1).inner_text()
    screenshot("metoder-endret-beslutning")
    changed.get_by_role("link", name="Bekreft statusen").click()
    page.wait_for_url("**/behandle/")
    assert page.locator("#suggested-status").inner_text() == "Ikke innført"
    page.get_by_role("button", name="Bekreft statusen").click()
    page.wait_for_url("**/behandle/")
    method = Method.objects.get(method_id="ID2019_094")
    assert method.status == "not_introduced"
    assert method.status_confirmed_by.username == "kjernegruppe"
    assert "Ikke innført" in page.locator("#confirmed-status").inner_text()
    screenshot("metoder-bekreftet")
