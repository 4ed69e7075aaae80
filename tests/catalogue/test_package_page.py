"""The package page: facts, price periods, exchange group and refund of one package."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from legemiddel.catalogue.models import Price
from legemiddel.lib.formatting import NBSP, format_nok
from tests.catalogue.demodata import (
    APIXABAN_KRKA_5,
    ELIQUIS_5,
    HUMIRA_40,
    HUMIRA_40_X6,
    pin_today,
)
from tests.catalogue.pages import (
    SEARCH,
    add_package,
    atc_url,
    nb,
    package_url,
    page_tree,
    retire,
    substance_url,
    text_of,
)

# Query budget that must not grow with the number of rows shown (no N+1). Package: session, user,
# package (with ATC, brand, exchange group), prices, refund links, refund codes, brand
# substances, ATC breadcrumb, other packages in the exchange group, roles.
PACKAGE_QUERIES = 10


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
