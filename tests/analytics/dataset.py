"""The hand-made dataset the measure tests share: area X with a mid-period change of first
choice, a package outside the agreement and an unmapped unit; prices for the savings."""

from __future__ import annotations

import datetime as dt

import pytest

from legemiddel.agreements.models import Agreement, AgreementLine, TherapeuticArea
from legemiddel.analytics.models import MeasureValue
from legemiddel.analytics.selectors import Dashboard
from legemiddel.catalogue.models import Package
from legemiddel.usage.models import MonthlyUsage

JAN, FEB, MAR = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)


@pytest.fixture
def dataset(org):
    """Area X: package A first choice in January, B first choice from February (a mid-period
    change); C is not in the agreement. Usage written straight into the cube."""
    return load_dataset(org)


def load_dataset(org):
    """The dataset of the ``dataset`` fixture (also for tests that need it outside a fixture)."""
    for varenr in ("000001", "000002", "000003"):
        Package.objects.create(
            varenr=varenr, fest_id=f"ID{varenr}", name_form_strength=f"P{varenr}", content_hash=""
        )
    area = TherapeuticArea.objects.create(code="X", name="Område X")
    agreement = Agreement.objects.create(
        area=area,
        title="X 2026",
        region="Vest",
        start=JAN,
        end=dt.date(2026, 12, 31),
        status=Agreement.Status.PUBLISHED,
        version=1,
    )
    for varenr, rank, start, end in (
        ("000001", 1, None, dt.date(2026, 1, 31)),
        ("000002", 2, None, dt.date(2026, 1, 31)),
        ("000002", 1, FEB, None),
        ("000001", 2, FEB, None),
    ):
        AgreementLine.objects.create(
            agreement=agreement,
            package_id=varenr,
            indication_group="G",
            rank=rank,
            valid_from=start,
            valid_to=end,
        )
    pol, dag = org["MED-REV-POL"].id, org["MED-REV-DAG"].id
    rows = [
        # month, source, unit, varenr, ddd, amount
        (JAN, "sls", pol, "000001", 30, 300),
        (JAN, "sls", pol, "000002", 10, 200),
        (JAN, "hresept", dag, "000001", 20, 200),
        (JAN, "hresept", dag, "000002", 40, 800),
        (JAN, "sls", dag, "000003", 500, 5000),  # not in the agreement
        (JAN, "dips", dag, "000002", 999, 0),  # administrations: not a source of this measure
        (FEB, "sls", pol, "000001", 30, 300),
        (FEB, "sls", pol, "000002", 10, 200),
        (FEB, "sls", None, "000002", 60, 1200),  # not yet mapped to a unit
    ]
    MonthlyUsage.objects.bulk_create(
        MonthlyUsage(
            month=m, source=s, org_unit_id=u, package_id=v, ddd=d, amount=a, quantity=1, rows=1
        )
        for m, s, u, v, d, a in rows
    )
    return area


def share_of(dashboard: Dashboard, unit_id, month):
    point = next(p for p in dashboard.points(unit_id) if p.month == month)
    return point.numerator, point.denominator, point.value


def parse_day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def dispense(org, rows):
    from legemiddel.usage.models import Dispensing, ImportBatch

    batch = ImportBatch.objects.create(
        source="hresept", file_name="f", sha256="x", period_start=JAN, period_end=FEB
    )
    Dispensing.objects.bulk_create(
        Dispensing(
            batch=batch,
            dispensed_on=parse_day(day),
            month=parse_day(day).replace(day=1),
            patient=patient,
            package_id=varenr,
            quantity=1,
            amount=1,
            prescriber_hpr=hpr,
            org_unit_id=org[unit].id,
        )
        for patient, day, varenr, unit, hpr in rows
    )


@pytest.fixture
def priced(dataset, org):
    """The same dataset with LIS prices: A 100 kr and B 50 kr per pack of 10 DDD, one
    substance; and December 2025, before the agreement, at 40 kr per DDD."""
    from legemiddel.catalogue.models import AtcCode

    atc = AtcCode.objects.create(code="L04AB04", level=5)
    Package.objects.filter(varenr__in=["000001", "000002"]).update(atc=atc, ddd_per_pack=10)
    AgreementLine.objects.filter(package_id="000001").update(lis_price=100)
    AgreementLine.objects.filter(package_id="000002").update(lis_price=50)
    MonthlyUsage.objects.create(
        month=dt.date(2025, 12, 1),
        source="sls",
        org_unit_id=org["MED-REV-POL"].id,
        package_id="000001",
        ddd=10,
        amount=400,
        quantity=1,
        rows=1,
    )
    return dataset


def by_unit(key, month):
    return {
        v.org_unit_id: round(v.numerator, 6)
        for v in MeasureValue.objects.filter(measure=key, month=month)
    }
