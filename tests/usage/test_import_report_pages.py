"""What a controller reads after an import (issue 12): the job page links the batch report
with the rejected rows; the errors name the columns as the file does; a one-month batch shows
its month once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from legemiddel.accounts.roles import Role
from legemiddel.accounts.services import user_create
from legemiddel.core.models import Job
from legemiddel.usage.models import ImportBatch, SalesLine

from .files import ENBREL, GAST_POL, HUMIRA, REV_DAG

worker_db = pytest.mark.django_db(transaction=True)
HEADER = "Periode;Kundenr;Varenr;Antall;Beløp eks MVA"
ONE_BAD_ROW = "\n".join(
    [HEADER, f"2026-11;{GAST_POL};{HUMIRA};2;18100", f"2026-11;{REV_DAG};{ENBREL};tre;9480"]
).encode()


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def controller(client, registers):
    user = user_create(username="kontroller", password=None, roles=[Role.CONTROLLER])
    client.force_login(user)
    return client


def _upload(client, content, **options):
    data = {"kind": "sls", "file": SimpleUploadedFile("sls-nov.csv", content)}
    data.update({f"option_{key}": "on" for key in options})
    return client.post("/jobber/", data)


@worker_db
def test_the_job_page_links_the_batch_report_with_the_rejected_rows(controller):
    _upload(controller, ONE_BAD_ROW, accept_valid=True)
    call_command("worker", "--batch", verbosity=0)
    job = Job.objects.get()
    batch = ImportBatch.objects.get()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.result_url == f"/forbruk/parti/{batch.pk}/"
    page = controller.get(f"/jobber/{job.pk}/").content.decode()
    assert f'href="/forbruk/parti/{batch.pk}/"' in page
    report = controller.get(f"/forbruk/parti/{batch.pk}/").content.decode()
    # The column as the file names it, on the page and in the CSV.
    assert re.search(r"<td>3</td><td>Antall</td><td>tre</td>", report)
    rejects = controller.get(f"/forbruk/parti/{batch.pk}/avviste.csv").content.decode()
    assert "3;Antall;tre;Antall er ikke et tall." in rejects
    assert SalesLine.objects.count() == 1


@worker_db
def test_a_refused_file_names_the_files_own_header(controller):
    _upload(controller, ONE_BAD_ROW)
    call_command("worker", "--batch", verbosity=0)
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "Antall")]
    errors = controller.get(f"/jobber/{job.pk}/feil.csv").content.decode()
    assert "3;Antall;tre;" in errors
    assert "quantity" not in controller.get(f"/jobber/{job.pk}/").content.decode()


def test_a_one_month_batch_shows_its_month_once(controller, people_free_batch):
    batch = people_free_batch
    page = controller.get(f"/forbruk/parti/{batch.pk}/").content.decode()
    assert "november 2026" in page
    assert "01.11.2026 – 01.11.2026" not in page
    listing = controller.get("/forbruk/").content.decode()
    assert "11.2026–11.2026" not in listing
    assert "11.2026" in listing


@pytest.fixture
def people_free_batch(registers):
    return ImportBatch.objects.create(
        source="sls",
        file_name="nov.csv",
        sha256="0" * 64,
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 1),
    )
