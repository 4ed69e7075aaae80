"""Defects the contract tests found in the REST API, each pinned by one request."""

from __future__ import annotations

import pytest

from legemiddel.accounts.roles import Role
from tests.fuzz import world

pytestmark = pytest.mark.django_db
API = "/api/v1"


def test_a_huge_offset_is_refused_as_a_bad_parameter_not_a_server_error(client_for):
    # SQLite cannot take an offset over 2**63: the search failed with "datatype mismatch".
    client = client_for(Role.CORE_GROUP)

    response = client.get(f"{API}/catalogue/packages", {"offset": str(2**64)})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "offset"]


def test_a_search_with_a_nul_character_finds_what_the_rest_of_the_words_find(client_for):
    # PostgreSQL refuses NUL in a query: the search was a server error there.
    world.seed()
    client = client_for(Role.CORE_GROUP)

    with_nul = client.get(f"{API}/catalogue/packages", {"q": "Hum\x00ira"})
    without = client.get(f"{API}/catalogue/packages", {"q": "Humira"})
    substances = client.get(f"{API}/catalogue/substances", {"q": "\x00"})
    package = client.get(f"{API}/catalogue/packages/01\x002345")

    assert with_nul.status_code == 200
    assert with_nul.json()["count"] == without.json()["count"] == 1
    assert substances.status_code == 200
    assert package.status_code == 200
    assert package.json()["varenr"] == "012345"


def test_the_openapi_document_names_every_status_code_an_endpoint_answers(client_for):
    document = client_for(Role.CORE_GROUP).get(f"{API}/openapi.json").json()

    answers = {
        path.removeprefix(API): set(operation["get"]["responses"])
        for path, operation in document["paths"].items()
    }

    assert answers == {
        "/catalogue/packages": {"200", "401", "403", "422"},
        "/catalogue/packages/{varenr}": {"200", "401", "403", "404"},
        "/catalogue/atc": {"200", "401", "403"},
        "/catalogue/atc/{code}": {"200", "401", "403", "404"},
        "/catalogue/substances": {"200", "401", "403", "422"},
        "/agreements/recommendations": {"200", "401", "403"},
    }
