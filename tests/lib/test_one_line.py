"""One-line text for headers: control characters found and folded into spaces."""

from __future__ import annotations

import pytest

from legemiddel.lib.text import has_control_characters, one_line


@pytest.mark.parametrize(
    "text", ["a\nb", "a\rb", "a\r\nb", "a\tb", "a\x00b", "a\x7fb", "a\x85b", "a\u2028b", "a\u2029b"]
)
def test_it_finds_line_breaks_tabs_and_other_control_characters(text):
    assert has_control_characters(text)
    assert one_line(text) == "a b"


@pytest.mark.parametrize("text", ["Ny LIS-anbefaling: TNF BIO", "Åse Ås – 50 %", "", "a  b"])
def test_ordinary_text_is_left_as_it_is(text):
    assert not has_control_characters(text)
    assert one_line(text) == text.strip()


def test_runs_of_breaks_and_the_spaces_around_them_become_one_space():
    assert one_line("  Ny \r\n\r\n  anbefaling \n") == "Ny anbefaling"
