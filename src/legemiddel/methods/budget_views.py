"""The budget impact pages: every introduced method this year against its expectation, and one
method month by month since it may be used, per unit, with its chart and downloads.

Amounts (actual and expected cost) reach only users with price access
(``agreements.pricing``), and each page or file that shows them is logged as a price view.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from legemiddel.accounts.access import Roles, access, request_user
from legemiddel.accounts.roles import Role
from legemiddel.agreements.pricing import has_price_access
from legemiddel.analytics import charts
from legemiddel.core.audit import audit_record
from legemiddel.core.downloads import TABLE_FORMATS, table_response
from legemiddel.methods.budget import (
    MethodBudget,
    budget_expectation_save,
    budget_methods,
    budget_overview,
    method_budget,
)
from legemiddel.methods.budget_forms import BudgetExpectationForm
from legemiddel.methods.models import Method
from legemiddel.organisation.models import OrgUnit

BUDGET_ROLES = (
    Role.CORE_GROUP,
    Role.MEDICAL_DIRECTOR,
    Role.DRUG_COMMITTEE,
    Role.PROCUREMENT_ADVISER,
)
BUDGET_READERS = Roles(*BUDGET_ROLES)


def get_budget_method_for_user(user: object, method_id: int) -> Method:
    """An introduced drug method (``Http404`` for anything else)."""
    return get_object_or_404(budget_methods(), pk=method_id)


def _year(request: HttpRequest) -> int:
    value = request.GET.get("aar", "")
    year = int(value) if value.isdigit() else timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _unit(request: HttpRequest) -> OrgUnit | None:
    value = request.GET.get("enhet", "")
    if not value.isdigit():
        return None
    return get_object_or_404(OrgUnit, pk=int(value))


def _log_prices(request: HttpRequest, what: str) -> None:
    audit_record(request=request, action="price_view", detail=what)


@access(BUDGET_READERS)
def budget_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    year = _year(request)
    prices = has_price_access(user)
    rows = budget_overview(year)
    if prices:
        _log_prices(request, f"budsjett for nye metoder {year}")
    return render(
        request,
        "methods/budget_list.html",
        {"rows": rows, "year": year, "prices": prices, "years": _year_choices(year)},
    )


def _year_choices(year: int) -> list[int]:
    this = timezone.localdate().year
    return sorted({*range(this - 4, this + 2), year}, reverse=True)


def _chart(budget: MethodBudget, *, prices: bool) -> str:
    months = [m.month for m in budget.months]
    # The latest year with an expectation (the years run on to today, often without one).
    latest = next((y.expectation for y in reversed(budget.years) if y.expectation), None)
    place = budget.unit.name if budget.unit else _("Whole trust")
    if prices:
        target = (
            float(latest.expected_cost) / 12
            if latest and latest.expected_cost is not None
            else None
        )
        return charts.line_chart(
            title=_("Cost per month") + f" – {budget.method.method_id} – {place}",
            series=[charts.Series(_("Cost (NOK)"), [(m.month, m.amount) for m in budget.months])],
            months=months,
            percent=False,
            target=target if budget.unit is None else None,
        )
    target_patients = (
        float(latest.expected_patients) if latest and latest.expected_patients else None
    )
    return charts.line_chart(
        title=_("Patients per month") + f" – {budget.method.method_id} – {place}",
        series=[
            charts.Series(_("Patients"), [(m.month, float(m.patients)) for m in budget.months])
        ],
        months=months,
        percent=False,
        target=target_patients if budget.unit is None else None,
    )


@access(BUDGET_READERS)
def budget_method(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    method = get_budget_method_for_user(user, pk)
    prices = has_price_access(user)
    can_edit = user.has_role(Role.CORE_GROUP)
    form = BudgetExpectationForm(prices=prices, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = BudgetExpectationForm(request.POST, prices=prices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                budget_expectation_save(
                    method=method,
                    year=data["year"],
                    expected_patients=data["expected_patients"],
                    expected_cost=data.get("expected_cost"),
                    note=data["note"],
                    cost_given=prices,
                    actor=user,
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("methods:budget_method", pk=method.pk)
    unit = _unit(request)
    budget = method_budget(method, unit=unit)
    if prices:
        _log_prices(request, f"budsjett {method.method_id} ({method.pk})")
    return render(
        request,
        "methods/budget_method.html",
        {
            "method": method,
            "budget": budget,
            "prices": prices,
            "can_edit": can_edit,
            "form": form,
            "chart": _chart(budget, prices=prices),
            "months": list(reversed(budget.months)),
            "query": f"?enhet={unit.pk}" if unit else "",
        },
    )


@access(BUDGET_READERS)
def budget_table(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The page's figures as a file: month by month, per unit and per year."""
    if fmt not in TABLE_FORMATS:
        raise Http404
    user = request_user(request)
    method = get_budget_method_for_user(user, pk)
    prices = has_price_access(user)
    unit = _unit(request)
    budget = method_budget(method, unit=unit)
    place = unit.name if unit else "Hele foretaket"
    header = ["Tabell", "Periode", "Sted", "Pasienter", "Pakninger", "DDD"]
    if prices:
        header += ["Kostnad (kr)"]
    header += ["Forventede pasienter"] + (["Forventet kostnad (kr)"] if prices else [])
    rows: list[list[object]] = []

    def row(table: str, period: object, where: str, f: object, expected: Sequence[object]) -> None:
        values: list[object] = [
            table, period, where, f.patients, round(f.packs, 2), round(f.ddd, 2),  # type: ignore[attr-defined]
        ]  # fmt: skip
        if prices:
            values.append(round(f.amount, 2))  # type: ignore[attr-defined]
        rows.append(values + list(expected))

    for m in budget.months:
        row("Måned", m.month, place, m, [None] + ([None] if prices else []))
    for u in budget.units:
        row("Enhet", budget.start, u.name, u, [None] + ([None] if prices else []))
    for y in budget.years:
        e = y.expectation
        expected: list[object] = [e.expected_patients if e else None]
        if prices:
            expected.append(float(e.expected_cost) if e and e.expected_cost is not None else None)
        row("År", y.year, place, y, expected)
    if prices:
        _log_prices(request, f"budsjett {method.method_id} ({method.pk}) som {fmt}")
    about: list[tuple[str, object]] = [
        ("Metode", f"{method.method_id} {method.substance_text}"),
        ("Indikasjon", method.indication),
        ("Fra", budget.start or ""),
        ("ATC-koder", " ".join(budget.atc_codes)),
        ("Sted", place),
        ("Laget", timezone.localdate()),
    ]
    return table_response(fmt, f"budsjett-{method.method_id}", header, rows, about=about)
