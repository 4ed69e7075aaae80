"""Header profiles: YAML files that say which columns an import reads, validated on load."""

from __future__ import annotations

from pathlib import Path

import pytest

import legemiddel
from legemiddel.lib.profiles import ProfileError, load_profile
from legemiddel.lib.tabular import FileFormatError, read_table

SHIPPED = sorted(Path(legemiddel.__file__).resolve().parent.glob("*/profiles/*.yaml"))

GOOD = """\
name: people
label: Personer
columns:
  code:
    required: true
    aliases: [kode, code]
  name:
    required: true
    aliases: [navn, name]
  birth_number:
    aliases: [fødselsnummer, fodselsnummer]
  month:
    aliases: [måned, maned]
"""


def write(tmp_path: Path, text: str, name: str = "people.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def people(tmp_path):
    return load_profile(write(tmp_path, GOOD))


# --- the profiles we ship ---------------------------------------------------------------------


def test_every_import_reads_its_header_through_a_shipped_profile():
    assert {f"{p.parent.parent.name}/{p.stem}" for p in SHIPPED} >= {
        "organisation/organisation",
        "organisation/personnel",
        "agreements/agreement",
        "usage/sls",
        "usage/hresept",
        "usage/dips",
        "usage/dipsresept",
    }


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_profile_is_valid(path):
    profile = load_profile(path, frozenset({"patient"}))

    assert profile.name == path.stem
    assert any(column.required for column in profile.columns)


# --- matching a header ------------------------------------------------------------------------


def test_headers_match_regardless_of_case_spacing_underscores_and_unicode_form(people):
    decomposed = "Ma\u030aned"  # "Måned" as macOS may write it: a + combining ring
    match = people.match(["  KODE ", "Navn", "FØDSELS\tNUMMER", "FØDSELSNUMMER", decomposed])

    assert match.columns == ("code", "name", None, "birth_number", "month")
    assert match.missing == ()
    assert match.problem == ""


def test_the_canonical_name_is_a_header_too(people):
    assert people.match(["code", "Birth_Number", "birth  number", "name"]).columns == (
        "code",
        "birth_number",
        None,
        "name",
    )


def test_an_unknown_column_and_a_column_repeated_are_ignored_the_first_one_is_read(people):
    match = people.match(["navn", "kode", "merknad", "code"])

    assert match.columns == ("name", "code", None, None)


def test_missing_required_columns_are_named_by_their_first_alias_in_profile_order(people):
    match = people.match(["Merknad", "Fødselsnummer"])

    assert [c.name for c in match.missing] == ["code", "name"]
    assert match.problem == "Mangler kolonne(r): kode, navn. Fant: Merknad, Fødselsnummer"


def test_a_file_is_read_through_a_profile(people):
    data = "Navn;Kode;Ukjent\r\nKari;K1;x\r\n;;\r\nOla;K2;y\r\n".encode("cp1252")

    columns, rows = read_table(data, people)

    assert columns == ["name", "code", ""]
    assert list(rows) == [(2, {"name": "Kari", "code": "K1"}), (4, {"name": "Ola", "code": "K2"})]


def test_reading_a_file_without_a_required_column_names_it_in_norwegian(people):
    with pytest.raises(FileFormatError) as refused:
        read_table(b"Code;Birth number\nK1;x\n", people)

    assert str(refused.value) == "Mangler kolonne(r): navn. Fant: Code, Birth number"


# --- a broken profile is refused on load, naming the file and the field -----------------------

BROKEN = [
    pytest.param("columns: [", "people.yaml: kan ikke leses", id="yaml-syntax"),
    pytest.param("- code\n- name\n", "people.yaml: filen må være et YAML-oppslag", id="a-list"),
    pytest.param(GOOD + "colums: {}\n", "people.yaml: ukjent nøkkel colums", id="unknown-key"),
    pytest.param(
        GOOD.replace("name: people", "name: persons"),
        "people.yaml: name må være filnavnet",
        id="wrong-name",
    ),
    pytest.param(GOOD.replace("label: Personer\n", ""), "people.yaml: label", id="no-label"),
    pytest.param("name: people\nlabel: P\ncolumns: {}\n", "people.yaml: columns", id="no-columns"),
    pytest.param(
        GOOD.replace("  birth_number:", "  Birth number:"),
        "people.yaml: columns.Birth number: kolonnenavnet",
        id="bad-column-name",
    ),
    pytest.param(
        GOOD.replace("required: true\n    aliases: [kode", "requierd: true\n    aliases: [kode"),
        "people.yaml: columns.code: ukjent nøkkel requierd",
        id="misspelt-column-key",
    ),
    pytest.param(
        GOOD.replace("required: true\n    aliases: [kode", "required: ja\n    aliases: [kode"),
        "people.yaml: columns.code.required: skriv true eller false",
        id="required-not-a-boolean",
    ),
    pytest.param(
        GOOD.replace("aliases: [kode, code]", "aliases: kode"),
        "people.yaml: columns.code.aliases: skriv en liste",
        id="aliases-not-a-list",
    ),
    pytest.param(
        GOOD.replace("aliases: [kode, code]", "aliases: [kode, 12]"),
        "people.yaml: columns.code.aliases: skriv en liste",
        id="alias-not-text",
    ),
    pytest.param(
        GOOD.replace("aliases: [navn, name]", "aliases: [navn, KODE]"),
        "people.yaml: columns.name.aliases: «KODE» er også en overskrift for code",
        id="alias-of-two-columns",
    ),
    pytest.param(
        GOOD.replace("  birth_number:\n", "  birth_number:\n    patient: true\n"),
        "people.yaml: columns.birth_number: ukjent nøkkel patient",
        id="flag-not-declared",
    ),
]


@pytest.mark.parametrize(("text", "message"), BROKEN)
def test_a_broken_profile_is_refused_on_load_naming_file_and_field(tmp_path, text, message):
    with pytest.raises(ProfileError) as refused:
        load_profile(write(tmp_path, text))

    assert str(refused.value).startswith(message)


def test_a_yes_no_key_the_caller_declares_is_read_as_a_flag(tmp_path):
    text = GOOD.replace("  birth_number:\n", "  birth_number:\n    patient: true\n")

    profile = load_profile(write(tmp_path, text), frozenset({"patient"}))

    assert {c.name: c.flags for c in profile.columns} == {
        "code": frozenset(),
        "name": frozenset(),
        "birth_number": {"patient"},
        "month": frozenset(),
    }
