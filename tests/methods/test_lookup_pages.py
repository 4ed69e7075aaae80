"""The look-up pages: a normal form without JavaScript, the fragment as you type, for every
logged-in member of staff."""

from __future__ import annotations

import pytest
from django.urls import reverse

from legemiddel.accounts.roles import Role
from legemiddel.methods.models import DecisionStatus
from tests.methods.lookup_builders import make_method

pytestmark = pytest.mark.django_db


@pytest.fixture
def methods(db):
    return [
        make_method("ID2019_073", "Revmatoid artritt"),
        make_method("ID2020_011", "Primært Sjøgrens syndrom", substance="Ianalumab",
                    status=DecisionStatus.ASSESSMENT),
    ]  # fmt: skip


def test_anonymous_visitors_are_sent_to_log_in(client, methods):
    for url in (reverse("methods:lookup"), reverse("methods:search") + "?q=ada"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/logg-inn/")


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.PHARMACY, Role.CONTROLLER])
def test_any_logged_in_user_searches_without_javascript(client_for, methods, role):
    page = client_for(role).get(reverse("methods:lookup"), {"q": "ADALIMUMAB"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<html" in html
    assert "Revmatoid artritt" in html
    assert reverse("methods:detail", args=[methods[0].pk]) in html
    assert "Sjøgren" not in html


def test_the_page_without_a_query_invites_to_type(client_for, methods):
    html = client_for(Role.PRESCRIBER).get(reverse("methods:lookup")).content.decode()
    assert 'hx-get="/metoder/sok/"' in html
    assert "Revmatoid artritt" not in html


def test_the_fragment_is_the_result_list_only_and_updates_the_address(client_for, methods):
    client = client_for(Role.PRESCRIBER)
    response = client.get(
        reverse("methods:search"), {"q": "sjøgren"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "Sjøgrens syndrom" in html
    assert "Revmatoid" not in html
    assert response["HX-Push-Url"] == "/metoder/?q=sj%C3%B8gren"


def test_the_fragment_with_an_empty_query_lists_nothing(client_for, methods):
    response = client_for(Role.PRESCRIBER).get(
        reverse("methods:search"), {"q": ""}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Revmatoid" not in response.content.decode()
    assert response["HX-Push-Url"] == "/metoder/"


def test_the_search_shows_the_status_of_each_indication(client_for, methods):
    html = client_for(Role.PRESCRIBER).get(reverse("methods:lookup"), {"q": "ianalumab"}).content
    assert "badge-warn" in html.decode()


def test_a_search_escapes_what_was_typed(client_for, methods):
    html = (
        client_for(Role.PRESCRIBER)
        .get(reverse("methods:lookup"), {"q": "<script>alert(1)</script>"})
        .content.decode()
    )
    assert "<script>alert(1)" not in html


def test_the_method_page_answers_and_shows_the_full_decision(client_for, methods):
    method = methods[0]
    method.decision_full = "Adalimumab kan innføres.\n\nDet forutsetter at prisen er lik."
    method.save()
    make_method("ID2019_073", "Plakkpsoriasis", status=DecisionStatus.NOT_INTRODUCED)
    page = client_for(Role.PRESCRIBER).get(reverse("methods:detail", args=[method.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Innført for revmatoid artritt." in html
    assert "Det forutsetter at prisen er lik." in html
    assert "https://www.nyemetoder.no/metoder/?q=ID2019_073" in html
    assert "Plakkpsoriasis" in html  # the other indication of the same ID, with its status
    assert "badge-bad" in html


def test_the_national_page_address_is_configurable(client_for, methods, settings):
    settings.METHODS_PUBLIC_URL = "https://example.org/m/{id}/"
    html = client_for(Role.PRESCRIBER).get(reverse("methods:detail", args=[methods[0].pk]))
    assert "https://example.org/m/ID2019_073/" in html.content.decode()


def test_a_row_removed_from_the_list_still_answers_and_says_so(client_for, methods):
    methods[0].listed = False
    methods[0].save()
    html = client_for(Role.PRESCRIBER).get(reverse("methods:detail", args=[methods[0].pk]))
    assert html.status_code == 200
    assert "ikke lenger i den siste beslutningslisten" in html.content.decode()


def test_an_unknown_method_is_not_found(client_for, methods):
    assert client_for(Role.PRESCRIBER).get("/metoder/999999/").status_code == 404
