from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from legemiddel.accounts.access import LOGGED_IN, PUBLIC, Roles, access
from legemiddel.accounts.forms import LoginForm
from legemiddel.accounts.roles import Role, with_role_labels
from legemiddel.core.models import AuditEvent


class LoginView(auth_views.LoginView):
    access_rule = PUBLIC
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    access_rule = LOGGED_IN


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
