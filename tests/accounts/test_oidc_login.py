"""Logging in through the identity provider (a real OpenID Connect provider in a thread)."""

from __future__ import annotations

import logging

import pytest

from legemiddel.accounts.models import ExternalIdentity, User
from legemiddel.core.models import AuditEvent
from legemiddel.organisation.models import UnitMembership
from tests.accounts.sso import KARI, NURSE

pytestmark = pytest.mark.django_db


def _memberships(user):
    return set(UnitMembership.objects.filter(user=user).values_list("org_unit__code", "role"))


def test_a_person_logs_in_through_the_provider_and_gets_roles_and_units_from_claims(sso, org):
    response = sso.login()
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(username="kari")
    assert sso.client.session["_auth_user_id"] == str(user.pk)
    assert (user.first_name, user.last_name, user.email) == (
        "Kari",
        "Nordmann",
        "kari.nordmann@example.org",
    )
    assert not user.has_usable_password()
    assert user.role_values() == {"unit_leader", "controller"}
    assert _memberships(user) == {("MED-REV", "unit_leader"), ("MED-REV", "controller")}
    identity = ExternalIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject) == (sso.provider.issuer, NURSE)
    login = AuditEvent.objects.get(action="login")
    assert login.user == user
    assert "OpenID Connect" in login.detail
    page = sso.client.get("/")
    assert page.status_code == 200
    assert "Enhetsleder" in page.content.decode()


def test_a_second_login_with_changed_claims_updates_roles_and_units(sso, org):
    sso.login()
    user = User.objects.get(username="kari")
    sso.client.post("/logg-ut/")
    sso.provider.set_claims(NURSE, KARI | {"roles": ["auditor"], "units": ["NEVRO-MS"]})
    assert sso.login().status_code == 302
    user = User.objects.get(pk=user.pk)
    assert user.role_values() == {"auditor"}
    # The auditor role is not scoped to units, so no membership is left.
    assert _memberships(user) == set()
    assert User.objects.count() == 1
    assert ExternalIdentity.objects.count() == 1
    changes = AuditEvent.objects.filter(action="membership_changed").values_list(
        "detail", flat=True
    )
    assert "kari - MED-REV (unit_leader)" in changes
    assert AuditEvent.objects.filter(action="roles_changed", detail__contains="-> auditor").exists()
    assert sso.client.get("/revisjonslogg/").status_code == 200


def test_units_follow_the_claims_for_unit_scoped_roles(sso, org):
    sso.login()
    sso.client.post("/logg-ut/")
    sso.provider.set_claims(NURSE, KARI | {"roles": ["unit_leader"], "units": ["NEVRO-MS", "NOPE"]})
    sso.login()
    user = User.objects.get(username="kari")
    assert _memberships(user) == {("NEVRO-MS", "unit_leader")}


def test_an_unknown_role_claim_value_is_ignored_and_logged(sso, org, caplog):
    sso.provider.set_claims(NURSE, KARI | {"roles": ["auditor", "Legemiddel.Superuser"]})
    with caplog.at_level(logging.WARNING, logger="legemiddel.accounts.oidc.claims"):
        assert sso.login().status_code == 302
    assert User.objects.get(username="kari").role_values() == {"auditor"}
    assert "Legemiddel.Superuser" in caplog.text


def test_a_person_without_role_claims_logs_in_with_no_access_beyond_the_start_page(sso, org):
    sso.provider.set_claims(NURSE, {k: v for k, v in KARI.items() if k not in {"roles", "units"}})
    assert sso.login().status_code == 302
    user = User.objects.get(username="kari")
    assert user.role_values() == frozenset()
    assert not user.is_staff
    assert UnitMembership.objects.filter(user=user).count() == 0
    assert sso.client.get("/").status_code == 200
    assert sso.client.get("/revisjonslogg/").status_code == 403
    assert sso.client.get("/admin/").status_code in {302, 403}


def test_the_administrator_role_from_claims_makes_staff_and_losing_it_takes_it_away(sso, org):
    sso.provider.set_claims(NURSE, KARI | {"roles": ["administrator"]})
    sso.login()
    assert User.objects.get(username="kari").is_staff
    sso.client.post("/logg-ut/")
    sso.provider.set_claims(NURSE, KARI | {"roles": []})
    sso.login()
    user = User.objects.get(username="kari")
    assert not user.is_staff
    assert not user.is_superuser


def test_the_login_returns_to_the_page_asked_for(sso, org):
    response = sso.login(next_url="/revisjonslogg/")
    assert response["Location"] == "/revisjonslogg/"


def test_an_outside_next_address_is_not_followed(sso, org):
    response = sso.login(next_url="https://evil.example.org/")
    assert response["Location"] == "/"


def test_no_account_is_created_when_that_is_turned_off(sso, org, settings):
    settings.OIDC_CREATE_USER = False
    response = sso.login()
    assert response.status_code == 403
    assert "_auth_user_id" not in sso.client.session
    assert not User.objects.exists()
    failed = AuditEvent.objects.get(action="login_failed")
    assert "not created" in failed.detail


def test_an_existing_account_is_found_by_hpr_number_and_linked(sso, org, settings):
    settings.OIDC_USER_MATCH = "hpr"
    from legemiddel.accounts.services import user_create

    existing = user_create(username="kn", password=None, hpr_number="1234567")
    claim = settings.OIDC_HPR_CLAIM
    sso.provider.set_claims(NURSE, KARI | {claim: "1234567"})
    assert sso.login().status_code == 302
    assert sso.client.session["_auth_user_id"] == str(existing.pk)
    assert User.objects.count() == 1
    assert ExternalIdentity.objects.get().user == existing


def test_an_existing_account_is_found_by_e_mail(sso, org, settings):
    settings.OIDC_USER_MATCH = "email"
    from legemiddel.accounts.services import user_create

    existing = user_create(username="kn", password=None, email="Kari.Nordmann@example.org")
    assert sso.login().status_code == 302
    assert sso.client.session["_auth_user_id"] == str(existing.pk)


def test_two_accounts_with_the_same_e_mail_are_refused_rather_than_guessed(sso, org, settings):
    settings.OIDC_USER_MATCH = "email"
    from legemiddel.accounts.services import user_create

    user_create(username="a", password=None, email="kari.nordmann@example.org")
    user_create(username="b", password=None, email="KARI.nordmann@example.org")
    assert sso.login().status_code == 403
    assert "_auth_user_id" not in sso.client.session
    assert "several accounts" in AuditEvent.objects.get(action="login_failed").detail


def test_a_deactivated_account_is_refused(sso, org):
    sso.login()
    sso.client.post("/logg-ut/")
    User.objects.filter(username="kari").update(is_active=False)
    assert sso.login().status_code == 403
    assert "_auth_user_id" not in sso.client.session
    assert "deactivated" in AuditEvent.objects.get(action="login_failed").detail


def test_logout_is_recorded_and_ends_the_session_at_the_provider(sso, org):
    sso.login()
    response = sso.client.post("/logg-ut/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{sso.provider.issuer}/oauth2/end_session?")
    assert "id_token_hint=" in response["Location"]
    assert "_auth_user_id" not in sso.client.session
    assert AuditEvent.objects.filter(action="logout", user__username="kari").exists()


def test_refused_logins_through_the_provider_do_not_lock_out_the_next_person(sso, org, settings):
    # Five refusals (no account may be created) from one address...
    settings.OIDC_CREATE_USER = False
    for _ in range(6):
        assert sso.login().status_code == 403
    # ...do not lock the provider's login for everyone behind that address.
    settings.OIDC_CREATE_USER = True
    assert sso.login().status_code == 302
    assert "_auth_user_id" in sso.client.session


def test_a_person_deactivated_in_the_admin_is_out_at_the_next_request(sso, org):
    sso.login()
    assert sso.client.get("/").status_code == 200
    User.objects.filter(username="kari").update(is_active=False)
    response = sso.client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/logg-inn/")
