from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from legemiddel.accounts.access import LOGGED_IN, PUBLIC, Roles, access
from legemiddel.accounts.forms import AuditFilterForm, LoginForm
from legemiddel.accounts.roles import Role, with_role_labels
from legemiddel.core.audit import audit_events, audit_read
from legemiddel.core.downloads import TABLE_FORMATS, table_response
from legemiddel.core.models import AuditEvent


class LoginView(auth_views.LoginView):
    access_rule = PUBLIC
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    access_rule = LOGGED_IN


AUDIT_READERS = Roles(Role.AUDITOR, Role.ADMINISTRATOR)
# An export is for a period or a person; beyond this many rows, narrow the filters.
EXPORT_LIMIT = 50_000


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return form, AuditEvent.objects.none()
    data = form.cleaned_data
    events = audit_events(
        action=data["hendelse"],
        username=data["bruker"].strip(),
        start=data["fra"],
        end=data["til"],
        target=data["objekt"].strip(),
    )
    return form, events


def _filters(form: AuditFilterForm) -> str:
    """The filters in words, for the export's about sheet and the access log."""
    data = form.cleaned_data if form.is_valid() else {}
    parts = [f"{name}={data[name]}" for name in form.fields if data.get(name)]
    return ", ".join(parts) or "ingen filtre"


@access(AUDIT_READERS)
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit trail with filters on event type, user name, period and object."""
    form, events = _filtered(request)
    page = Paginator(events, 50).get_page(request.GET.get("side"))
    for event in page:
        event.detail = with_role_labels(event.detail)
    query = request.GET.copy()
    query.pop("side", None)
    return render(
        request,
        "accounts/audit_log.html",
        {"page": page, "form": form, "query": query.urlencode()},
    )


@access(AUDIT_READERS)
def audit_log_table(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered audit trail as CSV or XLSX (at most EXPORT_LIMIT rows, newest first).
    Handing out the log is itself logged: it says who did what and when."""
    if fmt not in TABLE_FORMATS:
        raise Http404
    form, events = _filtered(request)
    total = events.count()
    rows = [
        [
            timezone.localtime(e.at).strftime("%d.%m.%Y %H:%M:%S"),
            e.username,
            e.get_action_display(),
            e.target,
            e.path,
            e.ip_address or "",
            with_role_labels(e.detail),
        ]
        for e in events[:EXPORT_LIMIT]
    ]
    audit_read(
        request=request,
        what="revisjonslogg",
        detail=f"Tilgangslogg lastet ned ({fmt}, {len(rows)} av {total} hendelser): "
        + _filters(form),
    )
    about: list[tuple[str, object]] = [
        ("Tittel", "Tilgangslogg"),
        ("Filtre", _filters(form)),
        ("Hendelser", total),
    ]
    if total > len(rows):
        about.append(("Merk", f"Bare de {len(rows)} nyeste er med; avgrens filtrene."))
    return table_response(
        fmt,
        "tilgangslogg",
        ["Tidspunkt", "Bruker", "Hendelse", "Objekt", "Adresse", "IP-adresse", "Detalj"],
        rows,
        about=about,
    )
