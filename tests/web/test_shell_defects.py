"""Small defects seen in a browser (issue 12): a 403 is one log line; role codes and library
sections read as Norwegian; every aria-describedby points at an element that exists; a
favicon; "Change" reads "Endre" and the language switch "Bytt språk"."""

from __future__ import annotations

import logging
import re

import pytest
from django.contrib.staticfiles import finders

from legemiddel.accounts.roles import Role
from legemiddel.accounts.services import user_set_roles
from legemiddel.usage.models import UnknownCode


def test_a_403_is_one_log_line_with_user_path_and_rule(client_for, caplog):
    client = client_for(Role.PRESCRIBER)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/forbruk/").status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is None
    line = record.getMessage()
    assert "\n" not in line
    assert "user=prescriber" in line
    assert "path=/forbruk/" in line
    assert "rule=roles: administrator, core_group" in line


def test_the_audit_log_names_roles_not_codes(client_for, users):
    user_set_roles(user=users[Role.PRESCRIBER], roles=[Role.CORE_GROUP], actor=None)
    page = client_for(Role.AUDITOR).get("/revisjonslogg/").content.decode()
    assert "core_group" not in page
    assert "prescriber -&gt;" not in page
    assert "Kjernegruppe" in page or "Medlem av kjernegruppen" in page


def test_library_sections_of_the_admin_are_norwegian(client_for):
    page = client_for(Role.ADMINISTRATOR).get("/admin/").content.decode()
    for english in ("Tasks Database Backend", ">Axes<", "Access attempts", "Task Results"):
        assert english not in page
    assert "Innloggingsforsøk" in page
    assert "Bakgrunnsoppgaver" in page
    # Django's own "Change" link reads "Endre", as the admin means it.
    assert ">Endre<" in page
    assert "Bytt<" not in page


def test_the_language_switch_reads_bytt_sprak(client_for):
    page = client_for(Role.UNIT_LEADER).get("/").content.decode()
    assert "Bytt språk</button>" in page


def _dangling_describedby(html: str) -> set[str]:
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    wanted = {
        ref for refs in re.findall(r'aria-describedby="([^"]+)"', html) for ref in refs.split()
    }
    return wanted - ids


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.CONTROLLER])
def test_the_upload_form_describes_its_fields_with_elements_that_exist(client_for, role):
    client = client_for(role)
    page = client.get("/jobber/").content.decode()
    assert "aria-describedby" in page
    assert _dangling_describedby(page) == set()
    refused = client.post("/jobber/", {"kind": "sls"}).content.decode()  # no file: an error
    assert 'aria-invalid="true"' in refused
    assert _dangling_describedby(refused) == set()


def test_the_mapping_form_points_at_its_errors(client_for):
    code = UnknownCode.objects.create(source="sls", kind="varenr", code="99001", rows=1)
    page = (
        client_for(Role.CORE_GROUP)
        .post("/forbruk/koblinger/", {"unknown_id": code.pk, "varenr": "999999"})
        .content.decode()
    )
    assert f'aria-describedby="varenr-{code.pk}-error"' in page
    assert _dangling_describedby(page) == set()


def test_every_page_has_a_favicon_that_is_served(client_for):
    page = client_for(Role.UNIT_LEADER).get("/").content.decode()
    [href] = re.findall(r'<link rel="icon" href="([^"]+)"', page)
    assert finders.find(href.removeprefix("/static/"))


def test_browsers_asking_for_favicon_ico_get_the_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/static/legemiddel/favicon.svg")
