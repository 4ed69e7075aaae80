"""What validation maps codes against: packages, units, cost centres, prescribers."""

from __future__ import annotations

import polars as pl

from legemiddel.catalogue.models import Package
from legemiddel.lib.pseudonym import pseudonym_key
from legemiddel.organisation.models import Affiliation, CostCentre, OrgUnit
from legemiddel.usage.models import CodeMapping
from legemiddel.usage.services.targets import PATIENT_SOURCES
from legemiddel.usage.validation import Lookups


def load_lookups(source: str) -> Lookups:
    mapped_packages = CodeMapping.objects.filter(
        source=source, kind=CodeMapping.Kind.VARENR, package__isnull=False
    ).values_list("code", "package_id")
    package_rows = list(Package.objects.values_list("varenr", "varenr", "ddd_per_pack", "atc_id"))
    by_varenr = {r[0]: r for r in package_rows}
    for code, varenr in mapped_packages:
        if varenr in by_varenr:
            package_rows.append((code, *by_varenr[varenr][1:]))
    packages = pl.DataFrame(
        {
            "code": [r[0] for r in package_rows],
            "package_id": [r[1] for r in package_rows],
            "ddd_per_pack": [float(r[2]) if r[2] is not None else None for r in package_rows],
            "package_atc": [r[3] for r in package_rows],
        },
        schema={
            "code": pl.String,
            "package_id": pl.String,
            "ddd_per_pack": pl.Float64,
            "package_atc": pl.String,
        },
    ).unique("code", keep="first")

    units = dict(OrgUnit.objects.values_list("code", "id"))
    # SLS customers: a unit's code or one of its cost centres.
    customers = dict(units)
    customers.update(
        CostCentre.objects.filter(org_unit__isnull=False).values_list("code", "org_unit_id")
    )
    for kind, code, unit_id in CodeMapping.objects.filter(
        source=source, org_unit__isnull=False
    ).values_list("kind", "code", "org_unit_id"):
        if kind == CodeMapping.Kind.CUSTOMER:
            customers[code] = unit_id
        elif kind == CodeMapping.Kind.UNIT:
            units[code] = unit_id
    prescribers: dict[str, int] = {}
    for hpr, unit_id in (
        Affiliation.objects.filter(org_unit__isnull=False)
        .order_by("person__hpr_number", "id")
        .values_list("person__hpr_number", "org_unit_id")
    ):
        prescribers.setdefault(hpr, unit_id)
    return Lookups(
        packages=packages,
        customers=_code_frame(customers),
        units=_code_frame(units),
        prescribers=pl.DataFrame(
            {"hpr": list(prescribers), "org_unit_id": list(prescribers.values())},
            schema={"hpr": pl.String, "org_unit_id": pl.Int64},
        ),
        key=pseudonym_key() if source in PATIENT_SOURCES else b"",
    )


def _code_frame(codes: dict[str, int]) -> pl.DataFrame:
    return pl.DataFrame(
        {"code": list(codes), "org_unit_id": list(codes.values())},
        schema={"code": pl.String, "org_unit_id": pl.Int64},
    )
