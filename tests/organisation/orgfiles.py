"""The small organisation file the organisation import tests share."""

from __future__ import annotations

import csv
import io

import pytest

from legemiddel.organisation.models import OrgUnit
from legemiddel.organisation.services import organisation_import_csv
from tests.organisation.dbstate import DEMO_ORG_CSV, ORG_HEADER, csv_bytes

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
