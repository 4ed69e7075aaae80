"""Use that contradicts a decision in Nye metoder: treatment starts after a decision that says
"not introduced" or "under assessment" become findings (kind ``methods``), per indication."""

from __future__ import annotations

import datetime as dt

from legemiddel.findings.models import Finding
from legemiddel.methods.compliance import BREACH, KIND, UNKNOWN, compliance_refresh
from tests.methods.compliance_data import (
    ASSESSMENT,
    DECIDED,
    HPR,
    INTRODUCED,
    NOT_INTRODUCED,
)

ATC = "L01FF09"
AFTER = DECIDED + dt.timedelta(days=30)
BEFORE = DECIDED - dt.timedelta(days=30)


def found() -> list[Finding]:
    return list(Finding.objects.filter(kind=KIND).order_by("occurred_on", "id"))


def test_a_start_after_a_not_introduced_decision_is_a_finding(data):
    method = data.method("ID2023_001", "Brystkreft", atc=ATC)
    data.adm(AFTER, "p1", "MED-REV-POL", ATC)
    compliance_refresh()
    [finding] = found()
    assert finding.category == BREACH  # the only indication of the substance: no diagnosis needed
    assert finding.rule == method.method_id
    assert finding.occurred_on == AFTER
    assert finding.org_unit.code == "MED-REV-POL"
    assert finding.patient == "p1"
    assert finding.subject == ATC
    assert finding.status == Finding.Status.OPEN
    assert finding.amount is None


def test_a_start_before_the_decision_is_not(data):
    data.method("ID2023_001", "Brystkreft", atc=ATC)
    data.adm(BEFORE, "p1", "MED-REV-POL", ATC)
    data.adm(DECIDED, "p2", "MED-REV-POL", ATC)  # on the decision day: counts
    compliance_refresh()
    assert [f.patient for f in found()] == ["p2"]


def test_ongoing_treatment_is_not_a_breach_but_a_new_start_after_a_long_gap_is(data):
    data.method("ID2023_001", "Brystkreft", atc=ATC)
    data.adm(BEFORE, "ongoing", "MED-REV-POL", ATC)
    data.adm(AFTER, "ongoing", "MED-REV-POL", ATC)  # 60 days later: continues
    data.adm(dt.date(2022, 6, 1), "again", "MED-REV-POL", ATC)
    data.adm(AFTER, "again", "MED-REV-POL", ATC)  # after more than 365 days: starts again
    compliance_refresh()
    assert [f.patient for f in found()] == ["again"]


def test_the_look_back_is_a_setting(data, settings):
    settings.METHODS_START_LOOK_BACK_DAYS = 30
    data.method("ID2023_001", "Brystkreft", atc=ATC)
    data.adm(BEFORE - dt.timedelta(days=20), "p1", "MED-REV-POL", ATC)
    data.adm(AFTER, "p1", "MED-REV-POL", ATC)  # 80 days after: a new start with 30 days
    compliance_refresh()
    assert [f.patient for f in found()] == ["p1"]


def test_the_first_year_of_the_data_holds_no_starts(data):
    """What came before the data is unknown: an event in its first look-back may continue."""
    data.method("ID2019_001", "Brystkreft", atc=ATC, decided=dt.date(2019, 6, 1))
    data.adm(dt.date(2020, 3, 1), "early", "MED-REV-POL", ATC)
    data.adm(dt.date(2021, 3, 1), "later", "MED-REV-POL", ATC)
    compliance_refresh()
    assert [f.patient for f in found()] == ["later"]


def test_the_diagnosis_decides_where_the_decisions_differ_per_indication(data):
    data.method("ID2023_001", "Brystkreft", atc=ATC, icd10="C50")
    data.method("ID2023_002", "Lungekreft", atc=ATC, status=INTRODUCED, icd10="C34.0-C34.9")
    data.adm(AFTER, "breast", "MED-REV-POL", ATC, codes="C501")
    data.adm(AFTER, "lung", "MED-REV-POL", ATC, codes="C341")
    data.adm(AFTER, "nothing", "MED-REV-POL", ATC, codes="")
    data.adm(AFTER, "several", "MED-REV-POL", ATC, codes="I10,C509")
    compliance_refresh()
    result = {f.patient: f.category for f in found()}
    assert result == {"breast": BREACH, "nothing": UNKNOWN, "several": BREACH}
    unknown = Finding.objects.get(patient="nothing")
    assert "Ingen diagnose" in unknown.note


def test_where_every_indication_is_not_allowed_no_diagnosis_is_needed(data):
    data.method("ID2023_001", "Brystkreft", atc=ATC, icd10="C50")
    data.method("ID2023_002", "Lungekreft", atc=ATC, status=ASSESSMENT, icd10="C34")
    data.adm(AFTER, "nothing", "MED-REV-POL", ATC)
    data.adm(AFTER, "other", "MED-REV-POL", ATC, codes="K500")  # another indication
    compliance_refresh()
    assert [(f.patient, f.category) for f in found()] == [("nothing", BREACH)] * 2
    assert {f.rule for f in found()} == {"ID2023_001", "ID2023_002"}  # one per line and rule


def test_h_prescription_refund_code_in_and_out_of_the_set(data):
    data.package("111111", ATC)
    data.method("ID2023_001", "Brystkreft", atc=ATC, icd10="C50")
    data.method("ID2023_002", "Lungekreft", atc=ATC, status=INTRODUCED, icd10="C34")
    data.disp(AFTER, "in", "111111", "NEVRO-MS", refund="C509")
    data.disp(AFTER, "out", "111111", "NEVRO-MS", refund="C341")
    data.disp(AFTER, "none", "111111", "NEVRO-MS", refund="")
    compliance_refresh()
    result = {f.patient: f.category for f in found()}
    assert result == {"in": BREACH, "none": UNKNOWN}
    finding = Finding.objects.get(patient="in")
    assert finding.prescriber == HPR
    assert finding.reference == "H-resept, varenr 111111"
    assert "Refusjonskode C509" in finding.note
    assert "Metoden er ikke innført (beslutning 15.01.2024)" in finding.note


def test_a_dispensing_continues_a_treatment_given_in_hospital(data):
    data.package("111111", ATC)
    data.method("ID2023_001", "Brystkreft", atc=ATC)
    data.adm(BEFORE, "p1", "MED-REV-POL", ATC)
    data.disp(AFTER, "p1", "111111", "MED-REV-POL")
    compliance_refresh()
    assert found() == []


def test_the_confirmed_status_overrides_the_suggestion(data):
    data.method("ID2023_001", "Brystkreft", atc=ATC, status=NOT_INTRODUCED, confirmed=INTRODUCED)
    data.method("ID2023_002", "Annet", atc="L04AA99", status=INTRODUCED, confirmed=ASSESSMENT)
    data.adm(AFTER, "p1", "MED-REV-POL", ATC)
    data.adm(AFTER, "p2", "MED-REV-POL", "L04AA99")
    compliance_refresh()
    assert [f.patient for f in found()] == ["p2"]


def test_other_method_types_and_other_substances_are_not_checked(data):
    from legemiddel.methods.models import MethodType

    method = data.method("ID2023_001", "Brystkreft", atc=ATC)
    method.method_type = MethodType.PROCEDURE
    method.save()
    data.method("ID2023_002", "Noe annet", atc="L04AA99")
    data.adm(AFTER, "p1", "MED-REV-POL", ATC)
    compliance_refresh()
    assert found() == []


def test_a_method_linked_by_substance_uses_the_brands_atc(data):
    from legemiddel.catalogue.models import Brand, BrandSubstance, Substance
    from legemiddel.methods.models import MethodSubstance

    data.package("111111", ATC)
    substance = Substance.objects.create(fest_id="SUB1", name="testmab", content_hash="0" * 32)
    brand = Brand.objects.create(
        fest_id="BR1", trade_name="Testa", name_form_strength="Testa inj", atc_id=ATC,
        content_hash="0" * 32,
    )  # fmt: skip
    BrandSubstance.objects.create(brand=brand, substance=substance)
    method = data.method("ID2023_001", "Brystkreft", atc="")
    MethodSubstance.objects.create(method=method, substance=substance)
    data.adm(AFTER, "p1", "MED-REV-POL", ATC)
    compliance_refresh()
    assert [f.patient for f in found()] == ["p1"]


def test_a_group_code_stands_for_the_codes_under_it(data):
    data.package("111111", ATC)  # makes the ATC code known
    data.method("ID2023_001", "Brystkreft", atc=ATC[:5])
    data.adm(AFTER, "p1", "MED-REV-POL", ATC)
    compliance_refresh()
    assert [f.subject for f in found()] == [ATC]


def test_a_refresh_keeps_what_people_did_and_corrects_what_is_gone(data, users):
    from legemiddel.accounts.roles import Role
    from legemiddel.findings.services import finding_resolve

    method = data.method("ID2023_001", "Brystkreft", atc=ATC)
    data.adm(AFTER, "p1", "MED-REV-POL", ATC)
    data.adm(AFTER, "p2", "MED-REV-POL", ATC)
    compliance_refresh()
    first = Finding.objects.get(patient="p1")
    finding_resolve(
        finding=first, resolution="coding_error", actor=users[Role.CORE_GROUP], reason="Feil ATC"
    )
    again = compliance_refresh()
    assert again["new"] == 0
    assert Finding.objects.filter(kind=KIND).count() == 2
    first.refresh_from_db()
    assert (first.status, first.resolution) == (Finding.Status.RESOLVED, "coding_error")
    # The core group confirms the method as introduced after all: the open finding goes.
    method.status = INTRODUCED
    method.save()
    compliance_refresh()
    second = Finding.objects.get(patient="p2")
    assert second.status == Finding.Status.CORRECTED
    first.refresh_from_db()
    assert first.status == Finding.Status.RESOLVED


def test_a_method_under_assessment_without_a_date_counts_from_its_first_import(data):
    from django.utils import timezone

    from legemiddel.methods.models import MethodImport

    batch = MethodImport.objects.create(file_name="liste.xlsx", sha256="x")
    MethodImport.objects.filter(pk=batch.pk).update(
        created_at=timezone.make_aware(dt.datetime(2024, 5, 1, 12))
    )
    method = data.method("ID2024_010", "Brystkreft", atc=ATC, status=ASSESSMENT, decided=None)
    method.first_import = batch
    method.save()
    data.adm(dt.date(2024, 4, 1), "before", "MED-REV-POL", ATC)
    data.adm(dt.date(2024, 6, 1), "after", "MED-REV-POL", ATC)
    compliance_refresh()
    assert [f.patient for f in found()] == ["after"]
    assert "under vurdering (på listen fra 01.05.2024)" in found()[0].note


def test_an_unreadable_code_set_leaves_the_indication_unknown(data):
    data.method("ID2023_001", "Brystkreft", atc=ATC, icd10="brystkreft")
    data.method("ID2023_002", "Lungekreft", atc=ATC, status=INTRODUCED, icd10="C34")
    data.adm(AFTER, "p1", "MED-REV-POL", ATC, codes="C501")
    compliance_refresh()
    assert [f.category for f in found()] == [UNKNOWN]


def test_events_on_the_start_day_make_one_finding_and_a_breach_wins(data):
    data.package("111111", ATC)
    data.method("ID2023_001", "Brystkreft", atc=ATC, icd10="C50")
    data.method("ID2023_002", "Lungekreft", atc=ATC, status=INTRODUCED, icd10="C34")
    # The same day: an administration for another indication, one without a diagnosis, and a
    # dispensing with a refund code in the set.
    data.adm(AFTER, "p1", "MED-REV-POL", ATC, codes="C341")
    data.adm(AFTER, "p1", "MED-REV-POL", ATC, codes="")
    data.disp(AFTER, "p1", "111111", "NEVRO-MS", refund="C509")
    data.adm(AFTER, "p2", "MED-REV-POL", ATC, codes="")
    data.adm(AFTER, "p2", "MED-REV-POL", ATC, codes="C341")
    compliance_refresh()
    result = {f.patient: (f.category, f.reference) for f in found()}
    assert result == {
        "p1": (BREACH, "H-resept, varenr 111111"),
        "p2": (UNKNOWN, f"DIPS EP-p2-{AFTER:%Y%m%d}"),
    }
