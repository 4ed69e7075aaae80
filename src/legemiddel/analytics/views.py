"""Measure dashboards: the list, one measure with drill-down, and its downloads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from legemiddel.accounts.access import Roles, access, request_user
from legemiddel.accounts.models import User
from legemiddel.accounts.roles import Role
from legemiddel.agreements.pricing import has_price_access
from legemiddel.analytics import alerts, charts, engine, selectors
from legemiddel.analytics.models import AlertPreference
from legemiddel.lib.export import FORMATS, table_response

ANALYSTS = Roles(
    Role.CORE_GROUP,
    Role.UNIT_LEADER,
    Role.CONTROLLER,
    Role.ADVISORY_PHARMACIST,
    Role.DRUG_COMMITTEE,
    Role.MEDICAL_DIRECTOR,
    Role.PROCUREMENT_ADVISER,
)


def _visible(user: Any) -> list[engine.Measure]:
    """Measures in NOK reveal invoiced (LIS) prices: only with price access."""
    prices = has_price_access(user)
    return [m for m in engine.measures() if prices or not m.definition.needs_price_access]


def _measure(request: HttpRequest, key: str) -> engine.Measure:
    measure = engine.measure_by_key(key)
    if measure is None:
        raise Http404
    if measure.definition.needs_price_access and not has_price_access(request.user):
        raise PermissionDenied
    return measure


def _dashboard(request: HttpRequest, key: str) -> selectors.Dashboard:
    node = request.GET.get("enhet", "")
    prescriber = request.GET.get("forskriver", "")
    if prescriber and (not node or not prescriber.isdigit()):
        raise Http404  # a prescriber is always looked at within a unit
    dashboard = selectors.Dashboard(
        _measure(request, key),
        request.user,
        int(node) if node.isdigit() else None,
        prescriber=prescriber,
    )
    if node and (dashboard.node is None or not dashboard.may_see(dashboard.node)):
        raise Http404
    if prescriber and prescriber not in dashboard.by_prescriber:
        raise Http404
    return dashboard


@access(ANALYSTS)
def index(request: HttpRequest) -> HttpResponse:
    refresh = selectors.latest_refresh()
    visible = _visible(request.user)
    nodes = selectors.trust_nodes(visible)
    rows = [(measure, nodes[measure.key]) for measure in visible]
    can_alert = request_user(request).has_role(Role.UNIT_LEADER, Role.CORE_GROUP)
    return render(
        request,
        "analytics/index.html",
        {
            "rows": rows,
            "refresh": refresh,
            "can_alert": can_alert,
            "updating": selectors.figures_updating(),
        },
    )


def _chart(dashboard: selectors.Dashboard, refresh: Any, *, fixed_size: bool = False) -> str:
    current = dashboard.current()
    latest = refresh.latest_month if refresh else None
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
            (a.start, f"{a.title} fra {a.start:%d.%m.%Y}") for a in dashboard.agreement_starts()
        ],
        provisional_from=selectors.provisional_from(latest),
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
            "chart": _chart(dashboard, refresh),
            "refresh": refresh,
            "updating": selectors.figures_updating(),
            "provisional_from": selectors.provisional_from(
                refresh.latest_month if refresh else None
            ),
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
    svg = _chart(dashboard, selectors.latest_refresh(), fixed_size=True)
    if fmt == "png":
        response = HttpResponse(charts.png(svg), content_type="image/png")
    else:
        response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="{key}.{fmt}"'
    return response


@access(ANALYSTS)
def measure_table(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    """The series of the chosen place, each place one level down and its prescribers."""
    if fmt not in FORMATS:
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


@access(Roles(Role.UNIT_LEADER, Role.CORE_GROUP))
def alert(request: HttpRequest) -> HttpResponse:
    """The monthly e-mail as it would be sent now, and the choice to receive it. The core
    group can look at any unit leader's (``?bruker=``)."""
    user = request_user(request)
    subject = user
    chosen = request.GET.get("bruker", "")
    if chosen and user.has_role(Role.CORE_GROUP):
        subject = get_object_or_404(User, username=chosen, is_active=True)
    preference, _created = AlertPreference.objects.get_or_create(user=user)
    if request.method == "POST" and user.has_role(Role.UNIT_LEADER):
        preference.opted_out = request.POST.get("opted_out") == "1"
        preference.save(update_fields=["opted_out", "updated_at"])
        messages.success(
            request,
            _("You will not get the monthly e-mail.")
            if preference.opted_out
            else _("You will get the monthly e-mail."),
        )
        return redirect("analytics:alert")
    leaders = (
        User.objects.filter(is_active=True, groups__name=Role.UNIT_LEADER.value).order_by(
            "username"
        )
        if user.has_role(Role.CORE_GROUP)
        else []
    )
    return render(
        request,
        "analytics/alert.html",
        {
            "alert": alerts.alert_for(subject, reader=user),
            "subject_user": subject,
            "preference": preference,
            "is_leader": user.has_role(Role.UNIT_LEADER),
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
    if fmt not in FORMATS:
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
    if fmt not in FORMATS:
        raise Http404
    rows = []
    visible = _visible(request.user)
    nodes = selectors.trust_nodes(visible)
    for measure in visible:
        node = nodes[measure.key]
        latest, before = node.latest, node.year_before()
        rows.append(
            [
                measure.title,
                latest.month if latest else None,
                latest.value if latest else None,
                before.value if before else None,
                "lavere" if measure.definition.lower_is_better else "høyere",
            ]
        )
    header = ["Indikator", "Siste måned", "Verdi", "Samme måned i fjor", "Bedre når"]
    return table_response(fmt, "oppfolging", header, rows)
