"""The measures' arithmetic, pinned by hand on the shared dataset."""

from __future__ import annotations

from legemiddel.accounts.roles import Role
from legemiddel.agreements.models import TherapeuticArea
from legemiddel.analytics.engine import measures, measures_refresh
from legemiddel.analytics.models import MeasureValue
from legemiddel.analytics.selectors import Dashboard
from legemiddel.usage.models import MonthlyUsage
from tests.analytics.dataset import FEB, JAN, MAR, by_unit, dispense, parse_day, share_of


def test_share_on_first_choice_follows_the_ranking_of_each_month(dataset, org, users):
    refresh = measures_refresh()
    assert refresh.latest_month == FEB
    measure = next(m for m in measures() if m.key == "forstevalg-ddd--X")
    board = Dashboard(measure, users[Role.CORE_GROUP], None)
    pol, dag, rev = org["MED-REV-POL"].id, org["MED-REV-DAG"].id, org["MED-REV"].id
    # January, A first choice: POL 30 of 40, DAG 20 of 60, department 50 of 100.
    assert share_of(board, pol, JAN) == (30, 40, 0.75)
    assert share_of(board, dag, JAN) == (20, 60, 20 / 60)
    assert share_of(board, rev, JAN) == (50, 100, 0.5)
    # February, B first choice: POL 10 of 40; the trust adds the unmapped 60 of 60.
    assert share_of(board, pol, FEB) == (10, 40, 0.25)
    assert share_of(board, None, FEB) == (70, 100, 0.7)
    # No agreement in force in March: no value at all.
    assert MAR not in board.months


def test_cost_per_month_sums_amounts_of_ranked_packages_only(dataset, org, users):
    measures_refresh()
    values = MeasureValue.objects.filter(measure="kostnad--X", month=JAN)
    assert sum(v.numerator for v in values) == 300 + 200 + 200 + 800
    assert all(v.denominator == 0 for v in values)


def test_treatment_starts_are_first_events_after_a_gap_longer_than_the_window(dataset, org):
    from legemiddel.analytics.kinds.starts import start_counts
    from legemiddel.usage.models import Administration, ImportBatch

    pol, dag = "MED-REV-POL", "MED-REV-DAG"
    dispense(
        org,
        [
            # Data start 2025-01-01; with a 90-day window, starts count from 2025-04-01.
            ("p1", "2025-01-01", "000001", pol, ""),  # first window: history unknown
            ("p1", "2025-03-01", "000001", pol, ""),  # continues
            ("p1", "2025-09-01", "000002", pol, "9100001"),  # 184 days later: a new start
            ("p1", "2025-10-01", "000002", pol, "9100001"),  # continues
            ("p2", "2025-05-10", "000001", dag, "9100002"),  # first ever, after the window
            ("p3", "2025-02-01", "000001", dag, ""),  # first ever, inside the first window
            ("p3", "2025-05-02", "000001", dag, ""),  # exactly 90 days later: continues
            ("p5", "2025-06-01", "000003", dag, ""),  # a package outside the selection
        ],
    )
    # An administration of the same patient (same pseudonym) continues a dispensing course.
    batch = ImportBatch.objects.create(
        source="dips", file_name="d", sha256="y", period_start=JAN, period_end=FEB
    )
    Administration.objects.create(
        batch=batch,
        administered_on=parse_day("2025-07-20"),
        month=parse_day("2025-07-01"),
        patient="p2",
        unit_code="X",
        org_unit=org[dag],
        package_id="000001",
        episode="e",
    )
    found = start_counts({"000001", "000002"}, ["hresept", "dips"], 90)
    assert sorted(found) == sorted(
        [
            (parse_day("2025-09-01"), org[pol].id, "9100001", "000002", 1),
            (parse_day("2025-05-01"), org[dag].id, "9100002", "000001", 1),
        ]
    )
    assert start_counts(set(), ["hresept"], 90) == []
    # Without administrations the same two starts remain.
    assert len(start_counts({"000001", "000002"}, ["hresept"], 90)) == 2


def test_share_of_starts_counts_starts_on_that_months_first_choice_per_prescriber(
    dataset, org, users
):
    pol = "MED-REV-POL"
    dispense(
        org,
        [
            # 2025: history, so 2026 events after a long gap are starts.
            ("p1", "2025-01-05", "000001", pol, "9100001"),
            ("p1", "2026-01-10", "000001", pol, "9100001"),  # start on A, first choice in Jan
            ("p2", "2026-01-12", "000002", pol, "9100001"),  # start on B, rank 2 in January
            ("p3", "2026-02-03", "000002", pol, "9100002"),  # start on B, first choice in Feb
            ("p3", "2026-02-20", "000002", pol, "9100002"),  # continues: not a start
        ],
    )
    measures_refresh()
    values = {
        (v.month, v.prescriber): (v.numerator, v.denominator)
        for v in MeasureValue.objects.filter(measure="oppstart-forstevalg--X")
    }
    assert values == {(JAN, "9100001"): (1, 2), (FEB, "9100002"): (1, 1)}


def test_savings_potential_prices_other_brands_at_the_first_choice_cost_per_ddd(priced, org):
    measures_refresh()
    pol, dag = org["MED-REV-POL"].id, org["MED-REV-DAG"].id
    # January, A first choice at 10 kr/DDD: B at POL 200 - 10 x 10, B at DAG 800 - 40 x 10.
    assert by_unit("gevinst-potensial--X", JAN) == {pol: 100, dag: 400}
    # February, B first choice at 5 kr/DDD: A at POL 300 - 30 x 5; B itself counts nothing.
    assert by_unit("gevinst-potensial--X", FEB) == {pol: 150}


def test_savings_realised_compare_with_the_cost_per_ddd_before_the_agreement(priced, org):
    measures_refresh()
    pol, dag = org["MED-REV-POL"].id, org["MED-REV-DAG"].id
    # Baseline: 40 kr/DDD in the three months before 1.1.2026 (December's 400 kr for 10 DDD).
    # January: POL 30 x 40 - 300 + 10 x 40 - 200; DAG 20 x 40 - 200 + 40 x 40 - 800.
    assert by_unit("gevinst-realisert--X", JAN) == {pol: 1100, dag: 1400}
    # February: POL as before; the unmapped line 60 x 40 - 1200.
    assert by_unit("gevinst-realisert--X", FEB) == {pol: 1100, None: 1200}


def test_switching_counts_the_cohort_on_the_old_product_month_by_month(priced, org):
    from legemiddel.analytics.kinds.switches import first_choice_changes

    (change,) = first_choice_changes(TherapeuticArea.objects.get(code="X"))
    assert (change.day, change.atc, change.first, change.others) == (
        FEB,
        "L04AB04",
        frozenset({"000002"}),
        frozenset({"000001"}),
    )
    pol = "MED-REV-POL"
    dispense(
        org,
        [
            ("p1", "2026-01-10", "000001", pol, "9100001"),  # on A before: in the cohort
            ("p1", "2026-02-05", "000001", pol, "9100001"),
            ("p1", "2026-02-20", "000002", pol, "9100001"),  # last in February: B, switched
            ("p2", "2026-01-15", "000001", pol, "9100002"),  # in the cohort
            ("p2", "2026-02-10", "000001", pol, "9100002"),  # still A in February
            ("p2", "2026-03-03", "000002", pol, "9100002"),  # switched in March
            ("p3", "2026-01-20", "000002", pol, "9100002"),  # already on B: not in the cohort
            ("p3", "2026-02-20", "000002", pol, "9100002"),
            ("p4", "2025-10-01", "000001", pol, "9100002"),  # outside the 90-day window
            ("p4", "2026-02-01", "000001", pol, "9100002"),
        ],
    )
    measures_refresh()
    values = {
        (v.month, v.prescriber): (v.numerator, v.denominator)
        for v in MeasureValue.objects.filter(measure="bytte-etter-anbud--X")
    }
    assert values == {
        (FEB, "9100001"): (1, 1),
        (FEB, "9100002"): (0, 1),
        (MAR, "9100002"): (1, 1),
    }


def test_cost_per_patient_year_divides_amounts_by_patients_treated_over_twelve(priced, org):
    pol = "MED-REV-POL"
    dispense(
        org,
        [
            ("p1", "2026-01-10", "000001", pol, ""),
            ("p1", "2026-01-25", "000002", pol, ""),  # the same patient twice: one patient
            ("p2", "2026-01-12", "000002", pol, ""),
            ("p3", "2026-01-12", "000003", pol, ""),  # not in the agreement
        ],
    )
    measures_refresh()
    value = MeasureValue.objects.get(
        measure="kostnad-per-pasientaar--X", month=JAN, org_unit=org[pol]
    )
    # January at POL: 300 + 200 kr for 2 patients = 2/12 patient-years: 3 000 kr per year.
    assert (value.numerator, round(value.denominator, 6)) == (500, round(2 / 12, 6))


def test_an_import_recomputes_only_the_measures_that_read_its_source(dataset, org):
    measures_refresh()
    starts = MeasureValue.objects.create(
        measure="oppstart-forstevalg--X", month=JAN, org_unit=org["MED-REV-POL"], numerator=7
    )
    MonthlyUsage.objects.filter(source="sls", month=JAN, package_id="000001").update(ddd=90)
    measures_refresh(sources={"sls"})
    pol = MeasureValue.objects.get(
        measure="forstevalg-ddd--X", month=JAN, org_unit=org["MED-REV-POL"]
    )
    assert (pol.numerator, pol.denominator) == (90, 100)  # recomputed from the cube
    assert MeasureValue.objects.filter(pk=starts.pk).exists()  # H-prescription measure kept
    measures_refresh()
    assert not MeasureValue.objects.filter(pk=starts.pk).exists()


def test_an_sls_import_keeps_the_patient_years_and_recomputes_the_amounts(priced, org):
    from legemiddel.usage.models import Dispensing

    dispense(org, [("p1", "2026-01-10", "000001", "MED-REV-POL", "")])
    measures_refresh()
    key, pol = "kostnad-per-pasientaar--X", org["MED-REV-POL"]
    assert MeasureValue.objects.get(measure=key, month=JAN, org_unit=pol).denominator == 1 / 12
    MonthlyUsage.objects.filter(source="sls", month=JAN, org_unit=pol).update(amount=1000)
    Dispensing.objects.all().delete()  # not read again: an SLS import brings no patients
    measures_refresh(sources={"sls"})
    value = MeasureValue.objects.get(measure=key, month=JAN, org_unit=pol)
    assert (value.numerator, value.denominator) == (2000, 1 / 12)
    measures_refresh(sources={"hresept"})
    assert not MeasureValue.objects.filter(measure=key, month=JAN, org_unit=pol, denominator__gt=0)
