"""Each role's start page offers only what works for that role, and every offer opens."""

from __future__ import annotations

import pytest

from legemiddel.accounts.roles import Role
from legemiddel.core.navigation import menu_items
from legemiddel.web.navigation import menu_for


@pytest.mark.parametrize("role", list(Role))
def test_every_menu_item_shown_to_a_role_opens_for_that_role(client_for, users, role):
    client = client_for(role)
    items = menu_for(users[role])
    assert items, "every role gets at least the start page"
    for item in items:
        response = client.get(item.url)
        assert response.status_code == 200, f"{role}: {item.url} gave {response.status_code}"


@pytest.mark.parametrize("role", list(Role))
def test_menu_items_hidden_from_a_role_are_really_closed_to_it(client_for, users, role):
    client = client_for(role)
    shown = {i.url_name for i in menu_for(users[role])}
    for item in menu_items():
        if item.url_name not in shown:
            assert client.get(item.url).status_code == 403, f"{role}: {item.url} is open but hidden"


def test_the_prescriber_sees_no_administration(client_for):
    page = client_for(Role.PRESCRIBER).get("/").content.decode()
    assert "/admin/" not in page
    assert "/jobber/" not in page
    assert "/revisjonslogg/" not in page


def test_the_unit_leader_sees_their_units(client_for):
    page = client_for(Role.UNIT_LEADER).get("/").content.decode()
    assert "Revmatologisk avdeling" in page
    assert "Nevroklinikken" not in page.split("<main")[1].split("What you can do")[0]


def test_the_core_group_works_trust_wide(client_for):
    page = client_for(Role.CORE_GROUP).get("/")
    assert page.context["whole_trust"] is True


def test_a_user_without_a_role_is_told_what_to_do(client, db):
    from legemiddel.accounts.services import user_create

    client.force_login(user_create(username="nobody", password="x" * 12))
    page = client.get("/").content.decode()
    assert "administrator" in page.lower()


def test_the_start_page_has_landmarks_and_a_skip_link(client_for):
    page = client_for(Role.CORE_GROUP).get("/").content.decode()
    assert '<main id="main"' in page
    assert 'href="#main"' in page
    assert "<nav" in page
    assert '<html lang="nb">' in page


def test_the_health_check_answers_without_login(client, db):
    response = client.get("/helse/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_bokmal_is_the_default_even_when_the_browser_asks_for_english(client, db):
    page = client.get("/logg-inn/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="nb">' in page.content.decode()
    assert "Logg inn" in page.content.decode()
