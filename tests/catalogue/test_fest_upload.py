"""The catalogue is loaded by an administrator's upload (a background job) or by the CLI."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from legemiddel.accounts.roles import Role
from legemiddel.catalogue.models import FestLoad, Package
from legemiddel.core.models import Job
from legemiddel.demo import festgen

worker_db = pytest.mark.django_db(transaction=True)


def _upload(client, name, content, **options):
    data = {"kind": "fest", "file": SimpleUploadedFile(name, content)}
    data.update({f"option_{k}": "on" for k, v in options.items() if v})
    return client.post("/jobber/", data)


@worker_db
def test_an_administrator_uploads_the_fest_zip_and_the_worker_loads_it(client_for, tmp_path):
    client = client_for(Role.ADMINISTRATOR)
    zipped = tmp_path / "fest251.zip"
    festgen.write_file(festgen.demo_catalogue(), zipped)
    response = _upload(client, "fest251.zip", zipped.read_bytes())
    assert response.status_code == 302
    call_command("worker", "--batch", verbosity=0)
    job = Job.objects.get()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.percent == 100
    assert job.progress_done == job.progress_total > 0
    assert "155 pakninger lest, 155 nye" in job.message
    assert Package.objects.filter(active=True).count() == 154
    load = FestLoad.objects.get()
    assert load.loaded_by.username == job.created_by.username
    assert load.file_name == "fest251.zip"


@worker_db
def test_an_older_file_fails_the_job_unless_forced_in_the_upload_form(client_for, tmp_path):
    client = client_for(Role.ADMINISTRATOR)
    newer = festgen.demo_catalogue()
    older = festgen.demo_catalogue()
    older.retrieved_at = newer.retrieved_at - dt.timedelta(days=14)
    buffer = io.StringIO()
    festgen.write_fest(newer, buffer)
    _upload(client, "ny.xml", buffer.getvalue().encode())
    buffer = io.StringIO()
    festgen.write_fest(older, buffer)
    _upload(client, "gammel.xml", buffer.getvalue().encode())
    call_command("worker", "--batch", verbosity=0)
    refused = Job.objects.get(file_name="gammel.xml")
    assert refused.status == Job.Status.FAILED
    assert "før katalogen som alt er lastet" in refused.errors[0]["message"]
    assert FestLoad.objects.count() == 1

    _upload(client, "gammel.xml", buffer.getvalue().encode(), force=True)
    call_command("worker", "--batch", verbosity=0)
    forced = Job.objects.filter(file_name="gammel.xml").order_by("-id").first()
    assert forced.options == {"force": True}
    assert forced.status == Job.Status.SUCCEEDED, forced.message
    assert FestLoad.objects.filter(forced=True).count() == 1


@pytest.mark.django_db
def test_the_upload_form_refuses_a_file_of_the_wrong_type(client_for):
    client = client_for(Role.ADMINISTRATOR)
    response = _upload(client, "fest.csv", b"varenr;navn\n")
    assert response.status_code == 200
    assert "må være en .xml / .zip-fil" in response.content.decode()
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_options_of_another_kind_are_not_passed_to_an_importer(client_for):
    client = client_for(Role.ADMINISTRATOR)
    client.post(
        "/jobber/",
        {
            "kind": "org",
            "file": SimpleUploadedFile("org.csv", b"type;kode;navn\nklinikk;K;K\n"),
            "option_force": "on",
        },
    )
    assert Job.objects.get().options == {}


@pytest.mark.django_db
def test_the_cli_imports_fest_and_reports_a_refused_file(tmp_path, capsys):
    good = tmp_path / "fest.xml"
    festgen.write_file(festgen.demo_catalogue(), good)
    call_command("import", "fest", str(good))
    assert "155 pakninger lest" in capsys.readouterr().out
    bad = tmp_path / "ikke-fest.xml"
    bad.write_text("<html><body>Innlogging</body></html>")
    with pytest.raises(CommandError, match="avvist"):
        call_command("import", "fest", str(bad))
    assert "ikke «FEST»" in capsys.readouterr().err
    with pytest.raises(CommandError, match="--incremental does not apply to org"):
        call_command("import", "org", str(good), "--incremental")
    assert FestLoad.objects.count() == 1
