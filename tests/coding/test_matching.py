"""The matching, pinned on a hand-made dataset: every outcome, the window's edges, parent
units, særkoder, the episode id on the administration, and the reverse check.

The data's defaults (``conftest.Data``): patient p1 given aflibercept (rule ``oye``: CKD05
required, window 0, a parent unit's episode counts) at MED-REV-POL on ``D``; episode E1 of p1
there on ``D``. The cancer rule (``kreft``: nivolumab, WBOC05, window 1 day, no parent unit)
is given at MED-REV-DAG."""

from __future__ import annotations

import datetime as dt

import pytest

from legemiddel.coding.models import EpisodeCode, Match, Outcome, ReportingYear
from legemiddel.findings.models import Finding
from legemiddel.usage.models import Administration

from .conftest import AFLIBERCEPT, CKD05, DIAGNOSIS, NIVOLUMAB, WBOC05, D

DAY = dt.timedelta(days=1)


@pytest.fixture
def eye(data):
    """An eye injection (aflibercept) at the outpatient clinic, without an episode id."""
    return data.adm()


@pytest.fixture
def cancer(data):
    """Nivolumab at the day unit, without an episode id."""
    return data.adm(unit="MED-REV-DAG", atc="L01FF01")


def findings(category=None):
    found = Finding.objects.all()
    return found.filter(category=category) if category else found


@pytest.mark.django_db
class TestOutcomes:
    def test_episode_with_drug_and_procedure_code_is_coded(self, data, eye):
        data.episode(codes=[AFLIBERCEPT, CKD05])
        data.refresh()
        assert data.outcome(eye) == Outcome.CODED

    def test_drug_code_without_the_procedure_code(self, data, eye):
        data.episode(codes=[AFLIBERCEPT, DIAGNOSIS])
        data.refresh()
        assert data.outcome(eye) == Outcome.NO_PROCEDURE

    def test_episode_without_the_drug_code(self, data, eye):
        data.episode(codes=[DIAGNOSIS, CKD05])
        data.refresh()
        assert data.outcome(eye) == Outcome.NO_DRUG_CODE

    def test_no_episode_at_all(self, data, eye):
        data.episode(patient="p2", codes=[AFLIBERCEPT, CKD05])  # other patient
        data.refresh()
        assert data.outcome(eye) == Outcome.NO_EPISODE

    def test_an_episode_without_codes_still_counts_as_an_episode(self, data, eye):
        data.episode()
        data.refresh()
        assert data.outcome(eye) == Outcome.NO_DRUG_CODE

    def test_a_rule_without_a_procedure_code_is_coded_by_the_drug_code(self, data):
        a = data.adm(unit="MED-REV-DAG", atc="L04AB02")
        data.episode(unit="MED-REV-DAG", codes=[("ATC", "L04AB02", "L04AB02")])
        data.refresh()
        assert data.outcome(a) == Outcome.CODED

    def test_the_best_episode_wins(self, data, eye):
        data.episode("E1", codes=[DIAGNOSIS])
        data.episode("E2", codes=[AFLIBERCEPT, CKD05])
        data.episode("E3", codes=[AFLIBERCEPT])
        data.refresh()
        match = data.match(eye)
        assert (match.outcome, match.episode_ref) == (Outcome.CODED, "E2")

    def test_drugs_no_rule_lists_are_not_matched(self, data):
        data.adm(atc="L04AB04")
        data.refresh()
        assert not Match.objects.exists()

    def test_the_drug_code_must_be_the_drug_given(self, data, eye):
        data.episode(codes=[("ATC", "S01LA04", "S01LA04"), CKD05])
        data.refresh()
        assert data.outcome(eye) == Outcome.NO_DRUG_CODE


@pytest.mark.django_db
class TestWindowAndUnits:
    @pytest.mark.parametrize(
        ("start", "expected"),
        [
            (D - 2 * DAY, Outcome.NO_EPISODE),  # ends two days before
            (D - DAY, Outcome.CODED),  # window_before = 1
            (D + DAY, Outcome.CODED),  # window_after = 1
            (D + 2 * DAY, Outcome.NO_EPISODE),
        ],
    )
    def test_window_edges(self, data, cancer, start, expected):
        data.episode(unit="MED-REV-DAG", start=start, codes=[NIVOLUMAB, WBOC05])
        data.refresh()
        assert data.outcome(cancer) == expected

    def test_a_multi_day_episode_covers_the_days_between(self, data, eye):
        data.episode(start=D - 3 * DAY, end=D + 3 * DAY, codes=[AFLIBERCEPT, CKD05])
        data.refresh()
        assert data.outcome(eye) == Outcome.CODED

    def test_zero_window_means_the_same_day(self, data, eye):
        data.episode(start=D + DAY, codes=[AFLIBERCEPT, CKD05])
        data.refresh()
        assert data.outcome(eye) == Outcome.NO_EPISODE

    def test_parent_units_episode_counts_when_the_rule_says_so(self, data, eye):
        data.episode(unit="MED-REV", codes=[AFLIBERCEPT, CKD05])
        data.refresh()
        assert data.outcome(eye) == Outcome.CODED

    def test_parent_units_episode_does_not_count_otherwise(self, data, cancer):
        data.episode(unit="MED-REV", codes=[NIVOLUMAB, WBOC05])
        data.refresh()
        assert data.outcome(cancer) == Outcome.NO_EPISODE

    def test_a_sibling_units_episode_never_counts(self, data, eye):
        data.episode(unit="MED-REV-DAG", codes=[AFLIBERCEPT, CKD05])
        data.refresh()
        assert data.outcome(eye) == Outcome.NO_EPISODE

    def test_the_episode_id_on_the_administration_decides(self, data):
        # DIPS says E9: the coded episode the same day at the unit does not count.
        a = data.adm(episode="E9")
        data.episode("E9", unit="NEVRO-MS", start=D - 20 * DAY, codes=[DIAGNOSIS])
        data.episode("E1", codes=[AFLIBERCEPT, CKD05])
        data.refresh()
        match = data.match(a)
        assert (match.outcome, match.episode_ref) == (Outcome.NO_DRUG_CODE, "E9")

    def test_an_episode_id_the_file_does_not_have_falls_back_to_the_window(self, data):
        a = data.adm(episode="E-UNKNOWN")
        data.episode(codes=[AFLIBERCEPT, CKD05])
        data.refresh()
        assert data.outcome(a) == Outcome.CODED

    def test_a_saerkode_mapped_at_import_counts_as_the_drug(self, data, eye):
        data.episode(codes=[("S", "1LA05", "S01LA05"), CKD05])
        data.refresh()
        assert data.outcome(eye) == Outcome.CODED


@pytest.mark.django_db
class TestFindings:
    def test_each_uncoded_administration_is_a_finding_and_coded_ones_are_not(self, data):
        data.adm(episode="E1")
        data.adm(patient="p2", episode="E2")
        data.episode("E1", codes=[AFLIBERCEPT, CKD05])
        data.episode("E2", patient="p2", codes=[AFLIBERCEPT])
        data.refresh()
        finding = Finding.objects.get()
        assert (finding.category, finding.reference, finding.subject, finding.occurred_on) == (
            "no_procedure", "E2", "S01LA05", D,
        )  # fmt: skip
        assert finding.org_unit.code == "MED-REV-POL"

    def test_reverse_check_episode_with_a_drug_code_and_no_administration(self, data):
        data.episode("E1", unit="MED-REV-DAG", codes=[NIVOLUMAB, WBOC05])
        data.episode("E2", patient="p2", unit="MED-REV-DAG", codes=[NIVOLUMAB])
        data.adm(D + DAY, "p2", "MED-REV-DAG", "L01FF01")  # within window
        data.refresh()
        reverse = findings("no_administration")
        assert [(f.reference, f.subject) for f in reverse] == [("E1", "L01FF01")]

    def test_reverse_check_counts_an_episode_once_for_its_drug(self, data):
        # The drug coded twice on one episode (ATC code and særkode): one finding.
        data.episode(unit="MED-REV-DAG", codes=[NIVOLUMAB, ("S", "6XX02", "L01FF01")])
        data.refresh()
        data.refresh()
        assert findings("no_administration").count() == 1

    def test_reverse_check_ignores_an_administration_outside_the_window(self, data):
        data.episode(unit="MED-REV-DAG", codes=[NIVOLUMAB, WBOC05])
        data.adm(D + 2 * DAY, "p1", "MED-REV-DAG", "L01FF01")
        data.refresh()
        assert findings("no_administration").filter(reference="E1").exists()

    def test_difference_between_dips_and_the_episode_file_is_shown(self, data):
        data.adm(atc_codes="S01LA05")
        data.refresh()
        assert "DIPS viste legemiddelkoden" in Finding.objects.get().note

    def test_a_later_import_with_the_code_confirms_the_correction(self, data):
        data.adm(episode="E1")
        data.episode(codes=[AFLIBERCEPT])
        data.refresh()
        finding = Finding.objects.get()
        assert finding.status == Finding.Status.OPEN
        EpisodeCode.objects.create(
            episode_ref="E1", month=D.replace(day=1), system="NCSP", code="CKD05"
        )
        data.refresh()
        finding.refresh_from_db()
        assert finding.status == Finding.Status.CORRECTED
        assert finding.resolved_at is not None

    def test_refresh_is_idempotent_and_keeps_peoples_decisions(self, data):
        data.adm()
        data.adm(patient="p2")
        data.refresh()
        first, _second = Finding.objects.order_by("patient")
        Finding.objects.filter(pk=first.pk).update(
            status=Finding.Status.NOT_APPLICABLE, reason="Studiemedisin"
        )
        counts = data.refresh()
        assert counts["new"] == 0
        assert Finding.objects.count() == 2
        first.refresh_from_db()
        assert (first.status, first.reason) == (Finding.Status.NOT_APPLICABLE, "Studiemedisin")

    def test_dips_imported_again_keeps_the_findings_as_people_left_them(self, data):
        a = data.adm(episode="E1")
        data.refresh()
        Finding.objects.update(status=Finding.Status.DISPUTED, reason="Kodet i DIPS")
        a.delete()  # the month replaced by a new DIPS file: the same row, a new id
        again = data.adm(episode="E1")
        assert again.pk != a.pk
        assert Administration.objects.count() == 1
        counts = data.refresh()
        assert (counts["new"], counts["corrected"]) == (0, 0)
        finding = Finding.objects.get()
        assert (finding.status, finding.reason) == (Finding.Status.DISPUTED, "Kodet i DIPS")

    def test_a_corrected_finding_found_again_is_reopened(self, data, eye):
        data.refresh()
        Finding.objects.update(status=Finding.Status.CORRECTED)
        data.refresh()
        assert Finding.objects.get().status == Finding.Status.OPEN


@pytest.mark.django_db
class TestIncome:
    def test_income_at_risk_is_drg_weight_times_unit_price_times_isf_share(self, data, eye):
        data.refresh()
        assert Finding.objects.get().amount == pytest.approx(0.13 * 52248 * 0.4)

    def test_a_year_without_a_rate_has_no_estimate(self, data):
        data.adm(dt.date(2023, 5, 2))
        data.refresh()
        assert Finding.objects.get().amount is None

    def test_a_fixed_amount_needs_no_rate(self, data):
        data.adm(dt.date(2023, 5, 2), unit="MED-REV-DAG", atc="L04AB02")
        data.refresh()
        assert Finding.objects.get().amount == 9000

    def test_the_correction_deadline_of_the_reporting_year(self, data, eye):
        ReportingYear.objects.filter(year=2024).update(correction_deadline=dt.date(2025, 3, 1))
        data.refresh()
        assert Finding.objects.get().deadline == dt.date(2025, 3, 1)
