"""Helpers shared by the import tests: CSV building and "the database is exactly as before"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from legemiddel.core.models import AuditEvent
from legemiddel.organisation.models import (
    Affiliation,
    CostCentre,
    ExternalSite,
    HealthPersonnel,
    HealthTrust,
    OrgUnit,
)

DEMO_DATA = Path(__file__).resolve().parents[2] / "src" / "legemiddel" / "demo" / "data"
DEMO_ORG_CSV = DEMO_DATA / "organisasjon.csv"
DEMO_PERSONNEL_CSV = DEMO_DATA / "helsepersonell.csv"

ORG_HEADER = "type;kode;navn;overordnet;kostnadssteder;orgnr;kommunenr"
PERSONNEL_HEADER = "hpr;navn;kategori;arbeidssted;spesialist"

MODELS = (HealthTrust, OrgUnit, CostCentre, ExternalSite, HealthPersonnel, Affiliation)


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def db_state() -> dict[str, Any]:
    """Every row the imports may touch, plus the audit trail, in a comparable form."""
    return {
        "counts": counts(),
        "trusts": sorted(HealthTrust.objects.values_list("code", "name", "org_number", "region")),
        "units": sorted(
            OrgUnit.objects.values_list(
                "code", "name", "short_name", "level", "path", "parent__code"
            )
        ),
        "cost_centres": sorted(CostCentre.objects.values_list("code", "org_unit__code")),
        "sites": sorted(
            ExternalSite.objects.values_list(
                "code", "kind", "name", "org_number", "municipality_number", "municipality__code"
            )
        ),
        "personnel": sorted(
            HealthPersonnel.objects.values_list(
                "hpr_number", "name", "category", "is_specialist", "search_key"
            )
        ),
        "affiliations": sorted(
            (hpr, unit or "", site or "")
            for hpr, unit, site in Affiliation.objects.values_list(
                "person__hpr_number", "org_unit__code", "site__code"
            )
        ),
        "audit_events": AuditEvent.objects.count(),
    }
