"""Issue 15 in a real browser: a unit leader finds a treatment start against a decision in Nye
metoder in the work list and resolves it as an approved exception; the core group reads the
budget impact of an introduced method with its chart."""

from __future__ import annotations

import datetime as dt

import pytest

from legemiddel.findings.models import Finding
from legemiddel.methods.compliance import KIND, compliance_refresh
from legemiddel.methods.models import BudgetExpectation
from legemiddel.usage.models import MonthlyUsage
from tests.conftest import PASSWORD
from tests.methods.compliance_data import CONDITIONS, DECIDED, Data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/logg-inn/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator('form button:has-text("Logg inn")').click()
    page.wait_for_url(f"{base}/")


@pytest.fixture
def methods_data(org, users):
    data = Data(org)
    data.package("111111", "L01FF09")
    data.package("222222", "L04AB02")
    data.prescriber()
    data.method("ID2023_001", "Brystkreft", atc="L01FF09", icd10="C50")
    data.disp(DECIDED + dt.timedelta(days=3), "pseudonym-1", "111111", "MED-REV-POL", refund="C501")
    compliance_refresh()
    method = data.method(
        "ID2023_050", "Revmatoid artritt", atc="L04AB02", status=CONDITIONS,
        effective_from=dt.date(2024, 2, 1), substance="testmab",
    )  # fmt: skip
    for month, n in ((dt.date(2024, 2, 1), 1), (dt.date(2024, 3, 1), 2), (dt.date(2024, 4, 1), 3)):
        MonthlyUsage.objects.create(
            month=month, source="hresept", org_unit=org["MED-REV-POL"], package_id="222222",
            atc="L04AB02", quantity=2 * n, amount=1000.0 * n, ddd=56 * n, patients=n, rows=n,
        )  # fmt: skip
        for i in range(n):
            data.disp(month.replace(day=5), f"p{i}", "222222", "MED-REV-POL")
    BudgetExpectation.objects.create(method=method, year=2024, expected_patients=4)
    return method


def test_a_unit_leader_resolves_a_start_against_a_decision(
    live_server, page, screenshot, methods_data
):
    base = live_server.url
    _login(page, base, "unit_leader")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Arbeidsliste"
    ).click()
    page.wait_for_url(f"{base}/funn/")
    table = page.locator("table.table tbody")
    assert "Startet i strid med beslutningen" in table.inner_text()
    assert "Silje Bakke (6360060)" in table.inner_text()
    screenshot("nye-metoder-arbeidsliste")
    page.get_by_role("link", name="H-resept, varenr 111111").click()
    page.get_by_label("Løsning").select_option("approved_exception")
    page.get_by_role("button", name="Lagre løsning").click()
    assert "Oppgi referansen" in page.content()
    page.get_by_label("Løsning").select_option("approved_exception")
    page.get_by_label("Referanse (f.eks. saksnummeret for det godkjente unntaket)").fill("SAK-17")
    page.get_by_role("button", name="Lagre løsning").click()
    assert "Godkjent unntak (SAK-17)" in page.locator("#status").inner_text()
    screenshot("nye-metoder-funn")
    finding = Finding.objects.get(kind=KIND)
    assert (finding.status, finding.resolution_reference) == ("resolved", "SAK-17")


def test_the_core_group_reads_the_budget_impact(live_server, page, screenshot, methods_data):
    base = live_server.url
    _login(page, base, "core_group")
    page.goto(f"{base}/metoder/budsjett/?aar=2024")
    page.get_by_role("link", name="ID2023_050").click()
    assert page.locator("svg[role=img]").count() == 1
    assert "Per år mot forventningen" in page.content()
    screenshot("nye-metoder-budsjett")
