from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url

from legemiddel.accounts.access import LOGGED_IN, PUBLIC, Roles, access
from legemiddel.accounts.forms import LoginForm
from legemiddel.accounts.oidc.config import endpoints, oidc_enabled, password_login_enabled
from legemiddel.accounts.roles import Role, with_role_labels
from legemiddel.core.audit import audit_record
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


@access(Roles(Role.AUDITOR, Role.ADMINISTRATOR))
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit trail with filters on event type and user name."""
    events = AuditEvent.objects.all()
    action = request.GET.get("hendelse", "")
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    username = request.GET.get("bruker", "").strip()
    if username:
        events = events.filter(username__icontains=username)
    page = Paginator(events, 50).get_page(request.GET.get("side"))
    for event in page:
        event.detail = with_role_labels(event.detail)
    return render(
        request,
        "accounts/audit_log.html",
        {
            "page": page,
            "actions": AuditEvent.Action.choices,
            "action": action,
            "username": username,
        },
    )
