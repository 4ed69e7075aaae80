"""The catalogue endpoints of the REST API (/api/v1/catalogue/), its OpenAPI document and docs.

The API uses the web session: a logged-in member of staff may read it, anyone else gets a JSON
401 (never a redirect to the login page, which a script could not follow). The data is the
shipped demo catalogue (154 active packages, varenr 100001-100154, and the withdrawn 100155).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from lxml import html as lxml_html

from legemiddel.accounts.roles import Role
from legemiddel.catalogue.models import Package, Substance
from legemiddel.lib.text import fold
from tests.catalogue.demodata import (
    ACTIVE_PACKAGES,
    ELIQUIS_5,
    HUMIRA_20,
    HUMIRA_40,
    HUMIRA_40_X6,
    HUMIRA_80,
    pin_today,
)

API = "/api/v1"
PACKAGES = f"{API}/catalogue/packages"
ATC = f"{API}/catalogue/atc"
SUBSTANCES = f"{API}/catalogue/substances"
OPENAPI = f"{API}/openapi.json"
DOCS = f"{API}/docs"

PACKAGE_FIELDS = {
    "varenr",
    "ean",
    "name",
    "atc",
    "atc_name",
    "form",
    "pack_size",
    "pack_unit",
    "ddd",
    "ddd_unit",
    "ddd_per_pack",
    "prescription_group",
    "is_h_resept",
    "active",
}
PACKAGE_DETAIL_FIELDS = PACKAGE_FIELDS | {
    "brand",
    "manufacturer",
    "substances",
    "exchange_group",
    "marketed_from",
    "retired_at",
    "prices",
}
PRICE_FIELDS = {"type", "amount", "currency", "valid_from", "valid_to", "current"}
ATC_FIELDS = {"code", "level", "name", "parent", "packages"}
SUBSTANCE_FIELDS = {"id", "name", "name_en", "active"}

# Session, user, count, one page of packages with their ATC code.
SEARCH_QUERIES = 4
# Session, user, package, prices, refund links, refund codes, brand substances.
DETAIL_QUERIES = 7


@pytest.fixture
def api(client_for):
    """A logged-in session, as the API's users have after signing in to the web application."""
    client = client_for(Role.CONTROLLER)
    client.get(f"{ATC}")  # warm up the session, so query budgets count only the request
    return client


def get_json(client, url: str, params: dict | None = None, status: int = 200):
    response = client.get(url, params or {})
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def varenr_of(page: dict) -> list[str]:
    return [p["varenr"] for p in page["results"]]


def add_package(varenr: str, name: str, **fields) -> Package:
    return Package.objects.create(
        varenr=varenr,
        fest_id=f"ID_TEST_{varenr}",
        content_hash="test",
        name_form_strength=name,
        search_key=fold(f"{name} {varenr}"),
        **fields,
    )


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"{PACKAGES}?q=humira",
        f"{PACKAGES}/{HUMIRA_40}",
        ATC,
        f"{ATC}/L04AB",
        f"{SUBSTANCES}?q=adalimumab",
        OPENAPI,
    ],
)
def test_an_anonymous_request_gets_a_json_401_not_a_redirect(client, catalogue, url):
    response = client.get(url)

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "Location" not in response
    assert response.json() == {"detail": "Not logged in."}


def test_an_anonymous_person_opening_the_api_docs_is_sent_to_log_in(client, catalogue):
    response = client.get(DOCS)

    assert response.status_code == 302
    assert response["Location"] == f"/logg-inn/?next={DOCS}"


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.AUDITOR, Role.ADMINISTRATOR])
def test_any_logged_in_member_of_staff_may_read_the_api(client_for, catalogue, role):
    response = client_for(role).get(PACKAGES, {"q": "humira"})

    assert response.status_code == 200


# --- package search -------------------------------------------------------------------------


def test_the_package_search_returns_the_count_and_a_page_of_results(api, catalogue):
    page = get_json(api, PACKAGES, {"q": "humira"})

    assert page["count"] == 3
    assert page["limit"] == 50
    assert page["offset"] == 0
    assert varenr_of(page) == [HUMIRA_40, HUMIRA_80, HUMIRA_20]


def test_each_result_has_the_documented_fields(api, catalogue):
    (result,) = get_json(api, PACKAGES, {"q": "humira 40"})["results"]

    assert set(result) == PACKAGE_FIELDS
    assert result["varenr"] == HUMIRA_40
    assert result["ean"] == "7041801000014"
    assert result["name"] == "Humira inj penn 40 mg"
    assert result["atc"] == "L04AB04"
    assert result["atc_name"] == "Adalimumab"
    assert result["form"] == "Injeksjonsvæske, oppløsning i ferdigfylt penn"
    assert result["pack_unit"] == "stk"
    assert result["ddd_unit"] == "mg"
    assert result["prescription_group"] == "C"
    assert result["is_h_resept"] is True
    assert result["active"] is True


def test_decimal_fields_are_strings_that_keep_their_precision(api, catalogue):
    (result,) = get_json(api, PACKAGES, {"q": "humira 40"})["results"]

    # Strings, not JSON numbers, so no client reads 27.5862 as a binary float.
    for name in ("pack_size", "ddd", "ddd_per_pack"):
        assert isinstance(result[name], str), name
    assert Decimal(result["pack_size"]) == Decimal("2")
    assert Decimal(result["ddd"]) == Decimal("2.9")
    assert Decimal(result["ddd_per_pack"]) == Decimal("27.5862")


def test_a_missing_decimal_is_null(api, catalogue):
    add_package("012345", "Ærø Ølmedisin mikst 10 mg/ml")

    (result,) = get_json(api, PACKAGES, {"q": "ølmedisin"})["results"]

    assert result["pack_size"] is None
    assert result["ddd"] is None
    assert result["ddd_per_pack"] is None
    assert result["atc"] is None
    assert result["atc_name"] == ""


def test_varenr_is_a_string_with_its_leading_zeros(api, catalogue):
    add_package("012345", "Ærø Ølmedisin mikst 10 mg/ml")

    page = get_json(api, PACKAGES, {"q": "012345"})

    assert varenr_of(page) == ["012345"]
    assert get_json(api, f"{PACKAGES}/012345")["varenr"] == "012345"


@pytest.mark.parametrize("q", ["ærø", "ÆRØ", "ølmedisin ÆRØ"])
def test_the_search_matches_norwegian_letters_in_any_case(api, catalogue, q):
    add_package("012345", "Ærø Ølmedisin mikst 10 mg/ml")

    assert varenr_of(get_json(api, PACKAGES, {"q": q})) == ["012345"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("100130", {ELIQUIS_5}),  # varenr
        ("7041801001301", {ELIQUIS_5}),  # EAN
        ("b01af02", {"100130", "100131", "100132", "100133", "100134"}),  # ATC code
        ("apixaban", {"100130", "100131", "100132", "100133", "100134"}),  # substance
        ("eliquis 2,5", {"100132"}),  # name words
    ],
)
def test_the_search_finds_packages_as_the_web_page_does(api, catalogue, q, expected):
    assert set(varenr_of(get_json(api, PACKAGES, {"q": q}))) == expected


def test_the_search_finds_packages_by_a_substance_name_that_differs_from_the_atc_name(
    api, catalogue
):
    # Retacrit's substance is epoetin zeta; its ATC code B03XA01 is named "Erytropoietin".
    page = get_json(api, PACKAGES, {"q": "epoetin zeta"})

    assert set(varenr_of(page)) == {"100125", "100126"}


def test_retired_packages_are_left_out_unless_asked_for(api, catalogue):
    assert HUMIRA_40_X6 not in varenr_of(get_json(api, PACKAGES, {"q": "humira"}))

    page = get_json(api, PACKAGES, {"q": "humira", "include_retired": "true"})

    assert varenr_of(page) == [HUMIRA_40, HUMIRA_80, HUMIRA_20, HUMIRA_40_X6]
    assert [p["active"] for p in page["results"]] == [True, True, True, False]


def test_the_atc_filter_limits_the_search_to_a_group(api, catalogue):
    page = get_json(api, PACKAGES, {"atc": "L04AB", "limit": 200})

    assert page["count"] == 25
    assert {p["atc"][:5] for p in page["results"]} == {"L04AB"}


def test_limit_and_offset_page_through_every_active_package(api, catalogue):
    pages = [get_json(api, PACKAGES, {"limit": 50, "offset": o}) for o in (0, 50, 100, 150)]

    assert [p["count"] for p in pages] == [ACTIVE_PACKAGES] * 4
    assert [len(p["results"]) for p in pages] == [50, 50, 50, 4]
    every = [varenr for p in pages for varenr in varenr_of(p)]
    assert len(set(every)) == ACTIVE_PACKAGES


def test_the_largest_page_is_200(api, catalogue):
    page = get_json(api, PACKAGES, {"limit": 200, "include_retired": "true"})

    assert page["limit"] == 200
    assert len(page["results"]) == page["count"] == ACTIVE_PACKAGES + 1


def test_an_offset_past_the_end_gives_an_empty_page(api, catalogue):
    page = get_json(api, PACKAGES, {"offset": 1000})

    assert page["count"] == ACTIVE_PACKAGES
    assert page["results"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 201}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
def test_a_limit_or_offset_out_of_bounds_is_refused_with_422(api, catalogue, params, field):
    body = get_json(api, PACKAGES, params, status=422)

    assert [error["loc"] for error in body["detail"]] == [["query", field]]


def test_the_package_search_takes_a_constant_number_of_queries(
    api, catalogue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(SEARCH_QUERIES):
        one = get_json(api, PACKAGES, {"q": "humira 40"})
    with django_assert_max_num_queries(SEARCH_QUERIES):
        many = get_json(api, PACKAGES, {"limit": 200})

    assert len(one["results"]) == 1
    assert len(many["results"]) == ACTIVE_PACKAGES


# --- one package ----------------------------------------------------------------------------


def test_a_package_has_its_details_and_every_price_period(api, catalogue, today):
    package = get_json(api, f"{PACKAGES}/{HUMIRA_40}")

    assert set(package) == PACKAGE_DETAIL_FIELDS
    assert package["brand"] == "Humira"
    assert package["manufacturer"] == "AbbVie"
    assert package["substances"] == ["Adalimumab"]
    assert package["exchange_group"] is None
    assert package["marketed_from"] == "2015-01-01"
    assert package["retired_at"] is None
    assert package["prices"] == [
        {
            "type": "AIP",
            "amount": "9050.00",
            "currency": "NOK",
            "valid_from": "2026-01-01",
            "valid_to": None,
            "current": True,
        },
        {
            "type": "AIP",
            "amount": "9683.50",
            "currency": "NOK",
            "valid_from": "2025-01-01",
            "valid_to": "2025-12-31",
            "current": False,
        },
        {
            "type": "AUP",
            "amount": "11634.06",
            "currency": "NOK",
            "valid_from": "2026-01-01",
            "valid_to": None,
            "current": True,
        },
        {
            "type": "AUP",
            "amount": "12448.44",
            "currency": "NOK",
            "valid_from": "2025-01-01",
            "valid_to": "2025-12-31",
            "current": False,
        },
    ]


def test_the_current_flag_follows_the_date(api, catalogue, monkeypatch):
    pin_today(monkeypatch, dt.date(2025, 7, 1))

    prices = get_json(api, f"{PACKAGES}/{HUMIRA_40}")["prices"]

    assert [(p["valid_from"], p["current"]) for p in prices] == [
        ("2026-01-01", False),
        ("2025-01-01", True),
        ("2026-01-01", False),
        ("2025-01-01", True),
    ]


def test_every_price_has_the_documented_fields_and_one_current_period_per_type(
    api, catalogue, today
):
    package = get_json(api, f"{PACKAGES}/{ELIQUIS_5}")

    assert package["exchange_group"] == "APIX5-56"
    assert package["substances"] == ["Apixaban"]
    prices = package["prices"]
    assert all(set(p) == PRICE_FIELDS for p in prices)
    assert all(isinstance(p["amount"], str) for p in prices)
    types = [p["type"] for p in prices]
    assert types == sorted(types, key=["AIP", "AUP", "TRINN", "REFUSJON", "ANNEN"].index)
    current = [p["type"] for p in prices if p["current"]]
    assert sorted(current) == sorted(set(types))


def test_a_retired_package_says_so_and_when(api, catalogue):
    package = get_json(api, f"{PACKAGES}/{HUMIRA_40_X6}")

    assert package["active"] is False
    assert dt.datetime.fromisoformat(package["retired_at"]).tzinfo is not None


@pytest.mark.parametrize("varenr", ["999999", "12345", "abc"])
def test_an_unknown_package_is_a_json_404(api, catalogue, varenr):
    assert get_json(api, f"{PACKAGES}/{varenr}", status=404) == {"detail": "Not Found"}


def test_one_package_takes_a_constant_number_of_queries(
    api, catalogue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(DETAIL_QUERIES):
        get_json(api, f"{PACKAGES}/{ELIQUIS_5}")


# --- ATC ------------------------------------------------------------------------------------


def test_the_atc_root_lists_the_main_groups_with_their_active_packages(api, catalogue):
    groups = get_json(api, ATC)

    assert all(set(g) == ATC_FIELDS for g in groups)
    assert [g["code"] for g in groups] == ["A", "B", "C", "D", "H", "J", "L", "N", "R", "S"]
    assert all(g["level"] == 1 and g["parent"] is None for g in groups)
    by_code = {g["code"]: g for g in groups}
    assert by_code["L"]["name"] == "Antineoplastiske og immunmodulerende midler"
    assert by_code["L"]["packages"] == 88
    assert sum(g["packages"] for g in groups) == ACTIVE_PACKAGES


def test_an_atc_group_has_its_path_and_its_subgroups_with_counts(api, catalogue):
    group = get_json(api, f"{ATC}/L04AB")

    assert group["code"] == "L04AB"
    assert group["level"] == 4
    assert group["parent"] == "L04A"
    assert [a["code"] for a in group["path"]] == ["L", "L04", "L04A"]
    assert {c["code"]: c["packages"] for c in group["children"]} == {
        "L04AB01": 5,
        "L04AB02": 5,
        "L04AB04": 11,
        "L04AB05": 2,
        "L04AB06": 2,
    }


def test_a_substance_level_atc_code_has_no_subgroups(api, catalogue):
    group = get_json(api, f"{ATC}/l04ab04")

    assert group["code"] == "L04AB04"
    assert group["level"] == 5
    assert group["name"] == "Adalimumab"
    assert [a["code"] for a in group["path"]] == ["L", "L04", "L04A", "L04AB"]
    assert group["children"] == []


@pytest.mark.parametrize("code", ["XYZ", "L04AB0", "Z99"])
def test_a_malformed_or_unknown_atc_code_is_a_json_404(api, catalogue, code):
    assert get_json(api, f"{ATC}/{code}", status=404) == {"detail": "Not Found"}


# --- substances -----------------------------------------------------------------------------


def test_the_substance_search_finds_a_substance_by_name_in_any_case(api, catalogue):
    adalimumab = Substance.objects.get(name="Adalimumab")

    for q in ("adalimumab", "ADALIMUMAB", "dalimu"):
        assert get_json(api, SUBSTANCES, {"q": q}) == [
            {
                "id": adalimumab.fest_id,
                "name": "Adalimumab",
                "name_en": "Adalimumab",
                "active": True,
            }
        ]


def test_the_substance_search_matches_english_names_too(api, catalogue):
    names = [s["name"] for s in get_json(api, SUBSTANCES, {"q": "alirocumab"})]

    assert names == ["Alirokumab"]


def test_the_substance_search_returns_at_most_limit_substances(api, catalogue):
    assert len(get_json(api, SUBSTANCES, {"limit": 3})) == 3
    every = get_json(api, SUBSTANCES, {"limit": 1000})
    assert all(set(s) == SUBSTANCE_FIELDS for s in every)
    assert len(every) == Substance.objects.filter(active=True).count()


# --- OpenAPI document and docs page ---------------------------------------------------------


def resolve(document: dict, ref: str) -> dict:
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def refs_in(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in refs_in(value)]
    if isinstance(node, list):
        return [r for value in node for r in refs_in(value)]
    return []


def test_the_openapi_document_is_openapi_3_and_lists_every_endpoint(api, catalogue):
    document = get_json(api, OPENAPI)

    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Legemiddel API"
    assert document["info"]["version"] == "1"
    assert set(document["paths"]) == {
        f"{API}/catalogue/packages",
        f"{API}/catalogue/packages/{{varenr}}",
        f"{API}/catalogue/atc",
        f"{API}/catalogue/atc/{{code}}",
        f"{API}/catalogue/substances",
        f"{API}/agreements/recommendations",
    }
    for path, item in document["paths"].items():
        assert set(item) == {"get"}, path
        assert "200" in item["get"]["responses"], path
        assert item["get"]["security"], path  # every endpoint needs the session
    for ref in refs_in(document):
        assert resolve(document, ref), ref


def test_the_openapi_document_describes_the_fields_the_api_returns(api, catalogue):
    document = get_json(api, OPENAPI)
    schemas = document["components"]["schemas"]

    assert set(schemas["PackageOut"]["properties"]) == PACKAGE_FIELDS
    assert set(schemas["PackageDetailOut"]["properties"]) == PACKAGE_DETAIL_FIELDS
    assert set(schemas["PriceOut"]["properties"]) == PRICE_FIELDS
    limit = next(
        p
        for p in document["paths"][f"{API}/catalogue/packages"]["get"]["parameters"]
        if p["name"] == "limit"
    )
    assert limit["schema"]["maximum"] == 200


def test_the_docs_page_loads_only_local_static_files(api, catalogue):
    response = api.get(DOCS)

    assert response.status_code == 200
    tree = lxml_html.fromstring(response.content.decode())
    urls = tree.xpath("//script/@src | //link/@href")
    assert urls, "the docs page loads its scripts and styles"
    for url in urls:
        parts = urlsplit(url)
        assert not parts.scheme, f"{url} is fetched from another host"
        assert not parts.netloc, f"{url} is fetched from another host"
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not a shipped static file"
    assert OPENAPI in response.content.decode()
    for element in tree.xpath("//script | //link"):
        for value in element.attrib.values():
            assert not value.startswith(("http://", "https://", "//")), value
