"""``fold``: the search key that makes name search behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legemiddel.lib.text import fold


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ØYVIND Ærø", "øyvind ærø"),
        ("RØNNING", "rønning"),
        ("ÅSE", "åse"),
        ("Straße", "STRASSE"),
    ],
)
def test_fold_ignores_case_including_norwegian_letters(a, b):
    assert fold(a) == fold(b)


def test_fold_makes_composed_and_decomposed_letters_equal():
    composed = "Åse"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert fold(composed) == fold(decomposed) == "åse"


def test_fold_trims_surrounding_whitespace_but_keeps_inner_spaces():
    assert fold("  Øyvind  Rønning \n") == "øyvind  rønning"


def test_fold_keeps_letters_distinct_that_are_distinct_in_norwegian():
    assert fold("ø") != fold("o")
    assert fold("å") != fold("a")
    assert fold("æ") != fold("ae")


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)
