"""No clear fødselsnummer reaches the database, the logs, the errors or the rejects report."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from legemiddel.lib.pseudonym import fnr_problem
from legemiddel.lib.tabular import ImportRejected
from legemiddel.usage.models import Dispensing, ImportBatch
from legemiddel.usage.services import usage_import

from .files import (
    DIPS_HEADER,
    DIPSRESEPT_HEADER,
    HPR_REV_POL,
    HRESEPT_HEADER,
    HUMIRA,
    MASK,
    P1,
    P2,
    P3,
    P4,
    REMSIMA,
    SLS_HEADER,
    pseudonym,
    where,
    with_check_digits,
    write_csv,
)

pytestmark = pytest.mark.usefixtures("registers")

WRONG_CHECK_DIGIT = P1[:10] + str((int(P1[10]) + 1) % 10)
# Valid check digits, but day 32 of month 13 + 80 does not exist.
BAD_DATE = next(
    n for i in range(100, 200) if (n := with_check_digits(f"329399{i:03d}")) is not None
)
CLEAR = [P1, P2, P3, P4, WRONG_CHECK_DIGIT, BAD_DATE]


def _database_text() -> str:
    """Every value in every table, as text."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            parts.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(parts)


def _files(tmp_path):
    hresept = [
        HRESEPT_HEADER,
        ["2026-03-02", P1, HUMIRA, "1", "1"],
        ["2026-03-02", P2, HUMIRA, "1", "1"],
        ["2026-03-02", WRONG_CHECK_DIGIT, HUMIRA, "1", "1"],
        ["2026-03-02", BAD_DATE, HUMIRA, "1", "1"],
    ]
    dips = [
        DIPS_HEADER,
        ["2026-03-02", P3, "MED-GAST-INF", "", REMSIMA, "EP1", ""],
        ["2026-03-02", WRONG_CHECK_DIGIT, "MED-GAST-INF", "", REMSIMA, "EP2", ""],
    ]
    eresept = [
        DIPSRESEPT_HEADER,
        ["2026-03-02", P4, HPR_REV_POL, "MED-REV-POL", HUMIRA, "", "1"],
        ["2026-03-02", BAD_DATE, HPR_REV_POL, "MED-REV-POL", HUMIRA, "", "1"],
    ]
    return {
        "hresept": write_csv(tmp_path / "h.csv", hresept),
        "dips": write_csv(tmp_path / "d.csv", dips),
        "dipsresept": write_csv(tmp_path / "e.csv", eresept),
    }


def test_no_clear_number_reaches_the_database_the_logs_or_the_errors(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    said: list[str] = []
    files = _files(tmp_path)
    for source, path in files.items():
        # First the default policy (refused, errors shown) ...
        with pytest.raises(ImportRejected) as refused:
            usage_import(source=source, path=path)
        said += [str(e) for e in refused.value.errors]
        # ... then the CLI, which prints the errors ...
        out, err = io.StringIO(), io.StringIO()
        with pytest.raises(CommandError):
            call_command("import", source, str(path), stdout=out, stderr=err)
        said += [out.getvalue(), err.getvalue()]
        # ... then accepting the valid rows, which keeps a rejects report.
        result = usage_import(source=source, path=path, accept_valid=True)
        said.append(result.as_text())
    stored = _database_text()
    assert Dispensing.objects.count() == 2
    for clear in CLEAR:
        assert clear not in stored
        assert clear not in caplog.text
        for text in said:
            assert clear not in text
    # The pseudonyms are there instead.
    assert pseudonym(P1) in stored
    assert pseudonym(P4) in stored


def test_an_invalid_number_is_reported_by_row_with_the_value_masked(tmp_path):
    files = _files(tmp_path)
    with pytest.raises(ImportRejected) as refused:
        usage_import(source="hresept", path=files["hresept"])
    errors = refused.value.errors
    assert where(errors) == [(4, "fødselsnummer", MASK), (5, "fødselsnummer", MASK)]
    assert [e.message for e in errors] == [
        "Fødselsnummeret har feil kontrollsiffer.",
        "Fødselsnummeret har ikke en gyldig fødselsdato.",
    ]
    batch = usage_import(source="hresept", path=files["hresept"], accept_valid=True).batch
    assert {r["value"] for r in batch.rejects} == {MASK}


def test_a_missing_number_is_a_row_error(tmp_path):
    path = write_csv(tmp_path / "h.csv", [HRESEPT_HEADER, ["2026-03-02", "", HUMIRA, "1", "1"]])
    with pytest.raises(ImportRejected) as refused:
        usage_import(source="hresept", path=path)
    assert [(e.row, e.column, e.message) for e in refused.value.errors] == [
        (2, "fødselsnummer", "Fødselsnummer mangler.")
    ]


def test_the_pseudonym_is_keyed_so_another_key_gives_other_pseudonyms(tmp_path, settings):
    rows = [HRESEPT_HEADER, ["2026-03-02", P1, HUMIRA, "1", "1"]]
    settings.PSEUDONYM_KEY = "another-key-kept-outside-the-database"
    usage_import(source="hresept", path=write_csv(tmp_path / "h.csv", rows))
    stored = Dispensing.objects.get().patient
    assert stored == pseudonym(P1, "another-key-kept-outside-the-database")
    assert stored != pseudonym(P1, "demo-only-pseudonym-key")
    assert "another-key-kept-outside-the-database" not in _database_text()


def test_patient_data_cannot_be_imported_without_a_key_but_sales_can(tmp_path, settings):
    settings.PSEUDONYM_KEY = ""
    rows = [HRESEPT_HEADER, ["2026-03-02", P1, HUMIRA, "1", "1"]]
    with pytest.raises(ImproperlyConfigured, match="PSEUDONYM_KEY"):
        usage_import(source="hresept", path=write_csv(tmp_path / "h.csv", rows))
    assert ImportBatch.objects.count() == 0
    sls = [SLS_HEADER, ["2026-01", "30100", HUMIRA, "1", "1"]]
    usage_import(source="sls", path=write_csv(tmp_path / "s.csv", sls))
    assert ImportBatch.objects.count() == 1


@pytest.mark.parametrize("number", [P1, P2, P3, P4])
def test_valid_numbers_of_every_kind_pass(number):
    assert fnr_problem(number) is None
    assert fnr_problem(f" {number[:6]} {number[6:]} ") is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1234567890", "11 sifre"),
        ("1507650056A", "11 sifre"),
        (WRONG_CHECK_DIGIT, "kontrollsiffer"),
        (BAD_DATE, "fødselsdato"),
    ],
)
def test_invalid_numbers_say_why_without_repeating_the_number(value, reason):
    problem = fnr_problem(value)
    assert problem is not None
    assert reason in problem
    assert value not in problem
