"""Let the browser follow our forms to the identity provider.

The policy allows forms to send the browser only to this site (``form-action 'self'``), and
browsers apply that to where a form's answer redirects too. Logging out posts a form whose
answer sends the browser on to the provider's end-session page, so when single sign-on is
configured the provider's origin joins ``form-action`` (and nothing else does).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def provider_origin() -> str:
    """The scheme, host and port of the configured issuer ('' without single sign-on)."""
    parts = urlsplit(getattr(settings, "OIDC_ISSUER", "") or "")
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


class ProviderFormActionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        origin = provider_origin()
        if origin:
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = [*update.get("form-action", []), origin]
            response._csp_update = update  # type: ignore[attr-defined]
        return response
