"""A forged, replayed or mismatched answer from the provider never logs anyone in."""

from __future__ import annotations

import pytest
import requests

from legemiddel.accounts.models import User
from legemiddel.core.models import AuditEvent
from tests.accounts.sso import NURSE
from tests.oidc_provider import query_of

pytestmark = pytest.mark.django_db


def _refused(response, status):
    assert response.status_code == status
    assert "Innloggingen ble avvist" in response.content.decode()
    return AuditEvent.objects.filter(action="login_failed").latest("id")


def test_a_callback_with_a_state_we_never_issued_is_refused_and_recorded(sso, org):
    start = sso.start()
    callback = sso.provider.approve(start["_url"], NURSE)
    code = query_of(callback)["code"]
    response = sso.client.get("/logg-inn/sso/svar/", {"code": code, "state": "forged-state"})
    event = _refused(response, 400)
    assert "state" in event.detail
    assert "_auth_user_id" not in sso.client.session
    assert not User.objects.exists()


def test_a_callback_in_a_browser_that_never_started_a_login_is_refused(sso, org, client):
    start = sso.start()
    callback = sso.provider.approve(start["_url"], NURSE)
    # Another browser (no session) replays the answer it intercepted.
    from django.test import Client

    stranger = Client()
    response = stranger.get(callback.replace("http://testserver", ""))
    _refused(response, 403)
    assert "_auth_user_id" not in stranger.session
    assert not User.objects.exists()


def test_a_replayed_callback_is_refused(sso, org):
    start = sso.start()
    callback = sso.provider.approve(start["_url"], NURSE).replace("http://testserver", "")
    assert sso.client.get(callback).status_code == 302
    sso.client.post("/logg-ut/")
    _refused(sso.client.get(callback), 403)
    assert "_auth_user_id" not in sso.client.session
    assert AuditEvent.objects.filter(action="login").count() == 1


def test_an_id_token_with_another_nonce_is_refused(sso, org):
    start = sso.start()
    session = sso.client.session
    # The nonce we remember differs from the one the provider puts in the ID token, as when an
    # attacker injects a token obtained for another login.
    session["oidc_states"][start["state"]]["nonce"] = "not-the-nonce-we-sent"
    session.save()
    callback = sso.provider.approve(start["_url"], NURSE)
    event = _refused(sso.client.get(callback.replace("http://testserver", "")), 400)
    assert "Nonce" in event.detail
    assert "_auth_user_id" not in sso.client.session
    assert not User.objects.exists()


def test_an_id_token_issued_to_another_client_is_refused(sso, org, monkeypatch):
    from legemiddel.accounts.oidc.backend import OidcBackend

    real_get_token = OidcBackend.get_token

    def token_meant_for_someone_else(self, payload):
        tokens = real_get_token(self, payload)
        # The provider answered with a token for legemiddel-test, but we are another client
        # (as when a token issued to another application is slipped in).
        self.OIDC_RP_CLIENT_ID = "another-client"
        return tokens

    monkeypatch.setattr(OidcBackend, "get_token", token_meant_for_someone_else)
    event = _refused(sso.login(), 400)
    assert "audience" in event.detail.lower()
    assert not User.objects.exists()


def test_a_token_from_another_issuer_is_refused(sso, org, settings, monkeypatch):
    from legemiddel.accounts.oidc import config

    real = config.endpoints

    def lying_discovery():
        found = real()
        return config.Endpoints(**{**found.__dict__, "issuer": "https://helseid-sts.nhn.no"})

    monkeypatch.setattr("legemiddel.accounts.oidc.backend.endpoints", lying_discovery)
    response = sso.login()
    event = _refused(response, 400)
    assert "issuer" in event.detail.lower()


def test_the_provider_refusing_the_login_is_recorded(sso, org):
    start = sso.start()
    response = requests.post(
        start["_url"], data={"action": "deny"}, allow_redirects=False, timeout=5
    )
    callback = response.headers["Location"]
    assert query_of(callback)["error"] == "access_denied"
    event = _refused(sso.client.get(callback.replace("http://testserver", "")), 403)
    assert "access_denied" in event.detail


def test_an_unreachable_provider_gives_a_clear_page(sso, org, settings):
    from legemiddel.accounts.oidc.config import clear_discovery_cache

    clear_discovery_cache()
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens on the discard port
    response = sso.client.get("/logg-inn/sso/")
    assert response.status_code == 503
    assert "kunne ikke nås" in response.content.decode()
    assert "provider unavailable" in AuditEvent.objects.get(action="login_failed").detail


def test_the_sso_pages_do_not_exist_when_sso_is_not_set_up(client, db, settings):
    settings.OIDC_ISSUER = ""
    assert client.get("/logg-inn/sso/").status_code == 404
    assert client.get("/logg-inn/sso/svar/?code=x&state=y").status_code == 404
