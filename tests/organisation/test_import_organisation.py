"""Importing the organisation CSV (docs/formats/organisasjon.md): all or nothing, by code.

Every rejection must say where the problem is (row and column) and leave the database exactly
as it was, even when most of the file is fine.
"""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legemiddel.core.models import AuditEvent
from legemiddel.lib.tabular import RowError
from legemiddel.organisation.importers import OrgRecord, parse_organisation
from legemiddel.organisation.models import CostCentre, ExternalSite, HealthTrust, OrgUnit
from legemiddel.organisation.services import ImportRejected, organisation_import_csv
from tests.organisation.dbstate import DEMO_ORG_CSV, ORG_HEADER, counts, csv_bytes, db_state

BASE_ROWS = (
    "foretak;HB;Helse Bergen HF;;;983974724;",
    "klinikk;MED;Medisinsk klinikk;;;;",
    "avdeling;MED-REV;Revmatologisk avdeling;MED;;;",
    "enhet;MED-REV-POL;Revmatologisk poliklinikk;MED-REV;30130;;",
    "enhet;MED-REV-DAG;Revmatologisk dagbehandling;MED-REV;30140 30141;;",
    "klinikk;NEVRO;Nevroklinikken;;;;",
    "avdeling;NEVRO-NEV;Nevrologisk avdeling;NEVRO;;;",
    "kommune;K4601;Bergen kommune;;;;4601",
    "legekontor;LK001;Sentrum legesenter;K4601;;;",
)


def import_org(*lines: str, encoding: str = "utf-8", header: str = ORG_HEADER):
    return organisation_import_csv(data=csv_bytes(header, *lines, encoding=encoding))


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


@pytest.fixture
def base(db):
    """The small organisation of BASE_ROWS, imported."""
    import_org(*BASE_ROWS)


def demo_expected_counts() -> dict[str, int]:
    """What the demo file holds, counted independently of the importer."""
    rows = list(
        csv.DictReader(io.StringIO(DEMO_ORG_CSV.read_text(encoding="utf-8")), delimiter=";")
    )
    unit_rows = [r for r in rows if r["type"] in {"klinikk", "avdeling", "enhet"}]
    return {
        "HealthTrust": sum(r["type"] == "foretak" for r in rows),
        "OrgUnit": len(unit_rows),
        "CostCentre": sum(len(r["kostnadssteder"].split()) for r in unit_rows),
        "ExternalSite": len(rows) - len(unit_rows) - sum(r["type"] == "foretak" for r in rows),
        "HealthPersonnel": 0,
        "Affiliation": 0,
    }


# --- good input -----------------------------------------------------------------------------


def test_it_imports_the_demo_organisation(db):
    summary = organisation_import_csv(data=DEMO_ORG_CSV.read_bytes(), file_name="organisasjon.csv")

    assert counts() == demo_expected_counts()
    assert summary.updated == {}
    assert summary.created["organisasjonsenheter"] == demo_expected_counts()["OrgUnit"]
    trust = HealthTrust.objects.get()
    assert (trust.code, trust.name, trust.org_number) == ("HB", "Helse Bergen HF", "983974724")


def test_it_builds_the_hierarchy_with_materialised_paths(base):
    clinic, department, pol = unit("MED"), unit("MED-REV"), unit("MED-REV-POL")
    assert (clinic.level, clinic.parent, clinic.path) == (OrgUnit.Level.CLINIC, None, "MED")
    assert (department.level, department.parent, department.path) == (2, clinic, "MED/MED-REV")
    assert (pol.level, pol.parent, pol.path) == (3, department, "MED/MED-REV/MED-REV-POL")
    assert {u.trust.code for u in OrgUnit.objects.all()} == {"HB"}


def test_it_links_every_listed_cost_centre_to_its_unit(base):
    assert dict(CostCentre.objects.values_list("code", "org_unit__code")) == {
        "30130": "MED-REV-POL",
        "30140": "MED-REV-DAG",
        "30141": "MED-REV-DAG",
    }


def test_it_imports_external_sites_and_links_them_to_their_municipality(base):
    municipality = ExternalSite.objects.get(code="K4601")
    office = ExternalSite.objects.get(code="LK001")
    assert (municipality.kind, municipality.municipality_number) == ("municipality", "4601")
    assert (office.kind, office.name, office.municipality) == (
        "gp_office",
        "Sentrum legesenter",
        municipality,
    )


def test_importing_the_demo_file_twice_gives_the_same_organisation(db):
    data = DEMO_ORG_CSV.read_bytes()
    organisation_import_csv(data=data)
    first = db_state()

    summary = organisation_import_csv(data=data)

    second = db_state()
    assert second["counts"] == first["counts"] == demo_expected_counts()
    assert {k: v for k, v in second.items() if k != "audit_events"} == {
        k: v for k, v in first.items() if k != "audit_events"
    }
    assert summary.created == {}
    assert "nye" not in summary.as_text()


def test_re_importing_with_a_changed_name_updates_it_in_place(base):
    pk = unit("MED-REV").pk
    before = counts()

    summary = import_org("avdeling;MED-REV;Avdeling for revmatologi;MED;;;")

    assert unit("MED-REV").pk == pk
    assert unit("MED-REV").name == "Avdeling for revmatologi"
    assert summary.updated == {"organisasjonsenheter": 1}
    assert summary.created == {}
    assert counts() == before


def test_moving_a_department_to_another_clinic_updates_the_paths_of_its_units(base):
    import_org("avdeling;MED-REV;Revmatologisk avdeling;NEVRO;;;")

    assert unit("MED-REV").parent == unit("NEVRO")
    assert dict(OrgUnit.objects.filter(code__startswith="MED-REV").values_list("code", "path")) == {
        "MED-REV": "NEVRO/MED-REV",
        "MED-REV-POL": "NEVRO/MED-REV/MED-REV-POL",
        "MED-REV-DAG": "NEVRO/MED-REV/MED-REV-DAG",
    }
    assert not OrgUnit.objects.filter(path__startswith="MED/MED-REV").exists()


def test_moving_a_department_while_also_listing_its_units_gives_consistent_paths(base):
    import_org(
        "enhet;MED-REV-POL;Revmatologisk poliklinikk;MED-REV;30130;;",
        "avdeling;MED-REV;Revmatologisk avdeling;NEVRO;;;",
        "enhet;MED-REV-DAG;Revmatologisk dagbehandling;MED-REV;;;",
    )

    for u in OrgUnit.objects.all():
        assert u.path == u.compute_path()
    assert unit("MED-REV-POL").path == "NEVRO/MED-REV/MED-REV-POL"


def test_moving_a_unit_to_another_department_updates_its_path(base):
    import_org("enhet;MED-REV-POL;Revmatologisk poliklinikk;NEVRO-NEV;;;")

    assert unit("MED-REV-POL").path == "NEVRO/NEVRO-NEV/MED-REV-POL"
    assert unit("MED-REV-DAG").path == "MED/MED-REV/MED-REV-DAG"


def test_a_cost_centre_listed_under_another_unit_moves_there(base):
    import_org("enhet;MED-REV-DAG;Revmatologisk dagbehandling;MED-REV;30130;;")

    assert CostCentre.objects.get(code="30130").org_unit == unit("MED-REV-DAG")
    assert CostCentre.objects.count() == 3


def test_a_partial_file_leaves_the_units_it_does_not_list_alone(base):
    before = db_state()

    import_org("enhet;MED-REV-SENG;Revmatologisk sengepost;MED-REV;30150;;")

    after = db_state()
    assert after["counts"]["OrgUnit"] == before["counts"]["OrgUnit"] + 1
    assert set(before["units"]) < set(after["units"])
    assert unit("MED-REV-SENG").path == "MED/MED-REV/MED-REV-SENG"


def test_a_file_without_a_trust_row_belongs_to_the_only_trust(base):
    import_org("klinikk;KREFT;Kreftklinikken;;;;")

    assert unit("KREFT").trust == HealthTrust.objects.get(code="HB")


def test_a_site_may_point_at_a_municipality_imported_earlier(base):
    import_org("sykehjem;SH001;Fyllingsdalen sykehjem;K4601;;;")

    assert ExternalSite.objects.get(code="SH001").municipality.code == "K4601"


def test_it_reads_a_windows_1252_file_with_norwegian_letters(db):
    import_org(
        "foretak;HB;Helse Bergen HF;;;;",
        "klinikk;BUK;Barne- og ungdomsklinikken, Årstad;;;;",
        "kommune;K4626;Øygarden kommune;;;;4626",
        "sykehjem;SH002;Åstveit sjukeheim – «Ærøy»;K4626;;;",
        encoding="cp1252",
    )

    assert unit("BUK").name == "Barne- og ungdomsklinikken, Årstad"
    assert ExternalSite.objects.get(code="K4626").name == "Øygarden kommune"
    assert ExternalSite.objects.get(code="SH002").name == "Åstveit sjukeheim – «Ærøy»"


def test_it_reads_utf8_with_a_byte_order_mark(db):
    import_org(
        "foretak;HB;Helse Bergen HF;;;;", "klinikk;AUGE;Augeklinikken;;;;", encoding="utf-8-sig"
    )

    assert unit("AUGE").name == "Augeklinikken"


def test_it_reads_a_comma_separated_file_with_english_headers_and_types(db):
    import_org(
        "trust,HB,Helse Bergen HF,,",
        "hospital,VOSS,Voss sjukehus,,",
        "department,VOSS-MED,Medisinsk avdeling Voss,VOSS,",
        'unit,VOSS-MED-POL,"Poliklinikk, Voss",VOSS-MED,30410|30411',
        header="Kind,Code,Name,Parent,Cost_centres",
    )

    assert unit("VOSS-MED-POL").path == "VOSS/VOSS-MED/VOSS-MED-POL"
    assert unit("VOSS-MED-POL").name == "Poliklinikk, Voss"
    assert set(unit("VOSS-MED-POL").cost_centres.values_list("code", flat=True)) == {
        "30410",
        "30411",
    }


def test_it_accepts_an_organisation_number_written_with_spaces(db):
    import_org("foretak;HB;Helse Bergen HF;;;983 974 724;")

    assert HealthTrust.objects.get().org_number == "983974724"


def test_it_stores_the_short_name(db):
    import_org(
        "foretak;HB;Helse Bergen HF;",
        "klinikk;MED;Medisinsk klinikk;Med. kl.",
        header="type;kode;navn;kortnavn",
    )

    assert unit("MED").short_name == "Med. kl."


def test_it_records_the_import_in_the_audit_trail(db):
    organisation_import_csv(data=csv_bytes(ORG_HEADER, *BASE_ROWS), file_name="org-2026.csv")

    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.username == "system"
    assert "org-2026.csv" in event.detail


def test_a_file_with_only_a_header_changes_nothing(base):
    before = db_state()

    summary = organisation_import_csv(data=csv_bytes(ORG_HEADER))

    assert summary.as_text() == "ingen endringer"
    assert db_state()["units"] == before["units"]


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
    from legemiddel.organisation.models import OrgUnit
    from legemiddel.organisation.services import ImportRejected, organisation_import_csv

    data = b"type;kode;navn;overordnet\nklinikk;MED-REV;Revmatologisk avdeling;\n"
    with pytest.raises(ImportRejected) as excinfo:
        organisation_import_csv(data=data)
    error = excinfo.value.errors[0]
    assert (error.row, error.value) == (2, "MED-REV")
    assert OrgUnit.objects.get(code="MED-REV").level == OrgUnit.Level.DEPARTMENT
