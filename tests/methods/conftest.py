"""Decision lists in the public layout, written as the tests need them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from legemiddel.methods.importing import methods_import

HEADER = [
    "ID-nr",
    "Virkestoff",
    "Handelsenavn",
    "Bruksområde (indikasjon)",
    "Metodetype",
    "Fagområde",
    "Dato siste beslutning",
    "Gjeldende beslutning Kortversjon",
    "Gjeldende beslutning (Hele)",
]
EPOCH = dt.date(1899, 12, 30)


def serial(day: dt.date) -> int:
    """A date as Excel's serial number."""
    return (day - EPOCH).days


def row(
    method_id: str = "2019_073",
    substance: str = "Dupilumab",
    trade: str = "Dupixent",
    indication: str = "Atopisk dermatitt",
    kind: str = "Legemidler",
    specialty: str = "Hudsykdommer",
    day: object = 43787,
    short: str = "Dupilumab (Dupixent) kan innføres til behandling av atopisk dermatitt.",
    full: str = "1. Dupilumab (Dupixent) kan innføres til behandling av atopisk dermatitt.",
) -> list[object]:
    return [method_id, substance, trade, indication, kind, specialty, day, short, full]


def write_xlsx(path: Path, rows: list[list[object]], header: list[str] | None = None) -> Path:
    """An XLSX as the list is published: numbers as number cells (the dates are serials)."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, header or HEADER)
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            if isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()),
                                     book.add_format({"num_format": "dd.mm.yyyy"}))  # fmt: skip
            else:
                sheet.write_string(r, c, str(value))
    book.close()
    return path


def write_csv(
    path: Path, rows: list[list[object]], header: list[str] | None = None, sep: str = ";",
    encoding: str = "utf-8",
) -> Path:  # fmt: skip
    def field(value: object) -> str:
        text = str(value)
        return (
            '"' + text.replace('"', '""') + '"'
            if any(c in text for c in (sep, '"', "\n"))
            else text
        )

    lines = [sep.join(field(h) for h in (header or HEADER))]
    lines += [sep.join(field(v) for v in values) for values in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.fixture
def import_list(tmp_path, db):
    """``import_list(rows, name="liste.xlsx", actor=None)`` writes and imports a list."""
    counter = iter(range(1000))

    def run(rows: list[list[object]], name: str = "liste.xlsx", actor=None, **kwargs):
        path = tmp_path / f"{next(counter)}-{name}"
        if name.endswith(".csv"):
            write_csv(path, rows, **kwargs)
        else:
            write_xlsx(path, rows, **kwargs)
        return methods_import(path=path, actor=actor, file_name=name)

    return run
