"""Writing the simulated usage as the files the sources deliver, in the order to import them."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from legemiddel.demo.usage_data.reference import END, START
from legemiddel.demo.usage_data.simulation import Sale, Simulation, decimal_comma


@dataclass(frozen=True)
class DemoFile:
    """One generated file and how the demo imports it."""

    source: str
    path: Path
    accept_valid: bool = False


SLS_HEADER = (
    "Periode",
    "Kundenr",
    "Kundenavn",
    "Varenr",
    "Varenavn",
    "ATC",
    "Antall",
    "Beløp eks mva",
    "DDD",
    "Bruksområde",
)
HRESEPT_HEADER = (
    "Utleveringsdato",
    "Fødselsnummer",
    "Varenr",
    "Antall",
    "Beløp",
    "Refusjonskode",
    "Forskriver HPR",
    "Forskrivningsdato",
    "Apotek",
)
DIPS_HEADER = (
    "Dato",
    "Fødselsnummer",
    "Enhet",
    "ATC",
    "Varenr",
    "Dose",
    "Doseenhet",
    "Episode",
    "Diagnosekoder",
    "Prosedyrekoder",
    "ATC-koder",
)
DIPSRESEPT_HEADER = (
    "Dato",
    "Fødselsnummer",
    "Forskriver HPR",
    "Enhet",
    "Varenr",
    "ATC",
    "Dosering",
    "Antall",
)


def _write(
    path: Path,
    header: tuple[str, ...],
    rows: Iterable[list[object]],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8",
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _sls_rows(lines: Iterable[Sale], style: str) -> list[list[object]]:
    """Format SLS lines: ``"nb"`` (``03.2025``, decimal comma) or ``"iso"`` (``2025-03``, point)."""
    out: list[list[object]] = []
    for line in lines:
        ddd = "" if line.ddd is None else line.ddd
        if style == "nb":
            period, amount, ddd_text = (
                f"{line.month:%m.%Y}",
                decimal_comma(line.amount),
                _num_or_blank(ddd),
            )
        else:
            period, amount, ddd_text = f"{line.month:%Y-%m}", f"{line.amount:.2f}", str(ddd)
        out.append(
            [
                period,
                line.customer,
                line.customer_name,
                line.varenr,
                line.product,
                line.atc,
                line.quantity,
                amount,
                ddd_text,
                line.group,
            ]
        )
    return out


def _num_or_blank(value: float | str) -> str:
    return "" if value == "" else decimal_comma(float(value))


def _in(rows: list[list[object]], first: dt.date, last: dt.date) -> list[list[object]]:
    return [r for r in rows if first.isoformat() <= str(r[0])[:10] <= last.isoformat()]


def generate_usage_files(out_dir: Path, seed: int = 2026) -> list[DemoFile]:
    """Write the demo's usage files into ``out_dir``; return them in the order to import.

    SLS comes as the pharmacy sends it: a Windows-1252 file for 2023-2024, a file for 2025 that a
    correction of its last quarter replaces later, a comma-separated file for 2026 so far, and
    the latest month on its own with a few lines whose codes we do not know yet (imported with
    «accept the valid rows», so the mapping page has work waiting).
    """
    sim = Simulation(seed)
    sim.run()
    sales = sim.sales()
    rng = sim.rng
    files: list[DemoFile] = []

    def sls(name: str, lines: Iterable[Sale], style: str = "nb", **options: str) -> DemoFile:
        return DemoFile(
            "sls", _write(out_dir / name, SLS_HEADER, _sls_rows(lines, style), **options)
        )

    def months(first: dt.date, last: dt.date) -> list[Sale]:
        return [line for line in sales if first <= line.month <= last]

    files.append(sls("sls-2023-2024.csv", months(START, dt.date(2024, 12, 1)), encoding="cp1252"))
    files.append(sls("sls-2025.csv", months(dt.date(2025, 1, 1), dt.date(2025, 12, 1))))
    corrected = []
    for line in months(dt.date(2025, 10, 1), dt.date(2025, 12, 1)):
        if rng.random() < 0.08:  # returns credited after the month closed
            quantity = line.quantity - 1
            line = replace(
                line, quantity=quantity, amount=round(line.amount / line.quantity * quantity, 2)
            )
        corrected.append(line)
    files.append(sls("sls-2025-q4-korrigert.csv", corrected))
    latest = END.replace(day=1)
    files.append(
        sls(
            "sls-2026-01-09.csv",
            months(dt.date(2026, 1, 1), latest - dt.timedelta(days=1)),
            "iso",
            delimiter=",",
        )
    )
    unknown = [
        Sale(
            latest,
            "30250",
            "Kreftpoliklinikken",
            "99001",
            "Cytostatika, egenproduksjon",
            "",
            14,
            18230.0,
            None,
            "Kreftlegemidler",
        ),
        Sale(
            latest,
            "39990",
            "Pasienthotellet",
            "100145",
            "Paracet 500 mg",
            "N02BE01",
            6,
            362.4,
            None,
            "Sengepostlager",
        ),
        Sale(
            latest,
            "39990",
            "Pasienthotellet",
            "100149",
            "Omeprazol Actavis 20 mg",
            "A02BC01",
            2,
            75.1,
            None,
            "Sengepostlager",
        ),
    ]
    last_month = months(latest, latest) + unknown
    files.append(replace(sls(f"sls-{latest:%Y-%m}.csv", last_month), accept_valid=True))

    for year in range(START.year, END.year + 1):
        first, last = max(START, dt.date(year, 1, 1)), min(END, dt.date(year, 12, 31))
        files.append(
            DemoFile(
                "hresept",
                _write(
                    out_dir / f"hresept-{year}.csv",
                    HRESEPT_HEADER,
                    sorted(_in(sim.dispensings, first, last), key=_by_day),
                ),
            )
        )
        files.append(
            DemoFile(
                "dips",
                _write(
                    out_dir / f"dips-administrasjoner-{year}.csv",
                    DIPS_HEADER,
                    sorted(_in(sim.administrations, first, last), key=_by_day),
                ),
            )
        )
        files.append(
            DemoFile(
                "dipsresept",
                _write(
                    out_dir / f"dips-eresepter-{year}.csv",
                    DIPSRESEPT_HEADER,
                    sorted(_in(sim.prescriptions, first, last), key=_by_day),
                ),
            )
        )
    return files


def _by_day(row: list[object]) -> tuple[str, str]:
    return str(row[0]), str(row[1])
