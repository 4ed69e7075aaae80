"""The core group's page: units furthest behind on coding, income at risk and recovered, and
the reporting years' figures (unit price, ISF share, correction deadline)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from legemiddel.accounts.access import Roles, access, request_user
from legemiddel.accounts.roles import Role
from legemiddel.coding.access import get_reporting_year_for_user
from legemiddel.coding.forms import ReportingYearForm
from legemiddel.coding.models import EpisodeImport, ReportingYear
from legemiddel.coding.rules import load_rules
from legemiddel.coding.selectors import (
    completeness_by_unit,
    income_trend,
    recovered,
    reporting_years,
)
from legemiddel.coding.services import reporting_year_save

CORE = Roles(Role.CORE_GROUP, Role.ADMINISTRATOR)


@access(CORE)
def overview(request: HttpRequest) -> HttpResponse:
    context = {
        "units": completeness_by_unit()[:25],
        "trend": income_trend()[:300],
        "recovered": recovered(),
        "years": reporting_years(),
        "rules": load_rules(),
        "imports": EpisodeImport.objects.all()[:10],
    }
    return render(request, "coding/overview.html", context)


@access(CORE)
def reporting_year(request: HttpRequest, year_id: int | None = None) -> HttpResponse:
    user = request_user(request)
    instance = get_reporting_year_for_user(user, year_id) if year_id else ReportingYear()
    form = ReportingYearForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        reporting_year_save(year=form.save(commit=False), actor=user, request=request)
        messages.success(request, _("Saved."))
        return redirect("coding:overview")
    return render(request, "coding/year.html", {"form": form, "year": instance})
