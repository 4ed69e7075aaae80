"""Norwegian number, money and date formatting: ``1 234 567,89 kr`` and ``22.11.2026``.

Spaces in expected values are written as ``NBSP`` (U+00A0) and minus as ``MINUS`` (U+2212)
so the specification is visible in the source.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from legemiddel.lib.formatting import (
    NBSP,
    format_date,
    format_datetime,
    format_import_summary,
    format_month,
    format_nok,
    format_number,
)

MINUS = "\u2212"
UTC = dt.UTC


# --- format_number --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (7, "7"),
        (999, "999"),
        (1000, f"1{NBSP}000"),
        (25119, f"25{NBSP}119"),
        (1234567, f"1{NBSP}234{NBSP}567"),
        (1000000000, f"1{NBSP}000{NBSP}000{NBSP}000"),
    ],
)
def test_it_groups_thousands_with_non_breaking_spaces(value, expected):
    assert format_number(value) == expected


def test_it_uses_a_decimal_comma_and_the_requested_number_of_decimals():
    assert format_number(1234567.891, 2) == f"1{NBSP}234{NBSP}567,89"
    assert format_number(Decimal("0.5"), 3) == "0,500"
    assert format_number(12, 1) == "12,0"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (Decimal("0.125"), 2, "0,13"),
        (Decimal("2.5"), 0, "3"),
        (Decimal("3.5"), 0, "4"),  # not banker's rounding
        (Decimal("-2.5"), 0, f"{MINUS}3"),
        (Decimal("999.995"), 2, f"1{NBSP}000,00"),
        (1.005, 2, "1,01"),  # the float's shortest repr is used, not its binary expansion
    ],
)
def test_it_rounds_half_up_away_from_zero(value, decimals, expected):
    assert format_number(value, decimals) == expected


def test_a_negative_number_gets_the_unicode_minus_sign_not_a_hyphen():
    text = format_number(-1234.5, 1)
    assert text == f"{MINUS}1{NBSP}234,5"
    assert "-" not in text


def test_a_negative_number_that_rounds_to_zero_has_no_minus_sign():
    assert format_number(Decimal("-0.004"), 2) == "0,00"
    assert format_number(-0.4) == "0"


def test_it_accepts_numeric_strings_ints_floats_and_decimals_alike():
    expected = f"1{NBSP}234,50"
    assert format_number("1234.5", 2) == expected
    assert format_number(1234.5, 2) == expected
    assert format_number(Decimal("1234.5"), 2) == expected
    assert format_number(1234, 2) == f"1{NBSP}234,00"


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "abc",
        "1,5",
        float("nan"),
        float("inf"),
        float("-inf"),
        Decimal("NaN"),
        Decimal("Infinity"),
        "NaN",
    ],
)
def test_missing_or_unreadable_values_give_an_empty_string_instead_of_an_error(value):
    assert format_number(value, 2) == ""
    assert format_nok(value) == ""


@given(
    value=st.decimals(
        min_value=Decimal("-1e15"),
        max_value=Decimal("1e15"),
        allow_nan=False,
        allow_infinity=False,
        places=6,
    ),
    decimals=st.integers(min_value=0, max_value=4),
)
def test_format_number_round_trips_to_the_rounded_decimal(value, decimals):
    text = format_number(value, decimals)
    parsed = Decimal(text.replace(NBSP, "").replace(",", ".").replace(MINUS, "-"))
    assert parsed == value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


@given(
    value=st.decimals(
        min_value=Decimal("-1e15"),
        max_value=Decimal("1e15"),
        allow_nan=False,
        allow_infinity=False,
        places=2,
    ),
    decimals=st.integers(min_value=0, max_value=3),
)
def test_format_number_only_ever_uses_digits_nbsp_comma_and_unicode_minus(value, decimals):
    text = format_number(value, decimals)
    assert set(text) <= set("0123456789,") | {NBSP, MINUS}
    whole = text.removeprefix(MINUS).split(",")[0]
    groups = whole.split(NBSP)
    assert 1 <= len(groups[0]) <= 3
    assert all(len(group) == 3 for group in groups[1:])
    assert text.count(",") == (1 if decimals else 0)


# --- format_nok -----------------------------------------------------------------------------


def test_format_nok_gives_kroner_with_two_decimals_and_a_non_breaking_space_before_kr():
    assert format_nok(Decimal("1234567.891")) == f"1{NBSP}234{NBSP}567,89{NBSP}kr"
    assert format_nok(0) == f"0,00{NBSP}kr"
    assert format_nok(-50) == f"{MINUS}50,00{NBSP}kr"


def test_format_nok_can_round_to_whole_kroner():
    assert format_nok(Decimal("1499.5"), 0) == f"1{NBSP}500{NBSP}kr"


# --- format_date ----------------------------------------------------------------------------


def test_format_date_writes_day_month_year_with_dots_and_leading_zeros():
    assert format_date(dt.date(2026, 11, 22)) == "22.11.2026"
    assert format_date(dt.date(2026, 1, 5)) == "05.01.2026"


def test_format_date_uses_the_date_of_a_naive_datetime_as_is():
    assert format_date(dt.datetime(2026, 11, 22, 23, 59)) == "22.11.2026"


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Winter: Oslo is UTC+1, so 23:30 UTC is already the next day.
        (dt.datetime(2026, 11, 21, 23, 30, tzinfo=UTC), "22.11.2026"),
        (dt.datetime(2026, 11, 21, 22, 30, tzinfo=UTC), "21.11.2026"),
        # Summer: UTC+2.
        (dt.datetime(2026, 6, 30, 22, 30, tzinfo=UTC), "01.07.2026"),
        (dt.datetime(2026, 12, 31, 23, 0, tzinfo=UTC), "01.01.2027"),
    ],
)
def test_format_date_shows_an_aware_datetime_in_norwegian_local_time(moment, expected, settings):
    settings.TIME_ZONE = "Europe/Oslo"
    assert format_date(moment) == expected


def test_format_date_of_none_is_empty():
    assert format_date(None) == ""


def test_format_date_reads_the_iso_text_of_a_published_snapshot():
    assert format_date("2026-03-01") == "01.03.2026"
    assert format_date("") == ""


# --- format_datetime and format_month -------------------------------------------------------


def test_format_datetime_shows_an_aware_moment_in_norwegian_local_time(settings):
    settings.TIME_ZONE = "Europe/Oslo"
    assert format_datetime(dt.datetime(2026, 6, 30, 22, 30, tzinfo=UTC)) == "01.07.2026 00:30"
    assert format_datetime(dt.datetime(2026, 11, 22, 9, 5)) == "22.11.2026 09:05"
    assert format_datetime(None) == ""


def test_format_month_gives_month_and_year_or_the_month_name():
    assert format_month(dt.date(2026, 3, 1)) == "03.2026"
    assert format_month(dt.date(2026, 3, 1), named=True) == "mars 2026"
    assert format_month(None) == ""


# --- template filters (builtins in every template) ------------------------------------------


def test_the_template_filters_format_the_same_way_as_the_functions():
    template = Template("{{ amount|nok }}|{{ count|tall }}|{{ share|tall:1 }}|{{ day|dato }}")
    rendered = template.render(
        Context(
            {
                "amount": Decimal("1234.5"),
                "count": 25119,
                "share": 12.25,
                "day": dt.date(2026, 11, 22),
            }
        )
    )
    assert rendered == f"1{NBSP}234,50{NBSP}kr|25{NBSP}119|12,3|22.11.2026"


def test_the_time_and_month_filters_format_the_same_way_as_the_functions(settings):
    settings.TIME_ZONE = "Europe/Oslo"
    template = Template('{{ at|tidspunkt }}|{{ month|maaned }}|{{ month|maaned:"navn" }}')
    rendered = template.render(
        Context({"at": dt.datetime(2026, 11, 22, 13, 5, tzinfo=UTC), "month": dt.date(2026, 3, 1)})
    )
    assert rendered == "22.11.2026 14:05|03.2026|mars 2026"


def test_the_template_filters_render_a_missing_value_as_empty():
    rendered = Template(
        "[{{ amount|nok }}][{{ count|tall }}][{{ day|dato }}][{{ day|tidspunkt }}][{{ day|maaned }}]"
    ).render(Context({"amount": None, "count": None, "day": None}))
    assert rendered == "[][][][][]"


def test_an_import_summary_leaves_out_the_parts_with_nothing_to_say():
    period = (dt.date(2026, 1, 1), dt.date(2026, 2, 14))
    assert format_import_summary("SLS", period, "2 av 2 rader") == (
        "SLS 01.2026–02.2026: 2 av 2 rader importert."
    )
    text = format_import_summary(
        "Episoder",
        period,
        "3 episoder (5 av 1200 rader)",
        rejected=(1195, "rader avvist"),
        replaced=(1234, "tidligere episoder erstattet"),
    )
    assert text == (
        f"Episoder 01.2026–02.2026: 3 episoder (5 av 1200 rader) importert, 1{NBSP}195 rader "
        f"avvist; 1{NBSP}234 tidligere episoder erstattet."
    )
