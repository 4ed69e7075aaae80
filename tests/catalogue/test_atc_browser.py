"""The ATC browser: the groups at each level with their active packages."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.catalogue.demodata import (
    HUMIRA_40,
    HUMIRA_80,
    demo_rows,
)
from tests.catalogue.pages import (
    ATC_ROOT,
    SEARCH,
    atc_url,
    package_url,
    retire,
)


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
