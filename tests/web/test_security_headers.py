"""Every answer carries the security headers ``check --deploy`` does not look for.

Walking every URL of the product (with the demo's data, as the price-leak test does) as
logged-in users of several roles: each HTML page has the strict Content-Security-Policy,
Permissions-Policy, X-Content-Type-Options and Referrer-Policy, and every answer to a
logged-in user (pages, downloads, errors) says ``no-store``. Static files stay cacheable.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.agreements.test_price_leak import _admin_urls, _urls, demo  # noqa: F401

pytestmark = pytest.mark.django_db

ROLES = ("admin", "kjernegruppe", "innkjop", "enhetsleder")
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
OFF = ("camera", "microphone", "geolocation", "payment", "usb")


def policy(header: str) -> dict[str, str]:
    directives = [part.strip().split(None, 1) for part in header.split(";") if part.strip()]
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


def html_problems(url: str, response) -> list[str]:
    problems = []
    found = policy(response.get("Content-Security-Policy", ""))
    if found != POLICY:
        problems.append(f"CSP {found}")
    permissions = response.get("Permissions-Policy", "")
    problems += [f"Permissions-Policy lacks {f}=()" for f in OFF if f"{f}=()" not in permissions]
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("X-Content-Type-Options")
    if response.get("Referrer-Policy") != "same-origin":
        problems.append("Referrer-Policy")
    return [f"{url}: {p}" for p in problems]


def no_store_problems(url: str, response) -> list[str]:
    cache = response.get("Cache-Control", "")
    return [] if "no-store" in cache else [f"{url}: Cache-Control {cache!r}"]


def test_every_page_and_download_for_a_logged_in_user_has_the_headers(demo):  # noqa: F811
    urls = [*_urls(), "/finnes-ikke/", "/avtaler/register/999999/priser/"]
    pages = downloads = 0
    problems: list[str] = []
    for username in ROLES:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        for url in urls + (_admin_urls() if username == "admin" else []):
            response = client.get(url)
            problems += no_store_problems(url, response)
            if response.get("Content-Type", "").startswith("text/html"):
                problems += html_problems(url, response)
                pages += response.status_code == 200
            else:
                downloads += response.status_code == 200
    assert pages > 150
    assert downloads > 10
    assert problems == [], "\n".join(problems)


def test_an_htmx_fragment_has_the_headers_too(demo, client):  # noqa: F811
    client.force_login(get_user_model().objects.get(username="kjernegruppe"))

    response = client.get("/katalog/", {"q": "a"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert html_problems("/katalog/", response) == []
    assert no_store_problems("/katalog/", response) == []


def test_the_login_page_has_the_headers_before_anyone_logs_in(client, db):
    response = client.get("/logg-inn/")

    assert response.status_code == 200
    assert html_problems("/logg-inn/", response) == []


def test_static_files_stay_cacheable_for_a_logged_in_user(client, users):
    client.force_login(next(iter(users.values())))

    response = client.get("/static/legemiddel/css/app.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    response.close()


def test_logging_in_answers_with_no_store(client, users):
    from tests.conftest import PASSWORD

    response = client.post(
        "/logg-inn/", {"username": next(iter(users.values())).username, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
