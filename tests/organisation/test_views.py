"""The organisation pages: tree, unit, health personnel (with htmx search) and sites."""

from __future__ import annotations

import unicodedata

import pytest
from django.urls import reverse

from legemiddel.accounts.roles import Role
from legemiddel.organisation.models import (
    Affiliation,
    CostCentre,
    ExternalSite,
    HealthPersonnel,
    OrgUnit,
)
from legemiddel.organisation.services import org_unit_save, personnel_save

TREE = reverse("organisation:tree")
PERSONNEL = reverse("organisation:personnel")
SITES = reverse("organisation:sites")

# Query budgets that must not grow with the number of rows (no N+1).
# Tree: session, user, user's roles (menu), units, membership paths, units in scope.
TREE_QUERIES = 6
# Personnel: session, user, user's roles (menu), people, their affiliations with places.
PERSONNEL_QUERIES = 5


def unit_url(unit: OrgUnit) -> str:
    return reverse("organisation:unit", args=[unit.pk])


def add_person(hpr: str, name: str, category: str, places=()) -> HealthPersonnel:
    person = personnel_save(person=HealthPersonnel(hpr_number=hpr, name=name, category=category))
    for place in places:
        if isinstance(place, OrgUnit):
            Affiliation.objects.create(person=person, org_unit=place)
        else:
            Affiliation.objects.create(person=person, site=place)
    return person


@pytest.fixture
def sites(org):
    trust = org["MED"].trust
    bergen = ExternalSite.objects.create(
        trust=trust,
        kind=ExternalSite.Kind.MUNICIPALITY,
        code="K4601",
        name="Bergen kommune",
        municipality_number="4601",
    )
    office = ExternalSite.objects.create(
        trust=trust,
        kind=ExternalSite.Kind.GP_OFFICE,
        code="LK001",
        name="Sentrum legesenter",
        municipality=bergen,
    )
    home = ExternalSite.objects.create(
        trust=trust,
        kind=ExternalSite.Kind.NURSING_HOME,
        code="SH001",
        name="Fyllingsdalen sykehjem",
        municipality=bergen,
    )
    return {"K4601": bergen, "LK001": office, "SH001": home}


@pytest.fixture
def people(org, sites):
    return {
        "oyvind": add_person(
            "12345678",
            "Øyvind Rønning",
            "hospital_doctor",
            [org["MED-REV-POL"], org["MED-REV-DAG"]],
        ),
        "kari": add_person("7654321", "Kari Hole", "gp", [sites["LK001"]]),
        "ase": add_person("9990001", "Åse Sæbø", "nurse"),
    }


def names(response) -> list[str]:
    return [p.name for p in response.context["people"]]


# --- every page opens -----------------------------------------------------------------------


@pytest.mark.parametrize("page", ["tree", "unit", "personnel", "sites"])
def test_every_organisation_page_opens_for_a_logged_in_prescriber(client_for, org, people, page):
    url = {"tree": TREE, "unit": unit_url(org["MED-REV"]), "personnel": PERSONNEL, "sites": SITES}[
        page
    ]

    response = client_for(Role.PRESCRIBER).get(url)

    assert response.status_code == 200
    assert b"<html" in response.content


@pytest.mark.parametrize("url_name", ["tree", "personnel", "sites"])
def test_the_pages_send_an_anonymous_visitor_to_the_login_page(client, db, url_name):
    response = client.get(reverse(f"organisation:{url_name}"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_unknown_unit_is_not_found(client_for):
    assert client_for(Role.PRESCRIBER).get("/organisasjon/enhet/999999/").status_code == 404


def test_the_urls_are_norwegian():
    assert TREE == "/organisasjon/"
    assert PERSONNEL == "/organisasjon/helsepersonell/"
    assert SITES == "/organisasjon/helsefellesskap/"
    assert reverse("organisation:unit", args=[7]) == "/organisasjon/enhet/7/"


# --- tree -----------------------------------------------------------------------------------


def test_the_tree_links_every_active_unit(client_for, org):
    html = client_for(Role.PRESCRIBER).get(TREE).content.decode()

    for unit in org.values():
        assert f'href="{unit_url(unit)}"' in html
        assert unit.name in html


def test_the_tree_marks_the_unit_leaders_own_units(client_for, org):
    response = client_for(Role.UNIT_LEADER).get(TREE)

    marked = set()
    stack = list(response.context["roots"])
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.in_scope:
            marked.add(node.unit.code)
    assert marked == {"MED-REV", "MED-REV-POL", "MED-REV-DAG"}


def test_the_tree_page_says_so_when_the_organisation_is_empty(client_for, org):
    OrgUnit.objects.update(active=False)

    response = client_for(Role.PRESCRIBER).get(TREE)

    assert response.status_code == 200
    assert response.context["roots"] == []


def test_the_tree_page_takes_a_constant_number_of_queries(
    client_for, org, django_assert_max_num_queries
):
    client = client_for(Role.UNIT_LEADER)
    client.get(TREE)  # warm up the session
    with django_assert_max_num_queries(TREE_QUERIES):
        small = client.get(TREE)
    for i in range(10):
        department = org_unit_save(
            unit=OrgUnit(
                trust=org["MED"].trust,
                code=f"MED-D{i}",
                name=f"Avdeling {i}",
                level=2,
                parent=org["MED"],
            )
        )
        for j in range(2):
            org_unit_save(
                unit=OrgUnit(
                    trust=org["MED"].trust,
                    code=f"MED-D{i}-U{j}",
                    name=f"Enhet {i}.{j}",
                    level=3,
                    parent=department,
                )
            )

    with django_assert_max_num_queries(TREE_QUERIES):
        large = client.get(TREE)

    assert large.content.count(b'href="/organisasjon/enhet/') == (
        small.content.count(b'href="/organisasjon/enhet/') + 30
    )


# --- unit page ------------------------------------------------------------------------------


def test_the_unit_page_shows_breadcrumb_sub_units_cost_centres_leaders_and_personnel(
    client_for, org, users, people
):
    CostCentre.objects.create(trust=org["MED"].trust, code="30140", org_unit=org["MED-REV"])

    response = client_for(Role.PRESCRIBER).get(unit_url(org["MED-REV"]))

    html = response.content.decode()
    assert [a.code for a in response.context["ancestors"]] == ["MED"]
    assert f'href="{unit_url(org["MED"])}"' in html
    assert [c.code for c in response.context["children"]] == ["MED-REV-DAG", "MED-REV-POL"]
    assert "30140" in html
    assert users[Role.UNIT_LEADER].display_name in html
    assert list(response.context["personnel"]) == []


def test_the_unit_page_lists_the_personnel_working_there_once_each(client_for, org, people):
    response = client_for(Role.PRESCRIBER).get(unit_url(org["MED-REV-POL"]))

    assert list(response.context["personnel"]) == [people["oyvind"]]
    assert "Øyvind Rønning" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "code", "in_scope"),
    [
        (Role.UNIT_LEADER, "MED-REV-POL", True),
        (Role.UNIT_LEADER, "MED", False),
        (Role.UNIT_LEADER, "NEVRO-MS", False),
        (Role.PRESCRIBER, "MED-REV-POL", False),
        (Role.CORE_GROUP, "NEVRO-MS", True),
    ],
)
def test_the_unit_page_says_whether_the_unit_is_in_the_users_scope(
    client_for, org, role, code, in_scope
):
    response = client_for(role).get(unit_url(org[code]))

    assert response.context["in_scope"] is in_scope


# --- personnel search -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "øyvind",
        "ØYVIND",
        "Øyvind",
        "RØNNING",
        "rønning",
        "øyvind rønning",
        "RØNNING øyvind",
        "  Øyvind   ",
        "rønning 1234",
    ],
)
def test_the_personnel_search_finds_a_name_whatever_the_case_of_the_norwegian_letters(
    client_for, people, query
):
    response = client_for(Role.PRESCRIBER).get(PERSONNEL, {"q": query})

    assert names(response) == ["Øyvind Rønning"]


@pytest.mark.parametrize("query", ["1234", "123456", "12345678"])
def test_the_personnel_search_finds_a_person_by_hpr_number_prefix(client_for, people, query):
    response = client_for(Role.PRESCRIBER).get(PERSONNEL, {"q": query})

    assert "Øyvind Rønning" in names(response)
    assert "Åse Sæbø" not in names(response)


def test_the_personnel_search_matches_decomposed_letters_as_typed_on_some_keyboards(
    client_for, people
):
    decomposed = unicodedata.normalize("NFD", "ÅSE SÆBØ")
    assert decomposed != "ÅSE SÆBØ"

    response = client_for(Role.PRESCRIBER).get(PERSONNEL, {"q": decomposed})

    assert names(response) == ["Åse Sæbø"]


def test_the_personnel_search_does_not_confuse_o_with_ø(client_for, people):
    response = client_for(Role.PRESCRIBER).get(PERSONNEL, {"q": "ronning"})

    assert names(response) == []


def test_the_personnel_search_without_a_query_lists_everyone(client_for, people):
    response = client_for(Role.PRESCRIBER).get(PERSONNEL)

    # The order of Æ, Ø and Å depends on the database collation; the set does not.
    assert sorted(names(response)) == sorted(["Kari Hole", "Åse Sæbø", "Øyvind Rønning"])


def test_the_personnel_search_shows_a_row_saying_nobody_matches(client_for, people):
    response = client_for(Role.PRESCRIBER).get(PERSONNEL, {"q": "zzzz"})

    assert names(response) == []
    assert b'<td colspan="4">' in response.content


def test_the_personnel_list_can_be_filtered_by_category(client_for, people):
    response = client_for(Role.PRESCRIBER).get(PERSONNEL, {"kategori": "gp"})

    assert names(response) == ["Kari Hole"]


def test_an_unknown_category_filter_is_ignored(client_for, people):
    response = client_for(Role.PRESCRIBER).get(PERSONNEL, {"kategori": "surgeon"})

    assert len(names(response)) == 3


def test_the_personnel_rows_link_unit_workplaces_and_name_sites(client_for, org, people):
    html = client_for(Role.PRESCRIBER).get(PERSONNEL).content.decode()

    assert f'href="{unit_url(org["MED-REV-POL"])}"' in html
    assert "Sentrum legesenter" in html


def test_an_htmx_search_returns_only_the_table_rows(client_for, people):
    response = client_for(Role.PRESCRIBER).get(
        PERSONNEL, {"q": "øyvind"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "<form" not in html
    assert html.count("<tr>") == 1
    assert "Øyvind Rønning" in html
    assert "Kari Hole" not in html
    assert response.templates[0].name == "organisation/_personnel_rows.html"


def test_a_normal_request_returns_the_whole_page_with_the_search_form(client_for, people):
    html = client_for(Role.PRESCRIBER).get(PERSONNEL, {"q": "øyvind"}).content.decode()

    assert "<html" in html
    assert 'hx-get="/organisasjon/helsepersonell/"' in html
    assert 'value="øyvind"' in html
    assert 'id="personnel-rows"' in html


@pytest.mark.parametrize("htmx", [False, True])
def test_the_personnel_page_takes_a_constant_number_of_queries(
    client_for, org, sites, django_assert_max_num_queries, htmx
):
    headers = {"HX-Request": "true"} if htmx else {}
    client = client_for(Role.PRESCRIBER)
    add_person("1000000", "Person Null", "nurse", [org["MED-REV-POL"], sites["LK001"]])
    client.get(PERSONNEL)  # warm up the session
    with django_assert_max_num_queries(PERSONNEL_QUERIES):
        client.get(PERSONNEL, headers=headers)
    units = list(OrgUnit.objects.all())
    for i in range(1, 31):
        add_person(
            f"{1000000 + i}",
            f"Person {i}",
            "hospital_doctor",
            [units[i % len(units)], sites["LK001" if i % 2 else "SH001"]],
        )

    with django_assert_max_num_queries(PERSONNEL_QUERIES):
        response = client.get(PERSONNEL, headers=headers)

    assert len(names(response)) == 31
    assert response.content.count(b'href="/organisasjon/enhet/') >= 31


# --- sites ----------------------------------------------------------------------------------


def test_the_sites_page_lists_active_sites_with_their_municipality(client_for, sites):
    ExternalSite.objects.filter(code="SH001").update(active=False)

    response = client_for(Role.PRESCRIBER).get(SITES)

    assert [s.code for s in response.context["sites"]] == ["LK001", "K4601"]
    html = response.content.decode()
    assert "Sentrum legesenter" in html
    assert "Bergen kommune" in html
    assert "Fyllingsdalen sykehjem" not in html


def test_the_sites_page_filters_by_kind(client_for, sites):
    response = client_for(Role.PRESCRIBER).get(SITES, {"type": "nursing_home"})

    assert [s.code for s in response.context["sites"]] == ["SH001"]


def test_the_sites_page_ignores_an_unknown_kind(client_for, sites):
    response = client_for(Role.PRESCRIBER).get(SITES, {"type": "hospital"})

    assert len(response.context["sites"]) == 3


def test_the_sites_page_takes_a_constant_number_of_queries(
    client_for, sites, django_assert_max_num_queries
):
    client = client_for(Role.PRESCRIBER)
    client.get(SITES)
    for i in range(30):
        ExternalSite.objects.create(
            trust=sites["K4601"].trust,
            kind=ExternalSite.Kind.GP_OFFICE,
            code=f"LK1{i:02}",
            name=f"Legekontor {i}",
            municipality=sites["K4601"],
        )

    # Session, user, user's roles (menu), sites with their municipality.
    with django_assert_max_num_queries(4):
        response = client.get(SITES)

    assert len(response.context["sites"]) == 33
