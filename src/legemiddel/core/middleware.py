"""Language selection (Norwegian bokmål first) and the security headers Django does not set.

Language: Django's LocaleMiddleware follows the browser's Accept-Language, which on many hospital PCs is
English. Our users expect bokmål unless they chose otherwise, so only the language cookie
(set by the language switch) overrides the default.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class SecurityHeadersMiddleware:
    """Headers Django does not set itself.

    ``Permissions-Policy`` switches off the browser features in ``PERMISSIONS_POLICY_FEATURES``
    on every page. ``Cache-Control: no-store`` goes on every answer to a logged-in user, so
    that pages and downloads with patients' figures or confidential prices are not kept by the
    browser or a proxy after the person logs out. Static files never reach this middleware
    (whitenoise answers them first), so they stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_FEATURES
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
