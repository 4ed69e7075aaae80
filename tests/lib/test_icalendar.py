"""iCalendar content lines (RFC 5545): escaped, quoted and folded, whatever the value holds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legemiddel.lib.icalendar import calendar, content_line, escape_text, fold, param_value


def test_text_escapes_backslash_semicolon_comma_and_every_line_break():
    assert escape_text("a\\b;c,d\r\ne\nf\rg\u2028h") == "a\\\\b\\;c\\,d\\ne\\nf\\ng\\nh"


def test_text_drops_other_control_characters_but_keeps_tabs():
    assert escape_text("a\x00b\x1bc\x7fd\te") == "abcd\te"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("REQ-PARTICIPANT", "REQ-PARTICIPANT"),
        ("Åse Ås", '"Åse Ås"'),
        ('Kari "K" Nordmann', "\"Kari 'K' Nordmann\""),
        ("a;b:c,d", '"a;b:c,d"'),
        ("Ola\r\nATTENDEE:mailto:x", '"Ola ATTENDEE:mailto:x"'),
    ],
)
def test_a_parameter_value_is_a_word_or_one_quoted_string(value, written):
    assert param_value(value) == written


def test_a_line_of_75_octets_is_not_folded_and_one_of_76_is():
    assert fold("X" * 75) == "X" * 75
    assert fold("X" * 76) == "X" * 75 + "\r\n " + "X"


def test_it_refuses_a_property_or_parameter_name_that_is_not_a_name():
    with pytest.raises(ValueError, match="Not an iCalendar name"):
        content_line("SUMMARY\r\nX-EVIL", "x")
    with pytest.raises(ValueError, match="Not an iCalendar name"):
        content_line("ATTENDEE", "x", params=[("CN=x;EVIL", "y")])


def test_a_value_that_is_not_text_loses_its_control_characters_only():
    assert content_line("URL", "https://x.no/a,b;c\r\nX-EVIL:1", text=False) == (
        "URL:https://x.no/a,b;cX-EVIL:1"
    )


def test_a_calendar_ends_every_line_with_crlf():
    assert calendar(["BEGIN:VCALENDAR", "END:VCALENDAR"]) == "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


@given(
    name=st.text(max_size=300),
    value=st.text(max_size=300),
)
def test_no_value_adds_a_line_and_no_physical_line_is_longer_than_75_octets(name, value):
    line = content_line("ATTENDEE", "mailto:" + value, params=[("CN", name)], text=False)
    text = content_line("DESCRIPTION", value)

    for written in (line, text):
        physical = written.split("\r\n")
        assert all(len(p.encode()) <= 75 for p in physical)
        assert all(p.startswith(" ") for p in physical[1:])
        unfolded = written.replace("\r\n ", "")
        assert "\r" not in unfolded
        assert "\n" not in unfolded
