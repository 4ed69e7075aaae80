from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from legemiddel.accounts.access import LOGGED_IN, access, request_user
from legemiddel.accounts.roles import Role
from legemiddel.lib.text import fold
from legemiddel.organisation.access import get_unit_for_user
from legemiddel.organisation.models import (
    Affiliation,
    ExternalSite,
    HealthPersonnel,
    UnitMembership,
)
from legemiddel.organisation.selectors import (
    org_tree,
    org_units_in_scope,
    user_sees_whole_trust,
)


@access(LOGGED_IN)
def tree(request: HttpRequest) -> HttpResponse:
    """The organisation as a tree; the user's own units are marked."""
    context = {
        "roots": org_tree(request.user),
        "mark_scope": not user_sees_whole_trust(request.user),
    }
    return render(request, "organisation/tree.html", context)


@access(LOGGED_IN)
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, unit_id)
    context = {
        "unit": unit,
        "ancestors": unit.ancestors(),
        "children": unit.children.filter(active=True).order_by("name"),
        "cost_centres": unit.cost_centres.order_by("code"),
        "leaders": UnitMembership.objects.filter(org_unit=unit)
        .select_related("user")
        .order_by("role", "user__last_name"),
        "personnel": HealthPersonnel.objects.filter(affiliations__org_unit=unit)
        .distinct()
        .order_by("name"),
        "in_scope": org_units_in_scope(request.user).filter(pk=unit.pk).exists(),
        "mark_scope": not user_sees_whole_trust(request.user),
    }
    return render(request, "organisation/unit.html", context)


def _personnel_queryset(query: str, category: str) -> list[HealthPersonnel]:
    people = HealthPersonnel.objects.prefetch_related(
        Prefetch("affiliations", queryset=Affiliation.objects.select_related("org_unit", "site"))
    )
    for word in fold(query).split():
        people = people.filter(search_key__contains=word)
    if category in HealthPersonnel.Category.values:
        people = people.filter(category=category)
    return list(people.order_by("name")[:200])


@access(LOGGED_IN)
def personnel(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    category = request.GET.get("kategori", "")
    context = {
        "people": _personnel_queryset(query, category),
        "q": query,
        "category": category,
        "categories": HealthPersonnel.Category.choices,
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "organisation/_personnel_rows.html", context)
    return render(request, "organisation/personnel.html", context)


@access(LOGGED_IN)
def sites(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("type", "")
    qs = ExternalSite.objects.select_related("municipality").filter(active=True)
    if kind in ExternalSite.Kind.values:
        qs = qs.filter(kind=kind)
    return render(
        request,
        "organisation/sites.html",
        {"sites": qs.order_by("kind", "name"), "kinds": ExternalSite.Kind.choices, "kind": kind},
    )


@access(LOGGED_IN)
def my_access(request: HttpRequest) -> HttpResponse:
    """What the logged-in user may see and why: roles, memberships and unit scope."""
    user = request_user(request)
    memberships = UnitMembership.objects.filter(user=user).select_related(
        "org_unit", "org_unit__parent"
    )
    whole = user_sees_whole_trust(user)
    scope_count = None if whole else org_units_in_scope(user).count()
    roles = [Role(r).label for r in sorted(user.role_values())]
    return render(
        request,
        "organisation/my_access.html",
        {
            "roles": roles,
            "memberships": memberships,
            "whole_trust": whole,
            "scope_count": scope_count,
        },
    )
