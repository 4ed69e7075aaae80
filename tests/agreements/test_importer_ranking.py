"""Checking an agreement's ranking as a whole: no gaps or ties in any stretch of days, a first
choice in every group. Pure functions: no database."""

from __future__ import annotations

import datetime as dt

from legemiddel.agreements.importer import (
    Ranked,
    rank_problems,
)
from legemiddel.lib.tabular import RowError

# --- the ranking as a whole -----------------------------------------------------------------

START = dt.date(2026, 1, 1)
END = dt.date(2026, 12, 31)


def ranked(
    row: int,
    rank: int,
    varenr: str,
    starts: dt.date = START,
    ends: dt.date = END,
    group: str = "Revmatoid artritt",
    patients: str = "all",
) -> Ranked:
    return Ranked(row, group, patients, rank, varenr, starts, ends)


def test_it_accepts_ranks_without_gaps_and_ties():
    lines = [
        ranked(2, 1, "012345"),
        ranked(3, 2, "023456"),
        ranked(4, 2, "034567"),
        ranked(5, 3, "045678"),
    ]

    assert rank_problems(lines) == []


def test_it_reports_a_gap_in_the_ranks():
    lines = [ranked(2, 1, "012345"), ranked(3, 3, "023456")]

    assert rank_problems(lines) == [
        RowError(
            2,
            "rang",
            "1, 3",
            "«Revmatoid artritt» mangler rang 2 fra 01.01.2026; rangene må gå 1, 2, 3 … uten hull",
        )
    ]


def test_it_reports_a_group_without_a_first_choice():
    problems = rank_problems([ranked(7, 2, "012345")])

    assert [(p.row, p.column, p.value) for p in problems] == [(7, "rang", "2")]
    assert "mangler rang 1 fra 01.01.2026" in problems[0].message


def test_it_accepts_a_first_choice_that_changes_mid_period():
    lines = [
        ranked(2, 1, "012345", ends=dt.date(2026, 1, 31)),
        ranked(3, 1, "023456", starts=dt.date(2026, 2, 1)),
        ranked(4, 2, "034567"),
    ]

    assert rank_problems(lines) == []


def test_it_reports_a_gap_that_opens_only_in_a_later_stretch_with_its_date():
    lines = [
        ranked(2, 1, "012345"),
        ranked(3, 2, "023456", ends=dt.date(2026, 1, 31)),
        ranked(4, 3, "034567"),
    ]

    assert rank_problems(lines) == [
        RowError(
            2,
            "rang",
            "1, 3",
            "«Revmatoid artritt» mangler rang 2 fra 01.02.2026; rangene må gå 1, 2, 3 … uten hull",
        )
    ]


def test_it_reports_a_gap_left_when_a_changed_first_choice_starts_late():
    lines = [
        ranked(2, 1, "012345", ends=dt.date(2026, 1, 31)),
        ranked(3, 1, "023456", starts=dt.date(2026, 2, 2)),
        ranked(4, 2, "034567"),
    ]

    problems = rank_problems(lines)

    assert [p.value for p in problems] == ["2"]
    assert "mangler rang 1 fra 01.02.2026" in problems[0].message


def test_it_checks_each_group_and_patient_group_on_its_own():
    lines = [
        ranked(2, 1, "012345", patients="new"),
        ranked(3, 2, "023456", patients="switch"),
        ranked(4, 1, "034567", group="Psoriasisartritt"),
        # The same group in other letters is the same group.
        ranked(5, 2, "045678", group="psoriasisartritt"),
    ]

    problems = rank_problems(lines)

    assert [(p.row, p.value) for p in problems] == [(3, "2")]


def test_it_reports_one_product_ranked_twice_at_the_same_time_in_a_group():
    lines = [
        ranked(2, 1, "012345"),
        ranked(3, 2, "023456"),
        ranked(4, 3, "012345", starts=dt.date(2026, 6, 1)),
    ]

    assert rank_problems(lines) == [
        RowError(
            4, "varenr", "012345", "står to ganger i «Revmatoid artritt» på samme tid (også rad 2)"
        )
    ]


def test_it_allows_one_product_twice_in_a_group_at_different_times_or_in_different_groups():
    lines = [
        ranked(2, 1, "012345", ends=dt.date(2026, 5, 31)),
        ranked(3, 2, "023456", ends=dt.date(2026, 5, 31)),
        ranked(4, 1, "023456", starts=dt.date(2026, 6, 1)),
        ranked(5, 2, "012345", starts=dt.date(2026, 6, 1)),
        ranked(6, 1, "012345", patients="new"),
        ranked(7, 1, "012345", group="Psoriasisartritt"),
    ]

    assert rank_problems(lines) == []


def test_it_names_lines_already_in_the_register_without_a_row_number():
    lines = [ranked(0, 1, "012345"), ranked(0, 1, "012345")]

    assert rank_problems(lines) == [
        RowError(0, "varenr", "012345", "står to ganger i «Revmatoid artritt» på samme tid")
    ]
