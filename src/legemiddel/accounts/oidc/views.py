"""Starting a login at the identity provider and receiving its answer."""

from __future__ import annotations

import logging
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.generic import View
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from legemiddel.accounts.access import PUBLIC
from legemiddel.accounts.oidc.backend import REFUSAL_ATTRIBUTE
from legemiddel.accounts.oidc.config import endpoints, oidc_enabled
from legemiddel.core.audit import audit_record
from legemiddel.core.models import AuditEvent

logger = logging.getLogger(__name__)
_PROVIDER_TROUBLE = (requests.RequestException, ImproperlyConfigured, ValueError)


def _refused(
    request: HttpRequest, reason: str, *, status: int, unavailable: bool = False
) -> HttpResponse:
    """Record a refused login and say so, with a way back to the login page."""
    audit_record(
        action=AuditEvent.Action.LOGIN_FAILED,
        request=request,
        detail=f"OpenID Connect: {reason}"[:1000],
    )
    return render(
        request,
        "accounts/oidc_refused.html",
        {"provider": settings.OIDC_PROVIDER_NAME, "unavailable": unavailable},
        status=status,
    )


class OidcLoginView(OIDCAuthenticationRequestView):
    """Send the browser to the provider with state, nonce and a PKCE challenge."""

    access_rule = PUBLIC

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the parent would read endpoints from settings here

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoints().authorization
        except _PROVIDER_TROUBLE as exc:
            logger.error("OpenID Connect provider unavailable: %s", exc)
            return _refused(request, f"provider unavailable: {exc}", status=503, unavailable=True)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class OidcCallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer. A forged or replayed answer (unknown state, wrong nonce, a token
    for another client or from another issuer) is refused and recorded, never logged in."""

    access_rule = PUBLIC

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            raise Http404
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            logger.warning("OpenID Connect callback refused: %s", exc)
            return _refused(request, str(exc), status=400)
        except _PROVIDER_TROUBLE as exc:
            logger.error("OpenID Connect login failed (provider or configuration): %s", exc)
            return _refused(request, f"provider error: {exc}", status=502, unavailable=True)

    def login_failure(self) -> HttpResponse:
        request = self.request
        reason = getattr(request, REFUSAL_ATTRIBUTE, "")
        if not reason:
            error = request.GET.get("error", "")
            reason = f"provider answered {error}" if error else "no valid login in the answer"
        return _refused(request, reason, status=403)
