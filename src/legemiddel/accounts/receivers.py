"""Audit trail entries for login, logout and failed login (Django auth signals)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from legemiddel.core.audit import audit_record
from legemiddel.core.models import AuditEvent


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    via = ""
    if str(getattr(user, "backend", "")).endswith("OidcBackend"):
        via = f"OpenID Connect ({settings.OIDC_PROVIDER_NAME})"
    audit_record(action=AuditEvent.Action.LOGIN, request=request, user=user, detail=via)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action=AuditEvent.Action.LOGOUT, request=request, user=user)


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    if "username" not in credentials:
        # A login through the identity provider: its callback view records the refusal with
        # the reason, which this signal does not carry.
        return
    # Only the user name is kept; Django has already masked the password.
    audit_record(
        action=AuditEvent.Action.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username", ""))[:150],
    )
