"""The token request authenticates the client the way the provider requires: a client secret
(Entra ID) or a signed client assertion (HelseID), seen on the wire by the provider."""

from __future__ import annotations

import base64
import json
from urllib.parse import unquote

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from legemiddel.accounts.models import User
from legemiddel.accounts.oidc.backend import _signing_key
from tests.accounts.sso import CLIENT_ID, CLIENT_SECRET

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_key(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key))
    jwk["kid"] = "legemiddel-2026"
    _signing_key.cache_clear()
    yield key, json.dumps(jwk)
    _signing_key.cache_clear()


def test_client_secret_post_sends_the_secret_in_the_form(sso, org):
    assert sso.login().status_code == 302
    (request,) = sso.provider.token_requests
    assert request["form"]["client_id"] == CLIENT_ID
    assert request["form"]["client_secret"] == CLIENT_SECRET
    assert request["form"]["grant_type"] == "authorization_code"
    assert request["form"]["redirect_uri"] == "http://testserver/logg-inn/sso/svar/"
    assert len(request["form"]["code_verifier"]) >= 43  # PKCE, which HelseID requires
    assert request["authorization"] == ""


def test_client_secret_basic_sends_the_form_encoded_secret_in_the_header(sso, org, settings):
    settings.OIDC_CLIENT_AUTH_METHOD = "client_secret_basic"
    assert sso.login().status_code == 302
    (request,) = sso.provider.token_requests
    assert "client_secret" not in request["form"]
    scheme, value = request["authorization"].split(" ")
    assert scheme == "Basic"
    user, secret = base64.b64decode(value).decode().split(":")
    assert unquote(user) == CLIENT_ID
    assert secret != CLIENT_SECRET  # ":" and "+" are encoded (RFC 6749 2.3.1)
    assert unquote(secret) == CLIENT_SECRET


def test_private_key_jwt_sends_a_signed_assertion_the_provider_accepts(
    sso, org, settings, client_key
):
    key, jwk = client_key
    settings.OIDC_CLIENT_AUTH_METHOD = "private_key_jwt"
    settings.OIDC_PRIVATE_KEY = jwk
    settings.OIDC_RP_CLIENT_SECRET = ""
    sso.provider.client_public_key = key.public_key()
    assert sso.login().status_code == 302
    assert User.objects.filter(username="kari").exists()
    (request,) = sso.provider.token_requests
    form = request["form"]
    assert "client_secret" not in form
    assert request["authorization"] == ""
    assert form["client_assertion_type"] == (
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    )
    (checked,) = sso.provider.assertions
    assert checked["_header"]["kid"] == "legemiddel-2026"
    assert checked["aud"] == sso.provider.token_endpoint


def test_a_second_login_signs_a_new_assertion(sso, org, settings, client_key):
    key, jwk = client_key
    settings.OIDC_CLIENT_AUTH_METHOD = "private_key_jwt"
    settings.OIDC_PRIVATE_KEY = jwk
    sso.provider.client_public_key = key.public_key()
    sso.login()
    sso.client.post("/logg-ut/")
    assert sso.login().status_code == 302
    first, second = sso.provider.assertions
    assert first["jti"] != second["jti"]


def test_an_assertion_signed_with_an_unregistered_key_is_refused_by_the_provider(
    sso, org, settings, client_key
):
    _key, jwk = client_key
    settings.OIDC_CLIENT_AUTH_METHOD = "private_key_jwt"
    settings.OIDC_PRIVATE_KEY = jwk
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sso.provider.client_public_key = other.public_key()
    response = sso.login()
    assert response.status_code == 502
    assert "_auth_user_id" not in sso.client.session
    assert not User.objects.exists()


def test_the_assertion_can_name_the_issuer_as_its_audience(sso, org, settings, client_key):
    key, jwk = client_key
    settings.OIDC_CLIENT_AUTH_METHOD = "private_key_jwt"
    settings.OIDC_CLIENT_ASSERTION_AUDIENCE = "issuer"
    settings.OIDC_PRIVATE_KEY = jwk
    sso.provider.client_public_key = key.public_key()
    sso.provider.assertion_audience = sso.provider.issuer
    assert sso.login().status_code == 302
    (checked,) = sso.provider.assertions
    assert checked["aud"] == sso.provider.issuer
