"""The matching, pinned on a hand-made dataset: every outcome, the window's edges, parent
units, særkoder, the episode id on the administration, and the reverse check."""

from __future__ import annotations

import datetime as dt

import pytest

from legemiddel.coding.matching import coding_refresh
from legemiddel.coding.models import Match, Outcome
from legemiddel.findings.models import Finding

from .conftest import AFLIBERCEPT, CKD05, DIAGNOSIS, NIVOLUMAB, WBOC05

D = dt.date(2024, 3, 14)


def outcome(adm, rule=None):
    found = Match.objects.filter(administration_id=adm.pk)
    if rule:
        found = found.filter(rule=rule)
    return found.get().outcome


@pytest.mark.django_db
class TestOutcomes:
    def test_episode_with_drug_and_procedure_code_is_coded(self, data, rules):
        a = data.adm(D, "p1", "MED-REV-POL", "S01LA05")
        data.episode("E1", "p1", "MED-REV-POL", D, codes=[AFLIBERCEPT, CKD05])
        coding_refresh(rules=rules)
        assert outcome(a) == Outcome.CODED

    def test_drug_code_without_the_procedure_code(self, data, rules):
        a = data.adm(D, "p1", "MED-REV-POL", "S01LA05")
        data.episode("E1", "p1", "MED-REV-POL", D, codes=[AFLIBERCEPT, DIAGNOSIS])
        coding_refresh(rules=rules)
        assert outcome(a) == Outcome.NO_PROCEDURE

    def test_episode_without_the_drug_code(self, data, rules):
        a = data.adm(D, "p1", "MED-REV-POL", "S01LA05")
        data.episode("E1", "p1", "MED-REV-POL", D, codes=[DIAGNOSIS, CKD05])
        coding_refresh(rules=rules)
        assert outcome(a) == Outcome.NO_DRUG_CODE

    def test_no_episode_at_all(self, data, rules):
        a = data.adm(D, "p1", "MED-REV-POL", "S01LA05")
        data.episode("E1", "p2", "MED-REV-POL", D, codes=[AFLIBERCEPT, CKD05])  # other patient
        coding_refresh(rules=rules)
        assert outcome(a) == Outcome.NO_EPISODE

    def test_an_episode_without_codes_still_counts_as_an_episode(self, data, rules):
        a = data.adm(D, "p1", "MED-REV-POL", "S01LA05")
        data.episode("E1", "p1", "MED-REV-POL", D)
        coding_refresh(rules=rules)
        assert outcome(a) == Outcome.NO_DRUG_CODE

    def test_a_rule_without_a_procedure_code_is_coded_by_the_drug_code(self, data, rules):
        a = data.adm(D, "p1", "MED-REV-DAG", "L04AB02")
        data.episode("E1", "p1", "MED-REV-DAG", D, codes=[("ATC", "L04AB02", "L04AB02")])
        coding_refresh(rules=rules)
        assert outcome(a) == Outcome.CODED

    def test_the_best_episode_wins(self, data, rules):
        a = data.adm(D, "p1", "MED-REV-POL", "S01LA05")
        data.episode("E1", "p1", "MED-REV-POL", D, codes=[DIAGNOSIS])
        data.episode("E2", "p1", "MED-REV-POL", D, codes=[AFLIBERCEPT, CKD05])
        data.episode("E3", "p1", "MED-REV-POL", D, codes=[AFLIBERCEPT])
        coding_refresh(rules=rules)
        match = Match.objects.get(administration_id=a.pk)
        assert (match.outcome, match.episode_ref) == (Outcome.CODED, "E2")

    def test_drugs_no_rule_lists_are_not_matched(self, data, rules):
        data.adm(D, "p1", "MED-REV-POL", "L04AB04")
        coding_refresh(rules=rules)
        assert not Match.objects.exists()

    def test_the_drug_code_must_be_the_drug_given(self, data, rules):
        a = data.adm(D, "p1", "MED-REV-POL", "S01LA05")
        data.episode("E1", "p1", "MED-REV-POL", D, codes=[("ATC", "S01LA04", "S01LA04"), CKD05])
        coding_refresh(rules=rules)
        assert outcome(a) == Outcome.NO_DRUG_CODE


@pytest.mark.django_db
class TestWindowAndUnits:
    @pytest.mark.parametrize(
        ("start", "expected"),
        [
            (D - dt.timedelta(days=2), Outcome.NO_EPISODE),  # ends two days before
            (D - dt.timedelta(days=1), Outcome.CODED),  # window_before = 1
            (D + dt.timedelta(days=1), Outcome.CODED),  # window_after = 1
            (D + dt.timedelta(days=2), Outcome.NO_EPISODE),
        ],
    )
    def test_window_edges(self, data, rules, start, expected):
        a = data.adm(D, "p1", "MED-REV-DAG", "L01FF01")
        data.episode("E1", "p1", "MED-REV-DAG", start, codes=[NIVOLUMAB, WBOC05])
        coding_refresh(rules=rules)
        assert outcome(a) == expected

    def test_a_multi_day_episode_covers_the_days_between(self, data, rules):
        a = data.adm(D, "p1", "MED-REV-POL", "S01LA05")
        data.episode(
            "E1", "p1", "MED-REV-POL", D - dt.timedelta(days=3), D + dt.timedelta(days=3),
            codes=[AFLIBERCEPT, CKD05],
        )  # fmt: skip
        coding_refresh(rules=rules)
        assert outcome(a) == Outcome.CODED

    def test_zero_window_means_the_same_day(self, data, rules):
        a = data.adm(D, "p1", "MED-REV-POL", "S01LA05")
        data.episode(
            "E1", "p1", "MED-REV-POL", D + dt.timedelta(days=1), codes=[AFLIBERCEPT, CKD05]
        )
        coding_refresh(rules=rules)
        assert outcome(a) == Outcome.NO_EPISODE

    def test_parent_units_episode_counts_when_the_rule_says_so(self, data, rules):
        a = data.adm(D, "p1", "MED-REV-POL", "S01LA05")
        data.episode("E1", "p1", "MED-REV", D, codes=[AFLIBERCEPT, CKD05])
        coding_refresh(rules=rules)
        assert outcome(a) == Outcome.CODED

    def test_parent_units_episode_does_not_count_otherwise(self, data, rules):
        a = data.adm(D, "p1", "MED-REV-DAG", "L01FF01")
        data.episode("E1", "p1", "MED-REV", D, codes=[NIVOLUMAB, WBOC05])
        coding_refresh(rules=rules)
        assert outcome(a) == Outcome.NO_EPISODE

    def test_a_sibling_units_episode_never_counts(self, data, rules):
        a = data.adm(D, "p1", "MED-REV-POL", "S01LA05")
        data.episode("E1", "p1", "MED-REV-DAG", D, codes=[AFLIBERCEPT, CKD05])
        coding_refresh(rules=rules)
        assert outcome(a) == Outcome.NO_EPISODE

    def test_the_episode_id_on_the_administration_decides(self, data, rules):
        # DIPS says E9: the coded episode the same day at the unit does not count.
        a = data.adm(D, "p1", "MED-REV-POL", "S01LA05", episode="E9")
        data.episode("E9", "p1", "NEVRO-MS", D - dt.timedelta(days=20), codes=[DIAGNOSIS])
        data.episode("E1", "p1", "MED-REV-POL", D, codes=[AFLIBERCEPT, CKD05])
        coding_refresh(rules=rules)
        match = Match.objects.get(administration_id=a.pk)
        assert (match.outcome, match.episode_ref) == (Outcome.NO_DRUG_CODE, "E9")

    def test_an_episode_id_the_file_does_not_have_falls_back_to_the_window(self, data, rules):
        a = data.adm(D, "p1", "MED-REV-POL", "S01LA05", episode="E-UNKNOWN")
        data.episode("E1", "p1", "MED-REV-POL", D, codes=[AFLIBERCEPT, CKD05])
        coding_refresh(rules=rules)
        assert outcome(a) == Outcome.CODED

    def test_a_saerkode_mapped_at_import_counts_as_the_drug(self, data, rules):
        a = data.adm(D, "p1", "MED-REV-POL", "S01LA05")
        data.episode("E1", "p1", "MED-REV-POL", D, codes=[("S", "1LA05", "S01LA05"), CKD05])
        coding_refresh(rules=rules)
        assert outcome(a) == Outcome.CODED


@pytest.mark.django_db
class TestFindings:
    def test_each_uncoded_administration_is_a_finding_and_coded_ones_are_not(self, data, rules):
        data.adm(D, "p1", "MED-REV-POL", "S01LA05", episode="E1")
        data.adm(D, "p2", "MED-REV-POL", "S01LA05", episode="E2")
        data.episode("E1", "p1", "MED-REV-POL", D, codes=[AFLIBERCEPT, CKD05])
        data.episode("E2", "p2", "MED-REV-POL", D, codes=[AFLIBERCEPT])
        coding_refresh(rules=rules)
        finding = Finding.objects.get()
        assert (finding.category, finding.reference, finding.subject, finding.occurred_on) == (
            "no_procedure", "E2", "S01LA05", D,
        )  # fmt: skip
        assert finding.org_unit.code == "MED-REV-POL"

    def test_reverse_check_episode_with_a_drug_code_and_no_administration(self, data, rules):
        data.episode("E1", "p1", "MED-REV-DAG", D, codes=[NIVOLUMAB, WBOC05])
        data.episode("E2", "p2", "MED-REV-DAG", D, codes=[NIVOLUMAB])
        data.adm(D + dt.timedelta(days=1), "p2", "MED-REV-DAG", "L01FF01")  # within window
        coding_refresh(rules=rules)
        reverse = Finding.objects.filter(category="no_administration")
        assert [(f.reference, f.subject) for f in reverse] == [("E1", "L01FF01")]

    def test_reverse_check_counts_an_episode_once_for_its_drug(self, data, rules):
        # The drug coded twice on one episode (ATC code and særkode): one finding.
        data.episode("E1", "p1", "MED-REV-DAG", D, codes=[NIVOLUMAB, ("S", "6XX02", "L01FF01")])
        coding_refresh(rules=rules)
        coding_refresh(rules=rules)
        assert Finding.objects.filter(category="no_administration").count() == 1

    def test_reverse_check_ignores_an_administration_outside_the_window(self, data, rules):
        data.episode("E1", "p1", "MED-REV-DAG", D, codes=[NIVOLUMAB, WBOC05])
        data.adm(D + dt.timedelta(days=2), "p1", "MED-REV-DAG", "L01FF01")
        coding_refresh(rules=rules)
        assert Finding.objects.filter(category="no_administration", reference="E1").exists()

    def test_difference_between_dips_and_the_episode_file_is_shown(self, data, rules):
        data.adm(D, "p1", "MED-REV-POL", "S01LA05", atc_codes="S01LA05")
        coding_refresh(rules=rules)
        assert "DIPS viste legemiddelkoden" in Finding.objects.get().note

    def test_a_later_import_with_the_code_confirms_the_correction(self, data, rules):
        from legemiddel.coding.models import EpisodeCode

        data.adm(D, "p1", "MED-REV-POL", "S01LA05", episode="E1")
        data.episode("E1", "p1", "MED-REV-POL", D, codes=[AFLIBERCEPT])
        coding_refresh(rules=rules)
        finding = Finding.objects.get()
        assert finding.status == Finding.Status.OPEN
        EpisodeCode.objects.create(
            episode_ref="E1", month=D.replace(day=1), system="NCSP", code="CKD05"
        )
        coding_refresh(rules=rules)
        finding.refresh_from_db()
        assert finding.status == Finding.Status.CORRECTED
        assert finding.resolved_at is not None

    def test_refresh_is_idempotent_and_keeps_peoples_decisions(self, data, rules):
        data.adm(D, "p1", "MED-REV-POL", "S01LA05")
        data.adm(D, "p2", "MED-REV-POL", "S01LA05")
        coding_refresh(rules=rules)
        first, _second = Finding.objects.order_by("patient")
        Finding.objects.filter(pk=first.pk).update(
            status=Finding.Status.NOT_APPLICABLE, reason="Studiemedisin"
        )
        counts = coding_refresh(rules=rules)
        assert counts["new"] == 0
        assert Finding.objects.count() == 2
        first.refresh_from_db()
        assert (first.status, first.reason) == (Finding.Status.NOT_APPLICABLE, "Studiemedisin")

    def test_dips_imported_again_keeps_the_findings_as_people_left_them(self, data, rules):
        from legemiddel.usage.models import Administration

        a = data.adm(D, "p1", "MED-REV-POL", "S01LA05", episode="E1")
        coding_refresh(rules=rules)
        Finding.objects.update(status=Finding.Status.DISPUTED, reason="Kodet i DIPS")
        a.delete()  # the month replaced by a new DIPS file: the same row, a new id
        again = data.adm(D, "p1", "MED-REV-POL", "S01LA05", episode="E1")
        assert again.pk != a.pk
        assert Administration.objects.count() == 1
        counts = coding_refresh(rules=rules)
        assert (counts["new"], counts["corrected"]) == (0, 0)
        finding = Finding.objects.get()
        assert (finding.status, finding.reason) == (Finding.Status.DISPUTED, "Kodet i DIPS")

    def test_a_corrected_finding_found_again_is_reopened(self, data, rules):
        data.adm(D, "p1", "MED-REV-POL", "S01LA05")
        coding_refresh(rules=rules)
        Finding.objects.update(status=Finding.Status.CORRECTED)
        coding_refresh(rules=rules)
        assert Finding.objects.get().status == Finding.Status.OPEN


@pytest.mark.django_db
class TestIncome:
    def test_income_at_risk_is_drg_weight_times_unit_price_times_isf_share(self, data, rules):
        data.adm(D, "p1", "MED-REV-POL", "S01LA05")
        coding_refresh(rules=rules)
        assert Finding.objects.get().amount == pytest.approx(0.13 * 52248 * 0.4)

    def test_a_year_without_a_rate_has_no_estimate(self, data, rules):
        data.adm(dt.date(2023, 5, 2), "p1", "MED-REV-POL", "S01LA05")
        coding_refresh(rules=rules)
        assert Finding.objects.get().amount is None

    def test_a_fixed_amount_needs_no_rate(self, data, rules):
        data.adm(dt.date(2023, 5, 2), "p1", "MED-REV-DAG", "L04AB02")
        coding_refresh(rules=rules)
        assert Finding.objects.get().amount == 9000

    def test_the_correction_deadline_of_the_reporting_year(self, data, rules):
        from legemiddel.coding.models import ReportingYear

        ReportingYear.objects.filter(year=2024).update(correction_deadline=dt.date(2025, 3, 1))
        data.adm(D, "p1", "MED-REV-POL", "S01LA05")
        coding_refresh(rules=rules)
        assert Finding.objects.get().deadline == dt.date(2025, 3, 1)
