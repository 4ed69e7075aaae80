"""Where each source's validated rows go: the fact table, its columns, and how a row adds to
the monthly cube."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from legemiddel.usage.models import Administration, Dispensing, EPrescription, SalesLine


@dataclass(frozen=True)
class Target:
    model: type[Any]
    columns: tuple[str, ...]  # the fact table's columns, taken from the validated frame
    # How a fact row adds to the monthly cube: the column with its ATC code, the column summed
    # as quantity (None: count the rows), whether amount and DDD are summed, and whether
    # distinct patients are counted.
    cube_atc: str = "package_atc"
    cube_quantity: str | None = "quantity"
    cube_money: bool = True
    cube_patients: bool = True


TARGETS: dict[str, Target] = {
    "sls": Target(
        SalesLine,
        (
            "month",
            "customer",
            "org_unit_id",
            "package_id",
            "quantity",
            "amount",
            "ddd",
            "ddd_computed",
            "usage_group",
        ),
        cube_patients=False,
    ),
    "hresept": Target(
        Dispensing,
        (
            "dispensed_on",
            "month",
            "patient",
            "package_id",
            "quantity",
            "amount",
            "refund_code",
            "prescriber_hpr",
            "prescribed_on",
            "pharmacy",
            "org_unit_id",
            "ddd",
        ),
    ),
    "dips": Target(
        Administration,
        (
            "administered_on",
            "month",
            "patient",
            "unit_code",
            "org_unit_id",
            "atc",
            "package_id",
            "dose",
            "dose_unit",
            "episode",
            "diagnosis_codes",
            "procedure_codes",
            "atc_codes",
        ),
        cube_atc="atc",
        cube_quantity=None,
        cube_money=False,
    ),
    "dipsresept": Target(
        EPrescription,
        (
            "prescribed_on",
            "month",
            "patient",
            "prescriber_hpr",
            "unit_code",
            "org_unit_id",
            "atc",
            "package_id",
            "dosage",
            "quantity",
        ),
        cube_atc="atc",
        cube_money=False,
    ),
}
PATIENT_SOURCES = {"hresept", "dips", "dipsresept"}
