"""Issue 12 in a real browser: a controller imports an SLS file with one bad row and fixes it
from the error report; a unit leader sees on the start page how their units follow the
first-choice recommendation and drills to a prescriber."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from legemiddel.core.models import Job
from legemiddel.demo.services import DEMO_PASSWORD, demo_load
from legemiddel.usage.models import ImportBatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "periode;kundenr;varenr;antall;beløp eks mva"


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo_load()


def _login(page, base, username):
    page.goto(f"{base}/logg-inn/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator('form button:has-text("Logg inn")').click()
    page.wait_for_url(f"{base}/")


def _upload(page, name: str, rows: list[str]) -> None:
    page.locator("#id_kind").select_option("sls")
    content = ("\n".join([HEADER, *rows]) + "\n").encode()
    page.locator("#id_file").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content}
    )
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/jobber/\d+/$"))
    call_command("worker", "--batch", verbosity=0)
    page.reload()


def test_a_controller_imports_sls_and_fixes_the_bad_row_from_the_error_report(
    live_server, page, screenshot, demo
):
    base = live_server.url
    _login(page, base, "controller")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Import av data"
    ).click()
    page.wait_for_url(f"{base}/jobber/")
    # The format and a template are at hand for each file type.
    with page.expect_download() as download:
        page.locator("a[href='/hjelp/format/sls/mal.csv']").click()
    assert download.value.suggested_filename == "mal-sls.csv"
    screenshot("import-kontroller")

    _upload(page, "sls-nov.csv", ["2026-11;30130;100001;2;18100", "2026-11;30130;100012;tre;9480"])
    status = page.locator("#job-status")
    assert "Feilet" in status.inner_text()
    row = status.locator("tbody tr").first
    assert [c.inner_text() for c in row.locator("td").all()][:3] == ["3", "antall", "tre"]
    with page.expect_download() as errors:
        page.get_by_role("link", name="Last ned feilene som CSV").click()
    assert "3;antall;tre;" in errors.value.path().read_text(encoding="utf-8-sig")
    screenshot("import-feil")
    assert ImportBatch.objects.filter(file_name="sls-nov.csv").count() == 0

    # Fixed in the file and uploaded again.
    page.get_by_role("link", name="Last opp den rettede filen").click()
    _upload(page, "sls-nov.csv", ["2026-11;30130;100001;2;18100", "2026-11;30130;100012;3;9480"])
    assert "2 av 2 rader importert" in page.locator("#job-status").inner_text()
    page.get_by_role("link", name="Åpne rapporten for innlesingen (avviste rader)").click()
    batch = ImportBatch.objects.get(file_name="sls-nov.csv")
    page.wait_for_url(f"{base}/forbruk/parti/{batch.pk}/")
    main = page.locator("main").inner_text()
    assert "november 2026" in main
    assert "01.11.2026 – 01.11.2026" not in main
    assert Job.objects.filter(created_by__username="controller").count() == 2
    screenshot("import-rapport")


def test_a_unit_leader_sees_first_choice_on_the_start_page_and_drills_to_a_prescriber(
    live_server, page, screenshot, demo
):
    base = live_server.url
    _login(page, base, "enhetsleder")
    panel = page.locator("section.personal-view")
    assert "Slik går det i enhetene dine" in panel.inner_text()
    text = panel.inner_text()
    assert "Revmatologisk avdeling" in text
    assert "Andel behandlingsstarter på førstevalg – TNF BIO" in text
    assert "den nyeste måneden som ikke er foreløpig" in text
    assert " kr" not in text  # no price access
    screenshot("startside-enhetsleder")
    panel.get_by_role(
        "link", name=re.compile("Åpne Andel behandlingsstarter på førstevalg – TNF BIO")
    ).click()
    page.wait_for_url(re.compile(r".*/analyse/oppstart-forstevalg--TNF-BIO/\?enhet=\d+$"))
    page.get_by_role("link", name="Revmatologisk poliklinikk").first.click()
    prescribers = page.locator("#prescribers-h").locator("..")
    prescribers.get_by_role("link").first.click()
    page.wait_for_url("**forskriver=*")
    screenshot("startside-til-forskriver")

    # Printed for a meeting: the figures without the menu, the header or the buttons.
    page.emulate_media(media="print")
    assert not page.locator("nav.main-nav").is_visible()
    assert not page.locator("header.site-header").is_visible()
    assert page.locator("main h1").is_visible()
    page.goto(f"{base}/avtaler/")
    assert not page.locator("nav.main-nav").is_visible()
    assert page.locator("main h1").is_visible()


def test_long_tables_sort_filter_and_page(live_server, page, demo):
    base = live_server.url
    _login(page, base, "admin")
    page.goto(f"{base}/organisasjon/helsepersonell/")
    table = page.locator("main table.table").first
    rows = table.locator("tbody tr:not([hidden])")
    assert rows.count() <= 25
    total = table.locator("tbody tr").count()
    if total > 25:
        assert page.get_by_role("button", name="Vis neste rader").first.is_visible()
    name_header = table.locator("thead th").first
    name_header.get_by_role("button").click()
    assert name_header.get_attribute("aria-sort") == "ascending"
    first = rows.first.locator("td").first.inner_text()
    name_header.get_by_role("button").click()
    assert name_header.get_attribute("aria-sort") == "descending"
    assert rows.first.locator("td").first.inner_text() != first
    page.get_by_label("Filtrer tabellen").first.fill(first)
    assert all(first in r.inner_text() for r in rows.all())
