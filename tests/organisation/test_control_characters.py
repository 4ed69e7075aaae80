"""NUL and other control characters in a reference file: a row error naming the file's own
header, nothing stored (PostgreSQL cannot store NUL in text; SQLite would store it)."""

from __future__ import annotations

import pytest

from legemiddel.organisation.services import ImportRejected
from tests.organisation.dbstate import db_state
from tests.organisation.orgfiles import BASE_ROWS, import_org

pytestmark = pytest.mark.django_db


def test_a_nul_in_a_name_is_a_row_error_under_the_files_header_and_nothing_is_stored(base):
    before = db_state()
    header = "Type;Unit code;Name;Parent;Cost centres;Org number;Municipality number"
    with pytest.raises(ImportRejected) as rejected:
        import_org(*BASE_ROWS, "klinikk;NY;Ny\x00klinikk;;;;", header=header)
    [error] = rejected.value.errors
    assert (error.row, error.column, error.value) == (
        len(BASE_ROWS) + 2,
        "Name",
        "Ny\ufffdklinikk",
    )
    assert "kontrolltegn" in error.message
    assert db_state() == before


@pytest.mark.parametrize("character", ["\x1b", "\x7f"], ids=["escape", "delete"])
def test_an_escape_or_delete_character_in_a_code_is_refused_too(base, character):
    # DEL was found by fuzzing the ATC name import: stored as written, invisible on the page.
    with pytest.raises(ImportRejected) as rejected:
        import_org(f"klinikk;NY{character};Ny klinikk;;;;")
    assert [(e.row, e.column) for e in rejected.value.errors] == [(2, "kode")]


def test_other_row_errors_name_the_files_header_not_the_profiles_name(db):
    header = "Type;Unit code;Name;Parent;Cost centres;Org number;Municipality number"
    with pytest.raises(ImportRejected) as rejected:
        import_org("foretak;HF;Helse Vest HF;;;;", "klinikk;NY;;HF;;;", header=header)
    assert [(e.row, e.column) for e in rejected.value.errors] == [(3, "Name")]
