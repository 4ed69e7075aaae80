"""Catalogue pages: search, package, substance, ATC browser and the FEST load history.

Every logged-in member of staff may read the catalogue: it holds only public FEST data.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from legemiddel.accounts.access import LOGGED_IN, access
from legemiddel.catalogue import selectors
from legemiddel.catalogue.access import (
    get_atc_for_user,
    get_package_for_user,
    get_substance_for_user,
)
from legemiddel.catalogue.models import FestLoad

PAGE_SIZE = 50


@access(LOGGED_IN)
def search(request: HttpRequest) -> HttpResponse:
    """Packages by name, varenr, EAN, ATC code or substance, as you type."""
    q = request.GET.get("q", "").strip()[:200]
    atc = request.GET.get("atc", "").strip().upper()[:7]
    include_retired = request.GET.get("utgatte") == "1"
    packages = selectors.package_search(q, atc=atc, include_retired=include_retired)
    page = Paginator(packages, PAGE_SIZE).get_page(request.GET.get("side"))
    context = {
        "q": q,
        "atc": atc,
        "include_retired": include_retired,
        "page": page,
        "searched": bool(q or atc),
        "load": selectors.latest_load(),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "catalogue/_package_rows.html", context)
    return render(request, "catalogue/search.html", context)


@access(LOGGED_IN)
def package(request: HttpRequest, varenr: str) -> HttpResponse:
    found = get_package_for_user(request.user, varenr)
    context = {
        "package": found,
        "periods": selectors.price_periods(found),
        "atc_path": selectors.atc_path(found.atc_id) if found.atc_id else [],
        "exchangeable": selectors.exchangeable_with(found),
        "substances": [link.substance for link in found.brand.substance_links.all()]
        if found.brand
        else [],
    }
    return render(request, "catalogue/package.html", context)


@access(LOGGED_IN)
def substance(request: HttpRequest, fest_id: str) -> HttpResponse:
    found = get_substance_for_user(request.user, fest_id)
    return render(request, "catalogue/substance.html", {"substance": found})


@access(LOGGED_IN)
def atc(request: HttpRequest, code: str = "") -> HttpResponse:
    """The ATC tree one level at a time; at level 5, the packages with that code."""
    node = None
    if code:
        node = get_atc_for_user(request.user, code)
    context = {
        "node": node,
        "path": selectors.atc_path(node.code) if node else [],
        "children": selectors.atc_children(node.code if node else None),
        "packages": selectors.atc_packages(node.code) if node and node.level == 5 else [],
    }
    return render(request, "catalogue/atc.html", context)


@access(LOGGED_IN)
def loads(request: HttpRequest) -> HttpResponse:
    """Which FEST files the catalogue was loaded from, and what each changed."""
    history = FestLoad.objects.select_related("loaded_by").order_by("-loaded_at", "-id")[:100]
    return render(request, "catalogue/loads.html", {"loads": history})
