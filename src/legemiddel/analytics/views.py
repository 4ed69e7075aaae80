"""Measure dashboards: the list, one measure with drill-down, and its downloads."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from legemiddel.accounts.access import Roles, access, request_user
from legemiddel.agreements.pricing import has_price_access
from legemiddel.analytics import alerts, charts, selectors
from legemiddel.analytics.access import (
    ALERT_ROLES,
    ANALYST_ROLES,
    can_open_alerts,
    can_see_others_alerts,
    get_alert_subject_for_user,
    get_dashboard_for_user,
    measures_for_user,
    receives_alerts,
)
from legemiddel.analytics.models import AlertPreference
from legemiddel.core.downloads import TABLE_FORMATS, file_response, table_response
from legemiddel.lib.formatting import format_date

ANALYSTS = Roles(*ANALYST_ROLES)
ALERT_READERS = Roles(*ALERT_ROLES)


def _dashboard(request: HttpRequest, key: str) -> selectors.Dashboard:
    return get_dashboard_for_user(
        request.user, key, request.GET.get("enhet", ""), request.GET.get("forskriver", "")
    )


@access(ANALYSTS)
def index(request: HttpRequest) -> HttpResponse:
    refresh = selectors.latest_refresh()
    latest = refresh.latest_month if refresh else None
    visible = measures_for_user(request.user)
    month = selectors.headline_month(latest)
    nodes = selectors.trust_nodes(visible, month)
    rows = [(measure, nodes[measure.key]) for measure in visible]
    can_alert = can_open_alerts(request.user)
    return render(
        request,
        "analytics/index.html",
        {
            "rows": rows,
            "refresh": refresh,
            "month": month,
            "provisional_from": selectors.provisional_from(latest),
            "provisional_count": settings.ANALYTICS_PROVISIONAL_MONTHS,
            "can_alert": can_alert,
            "updating": selectors.figures_updating(),
        },
    )


def _chart(dashboard: selectors.Dashboard, *, fixed_size: bool = False) -> str:
    current = dashboard.current()
    return charts.line_chart(
        title=dashboard.measure.title + (f" – {current.name}" if current.unit else ""),
        series=[
            charts.Series(
                current.name or "Hele foretaket", [(p.month, p.value) for p in current.points]
            )
        ],
        months=dashboard.months,
        percent=dashboard.percent,
        band=dashboard.band(),
        markers=[
            (a.start, f"{a.title} fra {format_date(a.start)}") for a in dashboard.agreement_starts()
        ],
        provisional_from=dashboard.provisional_from,
        target=dashboard.measure.definition.target,
        fixed_size=fixed_size,
    )


@access(ANALYSTS)
def measure(request: HttpRequest, key: str) -> HttpResponse:
    dashboard = _dashboard(request, key)
    refresh = selectors.latest_refresh()
    current = dashboard.current()
    prescribers = dashboard.prescribers()
    return render(
        request,
        "analytics/measure.html",
        {
            "measure": dashboard.measure,
            "definition": dashboard.measure.definition,
            "dashboard": dashboard,
            "current": current,
            "path": dashboard.path(),
            "children": dashboard.children(),
            "chart": _chart(dashboard),
            "refresh": refresh,
            "updating": selectors.figures_updating(),
            "provisional_from": dashboard.provisional_from,
            "month": dashboard.month,
            "points": list(reversed(current.points)),
            "prescribers": [] if dashboard.prescriber else prescribers,
            "prescriber_name": {hpr: name for hpr, name, _ in prescribers}.get(
                dashboard.prescriber, ""
            ),
        },
    )


@access(ANALYSTS)
def measure_chart(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    """The chart as a file: SVG, or PNG for documents and slides."""
    if fmt not in {"svg", "png"}:
        raise Http404
    dashboard = _dashboard(request, key)
    svg = _chart(dashboard, fixed_size=True)
    return file_response(charts.png(svg) if fmt == "png" else svg, filename=key, fmt=fmt)


@access(ANALYSTS)
def measure_table(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    """The series of the chosen place, each place one level down and its prescribers."""
    if fmt not in TABLE_FORMATS:
        raise Http404
    dashboard = _dashboard(request, key)
    share = dashboard.share
    last = "Andel" if dashboard.percent else "Verdi"
    header = ["Sted", "Måned", "Teller", "Nevner", last] if share else ["Sted", "Måned", "Sum"]
    rows: list[list[object]] = []
    places = [
        (node.name or "Hele foretaket", node)
        for node in [dashboard.current(), *dashboard.children()]
    ]
    if not dashboard.prescriber:
        places += [(f"{name} ({hpr})", node) for hpr, name, node in dashboard.prescribers()]
    for place, node in places:
        for p in node.points:
            if share:
                value = p.value
                rows.append(
                    [
                        place,
                        p.month,
                        round(p.numerator, 2),
                        round(p.denominator, 2),
                        round(value, 4) if value is not None else None,
                    ]
                )
            else:
                rows.append([place, p.month, round(p.numerator, 2)])
    return table_response(fmt, key, header, rows)


@access(ALERT_READERS)
def alert(request: HttpRequest) -> HttpResponse:
    """The monthly e-mail as it would be sent now, and the choice to receive it. The core
    group can look at any unit leader's (``?bruker=``)."""
    user = request_user(request)
    subject = get_alert_subject_for_user(user, request.GET.get("bruker", ""))
    preference, _created = AlertPreference.objects.get_or_create(user=user)
    if request.method == "POST" and receives_alerts(user):
        preference.opted_out = request.POST.get("opted_out") == "1"
        preference.save(update_fields=["opted_out", "updated_at"])
        messages.success(
            request,
            _("You will not get the monthly e-mail.")
            if preference.opted_out
            else _("You will get the monthly e-mail."),
        )
        return redirect("analytics:alert")
    leaders = selectors.unit_leaders() if can_see_others_alerts(user) else []
    return render(
        request,
        "analytics/alert.html",
        {
            "alert": alerts.alert_for(subject, reader=user),
            "subject_user": subject,
            "preference": preference,
            "is_leader": receives_alerts(user),
            "leaders": leaders,
        },
    )


def _drivers(request: HttpRequest) -> tuple[list[selectors.Driver], Any, bool]:
    refresh = selectors.latest_refresh()
    prices = has_price_access(request.user)
    if refresh is None or refresh.latest_month is None:
        return [], refresh, prices
    drivers = selectors.cost_drivers(request.user, refresh.latest_month, by_amount=prices)
    return drivers, refresh, prices


@access(ANALYSTS)
def drivers(request: HttpRequest) -> HttpResponse:
    """The packages behind the use (and, with price access, the cost), year over year."""
    found, refresh, prices = _drivers(request)
    return render(
        request,
        "analytics/drivers.html",
        {
            "drivers": found,
            "refresh": refresh,
            "prices": prices,
            "updating": selectors.figures_updating(),
        },
    )


@access(ANALYSTS)
def drivers_table(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in TABLE_FORMATS:
        raise Http404
    found, _refresh, prices = _drivers(request)
    header = ["Varenr", "Pakning", "DDD siste 12 mnd", "DDD 12 mnd før"]
    if prices:
        header += ["Kroner siste 12 mnd", "Kroner 12 mnd før"]
    rows = [
        [d.varenr, d.name, round(d.ddd, 2), round(d.ddd_before, 2)]
        + ([round(d.amount, 2), round(d.amount_before, 2)] if prices else [])
        for d in found
    ]
    return table_response(fmt, "kostnadsdrivere", header, rows)


@access(ANALYSTS)
def index_table(request: HttpRequest, fmt: str) -> HttpResponse:
    """The overview as a download: each measure's latest month and the same month last year."""
    if fmt not in TABLE_FORMATS:
        raise Http404
    rows = []
    visible = measures_for_user(request.user)
    nodes = selectors.trust_nodes(visible, selectors.headline_month(selectors.data_month()))
    for measure in visible:
        node = nodes[measure.key]
        latest, before = node.latest, node.year_before()
        rows.append(
            [
                measure.title,
                node.end,
                latest.value if latest else None,
                latest.numerator if latest and measure.divides else None,
                latest.denominator if latest and measure.divides else None,
                before.value if before else None,
                "lavere" if measure.definition.lower_is_better else "høyere",
            ]
        )
    header = [
        "Indikator",
        "Siste måned (ikke foreløpig)",
        "Verdi",
        "Teller",
        "Nevner",
        "Samme måned i fjor",
        "Bedre når",
    ]
    return table_response(fmt, "oppfolging", header, rows)
