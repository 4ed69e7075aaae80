from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils import timezone

from legemiddel.accounts.access import LOGGED_IN, PUBLIC, Roles, access
from legemiddel.accounts.forms import AuditFilterForm, LoginForm
from legemiddel.accounts.oidc.config import endpoints, oidc_enabled, password_login_enabled
from legemiddel.accounts.roles import Role, with_role_labels
from legemiddel.core.audit import audit_events, audit_read, audit_record
from legemiddel.core.downloads import TABLE_FORMATS, table_response
from legemiddel.core.models import AuditEvent


class LoginView(auth_views.LoginView):
    """User name and password, and/or "Log in with <provider>" when single sign-on is set up.
    With local password login turned off, a posted password is refused and recorded."""

    access_rule = PUBLIC
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = oidc_enabled()
        context["oidc_provider"] = settings.OIDC_PROVIDER_NAME
        context["password_login"] = password_login_enabled()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if password_login_enabled():
            return super().post(request, *args, **kwargs)
        audit_record(
            action=AuditEvent.Action.LOGIN_FAILED,
            request=request,
            username=str(request.POST.get("username", ""))[:150],
            detail="password login is turned off",
        )
        context = self.get_context_data(password_refused=True)
        return self.render_to_response(context, status=403)


class LogoutView(auth_views.LogoutView):
    """Log out here and, after a login through the provider, at the provider too (RP-initiated
    logout), so the next person at a shared workstation does not slip back in."""

    access_rule = LOGGED_IN

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        if not id_token or not oidc_enabled():
            return response
        try:
            end_session = endpoints().end_session
        except (requests.RequestException, ImproperlyConfigured, ValueError):
            return response
        if not end_session:
            return response
        query = urlencode(
            {
                "id_token_hint": id_token,
                "client_id": settings.OIDC_RP_CLIENT_ID,
                "post_logout_redirect_uri": request.build_absolute_uri(
                    resolve_url(settings.LOGOUT_REDIRECT_URL)
                ),
            }
        )
        return HttpResponseRedirect(f"{end_session}?{query}")


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
