"""The private_key_jwt client assertion, checked claim by claim against the public key."""

from __future__ import annotations

import base64
import hashlib
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import RSAAlgorithm

from legemiddel.accounts.oidc.assertion import (
    ASSERTION_TYPE,
    ClientKeyError,
    client_assertion,
    load_signing_key,
)

TOKEN_ENDPOINT = "https://helseid-sts.nhn.no/connect/token"
CLIENT = "a1b2c3d4-legemiddel"


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(key, kid="key-2026-12"):
    jwk = json.loads(RSAAlgorithm.to_jwk(key))
    jwk["kid"] = kid
    return json.dumps(jwk)


def _pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.mark.parametrize("algorithm", ["RS256", "PS256"])
def test_the_assertion_carries_every_claim_and_verifies_with_the_public_key(rsa_key, algorithm):
    before = int(time.time())
    token = client_assertion(
        client_id=CLIENT,
        audience=TOKEN_ENDPOINT,
        key=load_signing_key(_jwk(rsa_key)),
        algorithm=algorithm,
    )
    header = jwt.get_unverified_header(token)
    assert header == {"alg": algorithm, "kid": "key-2026-12", "typ": "JWT"}
    claims = jwt.decode(
        token,
        rsa_key.public_key(),
        algorithms=[algorithm],
        audience=TOKEN_ENDPOINT,
        issuer=CLIENT,
    )
    assert claims["iss"] == claims["sub"] == CLIENT
    assert claims["aud"] == TOKEN_ENDPOINT
    assert before <= claims["iat"] <= int(time.time())
    assert 0 < claims["exp"] - claims["iat"] <= 120
    assert len(claims["jti"]) >= 32
    assert ASSERTION_TYPE == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def test_every_assertion_has_its_own_jti(rsa_key):
    key = load_signing_key(_jwk(rsa_key))
    jtis = {
        jwt.decode(
            client_assertion(client_id=CLIENT, audience=TOKEN_ENDPOINT, key=key),
            options={"verify_signature": False},
        )["jti"]
        for _ in range(20)
    }
    assert len(jtis) == 20


def test_the_signature_does_not_verify_with_another_key(rsa_key):
    token = client_assertion(
        client_id=CLIENT, audience=TOKEN_ENDPOINT, key=load_signing_key(_jwk(rsa_key))
    )
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, other.public_key(), algorithms=["RS256"], audience=TOKEN_ENDPOINT)


def test_a_pem_key_gets_the_configured_kid_or_its_thumbprint(rsa_key):
    assert load_signing_key(_pem(rsa_key), "my-kid").kid == "my-kid"
    thumbprint = load_signing_key(_pem(rsa_key)).kid
    # RFC 7638: the thumbprint of the public key, the same whichever way the key is given.
    public = json.loads(RSAAlgorithm.to_jwk(rsa_key.public_key()))
    canonical = json.dumps(
        {"e": public["e"], "kty": "RSA", "n": public["n"]}, separators=(",", ":")
    )
    expected = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest())
    assert thumbprint == expected.rstrip(b"=").decode()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not a key",
        '{"kty": "RSA", "n": "abc", "e": "AQAB"}',  # a public key: nothing to sign with
        "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n",
    ],
)
def test_an_unusable_key_is_refused_with_a_message(text):
    with pytest.raises(ClientKeyError):
        load_signing_key(text)


def test_a_non_rsa_key_is_refused():
    key = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(ClientKeyError, match="RSA"):
        load_signing_key(_pem(key))


def test_an_unsupported_algorithm_is_refused(rsa_key):
    with pytest.raises(ClientKeyError):
        client_assertion(
            client_id=CLIENT,
            audience=TOKEN_ENDPOINT,
            key=load_signing_key(_jwk(rsa_key)),
            algorithm="HS256",
        )
