"""Reading the decision list of Nye metoder: parse and validate, no database.

The public list is one XLSX with 9 columns (``profiles/metoder.yaml``); a CSV of the same
columns is read the same way (:func:`legemiddel.lib.tabular.read_table`). Each row becomes a
:class:`ListRow` holding the 9 columns normalised (``data``, what a version keeps), or a
:class:`RowError` naming row, column and value. Identity is ID + indication.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from legemiddel.lib.profiles import Profile, load_profile
from legemiddel.lib.tabular import (
    FileFormatError,
    ImportRejected,
    RowError,
    file_errors,
    read_table,
    visible,
)
from legemiddel.methods.ids import indication_key, method_id_or_none
from legemiddel.methods.models import MethodType

PROFILE = Path(__file__).resolve().parent / "profiles" / "metoder.yaml"
MAX_ERRORS = 1000

# The 9 columns in the list's order: the keys of a version's row (MethodRow.data).
COLUMNS = (
    "method_id",
    "substance",
    "trade_names",
    "indication",
    "method_type",
    "specialty",
    "decision_date",
    "decision_short",
    "decision_full",
)
DECISION_COLUMNS = ("decision_date", "decision_short", "decision_full")
# Longest text accepted per column (the model's limits; the rest are generous bounds).
LIMITS = {
    "substance": 500,
    "trade_names": 500,
    "indication": 2000,
    "method_type": 200,
    "specialty": 200,
    "decision_short": 10_000,
    "decision_full": 100_000,
}
METHOD_TYPES = {
    "legemidler": MethodType.DRUG,
    "legemiddel": MethodType.DRUG,
    "medisinsk utstyr, diagnostikk og tester": MethodType.DEVICE,
    "medisinsk utstyr": MethodType.DEVICE,
    "prosedyrer og organisatoriske tiltak": MethodType.PROCEDURE,
    "prosedyrer": MethodType.PROCEDURE,
}
# Excel's day 0 in the 1900 date system (serial 1 = 1900-01-01, counting its leap-day bug).
EXCEL_EPOCH = dt.date(1899, 12, 30)
FIRST_DATE = dt.date(1990, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)
_SERIAL = re.compile(r"^\d{1,7}(?:[.,]\d+)?$")
_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d.%m.%y")

MESSAGES = {
    "id": (
        "ID-en har verken formen 2019_073 eller ID2019_073 (eventuelt med en bokstav til slutt, "
        "som 2021_110 A)."
    ),
    "type": (
        "Ukjent metodetype; bruk «Legemidler», «Medisinsk utstyr, diagnostikk og tester» eller "
        "«Prosedyrer og organisatoriske tiltak»."
    ),
    "date": (
        "Ikke en dato: bruk Excels datotall (0 betyr ingen dato) eller en dato som 14.05.2024."
    ),
    "range": "Datoen må ligge mellom 01.01.1990 og 31.12.2100.",
    "short": "Gjeldende beslutning (kortversjon) mangler.",
}


@dataclass(frozen=True)
class ListRow:
    """One row of the list, normalised. ``data`` holds the 9 columns (date as ISO text)."""

    row: int
    data: dict[str, Any]
    method_type: str
    decision_date: dt.date | None

    @property
    def method_id(self) -> str:
        return str(self.data["method_id"])

    @property
    def key(self) -> tuple[str, str]:
        return (self.method_id, indication_key(self.data["indication"]))


def parse_decision_date(text: str) -> dt.date | None:
    """An Excel serial number (0 or empty: no date), or a date as text (``14.05.2024``,
    ``2024-05-14``: what a date cell becomes). Raises ``ValueError``."""
    text = text.strip()
    if text in ("", "0", "0.0", "0,0"):
        return None
    if _SERIAL.match(text):
        days = int(float(text.replace(",", ".")))
        if days == 0:
            return None
        if days > (LAST_DATE - EXCEL_EPOCH).days:
            raise OverflowError(text)
        return EXCEL_EPOCH + dt.timedelta(days=days)
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def method_type_of(text: str) -> str | None:
    """``Legemidler`` -> ``drug`` and so on; ``None`` for anything else."""
    folded = " ".join(text.split()).casefold()
    return METHOD_TYPES.get(folded)


def _line(text: str) -> str:
    return " ".join(text.split())


def _block(text: str) -> str:
    """A decision text: line breaks kept (as ``\\n``), outer space removed."""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\r")).strip()


def parse_row(number: int, raw: dict[str, str]) -> tuple[ListRow | None, list[RowError]]:
    """Check one row on its own."""
    errors: list[RowError] = []

    def fail(column: str, value: str, message: str) -> None:
        errors.append(RowError(number, column, visible(value)[:50], message))

    data: dict[str, Any] = {c: _line(raw.get(c, "")) for c in COLUMNS}
    data["decision_short"] = _block(raw.get("decision_short", ""))
    data["decision_full"] = _block(raw.get("decision_full", ""))
    method_id = method_id_or_none(data["method_id"])
    if method_id is None:
        fail("method_id", data["method_id"], MESSAGES["id"])
    else:
        data["method_id"] = method_id
    kind = method_type_of(data["method_type"])
    if kind is None:
        fail("method_type", data["method_type"], MESSAGES["type"])
    day: dt.date | None = None
    try:
        day = parse_decision_date(data["decision_date"])
    except OverflowError:
        fail("decision_date", data["decision_date"], MESSAGES["range"])
    except ValueError:
        fail("decision_date", data["decision_date"], MESSAGES["date"])
    else:
        if day is not None and not FIRST_DATE <= day <= LAST_DATE:
            fail("decision_date", data["decision_date"], MESSAGES["range"])
    if not data["decision_short"]:
        fail("decision_short", "", MESSAGES["short"])
    for column, limit in LIMITS.items():
        if len(data[column]) > limit:
            fail(
                column,
                data[column],
                f"Teksten er for lang (høyst {limit:,} tegn).".replace(",", " "),
            )
    if errors or method_id is None or kind is None:
        return None, errors
    data["decision_date"] = day.isoformat() if day else None
    return ListRow(row=number, data=data, method_type=kind, decision_date=day), []


def check_repeats(rows: list[ListRow]) -> tuple[list[ListRow], list[RowError]]:
    """One row per ID + indication: a repeat with the same decision is dropped (the first is
    kept); one with another decision is an error naming both rows."""
    first: dict[tuple[str, str], ListRow] = {}
    kept: list[ListRow] = []
    errors: list[RowError] = []
    for row in rows:
        seen = first.get(row.key)
        if seen is None:
            first[row.key] = row
            kept.append(row)
            continue
        if any(seen.data[c] != row.data[c] for c in DECISION_COLUMNS):
            errors.append(
                RowError(
                    row.row,
                    "decision_short",
                    visible(row.data["decision_short"])[:50],
                    f"{row.method_id} med samme bruksområde står også på rad {seen.row}, "
                    "med en annen beslutning. Rett den som er feil.",
                )
            )
    return kept, errors


def specialty_names(text: str) -> list[str]:
    """The specialties a ``Fagområde`` cell names (several are separated by , or ;)."""
    parts = text.replace(";", ",").split(",")
    return [name[:200] for name in (" ".join(p.split()) for p in parts) if name][:20]


def profile() -> Profile:
    return load_profile(PROFILE)


def read_list(data: bytes, file_name: str) -> tuple[list[ListRow], int]:
    """The valid rows of a decision list and the number of rows read; raises
    :class:`ImportRejected` naming file, row and column when anything is wrong."""
    try:
        _, table = read_table(data, profile())
        rows: list[ListRow] = []
        errors: list[RowError] = []
        read = 0
        for number, raw in table:
            read += 1
            row, problems = parse_row(number, raw)
            if row is not None:
                rows.append(row)
            errors.extend(problems)
    except FileFormatError as exc:
        raise ImportRejected(
            [
                RowError(e.row, f"{file_name}: {e.column}" if e.column else "", e.value, e.message)
                if e.row
                else RowError(0, "", "", f"{file_name}: {e.message}")
                for e in file_errors(exc)[:MAX_ERRORS]
            ]
        ) from exc
    if not read:
        raise ImportRejected([RowError(0, "", "", f"{file_name}: Filen har ingen rader.")])
    rows, repeats = check_repeats(rows)
    errors = sorted(errors + repeats, key=lambda e: e.row)
    if errors:
        named = table.named(errors[:MAX_ERRORS])
        raise ImportRejected(
            [RowError(e.row, f"{file_name}: {e.column}", e.value, e.message) for e in named]
        )
    return rows, read
