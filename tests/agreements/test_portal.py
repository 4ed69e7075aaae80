"""What the portal recommends: today's ranking, coming changes and the next agreement."""

from __future__ import annotations

import datetime as dt

import pytest

from legemiddel.agreements import selectors, services
from legemiddel.agreements.models import Agreement
from tests.agreements.builders import csv_bytes, make_agreement


def ranked(groups: list[selectors.RankGroup]) -> list[tuple[str, str, list[tuple[int, str]]]]:
    return [
        (g.indication_group, g.patient_group, [(line.rank, line.package_id) for line in g.lines])
        for g in groups
    ]


@pytest.fixture
def recommendations(area, adviser, catalogue, users) -> dict[str, Agreement]:
    current = make_agreement(area, adviser, title="TNF BIO 2026")
    services.agreement_import_lines(
        agreement=current,
        data=csv_bytes(
            "Revmatoid artritt;alle;1;012345;4 321,17;;31.05.2026;ddd;",
            "Revmatoid artritt;alle;1;023456;3 987,65;01.06.2026;;ddd;",
            "Revmatoid artritt;alle;2;034567;;;;ddd;",
            "Psoriasis;nye;1;045678;2 754,39;;;ddd;",
        ),
        file_name="2026.csv",
        actor=adviser,
    )
    services.agreement_publish(agreement=current, actor=adviser)
    following = make_agreement(
        area, adviser, title="TNF BIO 2028", start=dt.date(2028, 3, 1), end=dt.date(2030, 2, 28)
    )
    services.agreement_import_lines(
        agreement=following,
        data=csv_bytes(
            "Revmatoid artritt;alle;1;034567;;;;ddd;",
            "Revmatoid artritt;alle;2;012345;;;;ddd;",
        ),
        file_name="2028.csv",
        actor=adviser,
    )
    services.agreement_publish(agreement=following, actor=adviser)
    draft = make_agreement(
        area, adviser, title="Utkast Nord", region="Helse Nord", start=dt.date(2026, 4, 1)
    )
    services.agreement_import_lines(
        agreement=draft,
        data=csv_bytes("Revmatoid artritt;alle;1;045678;;;;ddd;"),
        file_name="nord.csv",
        actor=adviser,
    )
    return {"current": current, "following": following}


def test_it_recommends_todays_ranking_with_the_coming_change_and_the_next_agreement(
    area, recommendations
):
    found = selectors.area_recommendation(area, dt.date(2026, 4, 15))

    assert found.current == recommendations["current"]
    assert ranked(found.groups) == [
        ("Psoriasis", "new", [(1, "045678")]),
        ("Revmatoid artritt", "all", [(1, "012345"), (2, "034567")]),
    ]
    assert [(line.rank, line.package_id, line.starts) for line in found.upcoming_lines] == [
        (1, "023456", dt.date(2026, 6, 1))
    ]
    assert found.next_agreement == recommendations["following"]
    assert ranked(found.next_groups) == [
        ("Revmatoid artritt", "all", [(1, "034567"), (2, "012345")])
    ]
    shown = [line for group in found.groups for line in group.lines] + found.upcoming_lines
    assert all("lis_price" in line.get_deferred_fields() for line in shown)


def test_it_recommends_the_new_first_choice_from_the_day_it_starts(area, recommendations):
    found = selectors.area_recommendation(area, dt.date(2026, 6, 1))

    assert ranked(found.groups) == [
        ("Psoriasis", "new", [(1, "045678")]),
        ("Revmatoid artritt", "all", [(1, "023456"), (2, "034567")]),
    ]
    assert found.upcoming_lines == []


def test_it_recommends_the_next_agreement_once_it_has_started(area, recommendations):
    found = selectors.area_recommendation(area, dt.date(2028, 3, 1))

    assert found.current == recommendations["following"]
    assert ranked(found.groups) == [("Revmatoid artritt", "all", [(1, "034567"), (2, "012345")])]
    assert (found.next_agreement, found.next_groups) == (None, [])


def test_it_announces_an_agreement_before_it_starts(area, recommendations):
    found = selectors.area_recommendation(area, dt.date(2026, 1, 1))

    assert (found.current, found.groups, found.upcoming_lines) == (None, [], [])
    assert found.next_agreement == recommendations["current"]
    assert ranked(found.next_groups) == [
        ("Psoriasis", "new", [(1, "045678")]),
        ("Revmatoid artritt", "all", [(1, "012345"), (2, "034567")]),
    ]
