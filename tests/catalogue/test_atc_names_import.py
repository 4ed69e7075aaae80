"""Naming ATC codes from a CSV file (docs/formats/fest.md, «ATC-navn fra egen fil»): names from
the file win over FEST's, codes are added with the levels above them, all or nothing."""

from __future__ import annotations

import pytest

from legemiddel.catalogue.models import AtcCode
from legemiddel.catalogue.services import atc_names_import_csv
from legemiddel.lib.tabular import ImportRejected
from tests.catalogue.festfiles import LATER, catalogue, load, snapshot, write

pytestmark = pytest.mark.django_db


def csv(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def atc_rows() -> dict[str, tuple[int, str, str, str | None]]:
    return {
        code: (level, name, source, parent)
        for code, level, name, source, parent in AtcCode.objects.values_list(
            "code", "level", "name", "name_source", "parent"
        )
    }


def refused(data: bytes):
    before = snapshot()
    with pytest.raises(ImportRejected) as rejected:
        atc_names_import_csv(data=data)
    assert snapshot() == before
    return rejected.value.errors


def test_it_names_a_code_and_creates_the_levels_above_it(db):
    summary = atc_names_import_csv(data=csv("kode;navn", "L04AB04;Adalimumab"))

    assert atc_rows() == {
        "L": (1, "", "", None),
        "L04": (2, "", "", "L"),
        "L04A": (3, "", "", "L04"),
        "L04AB": (4, "", "", "L04A"),
        "L04AB04": (5, "Adalimumab", "file", "L04AB"),
    }
    assert summary == "1 ATC-navn lest; 5 nye koder, 0 oppdatert."


def test_it_names_codes_at_every_level_in_any_order(db):
    atc_names_import_csv(
        data=csv(
            "atc;betegnelse",
            "L04AB;TNF-alfa-hemmere",
            "L;Antineoplastiske og immunmodulerende midler",
            "L04AB04;Adalimumab",
        )
    )

    assert dict(AtcCode.objects.exclude(name="").values_list("code", "name")) == {
        "L": "Antineoplastiske og immunmodulerende midler",
        "L04AB": "TNF-alfa-hemmere",
        "L04AB04": "Adalimumab",
    }
    assert AtcCode.objects.get(code="L04AB04").parent_id == "L04AB"


def test_it_accepts_windows_1252_with_norwegian_letters_and_tidies_the_code(db):
    atc_names_import_csv(
        data=csv("Kode;Navn", "a02 bc;Protonpumpehemmere, øvrige", encoding="cp1252")
    )

    assert AtcCode.objects.get(code="A02BC").name == "Protonpumpehemmere, øvrige"


def test_it_renames_codes_fest_named_and_keeps_the_codes_it_does_not_list(tmp_path):
    load(write(catalogue(), tmp_path / "fest.xml"))
    count = AtcCode.objects.count()

    summary = atc_names_import_csv(data=csv("kode;navn", "L04AB;TNF-alfa-hemmere"))

    assert AtcCode.objects.count() == count
    assert atc_rows()["L04AB"] == (4, "TNF-alfa-hemmere", "file", "L04A")
    assert atc_rows()["L04AB04"] == (5, "Adalimumab", "fest", "L04AB")
    assert summary == "1 ATC-navn lest; 0 nye koder, 1 oppdatert."


def test_names_from_the_file_survive_a_later_fest_import_that_names_them_otherwise(tmp_path):
    load(write(catalogue(), tmp_path / "fest.xml"))
    atc_names_import_csv(
        data=csv("kode;navn", "L04AB04;Adalimumab (fra fil)", "L04;Immunsuppressiver (fil)")
    )
    later = catalogue(LATER)
    later.atc_names["L04AB04"] = "Adalimumab i FEST"
    later.atc_names["L04"] = "Immunsuppressiver i FEST"
    later.atc_names["L04A"] = "Immunsuppressive midler i FEST"

    load(write(later, tmp_path / "later.xml"))

    rows = atc_rows()
    assert rows["L04AB04"] == (5, "Adalimumab (fra fil)", "file", "L04AB")
    assert rows["L04"] == (2, "Immunsuppressiver (fil)", "file", "L")
    assert rows["L04A"] == (3, "Immunsuppressive midler i FEST", "fest", "L04")


def test_names_from_the_file_survive_a_fest_import_of_codes_it_added(tmp_path):
    atc_names_import_csv(data=csv("kode;navn", "A10BA02;Metformin (fil)"))

    load(write(catalogue(), tmp_path / "fest.xml"))

    assert atc_rows()["A10BA02"] == (5, "Metformin (fil)", "file", "A10BA")
    assert atc_rows()["A10BA"] == (4, "Biguanider", "fest", "A10B")


@pytest.mark.parametrize("code", ["L4AB04", "L04AB4", "LL", "12345", "L04AB04X"])
def test_a_code_that_is_not_an_atc_code_is_a_row_error(tmp_path, code):
    load(write(catalogue(), tmp_path / "fest.xml"))

    [error] = refused(csv("kode;navn", "L04AB;TNF-alfa-hemmere", f"{code};Noe"))

    assert (error.row, error.column, error.value) == (3, "kode", code)  # the file's header
    assert "Ikke en ATC-kode" in error.message


def test_a_code_listed_twice_is_a_row_error_naming_the_first_row(tmp_path):
    load(write(catalogue(), tmp_path / "fest.xml"))

    [error] = refused(
        csv("kode;navn", "L04AB;TNF-alfa-hemmere", "A10BA;Biguanider", "l04ab;TNF-hemmere")
    )

    assert (error.row, error.column, error.value) == (4, "kode", "L04AB")
    assert "L04AB står to ganger (første gang på rad 2)" in error.message


def test_a_code_without_a_name_is_a_row_error(tmp_path):
    load(write(catalogue(), tmp_path / "fest.xml"))

    [error] = refused(csv("kode;navn", "L04AB;TNF-alfa-hemmere", "A10BA;  "))

    assert (error.row, error.column) == (3, "navn")
    assert error.message == "ATC-kode A10BA mangler navn."


def test_every_bad_row_is_reported_and_the_good_rows_are_not_imported(db):
    errors = refused(csv("kode;navn", "L04AB04;Adalimumab", "X;", "L04AB04;Igjen", "99Q;Nei"))

    assert [(e.row, e.column) for e in errors] == [(3, "navn"), (4, "kode"), (5, "kode")]
    assert not AtcCode.objects.exists()


def test_a_file_without_the_name_column_is_refused(db):
    [error] = refused(csv("kode;beskrivelse", "L04AB04;Adalimumab"))

    assert "Mangler kolonne(r): navn" in error.message


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "Filen er tom."), (csv("kode;navn"), "Filen har ingen ATC-koder.")],
    ids=["empty", "header-only"],
)
def test_a_file_without_codes_is_refused(db, data, message):
    [error] = refused(data)

    assert error.message == message
