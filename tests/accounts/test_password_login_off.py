"""With local password login turned off, only the provider's login is offered, and a
password is refused everywhere, also for accounts made with ``createuser``."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from legemiddel.accounts.models import User
from legemiddel.core.models import AuditEvent
from tests.conftest import PASSWORD


@pytest.fixture
def sso_only(settings):
    settings.OIDC_ISSUER = "https://helseid-sts.nhn.no"
    settings.OIDC_PROVIDER_NAME = "HelseID"
    settings.OIDC_RP_CLIENT_ID = "legemiddel"
    settings.LOCAL_PASSWORD_LOGIN = False


def test_the_login_page_offers_only_the_provider(client, db, sso_only):
    page = client.get("/logg-inn/?next=/revisjonslogg/").content.decode()
    assert "Logg inn med HelseID" in page
    assert 'href="/logg-inn/sso/?next=/revisjonslogg/"' in page
    assert 'name="password"' not in page


def test_both_ways_are_offered_while_passwords_are_still_on(client, db, settings):
    settings.OIDC_ISSUER = "https://login.microsoftonline.com/tenant/v2.0"
    settings.OIDC_PROVIDER_NAME = "Entra ID"
    page = client.get("/logg-inn/").content.decode()
    assert "Logg inn med Entra ID" in page
    assert 'name="password"' in page


def test_without_sso_the_page_has_only_the_password_form(client, db):
    page = client.get("/logg-inn/").content.decode()
    assert "Logg inn med" not in page
    assert 'name="password"' in page


def test_a_posted_password_is_refused_and_recorded(client, users, sso_only):
    response = client.post("/logg-inn/", {"username": "auditor", "password": PASSWORD})
    assert response.status_code == 403
    assert "Innlogging med passord er slått av" in response.content.decode()
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="login_failed")
    assert event.username == "auditor"
    assert event.detail == "password login is turned off"
    assert PASSWORD not in event.detail


def test_no_other_door_accepts_a_password(users, sso_only, rf):
    # The admin, the API and anything else that calls authenticate() go through the backends.
    request = rf.post("/")
    request.user = AnonymousUser()
    assert authenticate(request, username="administrator", password=PASSWORD) is None


def test_createuser_still_works_for_the_operator_but_not_for_password_login(client, db, sso_only):
    call_command(
        "createuser",
        "drift",
        "--role",
        "administrator",
        "--email",
        "drift@example.org",
        "--no-password",
    )
    user = User.objects.get(username="drift")
    assert user.is_staff
    assert not user.has_usable_password()
    response = client.post("/logg-inn/", {"username": "drift", "password": "whatever-it-is"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_passwords_work_again_when_turned_back_on(client, users, settings):
    settings.LOCAL_PASSWORD_LOGIN = True
    response = client.post("/logg-inn/", {"username": "auditor", "password": PASSWORD})
    assert response.status_code == 302


def test_turning_passwords_off_ends_sessions_that_began_with_a_password(client, users, settings):
    client.post("/logg-inn/", {"username": "auditor", "password": PASSWORD})
    assert client.get("/revisjonslogg/").status_code == 200
    settings.OIDC_ISSUER = "https://helseid-sts.nhn.no"
    settings.LOCAL_PASSWORD_LOGIN = False
    response = client.get("/revisjonslogg/")
    assert response.status_code == 302
    assert response["Location"].startswith("/logg-inn/")
