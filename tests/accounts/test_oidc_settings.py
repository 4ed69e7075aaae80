"""Single sign-on settings as an operator meets them: a mistake stops the start with a message."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.config.test_cli_and_settings import _env, _run

# A start with its own settings and its own database: one pass of the suite is enough.
pytestmark = pytest.mark.own_database

HELSEID = {
    "OIDC_ISSUER": "https://helseid-sts.nhn.no",
    "OIDC_CLIENT_ID": "legemiddel",
    "OIDC_CLIENT_AUTH_METHOD": "private_key_jwt",
}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LOCAL_PASSWORD_LOGIN": "false"}, "LOCAL_PASSWORD_LOGIN=false needs OIDC_ISSUER"),
        ({"OIDC_ISSUER": "https://idp.example.org"}, "OIDC_CLIENT_ID"),
        (HELSEID, "OIDC_PRIVATE_KEY_FILE"),
        (
            {"OIDC_ISSUER": "https://idp.example.org", "OIDC_CLIENT_ID": "x"},
            "needs OIDC_CLIENT_SECRET_FILE",
        ),
        ({"OIDC_CLIENT_AUTH_METHOD": "client_secret_jwt"}, "OIDC_CLIENT_AUTH_METHOD"),
        ({"OIDC_USER_MATCH": "name"}, "OIDC_USER_MATCH"),
        ({"OIDC_CLIENT_ASSERTION_ALG": "HS256"}, "OIDC_CLIENT_ASSERTION_ALG"),
    ],
)
def test_a_wrong_sso_setting_stops_the_start_with_a_message(tmp_path, env, message):
    result = _run(["check"], _env(tmp_path, SECRET_KEY="k" * 50, PSEUDONYM_KEY="p" * 50, **env))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_helseid_with_a_key_file_and_passwords_off_starts(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key)) | {"kid": "k1"}
    key_file = tmp_path / "helseid.jwk"
    key_file.write_text(json.dumps(jwk))
    env = _env(
        tmp_path,
        SECRET_KEY="k" * 50,
        PSEUDONYM_KEY="p" * 50,
        OIDC_PRIVATE_KEY_FILE=str(key_file),
        LOCAL_PASSWORD_LOGIN="false",
        **HELSEID,
    )
    result = _run(["check"], env)
    assert result.returncode == 0, result.stderr
