"""``legemiddel import org|personnel FILE``: the web importers from the command line."""

from __future__ import annotations

import io
import re
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from legemiddel.organisation.models import HealthPersonnel, OrgUnit
from tests.organisation.dbstate import (
    DEMO_ORG_CSV,
    DEMO_PERSONNEL_CSV,
    ORG_HEADER,
    PERSONNEL_HEADER,
    counts,
    csv_bytes,
    db_state,
)


def run(*args):
    """Run the command; return (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def demo_files(tmp_path):
    org = tmp_path / "organisasjon.csv"
    personnel = tmp_path / "helsepersonell.csv"
    shutil.copy(DEMO_ORG_CSV, org)
    shutil.copy(DEMO_PERSONNEL_CSV, personnel)
    return org, personnel


@pytest.fixture
def imported(db, demo_files):
    org, personnel = demo_files
    run("org", str(org))
    run("personnel", str(personnel))


def test_it_imports_the_organisation_and_reports_what_it_did(db, demo_files):
    org, _ = demo_files

    out, _ = run("org", str(org))

    assert "Importert organisasjon.csv" in out
    assert f"organisasjonsenheter: {OrgUnit.objects.count()} nye" in out
    assert OrgUnit.objects.filter(code="MED-REV-POL").exists()


def test_it_imports_personnel_after_the_organisation(db, demo_files):
    org, personnel = demo_files
    run("org", str(org))

    out, _ = run("personnel", str(personnel))

    assert "Importert helsepersonell.csv" in out
    assert f"helsepersonell: {HealthPersonnel.objects.count()} nye" in out


def test_running_the_same_import_again_reports_updates_and_changes_no_counts(imported, demo_files):
    org, personnel = demo_files
    before = counts()

    out_org, _ = run("org", str(org))
    out_personnel, _ = run("personnel", str(personnel))

    assert counts() == before
    assert "oppdatert" in out_org
    assert "nye" not in out_org
    assert "nye" not in out_personnel


def test_a_rejected_organisation_file_raises_command_error_lists_the_errors_and_writes_nothing(
    imported, tmp_path
):
    bad = tmp_path / "feil.csv"
    bad.write_bytes(
        csv_bytes(
            ORG_HEADER,
            "klinikk;MED;Medisinsk klinikk (nytt navn);;;;",
            "klinikk;NY;Ny klinikk;MED;;;",
            "fylke;VL;Vestland;;;;",
        )
    )
    before = db_state()

    with pytest.raises(CommandError, match="avvist"):
        run("org", str(bad))

    assert db_state() == before
    assert OrgUnit.objects.get(code="MED").name == "Medisinsk klinikk"


def test_the_error_table_goes_to_stderr_with_row_column_and_message(imported, tmp_path):
    bad = tmp_path / "feil.csv"
    bad.write_bytes(csv_bytes(ORG_HEADER, "klinikk;OK;Grei;;;;", "fylke;VL;Vestland;;;;"))
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError):
        call_command("import", "org", str(bad), stdout=out, stderr=err)

    table = err.getvalue()
    assert "1 feil i feil.csv" in table
    assert "ingenting er importert" in table
    assert re.search(r"Rad\W+Kolonne\W+Verdi\W+Feil", table)
    # One table row: row number, column, value, message (separated by box-drawing characters).
    assert re.search(r"\b3\W+type\W+fylke\W+ukjent type", table)
    assert "Importert" not in out.getvalue()


def test_a_rejected_personnel_file_raises_command_error_and_writes_nothing(imported, tmp_path):
    bad = tmp_path / "personell.csv"
    bad.write_bytes(
        csv_bytes(
            PERSONNEL_HEADER,
            "1111111;Ny Person;fastlege;LK001;",
            "2222222;Feil Person;fastlege;LK999;",
        )
    )
    before = db_state()

    with pytest.raises(CommandError, match="avvist"):
        run("personnel", str(bad))

    assert db_state() == before
    assert not HealthPersonnel.objects.filter(hpr_number="1111111").exists()


def test_an_empty_file_is_rejected_without_writing(imported, tmp_path):
    empty = tmp_path / "tom.csv"
    empty.write_bytes(b"")
    before = db_state()

    with pytest.raises(CommandError):
        run("org", str(empty))

    assert db_state() == before


def test_a_missing_file_is_a_command_error(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("org", str(tmp_path / "finnes-ikke.csv"))

    assert counts() == dict.fromkeys(counts(), 0)


def test_an_unknown_kind_is_a_command_error(db, demo_files):
    org, _ = demo_files

    with pytest.raises(CommandError, match="invalid choice"):
        run("ukjent", str(org))
