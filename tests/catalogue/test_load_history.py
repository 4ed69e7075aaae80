"""The FEST load history: each load with its counts and who loaded it."""

from __future__ import annotations

from legemiddel.accounts.roles import Role
from legemiddel.catalogue.models import FestLoad
from tests.catalogue.demodata import (
    ACTIVE_PACKAGES,
)
from tests.catalogue.pages import (
    LOADS,
    nb,
    page_tree,
    text_of,
)


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
