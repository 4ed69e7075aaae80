"""The controllers' work list: scoped to their units, every change audited, exported to XLSX;
the core group's page."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from legemiddel.accounts.roles import Role
from legemiddel.coding.matching import coding_refresh
from legemiddel.core.models import AuditEvent
from legemiddel.findings.models import Finding

D = dt.date(2024, 3, 14)


@pytest.fixture
def findings(data, rules, users):
    data.adm(D, "p1", "MED-REV-POL", "S01LA05", episode="DIPS-1")  # MED: the controller's
    data.adm(D, "p2", "NEVRO-MS", "S01LA05", episode="DIPS-2")  # not the controller's
    coding_refresh(rules=rules)
    return {f.reference: f for f in Finding.objects.all()}


def test_controller_sees_only_their_units_findings(client_for, findings):
    response = client_for(Role.CONTROLLER).get(reverse("findings:worklist"))
    assert response.status_code == 200
    assert b"DIPS-1" in response.content
    assert b"DIPS-2" not in response.content
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PERSONAL_DATA_VIEW).exists()


def test_core_group_sees_all(client_for, findings):
    response = client_for(Role.CORE_GROUP).get(reverse("findings:worklist"))
    assert b"DIPS-1" in response.content
    assert b"DIPS-2" in response.content


def test_controller_cannot_open_another_units_finding(client_for, findings):
    url = reverse("findings:finding", args=[findings["DIPS-2"].pk])
    assert client_for(Role.CONTROLLER).get(url).status_code == 404


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.PHARMACY])
def test_other_roles_have_no_work_list(client_for, findings, role):
    assert client_for(role).get(reverse("findings:worklist")).status_code == 403


def test_unit_leaders_see_no_income_control_findings(client_for, findings):
    """Unit leaders work on findings of Nye metoder (their own units'), not income control."""
    response = client_for(Role.UNIT_LEADER).get(reverse("findings:worklist"))
    assert b"DIPS-1" not in response.content
    assert b"DIPS-2" not in response.content
    url = reverse("findings:finding", args=[findings["DIPS-1"].pk])
    assert client_for(Role.UNIT_LEADER).get(url).status_code == 404


def test_not_applicable_needs_a_reason_and_is_audited(client_for, findings):
    client = client_for(Role.CONTROLLER)
    finding = findings["DIPS-1"]
    url = reverse("findings:finding", args=[finding.pk])
    client.post(url, {"action": "status", "status": "not_applicable", "reason": ""})
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN
    client.post(url, {"action": "status", "status": "not_applicable", "reason": "Utprøving"})
    finding.refresh_from_db()
    assert (finding.status, finding.reason) == (Finding.Status.NOT_APPLICABLE, "Utprøving")
    assert AuditEvent.objects.filter(action="finding_status", detail__contains="Utprøving").exists()


def test_assignee_and_comments(client_for, findings, users):
    client = client_for(Role.CONTROLLER)
    finding = findings["DIPS-1"]
    url = reverse("findings:finding", args=[finding.pk])
    client.post(url, {"action": "assign", "assignee": users[Role.CONTROLLER].pk})
    client.post(url, {"action": "comment", "text": "Sjekker med sekretær"})
    finding.refresh_from_db()
    assert finding.assignee == users[Role.CONTROLLER]
    assert finding.comments.get().text == "Sjekker med sekretær"
    assert b"Sjekker med sekret" in client.get(url).content
    assert AuditEvent.objects.filter(action__in=["finding_assign", "finding_comment"]).count() == 2


def test_a_finding_is_only_given_to_someone_who_works_on_findings(client_for, findings, users):
    finding = findings["DIPS-1"]
    url = reverse("findings:finding", args=[finding.pk])
    client_for(Role.CONTROLLER).post(
        url, {"action": "assign", "assignee": users[Role.PRESCRIBER].pk}
    )
    finding.refresh_from_db()
    assert finding.assignee is None


def test_export_to_xlsx_holds_the_scoped_list(client_for, findings):
    response = client_for(Role.CONTROLLER).get(reverse("findings:worklist_xlsx"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert "DIPS-1" in rows[1]


def test_disputed_needs_a_reason(client_for, findings):
    finding = findings["DIPS-1"]
    url = reverse("findings:finding", args=[finding.pk])
    client = client_for(Role.CONTROLLER)
    client.post(url, {"action": "status", "status": "disputed", "reason": "  "})
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN
    client.post(url, {"action": "status", "status": "disputed", "reason": "Kodet i DIPS 2. april"})
    finding.refresh_from_db()
    assert finding.status == Finding.Status.DISPUTED


def test_export_says_rate_missing_for_a_year_without_rate(client_for, data, rules, users):
    data.adm(dt.date(2023, 5, 2), "p1", "MED-REV-POL", "S01LA05", episode="DIPS-2023")
    coding_refresh(rules=rules)
    response = client_for(Role.CONTROLLER).get(reverse("findings:worklist_xlsx"))
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[1][6] == "sats mangler"
    page = client_for(Role.CONTROLLER).get(reverse("findings:worklist")).content.decode()
    assert "sats mangler" in page


def test_nearest_deadline_first(client_for, data, rules, users):
    from legemiddel.coding.models import ReportingYear

    ReportingYear.objects.filter(year=2024).update(correction_deadline=dt.date(2025, 3, 1))
    ReportingYear.objects.filter(year=2020).update(correction_deadline=dt.date(2021, 3, 1))
    data.adm(D, "p1", "MED-REV-POL", "S01LA05", episode="LATER")
    data.adm(dt.date(2020, 6, 1), "p1", "MED-REV-POL", "S01LA05", episode="SOONER")
    coding_refresh(rules=rules)
    content = client_for(Role.CONTROLLER).get(reverse("findings:worklist")).content
    assert content.index(b"SOONER") < content.index(b"LATER")


def test_core_group_page_lists_units_furthest_behind(client_for, findings):
    response = client_for(Role.CORE_GROUP).get(reverse("coding:overview"))
    assert response.status_code == 200
    assert "MS-poliklinikken" in response.content.decode()
    assert client_for(Role.CONTROLLER).get(reverse("coding:overview")).status_code == 403


def test_core_group_enters_a_years_figures(client_for, db, users):
    from legemiddel.coding.models import ReportingYear

    client = client_for(Role.CORE_GROUP)
    response = client.post(
        reverse("coding:year_new"),
        {
            "year": 2025,
            "unit_price": "54000",
            "isf_share": "0.4",
            "correction_deadline": "2026-03-01",
        },
    )
    assert response.status_code == 302
    assert ReportingYear.objects.get(year=2025).unit_price == 54000
    bad = client.post(reverse("coding:year_new"), {"year": 2026, "isf_share": "40"})
    assert bad.status_code == 200
    assert not ReportingYear.objects.filter(year=2026).exists()


def test_start_page_panel_shows_the_controllers_open_findings(client_for, findings):
    page = client_for(Role.CONTROLLER).get("/").content.decode()
    assert "åpne funn i enhetene dine" in page or "open findings in your units" in page
    assert 'href="/funn/"' in page


def test_no_panel_for_roles_without_the_work_list(client_for, findings):
    page = client_for(Role.PRESCRIBER).get("/").content.decode()
    assert "open findings in your units" not in page
    assert "åpne funn i enhetene dine" not in page


def test_the_work_list_comes_in_pages(client_for, data, rules):
    from legemiddel.findings.views import PAGE

    for i in range(PAGE + 3):
        data.adm(D, f"p{i}", "MED-REV-POL", "S01LA05", episode=f"DIPS-{i:03d}")
    coding_refresh(rules=rules)
    client = client_for(Role.CONTROLLER)
    first = client.get(reverse("findings:worklist")).content.decode()
    second = client.get(reverse("findings:worklist") + "?side=2").content.decode()
    shown_first = set(re.findall(r"DIPS-\d{3}", first))
    shown_second = set(re.findall(r"DIPS-\d{3}", second))
    assert len(shown_first) == PAGE
    assert len(shown_second) == 3
    assert not shown_first & shown_second
    assert "side=2" in first
