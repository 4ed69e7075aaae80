"""Password login for local accounts, which an operator can turn off."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from legemiddel.accounts.oidc.config import password_login_enabled


class PasswordBackend(ModelBackend):
    """Django's user name and password check, refused everywhere (login page, admin, API)
    when ``LOCAL_PASSWORD_LOGIN`` is off. Permissions still come from here."""

    def authenticate(
        self,
        request: Any,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if not password_login_enabled():
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id: Any) -> Any:
        # Turning password login off also ends the sessions that began with a password.
        if not password_login_enabled():
            return None
        return super().get_user(user_id)


def not_a_password_attempt(request: Any, credentials: dict[str, Any] | None = None) -> bool:
    """For django-axes (``AXES_WHITELIST_CALLABLE``): only user name and password attempts
    count towards the lockout. A login refused after the identity provider's answer is no
    guess at a password, and counting it (with no user name) would lock everyone behind the
    same address out of single sign-on. Those refusals are in the audit trail."""
    return credentials is not None and "username" not in credentials
