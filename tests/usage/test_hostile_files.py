"""Hostile and broken usage files: a workbook that would make the reader ask for hundreds of
gigabytes, numbers that are not finite, and working copies that must never outlive an import
(they may hold fødselsnummer)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from legemiddel.core import tempfiles
from legemiddel.usage import reading
from legemiddel.usage.models import Administration, Dispensing, EPrescription, SalesLine
from legemiddel.usage.services import usage_import
from tests.lib.workbooks import declared_bomb, last_cell_bomb, zip_bomb

from .files import (
    DIPS_HEADER,
    DIPSRESEPT_HEADER,
    GAST_POL,
    HPR_REV_POL,
    HRESEPT_HEADER,
    HUMIRA,
    P1,
    REMSIMA,
    SLS_HEADER,
    refused,
    unknown_codes,
    where,
    write_csv,
)

pytestmark = pytest.mark.usefixtures("registers")

NOT_FINITE = ["inf", "-inf", "Infinity", "1e309", "-1e400", "NaN", "nan"]


@pytest.fixture(autouse=True)
def private_temp(settings, tmp_path):
    """The working-copy folder, empty at the start of each test."""
    settings.TEMP_DIR = tmp_path / "private-tmp"
    return settings.TEMP_DIR


def left_behind(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- Workbooks too big to read ------------------------------------------------------------------


@pytest.mark.parametrize("build", [last_cell_bomb, declared_bomb, zip_bomb])
def test_a_workbook_that_would_exhaust_memory_is_refused_with_a_clear_message(tmp_path, build):
    path = tmp_path / "sls.xlsx"
    path.write_bytes(build(SLS_HEADER))
    [error] = refused(path, "sls")
    assert error.row == 0
    assert error.message.startswith(("Regnearket er for", "Regnearket kan ikke leses"))
    assert "Lagre arket som CSV" in error.message


def _cli(tmp_path, *args):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "LEGEMIDDEL_MODE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env |= {
        "LEGEMIDDEL_MODE": "demo",
        "LEGEMIDDEL_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
    }
    return subprocess.run(
        [sys.executable, "-m", "legemiddel", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_cli_refuses_the_workbook_with_an_error_instead_of_dying(tmp_path):
    path = tmp_path / "sls.xlsx"
    path.write_bytes(last_cell_bomb(SLS_HEADER))
    assert len(path.read_bytes()) < 5 * 1024
    assert _cli(tmp_path, "migrate", "-v", "0").returncode == 0
    result = _cli(tmp_path, "import", "sls", str(path))
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    printed = " ".join(result.stderr.split())
    assert "Regnearket er for bredt" in printed
    assert "Importen ble avvist" in printed


# --- Numbers that are not finite --------------------------------------------------------------


def test_sls_amounts_quantities_and_ddd_must_be_finite(tmp_path):
    rows = [[*SLS_HEADER, "ddd"]]
    expected = []
    for value in NOT_FINITE:
        rows += [
            ["2026-01", GAST_POL, HUMIRA, value, "100", "1"],
            ["2026-01", GAST_POL, HUMIRA, "1", value, "1"],
            ["2026-01", GAST_POL, HUMIRA, "1", "100", value],
        ]
        row = len(rows) - 1
        expected += [
            (row - 1, "antall", value),
            (row, "beløp eks mva", value),
            (row + 1, "ddd", value),
        ]
    errors = refused(write_csv(tmp_path / "sls.csv", rows), "sls")
    assert where(errors) == expected
    assert {e.message for e in errors} == {
        "Antall er ikke et tall.",
        "Beløp er ikke et tall.",
        "DDD er ikke et tall.",
    }
    assert not SalesLine.objects.exists()


def test_sls_numbers_beyond_their_range_are_row_errors(tmp_path):
    rows = [
        SLS_HEADER,
        ["2026-01", GAST_POL, HUMIRA, "20000000", "100"],
        ["2026-01", GAST_POL, HUMIRA, "1", "1e12"],
        ["2026-01", GAST_POL, HUMIRA, "-1", "-100"],  # a return: allowed
    ]
    errors = refused(write_csv(tmp_path / "sls.csv", rows), "sls")
    assert where(errors) == [(2, "antall", "20000000"), (3, "beløp eks mva", "1e12")]
    assert (
        errors[0].message == "Antall må være mellom −10\u00a0000\u00a0000 og 10\u00a0000\u00a0000."
    )


def test_hresept_quantities_and_amounts_must_be_finite(tmp_path):
    rows = [HRESEPT_HEADER]
    expected = []
    for value in NOT_FINITE:
        rows += [["2026-03-02", P1, HUMIRA, value, "1"], ["2026-03-02", P1, HUMIRA, "1", value]]
        expected += [(len(rows) - 1, "antall", value), (len(rows), "beløp", value)]
    errors = refused(write_csv(tmp_path / "h.csv", rows), "hresept")
    assert where(errors) == expected
    assert not Dispensing.objects.exists()


def test_dips_doses_must_be_finite_and_not_negative(tmp_path):
    rows = [[*DIPS_HEADER, "dose"]]
    for value in [*NOT_FINITE, "-1", "2e9"]:
        rows.append(["2026-04-07", P1, "MED-GAST-INF", "", REMSIMA, "EP1", "", value])
    errors = refused(write_csv(tmp_path / "dips.csv", rows), "dips")
    assert where(errors) == [(n, "dose", r[-1]) for n, r in enumerate(rows[1:], start=2)]
    assert not Administration.objects.exists()


def test_dips_eprescription_quantities_must_be_finite(tmp_path):
    rows = [DIPSRESEPT_HEADER]
    for value in NOT_FINITE:
        rows.append(["2026-05-04", P1, HPR_REV_POL, "MED-REV-POL", HUMIRA, "", value])
    errors = refused(write_csv(tmp_path / "e.csv", rows), "dipsresept")
    assert where(errors) == [(n, "antall", r[-1]) for n, r in enumerate(rows[1:], start=2)]
    assert not EPrescription.objects.exists()


# --- Working copies never outlive the import --------------------------------------------------


def test_a_windows_1252_patient_file_refused_at_its_header_leaves_no_copy(tmp_path, private_temp):
    rows = [["utleveringsdato", "fødselsnummer", "vare", "antall", "beløp"]]
    rows.append(["2026-03-02", P1, HUMIRA, "1", "1"])
    path = write_csv(tmp_path / "h.csv", rows, encoding="cp1252")
    [error] = refused(path, "hresept")
    assert "Mangler kolonne" in error.message
    assert left_behind(private_temp) == []


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_utf16_patient_file_is_read_and_leaves_no_copy(tmp_path, private_temp, encoding):
    rows = [HRESEPT_HEADER, ["2026-03-02", P1, HUMIRA, "1", "1"]]
    path = write_csv(tmp_path / "h.csv", rows, encoding=encoding)
    if encoding == "utf-16-be":  # the codec writes no byte order mark; Excel does
        path.write_bytes(b"\xfe\xff" + path.read_bytes())
    usage_import(source="hresept", path=path)
    assert Dispensing.objects.count() == 1
    assert left_behind(private_temp) == []


def test_a_utf16_file_with_errors_leaves_no_copy(tmp_path, private_temp):
    rows = [HRESEPT_HEADER, ["2026-03-02", P1, HUMIRA, "to", "1"]]
    errors = refused(write_csv(tmp_path / "h.csv", rows, encoding="utf-16"), "hresept")
    assert where(errors) == [(2, "antall", "to")]
    assert left_behind(private_temp) == []


def test_a_utf16_file_without_its_byte_order_mark_is_refused_clearly(tmp_path, private_temp):
    rows = [HRESEPT_HEADER, ["2026-03-02", P1, HUMIRA, "1", "1"]]
    path = write_csv(tmp_path / "h.csv", rows, encoding="utf-16-le")
    [error] = refused(path, "hresept")
    assert "UTF-16" in error.message
    assert left_behind(private_temp) == []


def test_an_unexpected_failure_while_opening_leaves_no_copy(tmp_path, private_temp, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(reading, "_map_header", broken)
    rows = [HRESEPT_HEADER, ["2026-03-02", P1, HUMIRA, "1", "1"]]
    with pytest.raises(RuntimeError):
        usage_import(source="hresept", path=write_csv(tmp_path / "h.csv", rows, encoding="cp1252"))
    assert left_behind(private_temp) == []


def test_the_private_folder_is_for_the_owner_only(private_temp):
    copy = tempfiles.temp_file(".csv")
    assert copy.parent == private_temp
    assert private_temp.stat().st_mode & 0o777 == 0o700
    assert copy.stat().st_mode & 0o077 == 0
    copy.unlink()


def test_the_sweep_removes_copies_of_dead_processes_and_old_copies_only(private_temp):
    mine = tempfiles.temp_file(".csv")
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    orphan = private_temp / f"legemiddel-{int(dead.stdout)}-abc.csv"
    orphan.write_text("15076500565")
    old = private_temp / "legemiddel-1-old.csv"  # pid 1 is alive: removed for its age
    old.write_text("15076500565")
    a_day_ago = time.time() - 25 * 60 * 60
    os.utime(old, (a_day_ago, a_day_ago))
    assert tempfiles.sweep() == 2
    assert left_behind(private_temp) == [mine.name]


# --- Control characters -----------------------------------------------------------------------


def test_nul_and_other_control_characters_are_row_errors_naming_the_files_header(tmp_path):
    rows = [
        SLS_HEADER,
        ["2026-01", GAST_POL, HUMIRA, "2", "100"],
        ["2026-01", "301\x0000", HUMIRA, "2", "100"],
        ["2026-01", GAST_POL, HUMIRA, "2\x1b", "100"],
        ["2026-01", GAST_POL, HUMIRA, "2", "100\tkr"],  # a tab is not refused for being one
    ]
    errors = refused(write_csv(tmp_path / "sls.csv", rows), "sls")
    control = [e for e in errors if "kontrolltegn" in e.message]
    assert where(control) == [(3, "kundenr", "301\ufffd00"), (4, "antall", "2\ufffd")]
    assert all("\x00" not in e.value and "\x1b" not in e.value for e in errors)
    assert (5, "beløp eks mva", "100\tkr") in where(errors)  # not a number, said so
    assert "\x00" not in "".join(c for row in unknown_codes() for c in map(str, row))


def test_a_patient_number_with_a_nul_is_refused_and_stays_masked(tmp_path):
    rows = [HRESEPT_HEADER, ["2026-03-02", P1[:5] + "\x00" + P1[5:], HUMIRA, "1", "1"]]
    errors = refused(write_csv(tmp_path / "h.csv", rows), "hresept")
    assert {(e.row, e.column, e.value) for e in errors} == {(2, "fødselsnummer", "•••••••••••")}
