"""A real OpenID Connect provider for the single sign-on tests.

``oidc-provider-mock`` runs an authorization server (Authlib) in a thread. We wrap it in a small
WSGI layer that records every token request, and that checks a ``private_key_jwt`` client
assertion against the public key the test registered, the way HelseID does, because the mock
itself only knows client secrets. An assertion that fails the check gets ``invalid_client``.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlparse

import jwt
import oidc_provider_mock
import requests
import werkzeug.serving

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass
class Provider:
    issuer: str = ""
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    assertions: list[dict[str, Any]] = field(default_factory=list)
    client_public_key: Any = None
    # What the provider expects as the assertion's audience (default: its token endpoint).
    assertion_audience: str = ""

    @property
    def token_endpoint(self) -> str:
        return f"{self.issuer}/oauth2/token"

    def set_claims(self, sub: str, claims: dict[str, Any]) -> None:
        """What the provider says about ``sub`` from the next login on."""
        response = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=5)
        assert response.status_code == 204, response.text

    def approve(self, authorize_url: str, sub: str) -> str:
        """Log ``sub`` in at the provider's form; returns where the provider sends the browser."""
        response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text
        return str(response.headers["Location"])

    # --- The recording layer ---------------------------------------------------------------
    def wrap(self, app: Any) -> Any:
        def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
            if environ["PATH_INFO"] == "/oauth2/token" and environ["REQUEST_METHOD"] == "POST":
                length = int(environ.get("CONTENT_LENGTH") or 0)
                form = dict(parse_qsl(environ["wsgi.input"].read(length).decode()))
                self.token_requests.append(
                    {"form": dict(form), "authorization": environ.get("HTTP_AUTHORIZATION", "")}
                )
                if "client_assertion" in form:
                    try:
                        form = self._check_assertion(form)
                    except (jwt.InvalidTokenError, ValueError) as exc:
                        body = json.dumps(
                            {"error": "invalid_client", "error_description": str(exc)}
                        )
                        start_response("401 Unauthorized", [("Content-Type", "application/json")])
                        return [body.encode()]
                data = urlencode(form).encode()
                environ["wsgi.input"] = io.BytesIO(data)
                environ["CONTENT_LENGTH"] = str(len(data))
            return app(environ, start_response)

        return wrapped

    def _check_assertion(self, form: dict[str, str]) -> dict[str, str]:
        if form.pop("client_assertion_type", "") != ASSERTION_TYPE:
            raise ValueError("wrong client_assertion_type")
        assertion = form.pop("client_assertion")
        header = jwt.get_unverified_header(assertion)
        claims = jwt.decode(
            assertion,
            self.client_public_key,
            algorithms=["RS256", "PS256"],
            audience=self.assertion_audience or self.token_endpoint,
            issuer=form["client_id"],
            options={"require": ["iss", "sub", "aud", "jti", "iat", "exp"]},
        )
        if claims["sub"] != form["client_id"]:
            raise ValueError("sub is not the client")
        if any(seen["jti"] == claims["jti"] for seen in self.assertions):
            raise ValueError("jti used before")
        self.assertions.append({**claims, "_header": header})
        # Checked: hand the request on as the client secret method the mock understands.
        form["client_secret"] = "assertion-checked"
        return form


@contextmanager
def running_provider(*, users: dict[str, dict[str, Any]] | None = None) -> Iterator[Provider]:
    provider = Provider()
    app = oidc_provider_mock.app(
        require_nonce=True,
        user_claims=[
            oidc_provider_mock.User(sub=sub, claims=claims) for sub, claims in (users or {}).items()
        ],
    )
    server = werkzeug.serving.make_server("localhost", 0, provider.wrap(app), threaded=True)
    provider.issuer = f"http://localhost:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
