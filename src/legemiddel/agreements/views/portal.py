"""The drug portal: current recommendations without prices, for every logged-in member of staff."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from legemiddel.accounts.access import LOGGED_IN, access
from legemiddel.agreements import selectors
from legemiddel.agreements.access import get_recommendation_for_user
from legemiddel.agreements.portal_notes import attach_portal_notes
from legemiddel.agreements.pricing import has_price_access
from legemiddel.agreements.request_selectors import price_access_status
from legemiddel.core.downloads import TABLE_FORMATS, table_response

EXPORT_HEADER = [
    "Område",
    "Avtale",
    "Region",
    "Indikasjonsgruppe",
    "Pasientgruppe",
    "Rang",
    "Varenr",
    "Pakning",
    "Gyldig fra",
    "Gyldig til",
    "Dosering",
    "Vilkår",
    "Kommentar",
]


@access(LOGGED_IN)
def portal(request: HttpRequest) -> HttpResponse:
    """Every area's first choices today and what changes next."""
    areas = selectors.portal_areas()
    attach_portal_notes(areas)
    return render(
        request,
        "agreements/portal.html",
        {
            "areas": areas,
            "today": timezone.localdate(),
            "price_access": has_price_access(request.user),
            "price_status": price_access_status(request.user),
        },
    )


@access(LOGGED_IN)
def portal_area(request: HttpRequest, code: str) -> HttpResponse:
    recommendation = get_recommendation_for_user(request.user, code)
    attach_portal_notes([recommendation])
    return render(
        request,
        "agreements/portal_area.html",
        {
            "r": recommendation,
            "today": timezone.localdate(),
            "price_access": has_price_access(request.user),
        },
    )


@access(LOGGED_IN)
def portal_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Today's recommendations of every area as CSV or XLSX (no prices)."""
    if fmt not in TABLE_FORMATS:
        raise Http404
    today = timezone.localdate()
    rows = []
    for r in selectors.portal_areas(today):
        if r.current is None:
            continue
        for group in r.groups:
            for line in group.lines:
                rows.append(
                    [
                        r.area.name,
                        r.current.title,
                        r.current.region,
                        group.indication_group,
                        group.patient_group_label,
                        line.rank,
                        line.package_id,
                        line.package.name_form_strength,
                        line.starts,
                        line.ends,
                        line.dosing,
                        line.conditions,
                        line.comment,
                    ]
                )
    return table_response(fmt, f"lis-anbefalinger-{today:%Y-%m-%d}", EXPORT_HEADER, rows)
