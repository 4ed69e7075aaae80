"""Help where it is needed (issue 12, item 9): a help page per role and a glossary linked from
the menu; every import kind with a header profile has a format page and a template (CSV and
XLSX with the headers the importer reads and one example row), linked from the import page."""

from __future__ import annotations

import csv
import io

import pytest
from python_calamine import CalamineWorkbook

from legemiddel.accounts.roles import Role
from legemiddel.core import jobs
from legemiddel.lib.profiles import load_profile

PROFILED = ["sls", "hresept", "dips", "dipsresept", "org", "personnel", "atc"]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_finds_help_in_the_menu(client_for, role):
    client = client_for(role)
    assert 'href="/hjelp/"' in client.get("/").content.decode()
    page = client.get("/hjelp/").content.decode()
    assert 'href="/hjelp/ordliste/"' in page


def test_the_help_page_starts_with_the_users_own_role(client_for):
    page = client_for(Role.CONTROLLER).get("/hjelp/").content.decode()
    assert page.index("Controller") < page.index("De andre rollene")
    assert "salgsstatistikken (SLS)" in page


def test_the_glossary_explains_the_words_of_the_pages(client_for):
    page = client_for(Role.UNIT_LEADER).get("/hjelp/ordliste/").content.decode()
    for term in ("LIS", "DDD", "Førstevalg", "Behandlingsstart", "H-resept", "Foreløpig måned"):
        assert f"<dt>{term}</dt>" in page


@pytest.mark.parametrize("key", PROFILED)
def test_each_import_kind_has_a_template_with_the_profile_headers_and_an_example(client_for, key):
    kind = jobs.get(key)
    assert kind.profile is not None
    headers = [c.display for c in load_profile(kind.profile, frozenset({"patient"})).columns]
    client = client_for(Role.CONTROLLER)
    response = client.get(f"/hjelp/format/{key}/mal.csv")
    assert response.status_code == 200
    assert f'filename="mal-{key}.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == headers
    assert len(rows) == 2
    assert any(rows[1])
    example = dict(kind.example)
    column_names = [c.name for c in load_profile(kind.profile, frozenset({"patient"})).columns]
    assert all(rows[1][column_names.index(name)] == value for name, value in example.items())
    xlsx = client.get(f"/hjelp/format/{key}/mal.xlsx")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0)
    table = sheet.to_python()
    assert [str(h) for h in table[0]] == headers
    assert len(table) == 2


def test_an_sls_template_imports_as_it_is(client_for, tmp_path):
    """The template's headers are the importer's: it reads the example row (the item number
    is unknown here, so it is reported as such, not as a missing or unknown column)."""
    from legemiddel.lib.tabular import ImportRejected
    from legemiddel.usage.services import usage_import

    content = client_for(Role.CONTROLLER).get("/hjelp/format/sls/mal.csv").content
    path = tmp_path / "mal-sls.csv"
    path.write_bytes(content)
    with pytest.raises(ImportRejected) as refused:
        usage_import(source="sls", path=path)
    assert {e.column for e in refused.value.errors} == {"varenr", "kundenr"}


def test_the_format_page_lists_the_columns(client_for):
    page = client_for(Role.CONTROLLER).get("/hjelp/format/sls/").content.decode()
    for header in ("periode", "kundenr", "varenr", "antall", "beløp eks mva"):
        assert f"<code>{header}</code>" in page
    assert 'href="/hjelp/format/sls/mal.xlsx"' in page


def test_the_import_page_links_each_kinds_format_and_templates(client_for):
    page = client_for(Role.ADMINISTRATOR).get("/jobber/").content.decode()
    for key in PROFILED:
        assert f'href="/hjelp/format/{key}/"' in page
        assert f'href="/hjelp/format/{key}/mal.csv"' in page
        assert f'href="/hjelp/format/{key}/mal.xlsx"' in page


def test_an_unknown_kind_has_no_format_page(client_for):
    client = client_for(Role.CONTROLLER)
    assert client.get("/hjelp/format/finnes-ikke/").status_code == 404
    assert client.get("/hjelp/format/fest/mal.csv").status_code == 404  # XML: no template
    assert client.get("/hjelp/format/sls/mal.pdf").status_code == 404
