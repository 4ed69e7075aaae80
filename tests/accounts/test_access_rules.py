"""Deny by default: every URL declares an access rule, and the middleware enforces it."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path

from legemiddel.accounts.access import LOGGED_IN, PUBLIC, Roles, access, rule_for
from legemiddel.accounts.roles import Role
from legemiddel.config.urls import urlpatterns as product_urls
from legemiddel.core.models import AuditEvent


def _walk(patterns, namespaces=()):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = (*namespaces, p.namespace) if p.namespace else namespaces
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            yield p, namespaces


class _Match:
    def __init__(self, namespaces):
        self.namespaces = list(namespaces)


def test_every_url_pattern_declares_an_access_rule():
    missing = []
    count = 0
    for pattern, namespaces in _walk(get_resolver().url_patterns):
        count += 1
        if rule_for(pattern.callback, _Match(namespaces)) is None:
            missing.append(f"{'/'.join(namespaces)} {pattern.pattern} -> {pattern.callback}")
    assert count > 10
    assert missing == [], "Views without an access rule:\n" + "\n".join(missing)


def undeclared(request):
    return HttpResponse("secret")


@access(PUBLIC)
def declared_public(request):
    return HttpResponse("open")


@access(Roles(Role.AUDITOR))
def auditors_only(request):
    return HttpResponse("audit")


urlpatterns = [
    path("undeclared/", undeclared),
    path("public/", declared_public),
    path("auditors/", auditors_only),
    *product_urls,
]


@override_settings(ROOT_URLCONF=__name__)
def test_it_refuses_a_view_without_a_rule_even_for_an_administrator(client_for):
    client = client_for(Role.ADMINISTRATOR)
    response = client.get("/undeclared/")
    assert response.status_code == 403
    assert b"secret" not in response.content
    assert AuditEvent.objects.filter(action="access_denied", path="/undeclared/").exists()


@override_settings(ROOT_URLCONF=__name__)
def test_a_public_view_needs_no_login(client, db):
    assert client.get("/public/").content == b"open"


@override_settings(ROOT_URLCONF=__name__)
def test_it_denies_other_roles_and_records_the_denial(client_for, users):
    client = client_for(Role.CORE_GROUP)
    assert client.get("/auditors/").status_code == 403
    event = AuditEvent.objects.get(action="access_denied")
    assert event.user == users[Role.CORE_GROUP]
    assert event.path == "/auditors/"


@override_settings(ROOT_URLCONF=__name__)
def test_it_lets_the_role_in(client_for):
    assert client_for(Role.AUDITOR).get("/auditors/").content == b"audit"


@override_settings(ROOT_URLCONF=__name__)
def test_an_inactive_user_is_denied(client_for, users):
    client = client_for(Role.AUDITOR)
    users[Role.AUDITOR].is_active = False
    users[Role.AUDITOR].save()
    response = client.get("/auditors/")
    assert response.status_code in {302, 403}


@pytest.mark.parametrize(
    "url", ["/", "/organisasjon/", "/min-tilgang/", "/revisjonslogg/", "/jobber/", "/admin/"]
)
def test_anonymous_users_are_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/logg-inn/")


def test_logged_in_rule_lets_any_active_user_in(users):
    assert LOGGED_IN.allows(users[Role.PRESCRIBER])


def test_admin_site_needs_staff(client_for):
    assert client_for(Role.PRESCRIBER).get("/admin/").status_code == 403
    assert client_for(Role.ADMINISTRATOR).get("/admin/").status_code == 200


def test_admin_login_goes_through_our_login_page(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/logg-inn/")


@pytest.mark.parametrize("url_name", ["accounts:oidc_login", "accounts:oidc_callback"])
def test_the_single_sign_on_pages_are_public(url_name):
    from django.urls import resolve, reverse

    match = resolve(reverse(url_name))
    assert rule_for(match.func, match) is PUBLIC
