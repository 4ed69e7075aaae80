"""The authentication backend for logins through the identity provider.

mozilla-django-oidc does the authorization code flow; this subclass adds what a Norwegian
hospital needs: endpoints from discovery, ``private_key_jwt`` client authentication (HelseID),
ID tokens checked for issuer and audience as well as signature and nonce, users found by a
stable claim and roles and units kept in step with the claims at every login.
"""

from __future__ import annotations

import hashlib
import logging
import re
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from requests.auth import HTTPBasicAuth

from legemiddel.accounts.models import ExternalIdentity, User
from legemiddel.accounts.oidc.assertion import (
    ASSERTION_TYPE,
    SigningKey,
    client_assertion,
    load_signing_key,
)
from legemiddel.accounts.oidc.claims import roles_from_claims, sync_units, unit_codes_from_claims
from legemiddel.accounts.oidc.config import Endpoints, endpoints, oidc_enabled
from legemiddel.accounts.services import identity_link, user_create, user_set_roles
from legemiddel.lib.validators import hpr_validator

logger = logging.getLogger(__name__)

# Why a login was refused, left on the request for the callback view's audit entry.
REFUSAL_ATTRIBUTE = "oidc_refusal"
_USERNAME_CHARS = re.compile(r"[^\w.@+-]")


class Refused(Exception):
    """The provider vouched for the person, but we do not let them in."""


@lru_cache(maxsize=4)
def _signing_key(text: str, kid: str) -> SigningKey:
    return load_signing_key(text, kid)


def signing_key() -> SigningKey:
    return _signing_key(str(settings.OIDC_PRIVATE_KEY), str(settings.OIDC_PRIVATE_KEY_ID))


def _text(claims: dict[str, Any], name: str, limit: int) -> str:
    value = claims.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


class OidcBackend(OIDCAuthenticationBackend):
    endpoints: Endpoints

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The parent reads every endpoint from settings here, at import of any login. Ours come
        # from discovery when a login actually arrives (``authenticate``), so a provider that is
        # down never breaks password logins or the server's start.
        self.UserModel = get_user_model()

    def get_user(self, user_id: Any) -> User | None:
        # The parent returns deactivated users too; Django's check refuses them, so a person
        # deactivated in the admin is out at their next request, not when the session ends.
        return ModelBackend.get_user(self, user_id)

    # --- The flow --------------------------------------------------------------------------
    def authenticate(self, request: Any, **kwargs: Any) -> User | None:
        if request is None or not oidc_enabled():
            return None
        if not (request.GET.get("code") and request.GET.get("state")) or "nonce" not in kwargs:
            return None  # a password login, not ours
        self.endpoints = endpoints()
        self.OIDC_OP_TOKEN_ENDPOINT = self.endpoints.token
        self.OIDC_OP_USER_ENDPOINT = self.endpoints.userinfo
        self.OIDC_OP_JWKS_ENDPOINT = self.endpoints.jwks
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, **kwargs)

    def get_token(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Exchange the code for tokens, authenticating the client as configured."""
        data, auth = token_request(
            dict(payload), token_endpoint=self.OIDC_OP_TOKEN_ENDPOINT, issuer=self.endpoints.issuer
        )
        response = requests.post(
            self.OIDC_OP_TOKEN_ENDPOINT,
            data=data,
            auth=auth,
            verify=settings.OIDC_VERIFY_SSL,
            timeout=settings.OIDC_TIMEOUT,
        )
        self.raise_token_response_error(response)
        return response.json()

    def retrieve_matching_jwk(self, token: Any) -> jwt.PyJWK:
        """The provider's key that signed ``token``: the one with its ``kid``, or, for a token
        without one, the provider's only signing key. Anything ambiguous is refused."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"The ID token cannot be read: {exc}") from exc
        response = requests.get(
            self.OIDC_OP_JWKS_ENDPOINT,
            verify=settings.OIDC_VERIFY_SSL,
            timeout=settings.OIDC_TIMEOUT,
        )
        response.raise_for_status()
        keys = [
            k
            for k in response.json().get("keys", [])
            if k.get("use", "sig") == "sig" and k.get("alg", header.get("alg")) == header.get("alg")
        ]
        kid = header.get("kid")
        if kid is not None:
            keys = [k for k in keys if k.get("kid") == kid]
        if len(keys) != 1:
            raise SuspiciousOperation("No single key of the provider matches the ID token.")
        try:
            return jwt.PyJWK(keys[0])
        except jwt.PyJWKError as exc:
            raise SuspiciousOperation(f"The provider's key cannot be used: {exc}") from exc

    def get_payload_data(self, token: Any, key: Any) -> dict[str, Any]:
        """Verify the ID token: signature with the expected algorithm (never ``none``), issuer,
        audience (our client id) and expiry. The parent checks the signature only."""
        if isinstance(token, bytes):
            token = token.decode()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"The ID token cannot be read: {exc}") from exc
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(
                f"The ID token is signed with {header.get('alg')!r}, not {self.OIDC_RP_SIGN_ALGO}."
            )
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.endpoints.issuer,
                leeway=60,
                options={"require": ["iss", "aud", "sub", "exp", "iat"]},
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"The ID token was refused: {exc}") from exc

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict:
        """The ID token's claims, completed by the userinfo endpoint where there is one.

        Entra ID puts app roles in the ID token only; HelseID puts some claims in userinfo only.
        """
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            info = super().get_userinfo(access_token, id_token, payload)
            if str(info.get("sub")) != str(payload.get("sub")):
                # OpenID Connect Core 5.3.2: a userinfo answer for someone else is discarded.
                raise SuspiciousOperation("The userinfo answer is for another subject.")
            claims.update(info)
        return claims

    # --- The user --------------------------------------------------------------------------
    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        claims = self.get_userinfo(access_token, id_token, payload)
        issuer, subject = str(payload["iss"]), str(payload["sub"])
        try:
            with transaction.atomic():
                return self._login_user(claims, issuer, subject)
        except Refused as exc:
            setattr(self.request, REFUSAL_ATTRIBUTE, f"{subject}: {exc}")
            logger.warning("OpenID Connect login refused for %s: %s", subject, exc)
            return None

    def _login_user(self, claims: dict[str, Any], issuer: str, subject: str) -> User:
        user = self._find_user(claims, issuer, subject)
        if user is None:
            if not settings.OIDC_CREATE_USER:
                raise Refused("no account matches, and new accounts are not created")
            user = self._create_user(claims)
        else:
            self._update_user(user, claims)
        if not user.is_active:
            raise Refused(f"the account {user.get_username()} is deactivated")
        try:
            identity_link(user=user, issuer=issuer, subject=subject)
        except ValueError as exc:
            raise Refused(str(exc)) from exc
        if settings.OIDC_ROLES_CLAIM:
            user_set_roles(user=user, roles=roles_from_claims(claims))
        if settings.OIDC_UNITS_CLAIM:
            sync_units(
                user=user, unit_codes=unit_codes_from_claims(claims), roles=user.role_values()
            )
        return user

    def _find_user(self, claims: dict[str, Any], issuer: str, subject: str) -> User | None:
        identity = (
            ExternalIdentity.objects.select_related("user")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        if identity is not None:
            return identity.user
        match = settings.OIDC_USER_MATCH
        if match == "hpr":
            value = _text(claims, settings.OIDC_HPR_CLAIM, 9)
            candidates = list(User.objects.filter(hpr_number=value)[:2]) if value else []
        elif match == "email":
            value = _text(claims, "email", 254)
            if claims.get("email_verified") is False:
                value = ""  # an address the provider has not checked proves nothing
            candidates = list(User.objects.filter(email__iexact=value)[:2]) if value else []
        else:
            return None
        if len(candidates) > 1:
            raise Refused(f"several accounts have the {match} {value}")
        return candidates[0] if candidates else None

    def _hpr(self, claims: dict[str, Any]) -> str:
        value = _text(claims, settings.OIDC_HPR_CLAIM, 20)
        try:
            hpr_validator(value)
        except ValidationError:
            return ""
        return value

    def _new_username(self, claims: dict[str, Any]) -> str:
        digest = hashlib.sha256(f"{claims['iss']}|{claims['sub']}".encode()).hexdigest()[:16]
        for raw in (_text(claims, "preferred_username", 150), _text(claims, "email", 150)):
            candidate = _USERNAME_CHARS.sub("", raw)[:150]
            if candidate and not User.objects.filter(username__iexact=candidate).exists():
                return candidate
        return f"sso-{digest}"

    def _create_user(self, claims: dict[str, Any]) -> User:
        try:
            return user_create(
                username=self._new_username(claims),
                password=None,
                first_name=_text(claims, "given_name", 150),
                last_name=_text(claims, "family_name", 150),
                email=_text(claims, "email", 254),
                hpr_number=self._hpr(claims),
            )
        except ValidationError as exc:
            raise Refused(f"the claims do not make a valid account: {exc}") from exc

    def _update_user(self, user: User, claims: dict[str, Any]) -> None:
        """Names, e-mail and HPR number follow the provider when it sends them."""
        fields = {
            "first_name": _text(claims, "given_name", 150),
            "last_name": _text(claims, "family_name", 150),
            "email": _text(claims, "email", 254),
            "hpr_number": self._hpr(claims),
        }
        changed = [f for f, v in fields.items() if v and getattr(user, f) != v]
        for field in changed:
            setattr(user, field, fields[field])
        if changed:
            user.save(update_fields=changed)


def token_request(
    payload: dict[str, Any], *, token_endpoint: str, issuer: str
) -> tuple[dict[str, Any], HTTPBasicAuth | None]:
    """The form and HTTP authentication of a token request for the configured client
    authentication method (``OIDC_CLIENT_AUTH_METHOD``)."""
    method = settings.OIDC_CLIENT_AUTH_METHOD
    secret = payload.pop("client_secret", None) or ""
    if method == "private_key_jwt":
        payload["client_assertion_type"] = ASSERTION_TYPE
        payload["client_assertion"] = client_assertion(
            client_id=settings.OIDC_RP_CLIENT_ID,
            audience=issuer
            if settings.OIDC_CLIENT_ASSERTION_AUDIENCE == "issuer"
            else token_endpoint,
            key=signing_key(),
            algorithm=settings.OIDC_CLIENT_ASSERTION_ALG,
        )
        return payload, None
    if method == "client_secret_post":
        payload["client_secret"] = secret
        return payload, None
    # client_secret_basic. RFC 6749 2.3.1: both halves are form-encoded before Base64, which
    # matters for Entra ID secrets with characters such as "~" or "+".
    client_id = payload.pop("client_id")
    return payload, HTTPBasicAuth(quote(client_id, safe=""), quote(secret, safe=""))
