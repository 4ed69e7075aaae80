"""The contradiction finder runs on the outbox: after an import of H-prescriptions or DIPS
administrations and after methods change; the measure of open findings per unit is recounted
then and after people resolve findings."""

from __future__ import annotations

import datetime as dt

from legemiddel.accounts.roles import Role
from legemiddel.analytics.models import MeasureValue
from legemiddel.core import outbox
from legemiddel.findings.models import Finding
from legemiddel.findings.services import finding_resolve
from legemiddel.methods.compliance import KIND
from legemiddel.methods.events import METHODS_CHANGED
from legemiddel.usage.events import USAGE_IMPORTED
from tests.methods.compliance_data import DECIDED, INTRODUCED

ATC = "L01FF09"
AFTER = DECIDED + dt.timedelta(days=30)
MEASURE = "nye-metoder-avvik"


def counted() -> dict[tuple[dt.date, int | None], float]:
    return {
        (v.month, v.org_unit_id): v.numerator for v in MeasureValue.objects.filter(measure=MEASURE)
    }


def test_an_import_of_patient_level_usage_refreshes_the_findings_and_the_measure(data, org):
    data.method("ID2023_001", "Brystkreft", atc=ATC)
    data.adm(AFTER, "p1", "MED-REV-POL", ATC)
    data.adm(AFTER, "p2", "MED-REV-POL", ATC)
    data.adm(AFTER, "p3", "NEVRO-MS", ATC)
    outbox.announce(topic=USAGE_IMPORTED, payload={"source": "dips", "months": []})
    outbox.process()
    assert Finding.objects.filter(kind=KIND).count() == 3
    month = AFTER.replace(day=1)
    assert counted() == {(month, org["MED-REV-POL"].pk): 2.0, (month, org["NEVRO-MS"].pk): 1.0}


def test_an_import_of_sales_statistics_changes_nothing(data):
    data.method("ID2023_001", "Brystkreft", atc=ATC)
    data.adm(AFTER, "p1", "MED-REV-POL", ATC)
    outbox.announce(topic=USAGE_IMPORTED, payload={"source": "sls", "months": []})
    outbox.process()
    assert not Finding.objects.filter(kind=KIND).exists()


def test_a_changed_method_refreshes_the_findings(data):
    method = data.method("ID2023_001", "Brystkreft", atc=ATC)
    data.adm(AFTER, "p1", "MED-REV-POL", ATC)
    outbox.announce(topic=METHODS_CHANGED, payload={"methods": [method.pk]})
    outbox.process()
    finding = Finding.objects.get(kind=KIND)
    assert finding.status == Finding.Status.OPEN
    method.status = INTRODUCED
    method.save()
    outbox.announce(topic=METHODS_CHANGED, payload={"methods": [method.pk]})
    outbox.process()
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CORRECTED
    assert counted() == {}


def test_a_resolved_finding_leaves_the_count(data, users, org):
    method = data.method("ID2023_001", "Brystkreft", atc=ATC)
    data.adm(AFTER, "p1", "MED-REV-POL", ATC)
    data.adm(AFTER, "p2", "MED-REV-POL", ATC)
    outbox.announce(topic=METHODS_CHANGED, payload={"methods": [method.pk]})
    outbox.process()
    key = (AFTER.replace(day=1), org["MED-REV-POL"].pk)
    assert counted() == {key: 2.0}
    finding_resolve(
        finding=Finding.objects.get(patient="p1"),
        resolution="confirmed_breach",
        actor=users[Role.UNIT_LEADER],
    )
    outbox.process()
    assert counted() == {key: 1.0}


def test_the_measure_is_a_reviewed_definition():
    from legemiddel.analytics.definitions import definitions

    [definition] = [d for d in definitions() if d.id == MEASURE]
    assert (definition.kind, definition.basis, definition.counts) == (
        "total",
        "findings",
        "methods_open_findings",
    )
    assert definition.lower_is_better


def test_the_monthly_email_names_units_with_open_findings_of_the_month(data, users):
    from legemiddel.analytics.alerts import alert_for

    method = data.method("ID2023_001", "Brystkreft", atc=ATC)
    data.adm(AFTER, "p1", "MED-REV-POL", ATC)
    data.adm(AFTER, "p2", "NEVRO-MS", ATC)  # not the unit leader's
    outbox.announce(topic=METHODS_CHANGED, payload={"methods": [method.pk]})
    outbox.process()
    alert = alert_for(users[Role.UNIT_LEADER], month=AFTER.replace(day=1))
    [line] = [f for f in alert.below_target if f.measure.key == MEASURE]
    assert (line.unit_name, line.text) == ("Revmatologisk avdeling", "1 (mål 0)")
