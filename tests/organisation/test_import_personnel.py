"""Importing health personnel by HPR number, with their workplaces. All or nothing."""

from __future__ import annotations

import csv
import io

import pytest

from legemiddel.lib.tabular import RowError
from legemiddel.lib.text import fold
from legemiddel.organisation.importers import parse_personnel
from legemiddel.organisation.models import Affiliation, HealthPersonnel
from legemiddel.organisation.services import (
    ImportRejected,
    organisation_import_csv,
    personnel_import_csv,
)
from tests.organisation.dbstate import (
    DEMO_ORG_CSV,
    DEMO_PERSONNEL_CSV,
    PERSONNEL_HEADER,
    counts,
    csv_bytes,
    db_state,
)

ORG_ROWS = (
    "type;kode;navn;overordnet;kostnadssteder;orgnr;kommunenr",
    "foretak;HB;Helse Bergen HF;;;;",
    "klinikk;MED;Medisinsk klinikk;;;;",
    "avdeling;MED-REV;Revmatologisk avdeling;MED;;;",
    "enhet;MED-REV-POL;Revmatologisk poliklinikk;MED-REV;;;",
    "enhet;MED-REV-DAG;Revmatologisk dagbehandling;MED-REV;;;",
    "kommune;K4601;Bergen kommune;;;;4601",
    "legekontor;LK001;Sentrum legesenter;K4601;;;",
    "avtalespesialist;AS001;Bergen revmatologpraksis;K4601;;;",
)

PEOPLE = (
    "7188185;Torbjørn Rønning;sykehuslege;MED-REV-POL;ja",
    "9238128;Synnøve Aasen;sykehuslege;MED-REV-DAG MED-REV-POL;nei",
    "12345678;Øyvind Æsøy;fastlege;LK001;",
)


def import_people(*lines: str, encoding: str = "utf-8", header: str = PERSONNEL_HEADER):
    return personnel_import_csv(data=csv_bytes(header, *lines, encoding=encoding))


def person(hpr: str) -> HealthPersonnel:
    return HealthPersonnel.objects.get(hpr_number=hpr)


def workplaces(hpr: str) -> set[str]:
    return {a.place.code for a in person(hpr).affiliations.all()}


@pytest.fixture
def organisation(db):
    organisation_import_csv(data=csv_bytes(*ORG_ROWS))


@pytest.fixture
def people(organisation):
    import_people(*PEOPLE)


# --- good input -----------------------------------------------------------------------------


def test_it_imports_the_demo_personnel_with_their_workplaces(db):
    organisation_import_csv(data=DEMO_ORG_CSV.read_bytes())
    rows = list(
        csv.DictReader(io.StringIO(DEMO_PERSONNEL_CSV.read_text(encoding="utf-8")), delimiter=";")
    )

    summary = personnel_import_csv(data=DEMO_PERSONNEL_CSV.read_bytes())

    assert HealthPersonnel.objects.count() == len(rows)
    assert Affiliation.objects.count() == sum(len(r["arbeidssted"].split()) for r in rows)
    assert summary.created == {"helsepersonell": len(rows)}
    jorgen = person("8056747")
    assert (jorgen.name, jorgen.category, jorgen.is_specialist) == (
        "Jørgen Æsøy",
        "hospital_doctor",
        False,
    )
    assert workplaces("8056747") == {"MED-GAST-POL"}


def test_importing_the_demo_personnel_twice_gives_the_same_counts(db):
    organisation_import_csv(data=DEMO_ORG_CSV.read_bytes())
    personnel_import_csv(data=DEMO_PERSONNEL_CSV.read_bytes())
    first = db_state()

    summary = personnel_import_csv(data=DEMO_PERSONNEL_CSV.read_bytes())

    second = db_state()
    assert second["counts"] == first["counts"]
    assert second["personnel"] == first["personnel"]
    assert second["affiliations"] == first["affiliations"]
    assert summary.created == {}


def test_a_workplace_may_be_a_unit_or_an_external_site(people):
    synnove = Affiliation.objects.filter(person__hpr_number="9238128")
    assert {(a.org_unit.code, a.site) for a in synnove} == {
        ("MED-REV-DAG", None),
        ("MED-REV-POL", None),
    }
    gp = Affiliation.objects.get(person__hpr_number="12345678")
    assert (gp.org_unit, gp.site.code) == (None, "LK001")


def test_workplaces_may_be_separated_by_a_bar_or_spaces(organisation):
    import_people("1234567;Kari Hole;sykehuslege;MED-REV-POL|AS001  LK001;")

    assert workplaces("1234567") == {"MED-REV-POL", "AS001", "LK001"}


def test_a_person_may_have_no_workplace(organisation):
    import_people("1234567;Kari Hole;farmasøyt;;")

    assert workplaces("1234567") == set()
    assert person("1234567").category == "pharmacist"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ja", True),
        ("JA", True),
        ("j", True),
        ("x", True),
        ("yes", True),
        ("1", True),
        ("nei", False),
        ("N", False),
        ("0", False),
        ("", False),
    ],
)
def test_it_reads_the_specialist_column(organisation, value, expected):
    import_people(f"1234567;Kari Hole;sykehuslege;;{value}")

    assert person("1234567").is_specialist is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sykehuslege", "hospital_doctor"),
        ("FASTLEGE", "gp"),
        ("avtalespesialist", "contract_specialist"),
        ("sykehjemslege", "nursing_home_doctor"),
        ("FARMASØYT", "pharmacist"),
        ("sykepleier", "nurse"),
        ("annet", "other"),
        ("gp", "gp"),
    ],
)
def test_it_maps_norwegian_and_english_categories(organisation, value, expected):
    import_people(f"1234567;Kari Hole;{value};;")

    assert person("1234567").category == expected


def test_it_accepts_an_hpr_number_written_with_spaces(organisation):
    import_people("123 45 67;Kari Hole;sykehuslege;;")

    assert person("1234567").name == "Kari Hole"


def test_it_keeps_the_search_key_in_step_with_name_and_hpr_number(people):
    assert person("7188185").search_key == fold("Torbjørn Rønning 7188185")


def test_re_importing_replaces_the_workplaces_instead_of_adding_to_them(people):
    import_people("9238128;Synnøve Aasen;sykehuslege;AS001;nei")

    assert workplaces("9238128") == {"AS001"}
    assert Affiliation.objects.filter(person__hpr_number="9238128").count() == 1


def test_re_importing_with_a_changed_name_updates_name_category_and_search_key(people):
    pk = person("7188185").pk

    summary = import_people("7188185;Torbjørn Rønning-Hauge;avtalespesialist;AS001;nei")

    updated = person("7188185")
    assert updated.pk == pk
    assert (updated.name, updated.category, updated.is_specialist) == (
        "Torbjørn Rønning-Hauge",
        "contract_specialist",
        False,
    )
    assert updated.search_key == fold("Torbjørn Rønning-Hauge 7188185")
    assert summary.updated == {"helsepersonell": 1}


def test_people_not_in_the_file_are_left_alone(people):
    before = db_state()

    import_people("7188185;Torbjørn Rønning;sykehuslege;MED-REV-POL;ja")

    after = db_state()
    assert after["personnel"] == before["personnel"]
    assert after["affiliations"] == before["affiliations"]


def test_it_reads_a_windows_1252_file_with_norwegian_letters(organisation):
    import_people("2280435;Åse Ødegård Ærø;Farmasøyt;MED-REV-POL;Ja", encoding="cp1252")

    assert person("2280435").name == "Åse Ødegård Ærø"
    assert person("2280435").category == "pharmacist"


def test_it_reads_a_comma_separated_utf8_file_with_bom_and_english_headers(organisation):
    import_people(
        "7188185,Torbjørn Rønning,hospital_doctor,MED-REV-POL,yes",
        header="HPR_number,Name,Category,Workplaces,Is_specialist",
        encoding="utf-8-sig",
    )

    assert person("7188185").is_specialist is True


# --- bad input ------------------------------------------------------------------------------

REJECTIONS = [
    pytest.param("123456;Kari Hole;sykehuslege;;", 3, "hpr", "7 til 9 sifre", id="hpr-six-digits"),
    pytest.param(
        "1234567890;Kari Hole;sykehuslege;;", 3, "hpr", "7 til 9 sifre", id="hpr-ten-digits"
    ),
    pytest.param(
        "12A4567;Kari Hole;sykehuslege;;", 3, "hpr", "7 til 9 sifre", id="hpr-with-letter"
    ),
    pytest.param(";Kari Hole;sykehuslege;;", 3, "hpr", "7 til 9 sifre", id="hpr-missing"),
    pytest.param(
        "7188185;Torbjørn Rønning;sykehuslege;;",
        3,
        "hpr",
        "også på rad 2",
        id="duplicate-hpr-in-file",
    ),
    pytest.param("1234567;;sykehuslege;;", 3, "navn", "navn mangler", id="name-missing"),
    pytest.param(
        f"1234567;{'n' * 201};sykehuslege;;", 3, "navn", "høyst 200 tegn", id="name-too-long"
    ),
    pytest.param(
        "1234567;Kari Hole;kirurg;;", 3, "kategori", "ukjent kategori", id="unknown-category"
    ),
    pytest.param("1234567;Kari Hole;;;", 3, "kategori", "ukjent kategori", id="category-missing"),
    pytest.param(
        "1234567;Kari Hole;sykehuslege;;kanskje",
        3,
        "spesialist",
        "ja eller nei",
        id="bad-specialist-value",
    ),
    pytest.param(
        "1234567;Kari Hole;sykehuslege;MED-REV-POL FINNES-IKKE;",
        3,
        "arbeidssted",
        "finnes ikke",
        id="unknown-workplace",
    ),
]


@pytest.mark.parametrize(("line", "row", "column", "message"), REJECTIONS)
def test_it_rejects_a_bad_row_saying_where_and_writes_nothing(people, line, row, column, message):
    before = db_state()

    with pytest.raises(ImportRejected) as excinfo:
        import_people("7188185;Torbjørn Rønning (nytt navn);sykehuslege;MED-REV-DAG;nei", line)

    assert [(e.row, e.column) for e in excinfo.value.errors] == [(row, column)]
    error = excinfo.value.errors[0]
    assert message in error.message
    assert str(error).startswith(f"rad {row}, kolonne «{column}»")
    assert db_state() == before


def test_the_unknown_workplace_error_names_the_code(organisation):
    with pytest.raises(ImportRejected) as excinfo:
        import_people("1234567;Kari Hole;sykehuslege;MED-REV-POL MED-XYZ;")

    assert excinfo.value.errors[0].value == "MED-XYZ"
    assert "«MED-XYZ»" in str(excinfo.value.errors[0])


def test_a_partly_good_file_writes_nothing_at_all(people):
    before = db_state()

    with pytest.raises(ImportRejected) as excinfo:
        import_people(
            "7188185;Torbjørn Rønning;sykehuslege;AS001;nei",
            "1111111;Ny Person;fastlege;LK001;",
            "2222222;Annen Person;sykepleier;MED-REV-POL;",
            "3333333;Feil Person;sykepleier;LK999;",
        )

    assert [(e.row, e.column) for e in excinfo.value.errors] == [(5, "arbeidssted")]
    assert db_state() == before


def test_it_reports_every_error_in_the_file_sorted_by_row(organisation):
    with pytest.raises(ImportRejected) as excinfo:
        import_people(
            "1234567;Kari Hole;sykehuslege;LK999;",
            "1234567;Kari Hole;sykehuslege;;",
            "7654321;Jon Hole;kirurg;;",
        )

    assert [(e.row, e.column) for e in excinfo.value.errors] == [
        (2, "arbeidssted"),
        (3, "hpr"),
        (4, "kategori"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "Filen er tom", id="empty-file"),
        pytest.param(
            csv_bytes("hpr;navn;arbeidssted", "1234567;Kari Hole;"),
            "Mangler kolonne(r): kategori.",
            id="missing-category-column",
        ),
        pytest.param(
            csv_bytes("navn;kategori", "Kari Hole;fastlege"),
            "Mangler kolonne(r): hpr.",
            id="missing-hpr-column",
        ),
        pytest.param(bytes(range(256)) * 4, "verken UTF-8 eller Windows-1252", id="binary-garbage"),
    ],
)
def test_it_rejects_an_unreadable_file_and_writes_nothing(people, data, message):
    before = db_state()

    with pytest.raises(ImportRejected) as excinfo:
        personnel_import_csv(data=data)

    assert [e.row for e in excinfo.value.errors] == [0]
    assert message in excinfo.value.errors[0].message
    assert db_state() == before


def test_the_parser_reads_a_row_on_its_own():
    records, errors = parse_personnel(csv_bytes(PERSONNEL_HEADER, *PEOPLE))

    assert errors == []
    assert [(r.row, r.hpr_number, r.category, r.is_specialist, r.workplaces) for r in records] == [
        (2, "7188185", "hospital_doctor", True, ["MED-REV-POL"]),
        (3, "9238128", "hospital_doctor", False, ["MED-REV-DAG", "MED-REV-POL"]),
        (4, "12345678", "gp", False, ["LK001"]),
    ]


@pytest.mark.parametrize(
    "header",
    [
        "HPR number;Name;Category;Workplaces;Specialist;E-mail",
        "hpr no;name;category;workplace;is_specialist;email",
    ],
    ids=["english-words", "english-variants"],
)
def test_the_parser_accepts_english_headers_as_well_as_norwegian(header):
    lines = ("7188185;Kari Hole;fastlege;LK001|MED-REV-POL;ja;kari.hole@example.org",)
    expected, no_errors = parse_personnel(
        csv_bytes("hpr;navn;kategori;arbeidssted;spesialist;e-post", *lines)
    )

    records, errors = parse_personnel(csv_bytes(header, *lines))

    assert errors == no_errors == []
    assert records == expected
    assert (records[0].is_specialist, records[0].workplaces, records[0].email) == (
        True,
        ["LK001", "MED-REV-POL"],
        "kari.hole@example.org",
    )


def test_a_missing_column_is_named_in_norwegian_when_the_header_is_english():
    records, errors = parse_personnel(csv_bytes("HPR number;Name", "7188185;Kari Hole"))

    assert records == []
    assert errors == [RowError(0, "", "", "Mangler kolonne(r): kategori. Fant: HPR number, Name")]


def test_nothing_is_imported_when_the_organisation_is_empty(db):
    with pytest.raises(ImportRejected):
        import_people("7188185;Torbjørn Rønning;sykehuslege;MED-REV-POL;ja")

    assert counts()["HealthPersonnel"] == 0
