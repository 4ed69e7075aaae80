"""The substance page: the brands of a substance and their packages."""

from __future__ import annotations

from django.urls import reverse

from tests.catalogue.demodata import (
    HUMIRA_40,
    HUMIRA_40_X6,
)
from tests.catalogue.pages import (
    nb,
    package_url,
    page_tree,
    substance_url,
    text_of,
)

# Query budget that must not grow with the number of rows shown (no N+1).
# Substance: session, user, substance, its brands, their packages, user's roles.
SUBSTANCE_QUERIES = 6


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
