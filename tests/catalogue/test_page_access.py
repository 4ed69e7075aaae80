"""Who may open the catalogue pages, and their Norwegian addresses."""

from __future__ import annotations

import pytest
from django.urls import reverse

from legemiddel.accounts.roles import Role
from tests.catalogue.demodata import (
    HUMIRA_40,
)
from tests.catalogue.pages import (
    ATC_ROOT,
    LOADS,
    SEARCH,
    atc_url,
    package_url,
)


@pytest.mark.parametrize("role", list(Role))
def test_the_search_page_opens_for_every_logged_in_role(client_for, role):
    response = client_for(role).get(SEARCH)

    assert response.status_code == 200
    assert b"<html" in response.content
    assert b'role="search"' in response.content


@pytest.mark.parametrize(
    "url",
    [
        SEARCH,
        package_url(HUMIRA_40),
        reverse("catalogue:substance", args=["ID_ANY"]),
        ATC_ROOT,
        atc_url("L04AB04"),
        LOADS,
    ],
)
def test_the_catalogue_pages_send_an_anonymous_visitor_to_the_login_page(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]


def test_the_catalogue_urls_are_norwegian():
    assert SEARCH == "/katalog/"
    assert package_url("012345") == "/katalog/pakning/012345/"
    assert reverse("catalogue:substance", args=["ID_X"]) == "/katalog/virkestoff/ID_X/"
    assert ATC_ROOT == "/katalog/atc/"
    assert atc_url("L04AB") == "/katalog/atc/L04AB/"
    assert LOADS == "/katalog/lastinger/"
