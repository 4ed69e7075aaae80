"""The catalogue pages: search as you type, package, substance, ATC browser and load history.

The data is the shipped demo catalogue loaded from its FEST file: 154 active packages, varenr
100001-100154, and 100155, a pack size FEST has withdrawn. A few rows are added or retired with the ORM where a case needs them. Texts the user reads
are compared through the Norwegian catalogue, so the tests hold when the strings are translated.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections import Counter
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from lxml import html as lxml_html

from legemiddel.accounts.roles import Role
from legemiddel.catalogue.models import FestLoad, Package, Price, Substance
from legemiddel.catalogue.services import fest_import
from legemiddel.demo.festgen import DEMO_CSV, DEMO_FEST
from legemiddel.lib.formatting import NBSP, format_nok
from legemiddel.lib.text import fold

SEARCH = reverse("catalogue:search")
ATC_ROOT = reverse("catalogue:atc_root")
LOADS = reverse("catalogue:loads")
HTMX = {"HX-Request": "true"}

HUMIRA_40 = "100001"  # Humira inj penn 40 mg, L04AB04 Adalimumab, H-prescription, no exchange group
HUMIRA_80 = "100002"
HUMIRA_20 = "100003"
HUMIRA_40_X6 = "100155"  # a pack size FEST has withdrawn: in the file, retired
ELIQUIS_5 = "100130"  # Eliquis tab 5 mg, B01AF02 Apixaban, blue prescription, group APIX5-56
APIXABAN_KRKA_5 = "100133"  # the generic in the same exchange group
ACTIVE_PACKAGES = 154

# Query budgets that must not grow with the number of rows shown (no N+1).
# Search: session, user, package count, page of packages (with ATC), latest load, user's roles.
SEARCH_QUERIES = 6
# Package: session, user, package (with ATC, brand, exchange group), prices, refund links,
# refund codes, brand substances, ATC breadcrumb, other packages in the exchange group, roles.
PACKAGE_QUERIES = 10
# Substance: session, user, substance, its brands, their packages, user's roles.
SUBSTANCE_QUERIES = 6


@pytest.fixture
def catalogue(db) -> FestLoad:
    """The demo catalogue, loaded the way an administrator loads a FEST file."""
    return fest_import(path=DEMO_FEST).load


def pin_today(monkeypatch, day: dt.date) -> None:
    """Make ``timezone.localdate()`` (what price periods are judged against) return ``day``."""
    real_localdate = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real_localdate(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


@pytest.fixture
def today(monkeypatch) -> dt.date:
    """A fixed day in the demo's current price period (from 01.01.2026)."""
    day = dt.date(2026, 6, 15)
    pin_today(monkeypatch, day)
    return day


@pytest.fixture
def prescriber(client_for):
    client = client_for(Role.PRESCRIBER)
    client.get(SEARCH)  # warm up the session, so query budgets count only the page
    return client


def nb(text) -> str:
    """What the Norwegian user interface shows for a source string."""
    with translation.override("nb"):
        return str(translation.gettext(text))


def package_url(varenr: str) -> str:
    return reverse("catalogue:package", args=[varenr])


def atc_url(code: str) -> str:
    return reverse("catalogue:atc", args=[code])


def substance_url(name: str) -> str:
    return reverse("catalogue:substance", args=[Substance.objects.get(name=name).fest_id])


def found(response) -> list[str]:
    """The varenr of the packages on the page, in the order shown."""
    return [p.varenr for p in response.context["page"]]


def search(client, q: str = "", **params) -> list[str]:
    return found(client.get(SEARCH, {"q": q, **params}))


def retire(*varenr: str) -> None:
    Package.objects.filter(varenr__in=varenr).update(active=False, retired_at=timezone.now())


def add_package(varenr: str, name: str, **fields) -> Package:
    """A package outside the demo file, keyed for search as the FEST import keys it."""
    return Package.objects.create(
        varenr=varenr,
        fest_id=f"ID_TEST_{varenr}",
        content_hash="test",
        name_form_strength=name,
        search_key=fold(f"{name} {varenr}"),
        **fields,
    )


def demo_rows() -> list[dict[str, str]]:
    """The drug list the demo FEST file is generated from."""
    with DEMO_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def page_tree(response):
    return lxml_html.fromstring(response.content.decode())


def text_of(element) -> str:
    """The text of an element with runs of spaces and newlines as one space (not NBSP)."""
    return re.sub(r"[ \t\r\n]+", " ", element.text_content()).strip()


# --- access ---------------------------------------------------------------------------------


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


# --- search page ----------------------------------------------------------------------------


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


# --- package page ---------------------------------------------------------------------------


def price_rows(response) -> list[tuple[str, str, str, str, bool]]:
    """(type, price, valid from, valid to, current) for each row of the price table."""
    rows = page_tree(response).xpath("//section[@aria-labelledby='prices-h']//tbody/tr")
    return [
        (
            *(text_of(cell) for cell in row.xpath("./td")),
            "current-row" in (row.get("class") or ""),
        )
        for row in rows
    ]


def test_the_package_page_shows_every_price_period_with_its_validity(prescriber, catalogue, today):
    response = prescriber.get(package_url(HUMIRA_40))

    aip = nb(Price.Type.AIP.label)
    aup = nb(Price.Type.AUP.label)
    current = nb("current")
    assert price_rows(response) == [
        (f"{aip} ({current})", format_nok(Decimal("9050.00")), "01.01.2026", "–", True),
        (aip, format_nok(Decimal("9683.50")), "01.01.2025", "31.12.2025", False),
        (f"{aup} ({current})", format_nok(Decimal("11634.06")), "01.01.2026", "–", True),
        (aup, format_nok(Decimal("12448.44")), "01.01.2025", "31.12.2025", False),
    ]


def test_prices_are_shown_in_norwegian_kroner_with_non_breaking_spaces(
    prescriber, catalogue, today
):
    html = prescriber.get(package_url(HUMIRA_40)).content.decode()

    assert format_nok(Decimal("11634.06")) == f"11{NBSP}634,06{NBSP}kr"
    assert f"11{NBSP}634,06{NBSP}kr" in html
    assert "11634.06" not in html


def test_the_current_period_follows_the_date(prescriber, catalogue, monkeypatch):
    pin_today(monkeypatch, dt.date(2025, 7, 1))

    rows = price_rows(prescriber.get(package_url(HUMIRA_40)))

    assert [(r[2], r[4]) for r in rows] == [
        ("01.01.2026", False),
        ("01.01.2025", True),
        ("01.01.2026", False),
        ("01.01.2025", True),
    ]


def test_the_package_page_shows_the_facts_of_the_package(prescriber, catalogue):
    response = prescriber.get(package_url(HUMIRA_40))

    assert response.context["package"].varenr == HUMIRA_40
    facts = page_tree(response).xpath("//dl[@class='facts']")[0]
    pairs = dict(
        zip(
            (text_of(dt_) for dt_ in facts.xpath("./dt")),
            (text_of(dd) for dd in facts.xpath("./dd")),
            strict=True,
        )
    )
    assert pairs[nb("Item number (varenr)")] == HUMIRA_40
    assert pairs[nb("EAN")] == "7041801000014"
    assert pairs[nb("ATC code")] == "L04AB04 Adalimumab"
    assert pairs[nb("Pack size")].startswith("2 stk")
    assert pairs[nb("DDD")] == "2,9 mg"
    assert pairs[nb("Prescription group")] == "C"
    assert pairs[nb("Marketed from")] == "01.01.2015"
    assert pairs[nb("Brand")] == "Humira (AbbVie)"


def test_the_package_page_has_an_atc_breadcrumb(prescriber, catalogue):
    tree = page_tree(prescriber.get(package_url(HUMIRA_40)))

    crumbs = tree.xpath("//nav[contains(@class, 'breadcrumb')]//a/@href")
    assert crumbs == [SEARCH] + [atc_url(c) for c in ("L", "L04", "L04A", "L04AB", "L04AB04")]


def test_the_package_page_marks_an_h_prescription_drug(prescriber, catalogue):
    h1 = page_tree(prescriber.get(package_url(HUMIRA_40))).xpath("//h1")[0]
    assert h1.xpath("./span[@class='badge']/text()") == [nb("H-prescription")]

    h1 = page_tree(prescriber.get(package_url(ELIQUIS_5))).xpath("//h1")[0]
    assert not h1.xpath("./span[@class='badge']")


def test_the_package_page_links_the_substance(prescriber, catalogue):
    tree = page_tree(prescriber.get(package_url(HUMIRA_40)))

    assert tree.xpath(f"//a[@href='{substance_url('Adalimumab')}']/text()") == ["Adalimumab"]


def test_the_package_page_lists_the_other_members_of_the_exchange_group(prescriber, catalogue):
    response = prescriber.get(package_url(ELIQUIS_5))

    assert [p.varenr for p in response.context["exchangeable"]] == [APIXABAN_KRKA_5]
    html = response.content.decode()
    assert "APIX5-56" in html
    assert "APIXABAN TAB 5 MG" in html  # the group's description
    assert f'<a href="{package_url(APIXABAN_KRKA_5)}">Apixaban Krka tab 5 mg</a>' in html
    assert f'href="{package_url(ELIQUIS_5)}"' not in html  # not a link to itself


def test_a_retired_member_of_the_exchange_group_is_listed_and_marked(prescriber, catalogue):
    retire(APIXABAN_KRKA_5)

    tree = page_tree(prescriber.get(package_url(ELIQUIS_5)))

    (item,) = tree.xpath(f"//li[a[@href='{package_url(APIXABAN_KRKA_5)}']]")
    assert nb("retired") in text_of(item)


def test_a_package_outside_any_exchange_group_shows_none(prescriber, catalogue):
    response = prescriber.get(package_url(HUMIRA_40))

    assert response.context["exchangeable"] == []
    assert nb("Exchange group") not in response.content.decode()


def test_the_package_page_shows_the_refund_basis_and_codes(prescriber, catalogue):
    html = prescriber.get(package_url(ELIQUIS_5)).content.decode()

    assert "§ 2" in html
    assert "I48 Atrieflimmer og atrieflutter" in html


def test_a_retired_package_still_has_its_page_marked_retired(prescriber, catalogue):
    response = prescriber.get(package_url(HUMIRA_40_X6))

    assert response.status_code == 200
    h1 = page_tree(response).xpath("//h1")[0]
    assert h1.xpath("./span[contains(@class, 'status-failed')]/text()") == [nb("Retired")]
    assert nb("Retired") in response.content.decode()


def test_a_package_with_leading_zeros_has_its_page(prescriber, catalogue):
    add_package("012345", "Ærø Ølmedisin mikst 10 mg/ml")

    response = prescriber.get(package_url("012345"))

    assert response.status_code == 200
    assert "Ærø Ølmedisin mikst 10 mg/ml" in response.content.decode()
    assert nb("FEST has no prices for this package.") in response.content.decode()


@pytest.mark.parametrize("varenr", ["999999", "12345", "abc"])
def test_an_unknown_varenr_is_not_found(prescriber, catalogue, varenr):
    assert prescriber.get(package_url(varenr)).status_code == 404


@pytest.mark.parametrize("varenr", [HUMIRA_40, ELIQUIS_5])
def test_the_package_page_takes_a_constant_number_of_queries(
    prescriber, catalogue, django_assert_max_num_queries, varenr
):
    with django_assert_max_num_queries(PACKAGE_QUERIES):
        response = prescriber.get(package_url(varenr))

    assert response.status_code == 200


# --- substance page -------------------------------------------------------------------------


def test_the_substance_page_lists_the_brands_and_their_packages(prescriber, catalogue):
    response = prescriber.get(substance_url("Adalimumab"))

    assert response.status_code == 200
    tree = page_tree(response)
    assert text_of(tree.xpath("//h1")[0]) == "Adalimumab"
    brands = {text_of(h3) for h3 in tree.xpath("//section[@class='panel']/h3")}
    assert {
        "Humira inj penn 40 mg AbbVie",
        "Amgevita inj penn 40 mg Amgen",
        "Hulio inj penn 40 mg Biocon Biologics",
    } <= brands
    links = tree.xpath("//a[starts-with(@href, '/katalog/pakning/')]/@href")
    assert sorted(links) == [package_url(f"1000{n:02}") for n in range(1, 12)] + [
        package_url(HUMIRA_40_X6)
    ]


def test_the_substance_page_marks_retired_packages(prescriber, catalogue):
    tree = page_tree(prescriber.get(substance_url("Adalimumab")))

    (retired,) = tree.xpath(f"//li[a[@href='{package_url(HUMIRA_40_X6)}']]")
    assert nb("retired") in text_of(retired)
    (active,) = tree.xpath(f"//li[a[@href='{package_url(HUMIRA_40)}']]")
    assert nb("retired") not in text_of(active)


def test_an_unknown_substance_is_not_found(prescriber, catalogue):
    assert prescriber.get(reverse("catalogue:substance", args=["ID_UNKNOWN"])).status_code == 404


def test_the_substance_page_takes_a_constant_number_of_queries(
    prescriber, catalogue, django_assert_max_num_queries
):
    url = substance_url("Adalimumab")

    with django_assert_max_num_queries(SUBSTANCE_QUERIES):
        response = prescriber.get(url)

    assert response.content.count(b'href="/katalog/pakning/') == 12


# --- ATC browser ----------------------------------------------------------------------------


def children(response) -> dict[str, int]:
    return {node.code.code: node.packages for node in response.context["children"]}


def test_the_atc_root_lists_the_main_groups_with_their_active_packages(prescriber, catalogue):
    response = prescriber.get(ATC_ROOT)

    expected = Counter(row["atc"][0] for row in demo_rows())
    assert children(response) == dict(expected)
    assert children(response)["L"] == 88
    html = response.content.decode()
    assert f'<a href="{atc_url("L")}">L</a>' in html
    assert "Antineoplastiske og immunmodulerende midler" in html


def test_the_atc_counts_leave_out_retired_packages(prescriber, catalogue):
    retire(HUMIRA_40, HUMIRA_80)

    assert children(prescriber.get(ATC_ROOT))["L"] == 86


def test_a_level_four_page_lists_the_substances_under_it(prescriber, catalogue):
    response = prescriber.get(atc_url("L04AB"))

    assert response.status_code == 200
    assert response.context["node"].level == 4
    assert children(response) == {
        "L04AB01": 5,
        "L04AB02": 5,
        "L04AB04": 11,
        "L04AB05": 2,
        "L04AB06": 2,
    }
    assert response.context["packages"] == []
    assert [a.code for a in response.context["path"]] == ["L", "L04", "L04A", "L04AB"]
    assert f'href="{atc_url("L04AB04")}"' in response.content.decode()


def test_a_level_five_page_lists_its_active_packages(prescriber, catalogue):
    retire(HUMIRA_80)

    response = prescriber.get(atc_url("L04AB04"))

    assert response.status_code == 200
    assert response.context["node"].level == 5
    assert response.context["children"] == []
    varenr = {p.varenr for p in response.context["packages"]}
    assert varenr == {f"1000{n:02}" for n in range(1, 12)} - {HUMIRA_80}
    html = response.content.decode()
    assert f'<a href="{package_url(HUMIRA_40)}">Humira inj penn 40 mg</a>' in html
    assert f'href="{SEARCH}?atc=L04AB04"' in html


def test_an_atc_code_is_looked_up_in_any_case(prescriber, catalogue):
    response = prescriber.get(atc_url("l04ab04"))

    assert response.status_code == 200
    assert response.context["node"].code == "L04AB04"


@pytest.mark.parametrize("code", ["XYZ", "L04AB0", "L04AB044", "Z99"])
def test_a_malformed_or_unknown_atc_code_is_not_found(prescriber, catalogue, code):
    assert prescriber.get(atc_url(code)).status_code == 404


# --- load history ---------------------------------------------------------------------------


def test_the_load_history_lists_the_load_with_its_counts_and_who_loaded_it(
    prescriber, catalogue, users
):
    FestLoad.objects.update(loaded_by=users[Role.ADMINISTRATOR])

    response = prescriber.get(LOADS)

    assert response.status_code == 200
    (row,) = page_tree(response).xpath("//tbody/tr")
    cells = [text_of(td) for td in row.xpath("./td")]
    assert cells[0].startswith("09.11.2026")
    assert cells[2] == "fest-demo.xml"
    counts = catalogue.counts
    assert counts["packages_read"] == ACTIVE_PACKAGES + 1  # and the withdrawn one
    assert cells[3:8] == [
        str(counts["packages_read"]),
        str(counts["packages_created"]),
        "0",  # changed
        "0",  # retired
        str(counts["prices_created"]),
    ]
    assert cells[8] == users[Role.ADMINISTRATOR].get_full_name()


def test_the_load_history_shows_a_load_without_a_user_as_the_system(prescriber, catalogue):
    # The demo loader and the command line import without a user.
    assert catalogue.loaded_by is None

    response = prescriber.get(LOADS)

    assert response.status_code == 200
    (row,) = page_tree(response).xpath("//tbody/tr")
    assert text_of(row.xpath("./td")[-1]) == nb("system (command line)")


def test_the_load_history_says_so_when_nothing_is_loaded(prescriber):
    response = prescriber.get(LOADS)

    assert response.status_code == 200
    assert nb("No FEST file has been loaded yet.") in response.content.decode()
