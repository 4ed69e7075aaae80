"""Method IDs: the list's form (2019_073), the web's (ID2019_073) and the letter suffix."""

from __future__ import annotations

import pytest

from legemiddel.methods.ids import (
    fold_indication,
    indication_key,
    method_id_or_none,
    normalise_method_id,
)


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("2019_073", "ID2019_073"),
        ("ID2019_073", "ID2019_073"),
        ("id2019_073", "ID2019_073"),
        (" 2019_073 ", "ID2019_073"),
        ("2021_110 A", "ID2021_110A"),
        ("2021_110A", "ID2021_110A"),
        ("ID2021_110 a", "ID2021_110A"),
        ("ID 2021_110 B", "ID2021_110B"),
    ],
)
def test_every_form_of_an_id_is_stored_one_way(text, stored):
    assert normalise_method_id(text) == stored
    assert method_id_or_none(text) == stored


@pytest.mark.parametrize(
    "text",
    ["", "2019", "2019073", "ID2019", "19_073", "2019_073 AB", "=cmd|' /C calc'!A0", "NaN", "ID_"],
)
def test_anything_else_is_not_an_id(text):
    with pytest.raises(ValueError, match=r".*"):
        normalise_method_id(text)
    assert method_id_or_none(text) is None


def test_the_indication_is_compared_without_case_or_runs_of_space():
    assert fold_indication("  Alvorlig   astma\u00a0hos voksne ") == "alvorlig astma hos voksne"
    assert indication_key("Alvorlig astma") == indication_key("ALVORLIG  astma")
    assert indication_key("Alvorlig astma") != indication_key("Alvorlig astma hos barn")
    assert len(indication_key("x" * 10_000)) == 64
