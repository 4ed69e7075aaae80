"""The decision list through the job pages and the worker, and ``legemiddel import metoder``."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from legemiddel.accounts.roles import Role
from legemiddel.core import jobs
from legemiddel.core.models import Job
from legemiddel.methods.models import Method, MethodImport
from tests.methods.conftest import row, write_xlsx

worker_db = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(client, path):
    data = {"kind": "metoder", "file": SimpleUploadedFile(path.name, path.read_bytes())}
    return client.post("/jobber/", data)


@worker_db
def test_the_core_group_uploads_two_lists_and_the_second_is_mailed(client_for, users, tmp_path):
    users[Role.CORE_GROUP].email = "kjerne@example.org"
    users[Role.CORE_GROUP].save()
    client = client_for(Role.CORE_GROUP)
    first = write_xlsx(tmp_path / "v1.xlsx", [row(short="Under vurdering.")])
    assert _upload(client, first).status_code == 302
    call_command("worker", "--batch", verbosity=0)
    job = Job.objects.get()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert "1 nye metoder" in job.message
    batch = MethodImport.objects.get()
    assert batch.created_by == users[Role.CORE_GROUP]
    assert f"/metoder/versjoner/{batch.pk}/" in client.get(f"/jobber/{job.pk}/").content.decode()
    assert mail.outbox == []  # the first version is the starting point

    second = write_xlsx(tmp_path / "v2.xlsx", [row(short="Kan innføres.")])
    _upload(client, second)
    call_command("worker", "--batch", verbosity=0)
    assert Method.objects.get().decision_short == "Kan innføres."
    (message,) = mail.outbox
    assert message.to == ["kjerne@example.org"]
    assert "Under vurdering." in message.body
    assert "Kan innføres." in message.body


@worker_db
def test_a_bad_list_fails_the_job_with_its_errors(client_for, tmp_path):
    client = client_for(Role.ADMINISTRATOR)
    _upload(client, write_xlsx(tmp_path / "v1.xlsx", [row(method_id="2019/073")]))
    call_command("worker", "--batch", verbosity=0)
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.errors[0]["row"] == 2
    assert job.errors[0]["column"] == "v1.xlsx: ID-nr"
    assert MethodImport.objects.count() == 0


@pytest.mark.parametrize("role", [Role.CORE_GROUP, Role.ADMINISTRATOR])
def test_the_core_group_and_the_administrator_may_import(users, role):
    assert jobs.get("metoder").allows(users[role])


@pytest.mark.parametrize(
    "role", [Role.CONTROLLER, Role.DRUG_COMMITTEE, Role.UNIT_LEADER, Role.PRESCRIBER]
)
def test_others_may_not(users, role):
    assert not jobs.get("metoder").allows(users[role])


def test_the_cli_imports_a_list(db, tmp_path):
    out = io.StringIO()
    call_command("import", "metoder", str(write_xlsx(tmp_path / "liste.xlsx", [row()])), stdout=out)
    assert "Importert liste.xlsx: Beslutningslisten: 1 rader lest; 1 nye metoder" in out.getvalue()
    assert Method.objects.get().method_id == "ID2019_073"


def test_the_cli_prints_the_errors_of_a_bad_list(db, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    path = write_xlsx(tmp_path / "liste.xlsx", [row(short="")])
    with pytest.raises(CommandError):
        call_command("import", "metoder", str(path), stdout=out, stderr=err)
    printed = " ".join(err.getvalue().split())
    assert "1 feil i liste.xlsx" in printed
    assert "(kortversjon) mangler." in printed
    assert Method.objects.count() == 0


def test_the_format_page_and_template_name_the_nine_headers(client_for):
    page = client_for(Role.CORE_GROUP).get("/hjelp/format/metoder/").content.decode()
    for header in ("ID-nr", "Handelsenavn", "Bruksområde (indikasjon)", "Dato siste beslutning"):
        assert header in page


def test_a_job_whose_worker_died_after_the_import_committed_is_found(db, tmp_path):
    path = write_xlsx(tmp_path / "liste.xlsx", [row()])
    kind = jobs.get("metoder")
    assert kind.imported is not None
    assert kind.imported(path) is None
    call_command("import", "metoder", str(path), stdout=io.StringIO())
    found = kind.imported(path)
    assert found is not None
    assert found.url == f"/metoder/versjoner/{MethodImport.objects.get().pk}/"


def test_the_versions_page_is_in_the_menu_of_those_who_may_read_it(client_for):
    assert 'href="/metoder/versjoner/"' in client_for(Role.DRUG_COMMITTEE).get("/").content.decode()
    assert 'href="/metoder/versjoner/"' not in client_for(Role.PRESCRIBER).get("/").content.decode()
