"""The catalogue search page: search as you type over the demo catalogue."""

from __future__ import annotations

import unicodedata

import pytest

from legemiddel.catalogue.models import Package
from tests.catalogue.demodata import (
    ACTIVE_PACKAGES,
    ELIQUIS_5,
    HUMIRA_20,
    HUMIRA_40,
    HUMIRA_40_X6,
    HUMIRA_80,
)
from tests.catalogue.pages import (
    ATC_ROOT,
    HTMX,
    LOADS,
    SEARCH,
    add_package,
    atc_url,
    found,
    nb,
    package_url,
    page_tree,
    retire,
    search,
    text_of,
)

# Query budgets that must not grow with the number of rows shown (no N+1).
# Search: session, user, package count, page of packages (with ATC), latest load, user's roles.
SEARCH_QUERIES = 6


def test_the_search_page_says_which_fest_file_the_catalogue_comes_from(prescriber, catalogue):
    html = prescriber.get(SEARCH).content.decode()

    assert "09.11.2026" in html  # HentetDato of the demo file
    assert f'href="{LOADS}"' in html
    assert f'href="{ATC_ROOT}"' in html


def test_the_search_page_keeps_the_query_in_the_form(prescriber, catalogue):
    tree = page_tree(prescriber.get(SEARCH, {"q": "humira 40", "utgatte": "1"}))

    assert tree.xpath("//input[@id='q']/@value") == ["humira 40"]
    assert tree.xpath("//input[@id='utgatte']/@checked") != []
    assert tree.xpath("//form[@role='search']/@hx-get") == [SEARCH]
    assert tree.xpath("//*[@id='package-results']//tbody/tr")


def test_an_htmx_request_returns_only_the_result_rows(prescriber, catalogue):
    response = prescriber.get(SEARCH, {"q": "humira"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert response.templates[0].name == "catalogue/_package_rows.html"
    assert "<html" not in html
    assert "<form" not in html
    assert 'id="package-results"' not in html  # htmx swaps the rows into that element
    assert html.count("<tr>") == 1 + 3  # header row and the three Humira packages
    assert f'href="{package_url(HUMIRA_40)}"' in html


def test_a_normal_request_returns_the_whole_page_with_the_same_rows(prescriber, catalogue):
    response = prescriber.get(SEARCH, {"q": "humira"})

    assert response.templates[0].name == "catalogue/search.html"
    assert found(response) == [HUMIRA_40, HUMIRA_80, HUMIRA_20]


def test_it_finds_packages_by_the_words_of_the_name_in_any_order(prescriber, catalogue):
    assert search(prescriber, "humira") == [HUMIRA_40, HUMIRA_80, HUMIRA_20]
    assert search(prescriber, "humira 40") == [HUMIRA_40]
    assert search(prescriber, "40 mg HUMIRA") == [HUMIRA_40]


def test_every_word_must_match(prescriber, catalogue):
    assert search(prescriber, "humira eliquis") == []


def test_it_finds_a_package_by_varenr(prescriber, catalogue):
    assert search(prescriber, ELIQUIS_5) == [ELIQUIS_5]


def test_it_finds_a_package_by_ean(prescriber, catalogue):
    ean = Package.objects.get(varenr=ELIQUIS_5).ean

    assert ean == "7041801001301"
    assert search(prescriber, ean) == [ELIQUIS_5]


def test_it_finds_packages_by_atc_code_in_any_case(prescriber, catalogue):
    adalimumab = {f"1000{n:02}" for n in range(1, 12)}

    assert set(search(prescriber, "L04AB04")) == adalimumab
    assert set(search(prescriber, "l04ab04")) == adalimumab


def test_it_finds_packages_by_substance_name(prescriber, catalogue):
    assert set(search(prescriber, "apixaban")) == {"100130", "100131", "100132", "100133", "100134"}
    assert len(search(prescriber, "ADALIMUMAB")) == 11


def test_it_finds_packages_by_a_substance_name_that_differs_from_the_atc_name(
    prescriber, catalogue
):
    # Retacrit (epoetin zeta) is coded B03XA01, whose ATC name is "Erytropoietin": only the
    # substance of the brand says "zeta". The search promises to match substance names.
    assert set(search(prescriber, "epoetin zeta")) == {"100125", "100126"}


def test_it_matches_norwegian_letters_in_any_case(prescriber, catalogue):
    add_package("012345", "Ærø Ølmedisin mikst 10 mg/ml")

    assert search(prescriber, "ærø") == ["012345"]
    assert search(prescriber, "ØLMEDISIN") == ["012345"]
    assert search(prescriber, "æRø ølMEDISIN") == ["012345"]


def test_it_matches_a_query_typed_with_combining_accents(prescriber, catalogue):
    add_package("054321", "Blåbær sirup 1 mg/ml")
    decomposed = unicodedata.normalize("NFD", "BLÅBÆR")

    assert decomposed != "BLÅBÆR"
    assert search(prescriber, decomposed) == ["054321"]


def test_retired_packages_are_hidden_unless_asked_for(prescriber, catalogue):
    assert not Package.objects.get(varenr=HUMIRA_40_X6).active

    assert search(prescriber, "humira") == [HUMIRA_40, HUMIRA_80, HUMIRA_20]
    assert search(prescriber, "humira", utgatte="1") == [
        HUMIRA_40,
        HUMIRA_80,
        HUMIRA_20,
        HUMIRA_40_X6,
    ]


def test_only_utgatte_1_includes_retired_packages(prescriber, catalogue):
    assert HUMIRA_40_X6 not in search(prescriber, "humira", utgatte="0")
    assert HUMIRA_40_X6 not in search(prescriber, "humira", utgatte="ja")


def test_retired_packages_come_last_and_are_marked(prescriber, catalogue):
    retire(HUMIRA_20)

    response = prescriber.get(SEARCH, {"q": "humira", "utgatte": "1"})

    assert found(response) == [HUMIRA_40, HUMIRA_80, HUMIRA_40_X6, HUMIRA_20]
    rows = page_tree(response).xpath("//tbody/tr")
    assert not rows[0].xpath(".//*[contains(@class, 'status-failed')]")
    for row in rows[2:]:
        assert text_of(row.xpath(".//*[contains(@class, 'status-failed')]")[0]) == nb("Retired")


def test_the_atc_filter_limits_the_search_to_a_group(prescriber, catalogue):
    response = prescriber.get(SEARCH, {"atc": "l04ab"})

    packages = list(response.context["page"])
    assert response.context["atc"] == "L04AB"
    assert len(packages) == 25
    assert {p.atc_id[:5] for p in packages} == {"L04AB"}


def test_the_atc_filter_combines_with_the_words(prescriber, catalogue):
    assert search(prescriber, "40", atc="L04AB04") == [
        "100004",
        "100005",
        "100011",
        HUMIRA_40,
        "100006",
        "100008",
        "100009",
    ]


def test_the_rows_link_the_package_and_its_atc_code_and_mark_h_prescriptions(prescriber, catalogue):
    tree = page_tree(prescriber.get(SEARCH, {"q": "humira 40"}))
    (row,) = tree.xpath("//tbody/tr")
    assert row.xpath(f".//a[@href='{package_url(HUMIRA_40)}']/text()") == ["Humira inj penn 40 mg"]
    assert row.xpath(f".//a[@href='{atc_url('L04AB04')}']/text()") == ["L04AB04"]
    assert row.xpath(".//span[@class='badge']/text()") == ["H"]
    assert "27,5862" in text_of(row)  # DDDs per pack, Norwegian decimal comma

    (row,) = page_tree(prescriber.get(SEARCH, {"q": ELIQUIS_5})).xpath("//tbody/tr")
    assert not row.xpath(".//span[@class='badge']")


def test_a_search_without_matches_says_so(prescriber, catalogue):
    response = prescriber.get(SEARCH, {"q": "finnesikke"})

    assert found(response) == []
    assert response.content.count(b'<td colspan="6">') == 1
    assert nb("No package matches the search.") in response.content.decode()


def test_the_results_are_paged_fifty_at_a_time(prescriber, catalogue):
    pages = [prescriber.get(SEARCH, {"side": n}) for n in (1, 2, 3, 4)]

    assert [len(found(p)) for p in pages] == [50, 50, 50, 4]
    assert pages[0].context["page"].paginator.num_pages == 4
    every = [varenr for p in pages for varenr in found(p)]
    assert len(set(every)) == ACTIVE_PACKAGES
    assert set(every) == set(Package.objects.filter(active=True).values_list("varenr", flat=True))


def test_a_page_number_out_of_range_or_not_a_number_still_shows_a_page(prescriber, catalogue):
    assert prescriber.get(SEARCH, {"side": "99"}).context["page"].number == 4
    assert prescriber.get(SEARCH, {"side": "abc"}).context["page"].number == 1


def test_the_pager_links_keep_the_query_and_the_retired_choice(prescriber, catalogue):
    first = prescriber.get(SEARCH, {"q": "inj", "utgatte": "1"})
    second = prescriber.get(SEARCH, {"q": "inj", "utgatte": "1", "side": "2"})

    assert first.context["page"].paginator.num_pages == 2
    assert 'href="?q=inj&amp;atc=&amp;utgatte=1&amp;side=2"' in first.content.decode()
    assert 'href="?q=inj&amp;atc=&amp;utgatte=1&amp;side=1"' in second.content.decode()
    assert nb("Next") not in second.content.decode()


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_the_search_takes_a_constant_number_of_queries(
    prescriber, catalogue, django_assert_max_num_queries, headers
):
    with django_assert_max_num_queries(SEARCH_QUERIES):
        one = prescriber.get(SEARCH, {"q": "humira 40"}, headers=headers)
    with django_assert_max_num_queries(SEARCH_QUERIES):
        fifty = prescriber.get(SEARCH, {"q": ""}, headers=headers)

    assert len(found(one)) == 1
    assert len(found(fifty)) == 50
