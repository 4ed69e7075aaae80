"""Usage files through the upload form and the worker, the usage pages, and the CLI."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from legemiddel.accounts.roles import Role
from legemiddel.accounts.services import user_create
from legemiddel.core.models import Job
from legemiddel.organisation.models import OrgUnit
from legemiddel.usage.models import CodeMapping, ImportBatch, SalesLine, UnknownCode
from legemiddel.usage.services import usage_import

from .files import (
    ENBREL,
    GAST_POL,
    HRESEPT_HEADER,
    HUMIRA,
    MASK,
    P1,
    REMSIMA,
    REV_DAG,
    SLS_HEADER,
    usage_snapshot,
    write_csv,
    write_xlsx,
)

# The worker closes its connections when it stops, so tests that run it need real transactions.
worker_db = pytest.mark.django_db(transaction=True)

STEWARDS = {Role.ADMINISTRATOR, Role.CORE_GROUP, Role.CONTROLLER, Role.PHARMACY}
MAPPERS = {Role.ADMINISTRATOR, Role.CORE_GROUP}

GOOD = [
    SLS_HEADER,
    ["2026-01", GAST_POL, HUMIRA, "2", "18100"],
    ["2026-02", REV_DAG, ENBREL, "1", "9480,5"],
]
BAD = [
    SLS_HEADER,
    ["2026-01", GAST_POL, HUMIRA, "2", "18100"],
    ["2026-01", GAST_POL, "12AB", "2", "100"],
    ["2026-02", REV_DAG, ENBREL, "tre", "100"],
]
UNKNOWN = [
    [*SLS_HEADER, "kundenavn", "varenavn"],
    ["2026-01", GAST_POL, "99001", "1", "100", "Gastro", "Egenprodusert blanding"],
    ["2026-01", "39990", HUMIRA, "1", "100", "Pasienthotellet", "Humira"],
]
WRONG_CHECK_DIGIT = P1[:10] + str((int(P1[10]) + 1) % 10)


def _csv_bytes(rows: list[list[str]]) -> bytes:
    return ("\n".join(";".join(row) for row in rows) + "\n").encode()


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(registers):
    """One user per role, made on top of the demo organisation (the shared ``org`` fixture
    creates the same trust and cannot be combined with ``registers``)."""
    return {role: user_create(username=role.value, password=None, roles=[role]) for role in Role}


@pytest.fixture
def login(client, people):
    def as_role(role: Role):
        client.force_login(people[role])
        return client

    return as_role


def _upload(client, name, content, **options):
    data = {"kind": "sls", "file": SimpleUploadedFile(name, content)}
    data.update({f"option_{key}": "on" for key, on in options.items() if on})
    return client.post("/jobber/", data)


def _run_worker():
    call_command("worker", "--batch", verbosity=0)


# --- Upload and worker ------------------------------------------------------------------------


@worker_db
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_administrator_uploads_sls_and_the_worker_imports_it(login, people, tmp_path, kind):
    client = login(Role.ADMINISTRATOR)
    path = tmp_path / f"sls-2026.{kind}"
    write_csv(path, GOOD) if kind == "csv" else write_xlsx(path, GOOD)
    response = _upload(client, path.name, path.read_bytes())
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/jobber/{job.pk}/"
    _run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert "01.2026–02.2026: 2 av 2 rader importert." in job.message
    batch = ImportBatch.objects.get()
    assert batch.created_by == people[Role.ADMINISTRATOR]
    assert batch.file_name == path.name
    assert (batch.source, batch.status) == ("sls", ImportBatch.Status.LOADED)
    assert (batch.rows_read, batch.rows_accepted, batch.rows_rejected) == (2, 2, 0)
    assert SalesLine.objects.count() == 2
    page = client.get(f"/jobber/{job.pk}/").content.decode()
    assert "Ferdig" in page
    assert "2 av 2 rader importert" in page


@worker_db
def test_an_upload_with_errors_fails_the_job_and_imports_nothing(login):
    client = login(Role.ADMINISTRATOR)
    _upload(client, "sls.csv", _csv_bytes(BAD))
    _run_worker()
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.message == "2 feil; ingenting er importert."
    assert [(e["row"], e["column"], e["value"], e["message"]) for e in job.errors] == [
        (3, "varenr", "12AB", "Varenr skal være opptil seks sifre."),
        (4, "antall", "tre", "Antall er ikke et tall."),
    ]
    assert ImportBatch.objects.count() == 0
    assert SalesLine.objects.count() == 0
    page = client.get(f"/jobber/{job.pk}/").content.decode()
    assert "Feilet" in page
    assert "2 feil – ingenting ble importert" in page
    assert "Varenr skal være opptil seks sifre." in page
    assert f"/jobber/{job.pk}/feil.csv" in page

    download = client.get(f"/jobber/{job.pk}/feil.csv")
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download.content.decode("utf-8").splitlines() == [
        "\ufeffrad;kolonne;verdi;feil",
        "3;varenr;12AB;Varenr skal være opptil seks sifre.",
        "4;antall;tre;Antall er ikke et tall.",
    ]
    # Issue 12: the core group imports usage data too and reads these errors; the pharmacy
    # imports nothing and does not.
    assert login(Role.PHARMACY).get(f"/jobber/{job.pk}/feil.csv").status_code == 403
    assert login(Role.CORE_GROUP).get(f"/jobber/{job.pk}/feil.csv").status_code == 200


@worker_db
def test_the_accept_valid_option_loads_the_good_rows_and_keeps_the_rejects(login):
    client = login(Role.ADMINISTRATOR)
    _upload(client, "sls.csv", _csv_bytes(BAD), accept_valid=True)
    _run_worker()
    job = Job.objects.get()
    assert job.options == {"accept_valid": True}
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert "1 av 3 rader importert, 2 avvist (se avviste rader)." in job.message
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.PARTLY
    assert (batch.rows_read, batch.rows_accepted, batch.rows_rejected) == (3, 1, 2)
    assert where_rejects(batch) == [(3, "varenr", "12AB"), (4, "antall", "tre")]
    assert list(SalesLine.objects.values_list("package_id", flat=True)) == [HUMIRA]


def where_rejects(batch):
    return [(r["row"], r["column"], r["value"]) for r in batch.rejects]


@worker_db
def test_the_same_file_uploaded_twice_fails_the_second_job(login):
    client = login(Role.ADMINISTRATOR)
    _upload(client, "sls.csv", _csv_bytes(GOOD))
    _run_worker()
    _upload(client, "sls-igjen.csv", _csv_bytes(GOOD))
    _run_worker()
    second = Job.objects.get(file_name="sls-igjen.csv")
    assert second.status == Job.Status.FAILED
    assert "Denne filen er allerede importert (sls.csv" in second.errors[0]["message"]
    assert ImportBatch.objects.count() == 1


def _hresept_upload(client, rows):
    data = {"kind": "hresept", "file": SimpleUploadedFile("helfo.csv", _csv_bytes(rows))}
    return client.post("/jobber/", data)


@worker_db
def test_a_refused_patient_file_shows_the_bad_number_masked_on_the_job(login):
    client = login(Role.ADMINISTRATOR)
    _hresept_upload(client, [HRESEPT_HEADER, ["2026-03-02", WRONG_CHECK_DIGIT, HUMIRA, "1", "1"]])
    _run_worker()
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.errors == [
        {
            "row": 2,
            "column": "fødselsnummer",
            "value": MASK,
            "message": "Fødselsnummeret har feil kontrollsiffer.",
        }
    ]
    page = client.get(f"/jobber/{job.pk}/").content.decode()
    download = client.get(f"/jobber/{job.pk}/feil.csv").content.decode()
    assert MASK in page
    assert MASK in download
    assert WRONG_CHECK_DIGIT not in page
    assert WRONG_CHECK_DIGIT not in download


@worker_db
def test_no_clear_number_stays_on_disk_after_a_patient_file_is_imported(login, settings):
    _hresept_upload(
        login(Role.ADMINISTRATOR), [HRESEPT_HEADER, ["2026-03-02", P1, HUMIRA, "1", "1"]]
    )
    _run_worker()
    assert Job.objects.get().status == Job.Status.SUCCEEDED
    stored = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert not [p for p in stored if P1.encode() in p.read_bytes()]


@pytest.mark.parametrize("name", ["sls.pdf", "sls.xls", "sls"])
def test_the_upload_form_refuses_a_file_type_sls_cannot_be(login, name):
    response = _upload(login(Role.ADMINISTRATOR), name, b"%PDF-1.4 ...")
    assert response.status_code == 200
    assert "Salgsstatistikk (SLS) må være en .csv / .txt / .xlsx-fil." in response.content.decode()
    assert Job.objects.count() == 0


# Issue 12: the people who own the data import it; the pharmacy reads the batches only.
@pytest.mark.parametrize("role", [Role.PHARMACY, Role.PRESCRIBER, Role.UNIT_LEADER])
def test_data_readers_who_do_not_own_the_data_cannot_upload(login, role):
    assert _upload(login(role), "sls.csv", _csv_bytes(GOOD)).status_code == 403
    assert Job.objects.count() == 0


@pytest.mark.parametrize("role", [Role.CORE_GROUP, Role.CONTROLLER])
def test_the_core_group_and_controllers_upload_usage_files(login, people, role):
    response = _upload(login(role), "sls.csv", _csv_bytes(GOOD))
    job = Job.objects.get()
    assert response.status_code == 302
    assert (job.kind, job.created_by) == ("sls", people[role])


# --- Pages: who may open them -----------------------------------------------------------------


@pytest.fixture
def partly(people, tmp_path):
    """An H-prescription batch with one good row and one rejected (masked) patient number."""
    rows = [
        HRESEPT_HEADER,
        ["2026-03-02", P1, HUMIRA, "1", "1"],
        ["2026-03-02", WRONG_CHECK_DIGIT, REMSIMA, "1", "1"],
    ]
    path = write_csv(tmp_path / "helfo-mars.csv", rows)
    actor = people[Role.ADMINISTRATOR]
    return usage_import(source="hresept", path=path, accept_valid=True, actor=actor).batch


@pytest.mark.parametrize("role", list(Role))
def test_the_usage_pages_open_for_data_stewards_only(login, partly, role):
    client = login(role)
    expected = 200 if role in STEWARDS else 403
    for url in (
        "/forbruk/",
        f"/forbruk/parti/{partly.pk}/",
        f"/forbruk/parti/{partly.pk}/avviste.csv",
    ):
        assert client.get(url).status_code == expected, url
    assert client.get("/forbruk/koblinger/").status_code == (200 if role in MAPPERS else 403)


def test_a_user_without_roles_is_refused_and_anonymous_users_are_sent_to_log_in(client, partly):
    for url in ("/forbruk/", f"/forbruk/parti/{partly.pk}/avviste.csv", "/forbruk/koblinger/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('accounts:login')}?next={url}", url
    client.force_login(user_create(username="uten-rolle", password=None))
    assert client.get("/forbruk/").status_code == 403


def test_the_batch_list_shows_each_file_with_its_counts_and_filters_by_source(
    login, partly, tmp_path
):
    usage_import(source="sls", path=write_csv(tmp_path / "sls-liste.csv", GOOD))
    client = login(Role.PHARMACY)
    page = client.get("/forbruk/").content.decode()
    assert "helfo-mars.csv" in page
    assert "sls-liste.csv" in page
    assert "Lastet, noen rader avvist" in page
    assert "mars 2026" in page  # newest month of H-prescriptions
    only_hresept = client.get("/forbruk/?kilde=hresept").content.decode()
    assert "helfo-mars.csv" in only_hresept
    assert "sls-liste.csv" not in only_hresept
    assert "sls-liste.csv" in client.get("/forbruk/?kilde=tull").content.decode()


def test_the_batch_page_shows_counts_and_the_rejects_masked(login, partly):
    page = login(Role.CONTROLLER).get(f"/forbruk/parti/{partly.pk}/").content.decode()
    assert "helfo-mars.csv" in page
    assert "Rader lest" in page
    assert "Godtatt" in page
    assert "Avvist" in page
    assert "Lastet, noen rader avvist" in page
    assert "Fødselsnummeret har feil kontrollsiffer." in page
    assert MASK in page
    assert WRONG_CHECK_DIGIT not in page
    assert P1 not in page
    assert f"/forbruk/parti/{partly.pk}/avviste.csv" in page
    assert login(Role.ADMINISTRATOR).get("/forbruk/parti/999999/").status_code == 404


def test_the_rejects_download_is_excel_csv_with_masked_numbers(login, partly):
    response = login(Role.PHARMACY).get(f"/forbruk/parti/{partly.pk}/avviste.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="avviste-rader-{partly.pk}.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.splitlines() == [
        "\ufeffrad;kolonne;verdi;feil",
        f"3;fødselsnummer;{MASK};Fødselsnummeret har feil kontrollsiffer.",
    ]
    assert WRONG_CHECK_DIGIT not in text
    assert P1 not in text


# --- Pages: mapping unknown codes -------------------------------------------------------------


@pytest.fixture
def unknown(people, tmp_path):
    """An SLS file refused for an unknown varenr (99001) and an unknown customer (39990)."""
    path = write_csv(tmp_path / "sls-ukjent.csv", UNKNOWN)
    with pytest.raises(Exception, match="ingenting er importert"):
        usage_import(source="sls", path=path)
    return {code.kind: code for code in UnknownCode.objects.all()}


def test_unknown_codes_are_listed_for_mapping(login, unknown):
    client = login(Role.CORE_GROUP)
    assert "2 ukjente koder venter på kobling" in client.get("/forbruk/").content.decode()
    page = client.get("/forbruk/koblinger/").content.decode()
    assert "Venter på kobling" in page
    assert "099001" in page
    assert "Egenprodusert blanding" in page
    assert "39990" in page
    assert "Pasienthotellet" in page
    assert "sls-ukjent.csv" in page


def test_mapping_the_codes_lets_the_same_content_import(login, people, unknown, tmp_path):
    client = login(Role.CORE_GROUP)
    response = client.post(
        "/forbruk/koblinger/",
        {"unknown_id": unknown["varenr"].pk, "varenr": ENBREL},
        follow=True,
    )
    assert response.redirect_chain == [("/forbruk/koblinger/", 302)]
    assert "099001 er koblet. Importer filen på nytt for å laste radene." in (
        response.content.decode()
    )
    unit = OrgUnit.objects.get(code="MED-REV-POL")
    response = client.post(
        "/forbruk/koblinger/", {"unknown_id": unknown["customer"].pk, "org_unit": unit.pk}
    )
    assert response.status_code == 302
    assert UnknownCode.objects.count() == 0
    assert sorted(
        CodeMapping.objects.values_list(
            "kind", "code", "package_id", "org_unit__code", "created_by"
        )
    ) == [
        ("customer", "39990", None, "MED-REV-POL", people[Role.CORE_GROUP].pk),
        ("varenr", "099001", ENBREL, None, people[Role.CORE_GROUP].pk),
    ]
    page = client.get("/forbruk/koblinger/").content.decode()
    assert "Ingenting venter: alle kodene i de importerte filene er kjent." in page
    # The same rows again (one byte changed, since an identical file is refused) now import.
    again = write_csv(tmp_path / "sls-igjen.csv", UNKNOWN, newline="\r\n")
    batch = usage_import(source="sls", path=again).batch
    assert batch.rows_accepted == 2
    assert sorted(SalesLine.objects.values_list("package_id", "org_unit__code")) == [
        (HUMIRA, "MED-REV-POL"),
        (ENBREL, "MED-GAST-POL"),
    ]


@pytest.mark.parametrize(
    ("kind", "data", "field_error"),
    [
        ("varenr", {"varenr": "999999"}, "Ingen pakning i katalogen har dette varenummeret."),
        ("varenr", {"varenr": ""}, "Ingen pakning i katalogen har dette varenummeret."),
        ("customer", {"org_unit": ""}, "Velg enheten koden hører til."),
        ("customer", {"org_unit": "987654"}, "Velg et gyldig valg"),
    ],
)
def test_a_bad_mapping_is_refused_with_a_message_and_maps_nothing(
    login, unknown, kind, data, field_error
):
    client = login(Role.ADMINISTRATOR)
    response = client.post("/forbruk/koblinger/", {"unknown_id": unknown[kind].pk, **data})
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert CodeMapping.objects.count() == 0
    assert UnknownCode.objects.count() == 2


def test_mapping_an_unknown_code_that_does_not_exist_is_not_found(login, unknown):
    client = login(Role.ADMINISTRATOR)
    assert client.post("/forbruk/koblinger/", {"unknown_id": 999999}).status_code == 404
    assert client.post("/forbruk/koblinger/", {"varenr": HUMIRA}).status_code == 404
    assert CodeMapping.objects.count() == 0


def test_a_tampered_unknown_id_is_not_found_rather_than_a_server_error(login, unknown):
    client = login(Role.ADMINISTRATOR)
    assert client.post("/forbruk/koblinger/", {"unknown_id": "x"}).status_code == 404


@pytest.mark.parametrize("role", sorted(set(Role) - MAPPERS))
def test_users_who_may_not_map_cannot_post_a_mapping(login, unknown, role):
    response = login(role).post(
        "/forbruk/koblinger/", {"unknown_id": unknown["varenr"].pk, "varenr": HUMIRA}
    )
    assert response.status_code == 403
    assert CodeMapping.objects.count() == 0


# --- CLI --------------------------------------------------------------------------------------


def test_the_cli_imports_an_sls_file_and_says_so(registers, tmp_path):
    out = io.StringIO()
    call_command("import", "sls", str(write_csv(tmp_path / "sls.csv", GOOD)), stdout=out)
    assert "Importert sls.csv: " in out.getvalue()
    assert "01.2026–02.2026: 2 av 2 rader importert." in out.getvalue()
    batch = ImportBatch.objects.get()
    assert (batch.file_name, batch.created_by, batch.rows_accepted) == ("sls.csv", None, 2)


def test_the_cli_refuses_a_bad_file_and_prints_the_errors(registers, tmp_path):
    path = write_csv(tmp_path / "sls.csv", BAD)
    before = usage_snapshot()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match=r"Importen ble avvist; rett feilene og prøv igjen\."):
        call_command("import", "sls", str(path), stdout=out, stderr=err)
    assert usage_snapshot() == before
    assert out.getvalue() == ""
    printed = " ".join(err.getvalue().split())
    assert "2 feil i sls.csv" in printed
    assert "12AB" in printed
    assert "Antall er ikke et tall." in printed


def test_the_cli_accepts_the_valid_rows_when_asked(registers, tmp_path):
    out = io.StringIO()
    path = write_csv(tmp_path / "sls.csv", BAD)
    call_command("import", "sls", str(path), "--accept_valid", stdout=out)
    assert "1 av 3 rader importert, 2 avvist" in out.getvalue()
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.PARTLY
    assert where_rejects(batch) == [(3, "varenr", "12AB"), (4, "antall", "tre")]


@pytest.mark.parametrize("flag", ["--force", "--incremental"])
def test_the_cli_refuses_an_option_that_does_not_apply_to_sls(registers, tmp_path, flag):
    path = write_csv(tmp_path / "sls.csv", GOOD)
    with pytest.raises(CommandError, match=f"{flag} does not apply to sls."):
        call_command("import", "sls", str(path), flag)
    assert ImportBatch.objects.count() == 0


def test_the_cli_refuses_a_missing_file_and_an_identical_file(registers, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import", "sls", str(tmp_path / "finnes-ikke.csv"))
    path = write_csv(tmp_path / "sls.csv", GOOD)
    call_command("import", "sls", str(path), stdout=io.StringIO())
    err = io.StringIO()
    with pytest.raises(CommandError, match="Importen ble avvist"):
        call_command("import", "sls", str(path), stdout=io.StringIO(), stderr=err)
    assert "allerede importert" in " ".join(err.getvalue().split())
    assert ImportBatch.objects.count() == 1
