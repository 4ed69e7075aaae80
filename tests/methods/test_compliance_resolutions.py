"""Resolving findings of use against a decision: the four resolutions of the kind, each change
audited; unit leaders see and work on their units' findings of this kind (and no others)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from legemiddel.accounts.roles import Role
from legemiddel.accounts.services import user_set_roles
from legemiddel.core.models import AuditEvent, OutboxEvent
from legemiddel.findings.access import findings_for_user, get_finding_for_user
from legemiddel.findings.events import FINDINGS_CHANGED
from legemiddel.findings.models import Finding
from legemiddel.findings.services import finding_resolve, finding_set_status, findings_refresh
from legemiddel.lib.db import date_param
from legemiddel.methods.compliance import KIND, compliance_refresh
from legemiddel.organisation.services import membership_add
from tests.methods.compliance_data import DECIDED

ATC = "L01FF09"
AFTER = DECIDED + dt.timedelta(days=30)


@pytest.fixture
def findings(data):
    data.package("111111", ATC)
    data.prescriber()
    data.method("ID2023_001", "Brystkreft", atc=ATC)
    data.disp(AFTER, "rev-patient", "111111", "MED-REV-POL")  # the unit leader's (MED-REV)
    data.disp(AFTER, "ms-patient", "111111", "NEVRO-MS")
    compliance_refresh()
    return {f.patient: f for f in Finding.objects.filter(kind=KIND)}


def test_an_approved_exception_needs_its_reference(findings, users):
    finding = findings["rev-patient"]
    actor = users[Role.CORE_GROUP]
    with pytest.raises(ValidationError):
        finding_resolve(finding=finding, resolution="approved_exception", actor=actor)
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN
    finding_resolve(
        finding=finding, resolution="approved_exception", reference="SAK-2024-17", actor=actor
    )
    finding.refresh_from_db()
    assert finding.status == Finding.Status.RESOLVED
    assert (finding.resolution, finding.resolution_reference) == (
        "approved_exception",
        "SAK-2024-17",
    )
    assert finding.resolved_at is not None
    event = AuditEvent.objects.get(action="finding_resolution")
    assert "SAK-2024-17" in event.detail
    assert event.user == actor
    assert OutboxEvent.objects.filter(topic=FINDINGS_CHANGED, payload={"kind": KIND}).exists()


@pytest.mark.parametrize("resolution", ["before_decision", "coding_error", "confirmed_breach"])
def test_the_other_resolutions_need_no_reference(findings, users, resolution):
    finding = findings["rev-patient"]
    finding_resolve(finding=finding, resolution=resolution, actor=users[Role.CORE_GROUP])
    finding.refresh_from_db()
    assert (finding.status, finding.resolution) == (Finding.Status.RESOLVED, resolution)


def test_an_empty_resolution_opens_the_finding_again(findings, users):
    finding = findings["rev-patient"]
    actor = users[Role.CORE_GROUP]
    finding_resolve(finding=finding, resolution="confirmed_breach", actor=actor)
    finding_resolve(finding=finding, resolution="", actor=actor, reason="Feil valg")
    finding.refresh_from_db()
    assert (finding.status, finding.resolution, finding.resolved_at) == ("open", "", None)
    assert AuditEvent.objects.filter(action="finding_resolution").count() == 2


@pytest.mark.parametrize("bad", ["unknown", "not_applicable", "resolved", "x" * 500])
def test_an_unknown_resolution_is_refused(findings, users, bad):
    finding = findings["rev-patient"]
    with pytest.raises(ValidationError):
        finding_resolve(finding=finding, resolution=bad, actor=users[Role.CORE_GROUP])
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN


def test_a_too_long_reference_is_refused(findings, users):
    finding = findings["rev-patient"]
    with pytest.raises(ValidationError):
        finding_resolve(
            finding=finding,
            resolution="approved_exception",
            reference="S" * 121,
            actor=users[Role.CORE_GROUP],
        )
    finding.refresh_from_db()
    assert finding.resolution == ""


def test_resolved_is_not_a_status_to_set_by_hand(findings, users):
    with pytest.raises(ValidationError):
        finding_set_status(
            finding=findings["rev-patient"], status="resolved", actor=users[Role.CORE_GROUP]
        )


def test_the_unit_leader_sees_their_units_findings_with_the_prescriber(findings, client_for):
    page = client_for(Role.UNIT_LEADER).get(reverse("findings:worklist"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "rev-patien" in content  # the pseudonym, shortened
    assert "ms-patient" not in content
    assert "Silje Bakke (6360060)" in content
    assert "sats mangler" not in content  # no amounts for this kind
    other = findings["ms-patient"]
    assert (
        client_for(Role.UNIT_LEADER).get(reverse("findings:finding", args=[other.pk])).status_code
        == 404
    )


def test_the_unit_leader_resolves_a_finding_on_its_page(findings, client_for):
    finding = findings["rev-patient"]
    client = client_for(Role.UNIT_LEADER)
    url = reverse("findings:finding", args=[finding.pk])
    page = client.get(url).content.decode()
    assert "Godkjent unntak" in page
    assert "Bekreftet brudd" in page
    assert "Silje Bakke" in page
    response = client.post(
        url, {"action": "resolve", "resolution": "approved_exception", "reference": ""}
    )
    assert response.status_code == 200
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN
    client.post(
        url, {"action": "resolve", "resolution": "approved_exception", "reference": "SAK-9"}
    )
    finding.refresh_from_db()
    assert (finding.resolution, finding.resolution_reference) == ("approved_exception", "SAK-9")
    assert "Godkjent unntak" in client.get(url).content.decode()


def test_the_unit_leader_sees_no_income_control_findings(findings, client_for, org):
    from legemiddel.findings.services import findings_refresh
    from legemiddel.lib.db import date_param

    findings_refresh(
        kind="coding",
        select_sql=(
            "SELECT 'k1', 'oye', 'no_episode', %s, %s, 'DIPS-KODING', 'S01LA05', 'p9', "
            "CAST(NULL AS REAL), CAST(NULL AS DATE), ''"
        ),
        params=[org["MED-REV-POL"].pk, date_param(dt.date(2024, 3, 1))],
    )
    assert Finding.objects.filter(kind="coding").count() == 1
    page = client_for(Role.UNIT_LEADER).get(reverse("findings:worklist")).content.decode()
    assert "DIPS-KODING" not in page
    assert "rev-patien" in page
    controller = client_for(Role.CONTROLLER).get(reverse("findings:worklist")).content.decode()
    assert "DIPS-KODING" in controller
    assert "rev-patien" in controller


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.PHARMACY, Role.AUDITOR])
def test_roles_without_findings_have_no_work_list(findings, client_for, role):
    assert client_for(role).get(reverse("findings:worklist")).status_code == 403


def test_the_export_holds_patient_prescriber_and_resolution(findings, client_for, users):
    finding_resolve(
        finding=findings["rev-patient"],
        resolution="approved_exception",
        reference="SAK-1",
        actor=users[Role.CORE_GROUP],
    )
    response = client_for(Role.CORE_GROUP).get(reverse("findings:worklist_xlsx") + "?status=all")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    header = rows[0]
    by_patient = {r[header.index("Pasient (pseudonym)")]: r for r in rows[1:]}
    row = by_patient["rev-patient"]
    assert row[header.index("Forskriver (HPR)")] == "6360060"
    assert row[header.index("Løsning")] == "Godkjent unntak"
    assert row[header.index("Referanse for løsningen")] == "SAK-1"


def test_the_work_list_is_listed_per_unit(findings, client_for, org):
    client = client_for(Role.CORE_GROUP)
    url = reverse("findings:worklist") + f"?type={KIND}&enhet={org['NEVRO-MS'].pk}"
    content = client.get(url).content.decode()
    assert "ms-patient" in content
    assert "rev-patien" not in content
    assert f'<option value="{org["NEVRO-MS"].pk}" selected>' in content


def _coding_findings(org) -> None:
    findings_refresh(
        kind="coding",
        select_sql=(
            "SELECT 'k1', 'oye', 'no_episode', %s, %s, 'KODING-REV', 'S01LA05', 'p8', "
            "CAST(NULL AS REAL), CAST(NULL AS DATE), '' UNION ALL "
            "SELECT 'k2', 'oye', 'no_episode', %s, %s, 'KODING-MS', 'S01LA05', 'p9', "
            "CAST(NULL AS REAL), CAST(NULL AS DATE), ''"
        ),
        params=[
            org["MED-REV-POL"].pk,
            date_param(dt.date(2024, 3, 1)),
            org["NEVRO-MS"].pk,
            date_param(dt.date(2024, 3, 1)),
        ],
    )


def _visible(user) -> set[tuple[str, str]]:
    return set(findings_for_user(user).values_list("org_unit__code", "kind"))


def test_a_trust_wide_role_outside_the_kind_does_not_widen_a_unit_leaders_findings(
    findings, users, org, client_for
):
    """A unit leader who also sits on the drug committee (a trust-wide role that works on no
    findings) still sees only their units' use against decisions, and no income control."""
    _coding_findings(org)
    leader = users[Role.UNIT_LEADER]
    user_set_roles(user=leader, roles=[Role.UNIT_LEADER, Role.DRUG_COMMITTEE])
    assert _visible(leader) == {("MED-REV-POL", KIND)}
    other = findings["ms-patient"]
    assert get_finding_or_none(leader, other.pk) is None


def test_each_role_opens_only_its_own_kinds_in_its_own_units(findings, users, org):
    """Controller of the MS unit and unit leader of MED-REV: income control for the MS unit
    only, use against decisions for both (unit leaders and controllers work on those)."""
    _coding_findings(org)
    person = users[Role.UNIT_LEADER]
    user_set_roles(user=person, roles=[Role.UNIT_LEADER, Role.CONTROLLER])
    membership_add(user=person, org_unit=org["NEVRO-MS"], role=Role.CONTROLLER)
    assert _visible(person) == {
        ("NEVRO-MS", "coding"),  # the controller's unit
        ("MED-REV-POL", KIND),  # the unit leader's
        ("NEVRO-MS", KIND),  # controllers work on these too
    }


def get_finding_or_none(user, pk):
    try:
        return get_finding_for_user(user, pk)
    except Http404:
        return None
