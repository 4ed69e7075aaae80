"""The people who own the data import it (issue 12, item 7): usage files for the core group
and controllers as well as the administrator; the registers stay the administrator's; every
link a role sees opens for it."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from legemiddel.accounts.roles import Role
from legemiddel.core import jobs
from legemiddel.core.models import Job
from legemiddel.core.services import job_start
from legemiddel.usage.models import UnknownCode

SLS = "periode;kundenr;varenr;antall;beløp eks mva\n2026-01;30130;123456;2;100\n"
USAGE_KINDS = {"sls", "hresept", "dips", "dipsresept"}
REGISTER_KINDS = {"fest", "atc", "org", "personnel"}
# The episodes reported to NPR are the controllers' data too (income control, issue 14).
DATA_OWNER_KINDS = USAGE_KINDS | {"episoder"}


def _file(name="sls.csv", text=SLS):
    return SimpleUploadedFile(name, text.encode())


@pytest.mark.parametrize("role", [Role.CORE_GROUP, Role.CONTROLLER, Role.ADMINISTRATOR])
def test_data_owners_may_start_usage_imports(users, role):
    job = job_start(kind="sls", upload=_file(), actor=users[role])
    assert Job.objects.get().pk == job.pk
    assert job.created_by == users[role]


@pytest.mark.parametrize("role", [Role.PHARMACY, Role.UNIT_LEADER, Role.PRESCRIBER])
def test_the_service_refuses_usage_imports_to_other_roles(users, role):
    with pytest.raises(PermissionDenied):
        job_start(kind="sls", upload=_file(), actor=users[role])
    assert Job.objects.count() == 0


@pytest.mark.parametrize("kind", sorted(REGISTER_KINDS))
@pytest.mark.parametrize("role", [Role.CORE_GROUP, Role.CONTROLLER])
def test_the_registers_stay_the_administrators(users, kind, role):
    with pytest.raises(PermissionDenied):
        job_start(kind=kind, upload=_file("x.csv", "a\n1\n"), actor=users[role])
    assert Job.objects.count() == 0
    assert jobs.get(kind).roles == (Role.ADMINISTRATOR.value,)


def test_a_controller_finds_imports_in_the_menu_and_is_offered_data_owner_kinds_only(client_for):
    client = client_for(Role.CONTROLLER)
    assert 'href="/jobber/"' in client.get("/").content.decode()
    page = client.get("/jobber/").content.decode()
    select = re.search(r'<select name="kind".*?</select>', page, re.S)
    assert select
    offered = set(re.findall(r'<option value="([a-z]+)"', select.group(0)))
    assert offered == DATA_OWNER_KINDS


def test_a_controller_posting_a_register_kind_is_refused(client_for):
    response = client_for(Role.CONTROLLER).post("/jobber/", {"kind": "org", "file": _file()})
    assert response.status_code == 403
    assert Job.objects.count() == 0


def test_each_role_sees_the_jobs_of_the_kinds_it_may_start(client_for, users):
    org_job = Job.objects.create(
        kind="org", created_by=users[Role.ADMINISTRATOR], file_name="o.csv"
    )
    sls_job = Job.objects.create(kind="sls", created_by=users[Role.CONTROLLER], file_name="s.csv")
    core = client_for(Role.CORE_GROUP)
    assert core.get(f"/jobber/{sls_job.pk}/").status_code == 200
    assert core.get(f"/jobber/{org_job.pk}/").status_code == 404
    listing = core.get("/jobber/").content.decode()
    assert "s.csv" in listing
    assert "o.csv" not in listing
    admin = client_for(Role.ADMINISTRATOR)
    assert admin.get(f"/jobber/{org_job.pk}/").status_code == 200


@pytest.mark.parametrize("role", [Role.PHARMACY, Role.PRESCRIBER, Role.AUDITOR])
def test_roles_that_import_nothing_do_not_open_the_import_pages(client_for, role):
    client = client_for(role)
    assert client.get("/jobber/").status_code == 403
    assert 'href="/jobber/"' not in client.get("/").content.decode()


@pytest.mark.parametrize(
    "role", [Role.CORE_GROUP, Role.CONTROLLER, Role.PHARMACY, Role.ADMINISTRATOR]
)
def test_every_link_on_the_usage_page_opens_for_the_role_that_sees_it(client_for, role):
    UnknownCode.objects.create(source="sls", kind="varenr", code="99001", rows=1)
    client = client_for(role)
    page = client.get("/forbruk/").content.decode()
    assert "1 ukjent kode venter på kobling" in page
    links = set(re.findall(r'href="(/[^"#?]*)', page))
    for link in links - {"/logg-ut/"}:
        if link.startswith("/static/"):
            continue
        assert client.get(link).status_code == 200, link
    assert ('href="/forbruk/koblinger/"' in page) == (role in {Role.CORE_GROUP, Role.ADMINISTRATOR})


def test_the_job_list_names_the_kind_in_words(client_for, users):
    Job.objects.create(kind="sls", created_by=users[Role.CONTROLLER], file_name="s.csv")
    page = client_for(Role.CONTROLLER).get("/jobber/").content.decode()
    assert "Salgsstatistikk (SLS)</a>" in page
