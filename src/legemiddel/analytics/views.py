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
from legemiddel.core.audit import audit_read
from legemiddel.core.downloads import TABLE_FORMATS, file_response, table_response
from legemiddel.lib.formatting import format_date, format_month, format_number, format_share

ANALYSTS = Roles(*ANALYST_ROLES)
ALERT_READERS = Roles(*ALERT_ROLES)


def _dashboard(request: HttpRequest, key: str) -> selectors.Dashboard:
    return get_dashboard_for_user(
        request.user, key, request.GET.get("enhet", ""), request.GET.get("forskriver", "")
    )


def _log_prescriber_read(
    request: HttpRequest,
    dashboard: selectors.Dashboard,
    prescribers: list[tuple[str, str, selectors.Node]],
    shown: str,
) -> None:
    """Figures per named prescriber are personal data: every page and file that shows them is
    written to the access log, with the unit and the HPR numbers of the prescribers shown."""
    unit = dashboard.node
    if unit is None:
        return
    where = f"{shown}, {dashboard.measure.key}, {unit.name}"
    if dashboard.prescriber:
        audit_read(
            request=request,
            what=f"enhet:{unit.pk} forskriver:{dashboard.prescriber}",
            detail=f"{where}: tallene til forskriver {dashboard.prescriber}",
        )
    elif prescribers:
        numbers = ", ".join(hpr for hpr, _name, _node in prescribers)
        audit_read(
            request=request,
            what=f"enhet:{unit.pk}",
            detail=f"{where}: {len(prescribers)} forskrivere (HPR {numbers})",
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
    """The chart; as a file (``fixed_size``) with a legend, and its title, place, period,
    data month and definition written on it so it stands alone."""
    current = dashboard.current()
    caption: list[str] = []
    notes: list[str] = []
    if fixed_size:
        about = dict(_about(dashboard, "måned for måned", _place(dashboard)))
        caption = [
            dashboard.measure.title,
            f"Sted: {about['Sted']} · Periode: {about['Periode']} · "
            f"Datamåned: {about['Datamåned']}",
        ]
        notes = [f"Slik beregnes den: {about['Slik beregnes den']}"]
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
        caption=caption,
        notes=notes,
    )


@access(ANALYSTS)
def measure(request: HttpRequest, key: str) -> HttpResponse:
    dashboard = _dashboard(request, key)
    refresh = selectors.latest_refresh()
    current = dashboard.current()
    prescribers = dashboard.prescribers()
    _log_prescriber_read(request, dashboard, prescribers, "Indikatorside")
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
    _log_prescriber_read(request, dashboard, [], f"Graf ({fmt})")
    return file_response(charts.png(svg) if fmt == "png" else svg, filename=key, fmt=fmt)


def _place(dashboard: selectors.Dashboard, prescriber_name: str = "") -> str:
    place = dashboard.node.name if dashboard.node else "Hele foretaket"
    return f"{place}, {prescriber_name}" if prescriber_name else place


def _about(dashboard: selectors.Dashboard, what: str, place: str) -> list[tuple[str, object]]:
    """What a downloaded table is, so the file stands alone: title, place, period, data month
    and the measure's definition."""
    definition = dashboard.measure.definition
    months = dashboard.months
    period = f"{format_month(months[0])}–{format_month(months[-1])}" if months else ""
    data_month = format_month(dashboard.latest_data_month)
    if dashboard.provisional_from is not None:
        data_month += (
            f" (tall fra {format_month(dashboard.provisional_from)} er foreløpige; "
            f"siste måned som ikke er foreløpig: {format_month(dashboard.month)})"
        )
    target = definition.target
    return [
        ("Tittel", f"{dashboard.measure.title}: {what}"),
        ("Sted", place),
        ("Periode", period),
        ("Datamåned", data_month),
        ("Hvorfor", definition.why),
        ("Slik beregnes den", definition.how),
        ("Bedre når", "lavere" if definition.lower_is_better else "høyere"),
        (
            "Mål",
            ""
            if target is None
            else format_share(target)
            if dashboard.percent
            else format_number(target),
        ),
        ("Status", definition.status_label),
        ("Definisjon", definition.file),
    ]


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
    prescribers = dashboard.prescribers()
    if not dashboard.prescriber:
        places += [(f"{name} ({hpr})", node) for hpr, name, node in prescribers]
    _log_prescriber_read(request, dashboard, prescribers, f"Tabell ({fmt})")
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
    name = {hpr: name for hpr, name, _ in prescribers}.get(dashboard.prescriber, "")
    return table_response(
        fmt,
        key,
        header,
        rows,
        about=_about(dashboard, "måned for måned", _place(dashboard, name)),
        percent=[4] if dashboard.percent else [],
    )


@access(ANALYSTS)
def measure_prescribers(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    """The prescriber table of a unit as shown: one row per prescriber, the page's month and
    the last twelve months, with their counts."""
    if fmt not in TABLE_FORMATS:
        raise Http404
    dashboard = _dashboard(request, key)
    if dashboard.node is None or dashboard.prescriber:
        raise Http404  # prescribers are listed for a unit
    month = format_month(dashboard.month)
    last = "Andel" if dashboard.percent else "Verdi"
    header = [
        "Forskriver",
        "HPR-nummer",
        f"Teller {month}",
        f"Nevner {month}",
        f"{last} {month}",
        "Teller siste 12 mnd",
        "Nevner siste 12 mnd",
        f"{last} siste 12 mnd",
    ]
    rows: list[list[object]] = []
    prescribers = dashboard.prescribers()
    _log_prescriber_read(request, dashboard, prescribers, f"Forskrivertabell ({fmt})")
    for hpr, name, node in prescribers:
        row: list[object] = [name, hpr]
        for point in (node.latest, node.last_year):
            value = point.value if point else None
            row += [
                round(point.numerator, 2) if point else None,
                round(point.denominator, 2) if point else None,
                round(value, 4) if value is not None else None,
            ]
        rows.append(row)
    return table_response(
        fmt,
        f"{key}-forskrivere",
        header,
        rows,
        about=_about(dashboard, "forskrivere", _place(dashboard)),
        percent=[4, 7] if dashboard.percent else [],
    )


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
