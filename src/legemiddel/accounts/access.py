"""Access rules: every view declares who may open it, and anything undeclared is denied.

Use the ``access`` decorator on function views, or set ``access_rule`` on a class-based view::

    @access(Roles(Role.CORE_GROUP, Role.CONTROLLER))
    def dashboard(request): ...

:class:`AccessRuleMiddleware` enforces the rule before the view runs. A test walks every URL
pattern and fails if one has no rule, so a new view cannot ship open by accident.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import ResolverMatch

from legemiddel.accounts.models import User
from legemiddel.accounts.roles import Role

ViewFunc = Callable[..., HttpResponse]


@dataclass(frozen=True)
class Rule:
    """Who may open a view. Subclasses override :meth:`allows`."""

    description: str
    requires_login: bool = True

    def allows(self, user: Any) -> bool:
        return bool(user.is_authenticated and user.is_active)


@dataclass(frozen=True)
class _Public(Rule):
    requires_login: bool = False

    def allows(self, user: Any) -> bool:
        return True


@dataclass(frozen=True)
class Roles(Rule):
    """Logged in and holding at least one of the roles (administrators do not pass implicitly)."""

    roles: tuple[str, ...] = ()

    def __init__(self, *roles: Role) -> None:
        object.__setattr__(self, "roles", tuple(str(r) for r in roles))
        object.__setattr__(self, "description", "roles: " + ", ".join(self.roles))
        object.__setattr__(self, "requires_login", True)

    def allows(self, user: Any) -> bool:
        return bool(super().allows(user) and user.has_role(*self.roles))


@dataclass(frozen=True)
class _Staff(Rule):
    def allows(self, user: Any) -> bool:
        return bool(super().allows(user) and user.is_staff)


PUBLIC = _Public("public: no login needed")
LOGGED_IN = Rule("any logged-in user")
STAFF = _Staff("staff users (Django admin); the admin then checks model permissions")

# Views we do not write ourselves get their rule by URL namespace. The REST API (django-ninja
# generates its views) is for logged-in staff; each endpoint narrows further where it must.
NAMESPACE_RULES: dict[str, Rule] = {"admin": STAFF, "api-v1": LOGGED_IN}
API_PREFIX = "/api/"


def access(rule: Rule) -> Callable[[ViewFunc], ViewFunc]:
    """Declare the access rule of a function view (returns a new function; the view is untouched)."""

    def decorate(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> HttpResponse:
            return view(*args, **kwargs)

        wrapper.access_rule = rule  # type: ignore[attr-defined]
        return wrapper

    return decorate


def request_user(request: HttpRequest) -> User:
    """The logged-in user of a request on a view whose rule requires login."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def rule_for(view_func: Any, match: ResolverMatch | None) -> Rule | None:
    """The rule that applies to a resolved view, or ``None`` when nothing was declared."""
    rule = getattr(view_func, "access_rule", None)
    if rule is None:
        view_class = getattr(view_func, "view_class", None)
        rule = getattr(view_class, "access_rule", None)
    if rule is None and match is not None:
        for namespace in match.namespaces:
            if namespace in NAMESPACE_RULES:
                return NAMESPACE_RULES[namespace]
    return rule if isinstance(rule, Rule) else None


def _is_static(path: str) -> bool:
    return path.startswith(settings.STATIC_URL)


class AccessRuleMiddleware:
    """Deny by default: enforce each view's declared :class:`Rule`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if _is_static(request.path):
            return None
        rule = rule_for(view_func, request.resolver_match)
        if rule is None:
            # A view without a declared rule is a programming error; never serve it.
            from legemiddel.core.audit import audit_record

            audit_record(request=request, action="access_denied", detail="no access rule declared")
            raise PermissionDenied("No access rule is declared for this page.")
        user = request.user
        # API clients get JSON; the API's documentation page is for people, who log in first.
        is_api = request.path.startswith(API_PREFIX) and not request.path.endswith("/docs")
        if rule.requires_login and not user.is_authenticated:
            if is_api:
                return JsonResponse({"detail": "Not logged in."}, status=401)
            return redirect_to_login(request.get_full_path())
        if not rule.allows(user):
            from legemiddel.core.audit import audit_record

            audit_record(request=request, action="access_denied", detail=rule.description)
            request.access_denied_rule = rule.description  # type: ignore[attr-defined]
            if is_api:
                return JsonResponse({"detail": "Access denied."}, status=403)
            raise PermissionDenied
        return None
