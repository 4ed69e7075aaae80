"""The demo trust as the usage generator sees it: period, units, doctors, pharmacies, drugs."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from legemiddel.demo import DATA_DIR

START = dt.date(2023, 11, 1)
END = dt.date(2026, 10, 31)
PRESCRIBER_HPR = "9100001"  # the demo user «forskriver» at MED-REV-POL

# Units that follow the drug committee's recommendations poorly (and code less carefully).
POOR_FOLLOWERS = frozenset({"HDS-GAST", "VOSS-MED-POL", "AUGE-POL", "MED-REV-DAG"})
# Where a clinic's outpatients get their infusions.
INFUSION_UNIT = {
    "MED-GAST-POL": "MED-GAST-INF",
    "MED-REV-POL": "MED-REV-DAG",
    "KREFT-POL": "KREFT-DAG",
    "MED-HEM-POL": "MED-HEM-POL",
}
PHARMACIES = (
    ("Sjukehusapoteket i Bergen", 6),
    ("Apotek 1 Lagunen", 3),
    ("Vitusapotek Nordstjernen", 3),
    ("Boots apotek Bergen Storsenter", 2),
    ("Apotek 1 Voss", 1),
    ("Vitusapotek Åsane", 2),
    ("Boots apotek Kleppestø", 1),
)
USAGE_GROUP = {
    "TNF": "Biologiske legemidler",
    "MS": "Biologiske legemidler",
    "IL": "Biologiske legemidler",
    "JAK": "Biologiske legemidler",
    "PD1": "Kreftlegemidler",
    "HER2": "Kreftlegemidler",
    "VEGF": "Øyelegemidler",
    "EPO": "Blod og bloddannende",
    "DOAK": "Antikoagulasjon",
    "ANNET": "Sengepostlager",
}


@dataclass(frozen=True)
class Drug:
    varenr: str
    area: str
    substance: str
    atc: str
    name: str
    aip: float
    aup: float
    amount: float  # content of one pack, in amount_unit
    amount_unit: str
    ddd_per_pack: float


def read_drugs() -> dict[str, Drug]:
    with (DATA_DIR / "legemidler.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    return {
        r["varenr"]: Drug(
            varenr=r["varenr"],
            area=r["area"],
            substance=r["substance"],
            atc=r["atc"],
            name=f"{r['brand']} {r['strength']}",
            aip=float(r["aip"]),
            aup=float(r["aup"]),
            amount=float(r["amount"]),
            amount_unit=r["amount_unit"],
            ddd_per_pack=round(float(r["amount"]) / float(r["ddd"]), 4),
        )
        for r in rows
    }


def read_units() -> dict[str, tuple[str, list[str]]]:
    """Unit code -> (name, cost centres)."""
    with (DATA_DIR / "organisasjon.csv").open(encoding="utf-8", newline="") as handle:
        return {
            r["kode"]: (r["navn"], r["kostnadssteder"].split())
            for r in csv.DictReader(handle, delimiter=";")
            if r["type"] == "enhet"
        }


def read_doctors() -> dict[str, list[str]]:
    """Unit code -> HPR numbers of the hospital doctors working there."""
    doctors: dict[str, list[str]] = defaultdict(list)
    with (DATA_DIR / "helsepersonell.csv").open(encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle, delimiter=";"):
            if r["kategori"] == "sykehuslege":
                doctors[r["arbeidssted"]].append(r["hpr"])
    doctors["MED-REV-POL"].append(PRESCRIBER_HPR)
    return doctors
