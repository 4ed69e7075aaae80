"""Uploads become background jobs that the worker runs; the page follows their progress."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from legemiddel.accounts.roles import Role
from legemiddel.core.models import Job
from legemiddel.organisation.models import OrgUnit

GOOD = "type;kode;navn;overordnet\nklinikk;KIR;Kirurgisk klinikk;\navdeling;KIR-ORT;Ortopedisk avdeling;KIR\n"
BAD = "type;kode;navn;overordnet\nklinikk;KIR;Kirurgisk klinikk;\navdeling;KIR-ORT;Ortopedisk avdeling;FINNES-IKKE\n"


def _upload(client, text, kind="org"):
    return client.post(
        "/jobber/",
        {
            "kind": kind,
            "file": SimpleUploadedFile("org.csv", text.encode(), content_type="text/csv"),
        },
    )


# The worker closes its database connections when it stops, as it should in production; so
# the tests that run it use real transactions instead of a wrapping test transaction.
worker_db = pytest.mark.django_db(transaction=True)


def _run_worker():
    call_command("worker", "--batch", verbosity=0)


@worker_db
def test_an_administrator_uploads_and_the_worker_imports(client_for, org):
    client = client_for(Role.ADMINISTRATOR)
    response = _upload(client, GOOD)
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/jobber/{job.pk}/"
    assert job.status == Job.Status.QUEUED
    assert "legemiddel worker" in client.get(response["Location"]).content.decode()
    _run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert OrgUnit.objects.get(code="KIR-ORT").path == "KIR/KIR-ORT"
    fragment = client.get(f"/jobber/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    assert "hx-trigger" not in fragment  # finished: the page stops polling


@worker_db
def test_a_bad_file_fails_the_job_with_row_errors_and_imports_nothing(client_for, org):
    client = client_for(Role.ADMINISTRATOR)
    before = OrgUnit.objects.count()
    _upload(client, BAD)
    _run_worker()
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.errors == [
        {
            "row": 3,
            "column": "overordnet",
            "value": "FINNES-IKKE",
            "message": "finnes ikke i filen eller i organisasjonen",
        }
    ]
    assert OrgUnit.objects.count() == before
    page = client.get(f"/jobber/{job.pk}/").content.decode()
    assert "FINNES-IKKE" in page


def test_an_empty_upload_is_refused_in_the_form(client_for, org):
    client = client_for(Role.ADMINISTRATOR)
    response = _upload(client, "")
    assert response.status_code == 200
    assert Job.objects.count() == 0


def test_an_unknown_kind_is_refused_in_the_form(client_for, org):
    response = _upload(client_for(Role.ADMINISTRATOR), GOOD, kind="fest-bomb")
    assert response.status_code == 200
    assert Job.objects.count() == 0


def test_other_roles_cannot_upload(client_for, org):
    for role in (Role.CORE_GROUP, Role.PRESCRIBER, Role.AUDITOR):
        assert _upload(client_for(role), GOOD).status_code == 403
    assert Job.objects.count() == 0
