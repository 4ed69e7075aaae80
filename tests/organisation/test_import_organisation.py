"""Importing the organisation CSV (docs/formats/organisasjon.md): good input, all or nothing,
by code."""

from __future__ import annotations

from legemiddel.core.models import AuditEvent
from legemiddel.organisation.models import CostCentre, ExternalSite, HealthTrust, OrgUnit
from legemiddel.organisation.services import organisation_import_csv
from tests.organisation.dbstate import DEMO_ORG_CSV, ORG_HEADER, counts, csv_bytes, db_state
from tests.organisation.orgfiles import BASE_ROWS, demo_expected_counts, import_org, unit

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
