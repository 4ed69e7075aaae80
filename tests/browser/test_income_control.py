"""Issue 14 in a real browser: a controller opens the work list, marks one finding not
applicable with a reason and exports the rest; after a re-import of the episodes with the
procedure code added, the other finding shows as corrected."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.core.management import call_command

from legemiddel.coding.importing import episodes_import
from legemiddel.coding.matching import coding_refresh
from legemiddel.core import outbox
from legemiddel.findings.models import Finding
from tests.coding.conftest import Data
from tests.conftest import PASSWORD
from tests.usage.files import P1, P2, pseudonym

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "episode;fødselsnummer;enhet;kontakttype;start;slutt;kodeverk;kode"
D = dt.date(2024, 3, 14)


def _episodes(with_procedure_on_e2: bool) -> str:
    rows = [
        f"DIPS-E1;{P1};MED-REV-POL;poliklinikk;2024-03-14 08:30;2024-03-14 09:00;ATC;S01LA05",
        f"DIPS-E2;{P2};MED-REV-POL;poliklinikk;2024-03-14 10:00;2024-03-14 10:30;ATC;S01LA05",
    ]
    if with_procedure_on_e2:
        rows.append(
            f"DIPS-E2;{P2};MED-REV-POL;poliklinikk;2024-03-14 10:00;2024-03-14 10:30;NCSP;CKD05"
        )
    return "\n".join([HEADER, *rows]) + "\n"


@pytest.fixture
def two_findings(org, users, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    data = Data(org)
    data.adm(D, pseudonym(P1), "MED-REV-POL", "S01LA05", episode="DIPS-E1")
    data.adm(D, pseudonym(P2), "MED-REV-POL", "S01LA05", episode="DIPS-E2")
    path = tmp_path / "episoder-mars.csv"
    path.write_text(_episodes(False), encoding="utf-8")
    episodes_import(path=path)
    coding_refresh()
    assert Finding.objects.filter(status=Finding.Status.OPEN).count() == 2


def test_a_controller_works_through_the_work_list(live_server, page, screenshot, two_findings):
    base = live_server.url
    page.goto(f"{base}/logg-inn/")
    page.locator("#id_username").fill("controller")
    page.locator("#id_password").fill(PASSWORD)
    page.locator('form button:has-text("Logg inn")').click()
    page.wait_for_url(f"{base}/")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Arbeidsliste"
    ).click()
    page.wait_for_url(f"{base}/funn/")
    table = page.locator("table.table tbody")
    assert "DIPS-E1" in table.inner_text()
    assert "Legemiddelkode uten prosedyrekoden" in table.inner_text()
    assert P1 not in page.content()
    screenshot("arbeidsliste")

    # One finding is not applicable, with the reason.
    page.get_by_role("link", name="DIPS-E1").click()
    page.locator("select[name=status]").select_option("not_applicable")
    page.locator("input[name=reason]").fill("Gitt i utprøving, ikke ISF")
    page.get_by_role("button", name="Lagre status").click()
    assert "Ikke relevant: Gitt i utprøving, ikke ISF" in page.locator("#status").inner_text()

    # The rest goes out for the correction round.
    page.get_by_role("link", name="Arbeidsliste").first.click()
    assert "DIPS-E1" not in page.locator("table.table tbody").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Eksporter til XLSX").click()
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    references = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert references == ["DIPS-E2"]

    # DIPS-E2 is corrected in DIPS and the episodes are imported again.
    page.goto(f"{base}/jobber/")
    page.locator("#id_kind").select_option("episoder")
    page.locator("#id_file").set_input_files(
        {"name": "episoder-mars-rettet.csv", "mimeType": "text/csv",
         "buffer": _episodes(True).encode()}
    )  # fmt: skip
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/jobber/\d+/$"))
    call_command("worker", "--batch", verbosity=0)
    outbox.process()
    page.goto(f"{base}/funn/?status=corrected")
    corrected = page.locator("table.table tbody").inner_text()
    assert "DIPS-E2" in corrected
    assert "Rettet" in corrected
    screenshot("arbeidsliste-rettet")
    assert Finding.objects.get(reference="DIPS-E1").status == Finding.Status.NOT_APPLICABLE
