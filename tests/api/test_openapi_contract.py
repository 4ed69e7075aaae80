"""The REST API keeps the promises of its OpenAPI document, whatever a client sends.

Schemathesis generates requests from each API's own document (loaded from the application,
no server) and sends them in-process through the WSGI application with a logged-in session
for each role, and without one. Every response must be a documented status code with a body
of the documented shape, and never a server error.

A new API joins with one line in ``APIS``: its name, the function that gives its OpenAPI
document, and how many requests to generate per operation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.contrib.auth import SESSION_KEY
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings

from legemiddel.accounts.models import User
from legemiddel.accounts.roles import Role
from legemiddel.accounts.services import user_create
from legemiddel.config.wsgi import application
from tests.fuzz import world

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Api:
    name: str
    document: Callable[[], dict[str, Any]]
    examples: int = 15


def _v1() -> dict[str, Any]:
    from legemiddel.api.urls import api

    return api.get_openapi_schema()


APIS = (Api("v1", _v1),)
BASE_URL = "http://testserver"

# Every role reads the API through the same rule today; one role per kind of reader keeps the
# run short (trust-wide, unit-scoped, the administrator), plus no session at all (401).
ROLES = (Role.CORE_GROUP, Role.CONTROLLER, Role.ADMINISTRATOR, None)


def _operations() -> list[tuple[Api, Any]]:
    out = []
    for api in APIS:
        schema = schemathesis.openapi.from_dict(api.document())
        for result in schema.get_all_operations():
            out.append((api, result.ok()))
    return out


OPERATIONS = _operations()


@pytest.fixture
def in_process():
    """Requests go through the WSGI application in the test's transaction: as Django's test
    client does, the database connection stays open between them."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _session_cookie(client: Any, role: Role | None) -> dict[str, str]:
    if role is None:
        return {}
    user = User.objects.filter(username=f"api-{role.value}").first() or user_create(
        username=f"api-{role.value}", password=None, roles=[role]
    )
    client.force_login(user)
    assert client.session[SESSION_KEY]
    return {"sessionid": client.cookies["sessionid"].value}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
@pytest.mark.parametrize(
    ("api", "operation"), OPERATIONS, ids=[f"{a.name} {o.label}" for a, o in OPERATIONS]
)
def test_every_response_is_documented_and_no_request_causes_a_server_error(
    api, operation, role, client, in_process
):
    world.seed()
    cookies = _session_cookie(client, role)

    @settings(
        max_examples=api.examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],  # a failure is reported as found, unshrunk
    )
    @given(case=operation.as_strategy())
    def call(case: Any) -> None:
        case.call_and_validate(base_url=BASE_URL, app=application, cookies=cookies)

    call()
