"""Cost per patient-year counts each patient once at every level: a patient treated in two
units in one month is one patient in their department, clinic and the trust."""

from __future__ import annotations

import pytest

from legemiddel.accounts.roles import Role
from legemiddel.analytics.engine import measure_by_key, measures_refresh
from legemiddel.analytics.models import MeasureValue
from legemiddel.analytics.selectors import Dashboard, trust_nodes, unit_series
from legemiddel.usage.models import Administration, ImportBatch
from tests.analytics.dataset import JAN, dispense, parse_day

KEY = "kostnad-per-pasientaar--X"


@pytest.fixture
def crossing(priced, org):
    """January: p1 gets an H-prescription at POL and an administration at DAG; p2 is at POL
    only, p3 at DAG only. Three patients in all; two in each unit."""
    pol, dag = "MED-REV-POL", "MED-REV-DAG"
    dispense(
        org,
        [
            ("p1", "2026-01-10", "000001", pol, "9100001"),
            ("p2", "2026-01-12", "000002", pol, "9100001"),
            ("p3", "2026-01-14", "000002", dag, "9100002"),
        ],
    )
    batch = ImportBatch.objects.create(
        source="dips", file_name="d", sha256="y", period_start=JAN, period_end=JAN
    )
    Administration.objects.create(
        batch=batch,
        administered_on=parse_day("2026-01-20"),
        month=JAN,
        patient="p1",
        unit_code="DAG",
        org_unit=org[dag],
        package_id="000001",
        episode="e",
    )
    measures_refresh()
    return priced


# January's invoiced amounts of ranked packages: POL 300 + 200 (SLS), DAG 200 + 800
# (H-prescriptions); the unranked 5 000 kr at DAG does not count.
AMOUNT = 300 + 200 + 200 + 800


def test_units_count_their_own_patients(crossing, org, users):
    board = Dashboard(measure_by_key(KEY), users[Role.CORE_GROUP], None)
    for unit in ("MED-REV-POL", "MED-REV-DAG"):
        point = next(p for p in board.points(org[unit].id) if p.month == JAN)
        assert point.denominator == pytest.approx(2 / 12)
    pol = next(p for p in board.points(org["MED-REV-POL"].id) if p.month == JAN)
    assert pol.value == pytest.approx(500 / (2 / 12))


def test_department_clinic_and_trust_count_a_patient_in_two_units_once(crossing, org, users):
    board = Dashboard(measure_by_key(KEY), users[Role.CORE_GROUP], None)
    for place in (org["MED-REV"].id, org["MED"].id, None):
        point = next(p for p in board.points(place) if p.month == JAN)
        # 1 500 kr for 3 patients (not 4): 3/12 patient-years, 6 000 kr per patient-year.
        assert point.numerator == pytest.approx(AMOUNT)
        assert point.denominator == pytest.approx(3 / 12)
        assert point.value == pytest.approx(AMOUNT / (3 / 12))
    # The rows behind it: one row per place above the units, and one for the trust.
    whole = MeasureValue.objects.filter(measure=KEY, month=JAN, subtree=True)
    assert {v.org_unit_id for v in whole} == {org["MED-REV"].id, org["MED"].id, None}


def test_the_overview_and_the_monthly_email_read_the_distinct_counts(crossing, org):
    measure = measure_by_key(KEY)
    trust = trust_nodes([measure])[KEY]
    january = next(p for p in trust.points if p.month == JAN)
    assert january.value == pytest.approx(AMOUNT / (3 / 12))
    series = unit_series([measure], [org["MED-REV"], org["MED-REV-POL"]])
    department = next(p for p in series[(KEY, org["MED-REV"].id)] if p.month == JAN)
    assert department.denominator == pytest.approx(3 / 12)
    unit = next(p for p in series[(KEY, org["MED-REV-POL"].id)] if p.month == JAN)
    assert unit.denominator == pytest.approx(2 / 12)


def test_an_sls_import_keeps_the_distinct_counts_of_every_level(crossing, org, users):
    from legemiddel.usage.models import Dispensing

    Dispensing.objects.all().delete()  # not read again: an SLS import brings no patients
    measures_refresh(sources={"sls"})
    board = Dashboard(measure_by_key(KEY), users[Role.CORE_GROUP], None)
    point = next(p for p in board.points(None) if p.month == JAN)
    assert point.denominator == pytest.approx(3 / 12)
    assert point.numerator == pytest.approx(AMOUNT)
