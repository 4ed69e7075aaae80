"""The identity provider's settings and endpoints.

Endpoints come from the provider's discovery document
(``<issuer>/.well-known/openid-configuration``), fetched on first use and kept for an hour, or
from explicit settings where a provider has no discovery document. Nothing is fetched while the
settings load, so a provider that is down never stops the server from starting.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post", "private_key_jwt")
USER_MATCHES = ("sub", "hpr", "email")
_DISCOVERY_SECONDS = 60 * 60

_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


def oidc_enabled() -> bool:
    """Whether the login page offers "Log in with <provider>"."""
    return bool(getattr(settings, "OIDC_ISSUER", ""))


def password_login_enabled() -> bool:
    """Whether local accounts may log in with a password."""
    return bool(getattr(settings, "LOCAL_PASSWORD_LOGIN", True))


@dataclass(frozen=True)
class Endpoints:
    issuer: str
    authorization: str
    token: str
    userinfo: str
    jwks: str
    end_session: str


def _explicit(name: str) -> str:
    return str(getattr(settings, name, "") or "")


def provider_metadata() -> dict[str, Any]:
    """The provider's discovery document (cached per issuer for an hour)."""
    issuer = str(settings.OIDC_ISSUER).rstrip("/")
    now = time.monotonic()
    with _lock:
        hit = _cache.get(issuer)
        if hit and now - hit[0] < _DISCOVERY_SECONDS:
            return hit[1]
    response = requests.get(
        f"{issuer}/.well-known/openid-configuration",
        timeout=settings.OIDC_TIMEOUT,
        verify=settings.OIDC_VERIFY_SSL,
    )
    response.raise_for_status()
    document = response.json()
    # OpenID Connect Discovery 1.0, section 4.3: the document must name the issuer we asked;
    # anything else means we reached the wrong provider (or someone else's).
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise ImproperlyConfigured(
            f"The discovery document at {issuer} names the issuer {document.get('issuer')!r}."
        )
    with _lock:
        _cache[issuer] = (now, document)
    return dict(document)


def clear_discovery_cache() -> None:
    with _lock:
        _cache.clear()


def endpoints() -> Endpoints:
    """The provider's endpoints: explicit settings win over the discovery document."""
    names = {
        "authorization": ("OIDC_OP_AUTHORIZATION_ENDPOINT", "authorization_endpoint"),
        "token": ("OIDC_OP_TOKEN_ENDPOINT", "token_endpoint"),
        "userinfo": ("OIDC_OP_USER_ENDPOINT", "userinfo_endpoint"),
        "jwks": ("OIDC_OP_JWKS_ENDPOINT", "jwks_uri"),
        "end_session": ("OIDC_OP_LOGOUT_ENDPOINT", "end_session_endpoint"),
    }
    values = {field: _explicit(setting) for field, (setting, _key) in names.items()}
    issuer = str(settings.OIDC_ISSUER)
    if not all(values[f] for f in ("authorization", "token", "jwks")):
        document = provider_metadata()
        issuer = str(document["issuer"])
        for field, (_setting, key) in names.items():
            values[field] = values[field] or str(document.get(key) or "")
    missing = [f for f in ("authorization", "token", "jwks") if not values[f]]
    if missing:
        raise ImproperlyConfigured(f"The identity provider has no {', '.join(missing)} endpoint.")
    return Endpoints(issuer=issuer, **values)
