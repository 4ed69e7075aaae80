"""The signed client assertion of ``private_key_jwt`` (RFC 7523, OpenID Connect Core 9).

HelseID does not accept client secrets: the client proves who it is with a short-lived JWT
signed by its private key, whose public half was registered with the provider.
mozilla-django-oidc only knows client secrets, so the backend adds these parameters itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ("RS256", "PS256")
LIFETIME_SECONDS = 60


class ClientKeyError(ValueError):
    """The configured private key cannot be used."""


@dataclass(frozen=True)
class SigningKey:
    key: Any
    kid: str


def load_signing_key(text: str, kid: str = "") -> SigningKey:
    """Read an RSA private key given as a JWK (JSON, as HelseID's self-service hands it out) or
    as PEM. The key id comes from the JWK's ``kid``, else from ``kid``, else it is the key's
    RFC 7638 thumbprint."""
    text = text.strip()
    if not text:
        raise ClientKeyError("No private key is configured (OIDC_PRIVATE_KEY_FILE).")
    key: Any
    try:
        if text.startswith("{"):
            jwk = json.loads(text)
            if jwk.get("kty") != "RSA" or "d" not in jwk:
                raise ClientKeyError("The JWK is not an RSA private key.")
            key = RSAAlgorithm.from_jwk(jwk)
            kid = str(jwk.get("kid") or kid)
        else:
            key = serialization.load_pem_private_key(text.encode(), password=None)
    except ClientKeyError:
        raise
    except (ValueError, TypeError, jwt.InvalidKeyError) as exc:
        raise ClientKeyError(f"The private key cannot be read: {exc}") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ClientKeyError("The private key is not an RSA private key.")
    if not kid:
        public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        kid = _thumbprint(public)
    return SigningKey(key=key, kid=kid)


def _thumbprint(public_jwk: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"e": public_jwk["e"], "kty": "RSA", "n": public_jwk["n"]},
        separators=(",", ":"),
        sort_keys=True,
    )
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def client_assertion(
    *, client_id: str, audience: str, key: SigningKey, algorithm: str = "RS256"
) -> str:
    """A signed JWT that authenticates ``client_id`` once: iss = sub = the client, aud = the
    token endpoint (OpenID Connect Core 9) or, where the provider asks for it, its issuer,
    a unique jti and a lifetime of a minute."""
    if algorithm not in ALGORITHMS:
        raise ClientKeyError(f"{algorithm} is not supported; use one of {', '.join(ALGORITHMS)}.")
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": str(uuid.uuid4()),
        "iat": now,
        "nbf": now,
        "exp": now + LIFETIME_SECONDS,
    }
    return jwt.encode(claims, key.key, algorithm=algorithm, headers={"kid": key.kid, "typ": "JWT"})
