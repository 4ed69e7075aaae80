"""Budget impact of an introduced method: the core group records the expected yearly cost and
patients; the pages show the use month by month since the method may be used, per unit and per
year against the expectation, the cost only with price access."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from legemiddel.accounts.roles import Role
from legemiddel.agreements.models import PriceAccessGrant
from legemiddel.core.models import AuditEvent
from legemiddel.methods.budget import method_budget
from legemiddel.methods.models import BudgetExpectation
from legemiddel.usage.models import MonthlyUsage
from tests.methods.compliance_data import (
    CONDITIONS,
    NOT_INTRODUCED,
)

ATC = "L04AB02"
START = dt.date(2024, 2, 1)
# An invoiced amount no other figure on the pages shares: it reveals the LIS price.
SECRET = 987654.0
SECRET_TEXTS = ("987 654", "987\u00a0654", "987654")


@pytest.fixture
def method(data, org):
    data.package("222222", ATC)
    method = data.method(
        "ID2023_050",
        "Revmatoid artritt",
        atc=ATC,
        status=CONDITIONS,
        decided=dt.date(2024, 1, 10),
        effective_from=START,
        substance="testmab",
    )
    for month, unit, amount in (
        (dt.date(2024, 2, 1), "MED-REV-POL", SECRET),
        (dt.date(2024, 3, 1), "MED-REV-POL", 1000.0),
        (dt.date(2024, 3, 1), "NEVRO-MS", 500.0),
        (dt.date(2023, 12, 1), "MED-REV-POL", 7.0),  # before the effective date
    ):
        MonthlyUsage.objects.create(
            month=month, source="hresept", org_unit=org[unit], package_id="222222", atc=ATC,
            quantity=2, amount=amount, ddd=56, patients=1, rows=1,
        )  # fmt: skip
    data.disp(dt.date(2024, 2, 5), "p1", "222222", "MED-REV-POL")
    data.disp(dt.date(2024, 3, 5), "p1", "222222", "MED-REV-POL")
    data.disp(dt.date(2024, 3, 9), "p2", "222222", "NEVRO-MS")
    data.adm(dt.date(2024, 3, 12), "p3", "MED-REV-POL", ATC)
    data.disp(dt.date(2023, 12, 5), "p0", "222222", "MED-REV-POL")  # before: not counted
    return method


def grant(user) -> None:
    PriceAccessGrant.objects.create(
        user=user,
        reason="Budsjett",
        expires_on=timezone.localdate() + dt.timedelta(days=30),
        granted_by=user,
    )


def test_the_figures_month_by_month_per_unit_and_per_year(method, org):
    budget = method_budget(method, today=dt.date(2024, 4, 20))
    months = {m.month: m for m in budget.months}
    assert list(months) == [dt.date(2024, 2, 1), dt.date(2024, 3, 1), dt.date(2024, 4, 1)]
    assert months[dt.date(2024, 2, 1)].patients == 1
    assert months[dt.date(2024, 3, 1)].patients == 3
    assert months[dt.date(2024, 3, 1)].amount == 1500.0
    assert months[dt.date(2024, 4, 1)].patients == 0
    units = {u.name: u for u in budget.units}
    assert units["Revmatologisk poliklinikk"].patients == 2
    assert units["Revmatologisk poliklinikk"].ddd == 112.0
    assert units["MS-poliklinikken"].patients == 1
    [year] = budget.years
    assert (year.year, year.patients, year.packs) == (2024, 3, 6.0)
    one_unit = method_budget(method, unit=org["NEVRO-MS"], today=dt.date(2024, 4, 20))
    assert [y.patients for y in one_unit.years] == [1]


def test_without_price_access_the_pages_show_no_cost(method, client_for):
    client = client_for(Role.CORE_GROUP)
    BudgetExpectation.objects.create(
        method=method, year=2024, expected_cost=Decimal("4321000"), expected_patients=40
    )
    for url in (
        reverse("methods:budget") + "?aar=2024",
        reverse("methods:budget_method", args=[method.pk]),
        reverse("methods:budget_table", args=[method.pk, "csv"]),
        reverse("methods:budget_table", args=[method.pk, "xlsx"]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode("utf-8", errors="replace")
        for secret in (*SECRET_TEXTS, "4 321 000", "4\u00a0321\u00a0000", "4321000"):
            assert secret not in text, (url, secret)
    page = client.get(reverse("methods:budget_method", args=[method.pk])).content.decode()
    assert "ID2023_050" in page
    assert "Revmatologisk poliklinikk" in page
    assert "Forventet kostnad" not in page
    assert not AuditEvent.objects.filter(action="price_view").exists()


def test_with_price_access_the_cost_is_shown_and_the_view_logged(method, client_for, users):
    grant(users[Role.CORE_GROUP])
    client = client_for(Role.CORE_GROUP)
    page = client.get(reverse("methods:budget_method", args=[method.pk])).content.decode()
    assert "987\u00a0654" in page or "987 654" in page
    overview = client.get(reverse("methods:budget") + "?aar=2024").content.decode()
    assert "989\u00a0154" in overview or "989 154" in overview  # the year's total
    xlsx = client.get(reverse("methods:budget_table", args=[method.pk, "xlsx"]))
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0].values)
    assert "Kostnad (kr)" in rows[0]
    assert SECRET in [r[rows[0].index("Kostnad (kr)")] for r in rows[1:]]
    assert AuditEvent.objects.filter(action="price_view").count() == 3


def test_the_core_group_records_an_expectation(method, client_for, users):
    grant(users[Role.CORE_GROUP])
    client = client_for(Role.CORE_GROUP)
    url = reverse("methods:budget_method", args=[method.pk])
    response = client.post(
        url, {"year": 2024, "expected_patients": 40, "expected_cost": "4321000", "note": "LIS"}
    )
    assert response.status_code == 302
    expectation = BudgetExpectation.objects.get(method=method, year=2024)
    assert (expectation.expected_patients, expectation.expected_cost) == (40, Decimal("4321000"))
    assert expectation.created_by == users[Role.CORE_GROUP]
    event = AuditEvent.objects.get(action="budget_expectation")
    assert "4321000" not in event.detail
    assert "pasienter 40" in event.detail


def test_without_price_access_the_expected_cost_is_kept(method, client_for):
    BudgetExpectation.objects.create(
        method=method, year=2024, expected_cost=Decimal("4321000"), expected_patients=40
    )
    client = client_for(Role.CORE_GROUP)
    client.post(
        reverse("methods:budget_method", args=[method.pk]),
        {"year": 2024, "expected_patients": 45, "expected_cost": "1"},
    )
    expectation = BudgetExpectation.objects.get(method=method, year=2024)
    assert (expectation.expected_patients, expectation.expected_cost) == (45, Decimal("4321000"))


@pytest.mark.parametrize(
    "posted",
    [
        {"year": 1800, "expected_patients": 4},
        {"year": "", "expected_patients": 4},
        {"year": 2024, "expected_patients": -1},
        {"year": 2024, "expected_patients": "fire"},
        {"year": 2024, "expected_cost": "NaN"},
        {"year": 2024, "expected_cost": "Infinity"},
        {"year": 2024, "expected_cost": "-5"},
        {"year": 2024, "expected_cost": "1e20"},
        {"year": 2024, "expected_cost": "=1+1"},
        {"year": "2024\x00", "expected_patients": 4},
    ],
)
def test_bad_input_stores_nothing(method, client_for, users, posted):
    grant(users[Role.CORE_GROUP])
    response = client_for(Role.CORE_GROUP).post(
        reverse("methods:budget_method", args=[method.pk]), posted
    )
    assert response.status_code == 200
    assert not BudgetExpectation.objects.exists()
    assert not AuditEvent.objects.filter(action="budget_expectation").exists()


def test_only_the_core_group_records(method, client_for):
    response = client_for(Role.MEDICAL_DIRECTOR).post(
        reverse("methods:budget_method", args=[method.pk]), {"year": 2024, "expected_patients": 1}
    )
    assert response.status_code == 403
    assert not BudgetExpectation.objects.exists()


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.UNIT_LEADER, Role.PHARMACY])
def test_other_roles_have_no_budget_pages(method, client_for, role):
    client = client_for(role)
    assert client.get(reverse("methods:budget")).status_code == 403
    assert client.get(reverse("methods:budget_method", args=[method.pk])).status_code == 403


def test_a_method_not_introduced_has_no_budget(data, client_for):
    other = data.method("ID2023_099", "Noe", atc=ATC, status=NOT_INTRODUCED)
    client = client_for(Role.CORE_GROUP)
    assert client.get(reverse("methods:budget_method", args=[other.pk])).status_code == 404
    assert client.get(reverse("methods:budget_table", args=[other.pk, "csv"])).status_code == 404


def test_an_unknown_download_format_is_not_found(method, client_for):
    url = reverse("methods:budget_table", args=[method.pk, "pdf"])
    assert client_for(Role.CORE_GROUP).get(url).status_code == 404


def test_the_overview_lists_the_years_use_against_the_expectation(method, client_for):
    BudgetExpectation.objects.create(method=method, year=2024, expected_patients=40)
    page = client_for(Role.CORE_GROUP).get(reverse("methods:budget") + "?aar=2024")
    content = page.content.decode()
    assert "ID2023_050" in content
    [row] = page.context["rows"]
    assert (row.figures.patients, row.expectation.expected_patients) == (3, 40)


def test_the_overview_counts_a_patient_on_two_codes_of_a_method_once(data, org, client_for):
    """A combination (two ATC codes): the overview counts distinct patients over both, as the
    method's own page does, not once per code."""
    data.package("333333", "L01FF01")
    data.package("444444", "L01XY01")
    data.method(
        "ID2023_060", "Melanom", atc="L01FF01 L01XY01", status=CONDITIONS,
        decided=dt.date(2024, 1, 10), effective_from=START, substance="kombimab",
    )  # fmt: skip
    data.disp(dt.date(2024, 2, 5), "p1", "333333", "MED-REV-POL")
    data.disp(dt.date(2024, 2, 5), "p1", "444444", "MED-REV-POL")
    data.disp(dt.date(2024, 3, 5), "p2", "333333", "MED-REV-POL")
    page = client_for(Role.CORE_GROUP).get(reverse("methods:budget") + "?aar=2024")
    [row] = [r for r in page.context["rows"] if r.method.method_id == "ID2023_060"]
    assert row.figures.patients == 2
