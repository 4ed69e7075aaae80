"""Fixtures for the single sign-on tests: a running provider and settings that point at it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from legemiddel.accounts.oidc.config import clear_discovery_cache
from tests.oidc_provider import Provider, query_of, running_provider

CLIENT_ID = "legemiddel-test"
CLIENT_SECRET = "s3cret~with+odd:chars"

NURSE = "sub-kari"
KARI = {
    "given_name": "Kari",
    "family_name": "Nordmann",
    "email": "kari.nordmann@example.org",
    "preferred_username": "kari",
    "roles": ["unit_leader", "controller"],
    "units": ["MED-REV"],
}


@dataclass
class Sso:
    provider: Provider
    client: Any

    def login(self, sub: str = NURSE, *, next_url: str = "") -> Any:
        """Click "Log in with …", log in at the provider as ``sub`` and follow the provider's
        answer back to the callback. Returns the callback's response."""
        start = self.client.get("/logg-inn/sso/" + (f"?next={next_url}" if next_url else ""))
        assert start.status_code == 302, start
        callback = self.provider.approve(start["Location"], sub)
        return self.client.get(callback.replace("http://testserver", ""))

    def start(self) -> dict[str, str]:
        """Start a login and return the authorization request's parameters."""
        response = self.client.get("/logg-inn/sso/")
        return query_of(response["Location"]) | {"_url": response["Location"]}


@pytest.fixture
def provider():
    with running_provider(users={NURSE: dict(KARI)}) as running:
        yield running


@pytest.fixture
def sso(provider, settings, client, db) -> Sso:
    clear_discovery_cache()
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_PROVIDER_NAME = "HelseID"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_CLIENT_AUTH_METHOD = "client_secret_post"
    settings.OIDC_ROLES_CLAIM = "roles"
    settings.OIDC_UNITS_CLAIM = "units"
    settings.OIDC_USER_MATCH = "sub"
    settings.OIDC_CREATE_USER = True
    yield Sso(provider=provider, client=client)
    clear_discovery_cache()
