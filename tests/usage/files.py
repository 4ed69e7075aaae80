"""Helpers for the usage import tests: synthetic fødselsnummer, small CSV/XLSX files, and
"the usage tables are exactly as before"."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from stdnum.no import fodselsnummer

from legemiddel.core.models import AuditEvent
from legemiddel.lib.tabular import ImportRejected, RowError
from legemiddel.usage.models import (
    Administration,
    CodeMapping,
    Dispensing,
    EPrescription,
    ImportBatch,
    MonthlyUsage,
    SalesLine,
    UnknownCode,
)
from legemiddel.usage.services import usage_import

MASK = "•••••••••••"

# Demo catalogue (src/legemiddel/demo/data/legemidler.csv): varenr -> FEST Statistikkfaktor.
HUMIRA = "100001"  # adalimumab L04AB04, 27.5862 DDD per pack
ENBREL = "100012"  # etanercept L04AB01, 28.5714 DDD per pack
REMSIMA = "100018"  # infliximab L04AB02, 26.6667 DDD per pack
DDD_PER_PACK = {HUMIRA: 27.5862, ENBREL: 28.5714, REMSIMA: 26.6667}

# Demo organisation (organisasjon.csv): cost centre -> unit.
GAST_POL = "30100"  # MED-GAST-POL
GAST_INF = "30110"  # MED-GAST-INF
REV_DAG = "30140"  # MED-REV-DAG, which also has 30141
REV_DAG_2 = "30141"

# Demo personnel (helsepersonell.csv): HPR -> first workplace.
HPR_GAST_POL = "6360060"  # Silje Bakke, MED-GAST-POL
HPR_REV_POL = "8674700"  # Tone Myklebust, MED-REV-POL

SLS_HEADER = ["periode", "kundenr", "varenr", "antall", "beløp eks mva"]
HRESEPT_HEADER = ["utleveringsdato", "fødselsnummer", "varenr", "antall", "beløp"]
DIPS_HEADER = ["dato", "fødselsnummer", "enhet", "atc", "varenr", "episode", "diagnosekoder"]
DIPSRESEPT_HEADER = ["dato", "fødselsnummer", "forskriver hpr", "enhet", "varenr", "atc", "antall"]


# --- Fødselsnummer ----------------------------------------------------------------------------


def with_check_digits(base: str) -> str | None:
    """The 11-digit number for 9 digits, or None when a check digit would be 10 (no such
    number exists)."""
    assert len(base) == 9, base
    k1 = fodselsnummer.calc_check_digit1(base)
    if len(k1) != 1:
        return None
    k2 = fodselsnummer.calc_check_digit2(base + k1)
    if len(k2) != 1:
        return None
    return base + k1 + k2


def person_number(born: dt.date, individual: int, kind: str = "fnr") -> str | None:
    """A synthetic number: ``fnr``, ``d`` (day + 40), ``h`` (month + 40) or ``synthetic``
    (month + 80, the test population in Skatteetaten's Tenor)."""
    day = born.day + (40 if kind == "d" else 0)
    month = born.month + {"h": 40, "synthetic": 80}.get(kind, 0)
    return with_check_digits(f"{day:02d}{month:02d}{born.year % 100:02d}{individual:03d}")


def number(born: dt.date, individual: int, kind: str = "fnr") -> str:
    """The first valid number from ``individual`` upwards (some have no valid check digit)."""
    for candidate in range(individual, individual + 20):
        value = person_number(born, candidate, kind)
        if value is not None:
            return value
    raise AssertionError((born, individual, kind))


P1 = "15076500565"  # from the brief: base 150765005
P2 = number(dt.date(1980, 2, 29), 123, "d")  # D-number
P3 = number(dt.date(2001, 11, 30), 456, "synthetic")  # synthetic test number
P4 = number(dt.date(1975, 6, 1), 789, "h")  # H-number
assert with_check_digits("150765005") == P1


def wrong_check_digit(value: str) -> str:
    return value[:10] + str((int(value[10]) + 1) % 10)


def pseudonym(fnr: str, key: str | None = None) -> str:
    """What the pseudonym must be: HMAC-SHA256 of the 11 digits under the settings key."""
    secret = (key if key is not None else settings.PSEUDONYM_KEY).encode()
    return hmac.new(secret, fnr.encode(), hashlib.sha256).hexdigest()


# --- Files ------------------------------------------------------------------------------------


def write_csv(
    path: Path,
    rows: list[list[Any]],
    *,
    sep: str = ";",
    encoding: str = "utf-8",
    newline: str = "\n",
    bom: bool = False,
) -> Path:
    """``rows`` (header first) joined as given: values are written exactly, no quoting added."""
    text = newline.join(sep.join(str(v) for v in row) for row in rows) + newline
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


# --- Database state ---------------------------------------------------------------------------


def _rounded(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows)


def usage_snapshot() -> dict[str, Any]:
    """Every row an import may write, in a comparable form."""
    return {
        "batches": _rounded(
            list(
                ImportBatch.objects.values_list(
                    "id",
                    "source",
                    "status",
                    "sha256",
                    "rows_read",
                    "rows_accepted",
                    "rows_replaced",
                )
            )
        ),
        "sales": _rounded(list(SalesLine.objects.values_list())),
        "dispensings": _rounded(list(Dispensing.objects.values_list())),
        "administrations": _rounded(list(Administration.objects.values_list())),
        "prescriptions": _rounded(list(EPrescription.objects.values_list())),
        "cube": _rounded(list(MonthlyUsage.objects.values_list())),
        "mappings": sorted(CodeMapping.objects.values_list("source", "kind", "code")),
        "audit_events": AuditEvent.objects.count(),
    }


def cube(source: str) -> list[tuple[Any, ...]]:
    """The cube of a source: (month, unit code, varenr, atc, quantity, amount, ddd, patients,
    rows), sorted, floats rounded to 4 decimals."""
    rows = MonthlyUsage.objects.filter(source=source).values_list(
        "month",
        "org_unit__code",
        "package_id",
        "atc",
        "quantity",
        "amount",
        "ddd",
        "patients",
        "rows",
    )
    return sorted(
        (tuple(round(v, 4) if isinstance(v, float) else v for v in row) for row in rows),
        key=repr,
    )


def unknown_codes() -> list[tuple[str, str, str, int, str]]:
    return sorted(UnknownCode.objects.values_list("source", "kind", "code", "rows", "example"))


def refused(path: Path, source: str, **options: Any) -> list[RowError]:
    """Import ``path``; it must be refused and change nothing. Return the errors."""
    before = usage_snapshot()
    with pytest.raises(ImportRejected) as rejected:
        usage_import(source=source, path=path, **options)
    assert usage_snapshot() == before
    assert rejected.value.errors
    return rejected.value.errors


def where(errors: list[RowError]) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.value) for e in errors]


def only_message(errors: list[RowError]) -> str:
    [error] = errors
    assert (error.row, error.column) == (0, "")
    return error.message
