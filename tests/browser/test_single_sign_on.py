"""A person logs in through the hospital's identity provider in Chromium.

The provider is a real OpenID Connect server (``oidc-provider-mock``) running in a thread; the
browser goes to its login form and back, as it would to HelseID.
"""

from __future__ import annotations

import pytest

from legemiddel.accounts.oidc.config import clear_discovery_cache
from tests.oidc_provider import running_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KARI = {
    "given_name": "Kari",
    "family_name": "Nordmann",
    "email": "kari.nordmann@example.org",
    "preferred_username": "kari",
    "roles": ["unit_leader"],
    "units": ["MED-REV"],
}


@pytest.fixture
def helseid(settings, org):
    clear_discovery_cache()
    with running_provider(users={"sub-kari": dict(KARI)}) as provider:
        settings.OIDC_ISSUER = provider.issuer
        settings.OIDC_PROVIDER_NAME = "HelseID"
        settings.OIDC_RP_CLIENT_ID = "legemiddel-test"
        settings.OIDC_RP_CLIENT_SECRET = "s3cret"
        settings.OIDC_CLIENT_AUTH_METHOD = "client_secret_basic"
        settings.OIDC_ROLES_CLAIM = "roles"
        settings.OIDC_UNITS_CLAIM = "units"
        yield provider
    clear_discovery_cache()


def _login_through_provider(page, base):
    page.goto(f"{base}/")
    assert "/logg-inn/" in page.url
    page.get_by_role("link", name="Logg inn med HelseID").click()
    # The provider's own login page; the person picks who they are.
    page.get_by_role("button", name="sub-kari").click()
    page.wait_for_url(f"{base}/")


def test_a_person_logs_in_through_the_provider_with_roles_and_units_from_claims(
    live_server, page, screenshot, helseid
):
    _login_through_provider(page, live_server.url)
    assert page.get_by_role("heading", level=1).inner_text() == "Velkommen, Kari Nordmann"
    main = page.get_by_role("main")
    assert main.get_by_text("Enhetsleder", exact=True).is_visible()
    assert main.get_by_role("link", name="Revmatologisk avdeling").is_visible()
    nav = page.get_by_role("navigation", name="Hovedmeny")
    assert nav.get_by_role("link", name="Tilgangslogg").count() == 0
    screenshot("sso-enhetsleder")

    # Logging out ends the session here and sends the browser to the provider's logout.
    page.get_by_role("button", name="Logg ut").click()
    page.get_by_role("button", name="End session").click()
    page.wait_for_url("**/logg-inn/")

    # The trust moves Kari to the audit team: the next login carries the new role.
    helseid.set_claims("sub-kari", KARI | {"roles": ["auditor"], "units": []})
    _login_through_provider(page, live_server.url)
    nav = page.get_by_role("navigation", name="Hovedmeny")
    assert nav.get_by_role("link", name="Tilgangslogg").is_visible()
    main = page.get_by_role("main")
    assert main.get_by_text("Enhetsleder", exact=True).count() == 0
    page.goto(f"{live_server.url}/revisjonslogg/")
    log = page.get_by_role("main").inner_text()
    assert "Roller endret" in log
    assert "OpenID Connect (HelseID)" in log
    screenshot("sso-revisor-tilgangslogg")


def test_a_password_is_refused_when_local_accounts_are_off(
    live_server, page, screenshot, helseid, settings, users
):
    page.goto(f"{live_server.url}/logg-inn/")
    # A login form left open in a tab from before the change.
    settings.LOCAL_PASSWORD_LOGIN = False
    page.get_by_label("Brukernavn").fill("auditor")
    page.get_by_label("Passord").fill("correct-horse-battery")
    page.get_by_role("button", name="Logg inn", exact=True).click()
    alert = page.get_by_role("alert")
    assert "Innlogging med passord er slått av" in alert.inner_text()
    assert page.get_by_label("Passord").count() == 0
    assert page.get_by_role("link", name="Logg inn med HelseID").is_visible()
    screenshot("sso-passord-avvist")
    page.goto(f"{live_server.url}/revisjonslogg/")
    assert "/logg-inn/" in page.url
