"""Importing the organisation CSV: every rejection says where the problem is (row and column)
and leaves the database exactly as it was, even when most of the file is fine; the parser on its
own never raises."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legemiddel.lib.tabular import RowError
from legemiddel.organisation.importers import OrgRecord, parse_organisation
from legemiddel.organisation.models import HealthTrust, OrgUnit
from legemiddel.organisation.services import ImportRejected, organisation_import_csv
from tests.organisation.dbstate import ORG_HEADER, counts, csv_bytes, db_state
from tests.organisation.orgfiles import import_org

# --- bad input: one row wrong ---------------------------------------------------------------

REJECTIONS = [
    pytest.param(
        ["klinikk;NY;Ny klinikk;;;;", "fylke;VL;Vestland;;;;"],
        3,
        "type",
        "ukjent type",
        id="unknown-type",
    ),
    pytest.param(
        ["klinikk;MED REV;Navn;;;;"], 2, "kode", "koden må bestå av", id="code-with-space"
    ),
    pytest.param(
        ["klinikk;MED/REV;Navn;;;;"], 2, "kode", "koden må bestå av", id="code-with-slash"
    ),
    pytest.param(["klinikk;ØRE;Navn;;;;"], 2, "kode", "koden må bestå av", id="code-with-ø"),
    pytest.param(
        ["klinikk;-MED;Navn;;;;"], 2, "kode", "koden må bestå av", id="code-starting-with-dash"
    ),
    pytest.param(["klinikk;;Navn;;;;"], 2, "kode", "koden må bestå av", id="code-missing"),
    pytest.param(["klinikk;NY;;;;;"], 2, "navn", "navn mangler", id="name-missing"),
    pytest.param(
        ["legekontor;LK002;Fyllingsdalen legesenter;K4601;;12345678;"],
        2,
        "orgnr",
        "9 sifre",
        id="org-number-too-short",
    ),
    pytest.param(
        ["legekontor;LK002;Fyllingsdalen legesenter;K4601;;98397472X;"],
        2,
        "orgnr",
        "9 sifre",
        id="org-number-with-letter",
    ),
    pytest.param(
        ["kommune;K4627;Askøy kommune;;;;462"],
        2,
        "kommunenr",
        "4 sifre",
        id="municipality-number-too-short",
    ),
    pytest.param(
        ["kommune;K4627;Askøy kommune;;;;46AB"],
        2,
        "kommunenr",
        "4 sifre",
        id="municipality-number-with-letters",
    ),
    pytest.param(
        ["klinikk;NY;Ny;;;;", "klinikk;NY;Ny igjen;;;;"],
        3,
        "kode",
        "brukt før i filen (rad 2)",
        id="duplicate-code",
    ),
    pytest.param(
        ["avdeling;MED-NY;Ny avdeling;FINNES-IKKE;;;"],
        2,
        "overordnet",
        "finnes ikke",
        id="parent-missing",
    ),
    pytest.param(
        ["avdeling;MED-NY;Ny avdeling;;;;"],
        2,
        "overordnet",
        "må ha overordnet",
        id="department-without-parent",
    ),
    pytest.param(
        ["enhet;MED-NY;Ny enhet;MED;;;"], 2, "overordnet", "ett nivå over", id="unit-under-a-clinic"
    ),
    pytest.param(
        ["enhet;MED-NY;Ny enhet;MED-REV-POL;;;"],
        2,
        "overordnet",
        "ett nivå over",
        id="unit-under-a-unit",
    ),
    pytest.param(
        ["avdeling;A1;A;MED;;;", "avdeling;A2;B;A1;;;"],
        3,
        "overordnet",
        "ett nivå over",
        id="department-under-a-department-in-the-file",
    ),
    pytest.param(
        ["avdeling;A1;A;K4601;;;"],
        2,
        "overordnet",
        "finnes ikke",
        id="department-under-a-municipality",
    ),
    pytest.param(
        ["klinikk;NY;Ny klinikk;MED;;;"],
        2,
        "overordnet",
        "rett under foretaket",
        id="clinic-with-a-parent",
    ),
    pytest.param(
        ["enhet;MED-REV-SENG;Sengepost;MED-REV;39999;;", "enhet;MED-REV-X;X;MED-REV;39999;;"],
        3,
        "kostnadssteder",
        "annen enhet på rad 2",
        id="cost-centre-given-twice",
    ),
    pytest.param(
        ["enhet;MED-REV-X;X;MED-REV;30150 30/15;;"],
        2,
        "kostnadssteder",
        "ugyldig kostnadssted",
        id="cost-centre-with-illegal-characters",
    ),
    pytest.param(
        ["legekontor;LK002;Fyllingsdalen legesenter;K4601;39999;;"],
        2,
        "kostnadssteder",
        "bare knyttes til klinikk",
        id="cost-centre-on-an-external-site",
    ),
    pytest.param(
        ["foretak;HB;Helse Bergen HF;;;;", "foretak;HS;Helse Stavanger HF;;;;"],
        3,
        "type",
        "bare ha ett foretak",
        id="two-trust-rows",
    ),
    pytest.param(
        ["kommune;K4627;Askøy kommune;K4601;;;4627"],
        2,
        "overordnet",
        "ingen overordnet",
        id="municipality-with-a-parent",
    ),
    pytest.param(
        ["legekontor;LK009;Kleppestø legesenter;K4627;;;"],
        2,
        "overordnet",
        "kommunen finnes ikke",
        id="site-in-an-unknown-municipality",
    ),
    pytest.param(
        ["sykehjem;SH001;Sykehjem;LK001;;;"],
        2,
        "overordnet",
        "kommunen finnes ikke",
        id="site-under-a-site-that-is-not-a-municipality",
    ),
    pytest.param(
        [f"klinikk;{'K' * 41};Lang kode;;;;"], 2, "kode", "høyst 40 tegn", id="unit-code-too-long"
    ),
    pytest.param(
        [f"foretak;{'H' * 21};Langt foretak;;;;"],
        2,
        "kode",
        "høyst 20 tegn",
        id="trust-code-too-long",
    ),
    pytest.param([f"klinikk;NY;{'n' * 201};;;;"], 2, "navn", "høyst 200 tegn", id="name-too-long"),
    pytest.param(
        [f"enhet;MED-REV-X;X;MED-REV;{'3' * 21};;"],
        2,
        "kostnadssteder",
        "ugyldig kostnadssted",
        id="cost-centre-too-long",
    ),
]


@pytest.mark.parametrize(("lines", "row", "column", "message"), REJECTIONS)
def test_it_rejects_a_bad_row_saying_where_and_writes_nothing(base, lines, row, column, message):
    before = db_state()

    with pytest.raises(ImportRejected) as excinfo:
        import_org(*lines)

    assert [(e.row, e.column) for e in excinfo.value.errors] == [(row, column)]
    error = excinfo.value.errors[0]
    assert message in error.message
    assert str(error).startswith(f"rad {row}, kolonne «{column}»")
    assert "ingenting er importert" in str(excinfo.value)
    assert db_state() == before


def test_a_partly_good_file_writes_nothing_at_all(base):
    before = db_state()

    with pytest.raises(ImportRejected) as excinfo:
        import_org(
            "foretak;HB;Helse Bergen HF (nytt navn);;;983974724;",
            "klinikk;MED;Medisinsk klinikk (nytt navn);;;;",
            "avdeling;MED-REV;Revmatologisk avdeling;NEVRO;;;",
            "klinikk;KREFT;Kreftklinikken;;;;",
            "avdeling;KREFT-ONK;Avdeling for kreftbehandling;KREFT;;;",
            "enhet;KREFT-POL;Kreftpoliklinikken;KREFT-ONK;30250;;",
            "enhet;MED-REV-DAG;Revmatologisk dagbehandling;MED-REV;30130;;",
            "kommune;K4627;Askøy kommune;;;;4627",
            "legekontor;LK009;Kleppestø legesenter;K4627;;;",
            "enhet;KREFT-DAG;Dagbehandling kreft;KREFT;30260;;",
        )

    assert [(e.row, e.column) for e in excinfo.value.errors] == [(11, "overordnet")]
    assert db_state() == before


def test_it_reports_every_error_in_the_file_sorted_by_row(base):
    with pytest.raises(ImportRejected) as excinfo:
        import_org(
            "enhet;MED-NY;Ny enhet;MED;;;",
            "klinikk;OK;Grei klinikk;;;;",
            "fylke;VL;Vestland;;;;",
            "klinikk;NY2;;;;;",
        )

    assert [(e.row, e.column) for e in excinfo.value.errors] == [
        (2, "overordnet"),
        (4, "type"),
        (5, "navn"),
    ]
    assert str(excinfo.value) == "3 feil; ingenting er importert."


def test_it_rejects_rows_without_a_trust_when_there_is_no_trust_yet(db):
    with pytest.raises(ImportRejected) as excinfo:
        import_org("klinikk;MED;Medisinsk klinikk;;;;")

    error = excinfo.value.errors[0]
    assert (error.row, error.column) == (0, "type")
    assert "foretak" in error.message
    assert counts() == dict.fromkeys(counts(), 0)


def test_it_rejects_rows_without_a_trust_when_the_trust_is_ambiguous(base):
    HealthTrust.objects.create(code="HS", name="Helse Stavanger HF")
    before = db_state()

    with pytest.raises(ImportRejected) as excinfo:
        import_org("klinikk;KREFT;Kreftklinikken;;;;")

    assert [(e.row, e.column) for e in excinfo.value.errors] == [(0, "type")]
    assert db_state() == before


# --- bad input: the file as a whole ---------------------------------------------------------

FILE_REJECTIONS = [
    pytest.param(b"", "Filen er tom", id="empty-file"),
    pytest.param(b" \r\n\r\n  ", "Filen er tom", id="whitespace-only"),
    pytest.param(
        csv_bytes("type;kode;overordnet", "klinikk;MED;"),
        "Mangler kolonne(r): navn.",
        id="missing-name-column",
    ),
    pytest.param(
        csv_bytes("navn;overordnet", "Medisinsk klinikk;"),
        "Mangler kolonne(r): kode, type.",
        id="missing-type-and-code-columns",
    ),
    pytest.param(
        b"\x81\x8d\x8f\x90\x9d\x00\xff" * 20, "verken UTF-8 eller Windows-1252", id="binary-garbage"
    ),
    pytest.param(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "Mangler kolonne(r)", id="an-image"
    ),
    pytest.param(
        csv_bytes(ORG_HEADER) + b'klinikk;MED;"' + b"x" * 200_000 + b'"\n',
        "kan ikke leses som CSV",
        id="field-beyond-the-csv-size-limit",
    ),
]


@pytest.mark.parametrize(("data", "message"), FILE_REJECTIONS)
def test_it_rejects_an_unreadable_file_and_writes_nothing(base, data, message):
    before = db_state()

    with pytest.raises(ImportRejected) as excinfo:
        organisation_import_csv(data=data)

    assert len(excinfo.value.errors) == 1
    error = excinfo.value.errors[0]
    assert error.row == 0
    assert message in error.message
    assert str(error).startswith("fil")
    assert db_state() == before


def test_the_missing_column_message_lists_the_columns_that_were_found(db):
    with pytest.raises(ImportRejected) as excinfo:
        organisation_import_csv(data=csv_bytes("Type;Kode;Beskrivelse", "klinikk;MED;x"))

    assert "Fant: Type, Kode, Beskrivelse" in excinfo.value.errors[0].message


# --- the parser on its own (no database) ----------------------------------------------------


def test_the_parser_maps_types_to_groups_and_levels():
    records, errors = parse_organisation(
        csv_bytes(
            ORG_HEADER,
            "HF;HB;Helse Bergen HF;;;;",
            "Sykehus;VOSS;Voss sjukehus;;;;",
            "seksjon;S1;Seksjon;VOSS-MED;;;",
            "Avtalespesialist;AS001;Praksis;K4601;;;",
        )
    )

    assert errors == []
    assert [(r.row, r.group, r.kind) for r in records] == [
        (2, "trust", ""),
        (3, "unit", "1"),
        (4, "unit", "3"),
        (5, "site", "specialist_office"),
    ]
    assert isinstance(records[0], OrgRecord)


ORG_LINES = (
    "foretak;HB;Helse Bergen HF;;;983974724;;Helse Vest;HB",
    "klinikk;MED;Medisinsk klinikk;;;;;;Med",
    "avdeling;MED-REV;Revmatologisk avdeling;MED;30130|30131;;;;",
    "kommune;K4601;Bergen kommune;;;;4601;;",
)


@pytest.mark.parametrize(
    "header",
    [
        "Type;Unit code;Name;Parent code;Cost centres;Organisation number;"
        "Municipality number;Region;Short name",
        "kind;code;name;parent;cost center;organization number;municipality_number;region;"
        "short_name",
    ],
    ids=["english-words", "english-variants"],
)
def test_the_parser_accepts_english_headers_as_well_as_norwegian(header):
    norwegian = "type;kode;navn;overordnet;kostnadssteder;orgnr;kommunenr;region;kortnavn"
    expected, no_errors = parse_organisation(csv_bytes(norwegian, *ORG_LINES))

    records, errors = parse_organisation(csv_bytes(header, *ORG_LINES))

    assert errors == no_errors == []
    assert records == expected
    assert (records[0].org_number, records[0].region, records[1].short_name) == (
        "983974724",
        "Helse Vest",
        "Med",
    )
    assert records[2].cost_centres == ["30130", "30131"]


def test_a_missing_column_is_named_in_norwegian_when_the_header_is_english():
    records, errors = parse_organisation(csv_bytes("Type;Unit code;Parent", "klinikk;MED;"))

    assert records == []
    assert errors == [
        RowError(0, "", "", "Mangler kolonne(r): navn. Fant: Type, Unit code, Parent")
    ]


@given(st.binary(max_size=3000))
def test_parse_organisation_never_raises_on_arbitrary_bytes(data):
    records, errors = parse_organisation(data)

    _assert_well_formed(records, errors)


CSV_ALPHABET = st.sampled_from(
    list(";,\t\n\r\"' -_./|")
    + list("abcKLMæøåÆØÅ0123456789")
    + ["klinikk", "enhet", "foretak", "kommune", "MED", "\x00", "\ufeff"]
)


@given(
    body=st.lists(CSV_ALPHABET, max_size=300).map("".join),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_parse_organisation_never_raises_on_csv_like_text(body, encoding):
    data = (ORG_HEADER + "\n" + body).encode(encoding, errors="replace")

    records, errors = parse_organisation(data)

    _assert_well_formed(records, errors)


def _assert_well_formed(records, errors):
    assert all(isinstance(r, OrgRecord) and r.row >= 2 for r in records)
    assert all(e.row >= 0 and e.message for e in errors)
    # Each row gives either a record or an error, never both.
    assert not {r.row for r in records} & {e.row for e in errors}
    for error in errors:
        assert str(error)


def test_it_rejects_promoting_a_department_whose_units_would_be_orphaned(org):
    from legemiddel.organisation.services import ImportRejected, organisation_import_csv

    data = b"type;kode;navn;overordnet\nklinikk;MED-REV;Revmatologisk avdeling;\n"
    with pytest.raises(ImportRejected) as excinfo:
        organisation_import_csv(data=data)
    error = excinfo.value.errors[0]
    assert (error.row, error.value) == (2, "MED-REV")
    assert OrgUnit.objects.get(code="MED-REV").level == OrgUnit.Level.DEPARTMENT
