"""ICD-10 code sets of an indication: codes, ranges, and what is not a code set."""

from __future__ import annotations

import pytest

from legemiddel.methods.codesets import CodeSetError, code_in_set, code_set_prefixes


def test_codes_and_ranges_become_prefixes():
    assert code_set_prefixes("C50 C34.0-C34.9 e70.2") == ["C50", "C34", "E702"]
    assert code_set_prefixes("C00-C03") == ["C00", "C01", "C02", "C03"]
    assert code_set_prefixes("C34.5-C36") == ["C345", "C346", "C347", "C348", "C349", "C35", "C36"]
    assert code_set_prefixes("M05, M06;M05") == ["M05", "M06"]
    assert code_set_prefixes("") == []


def test_a_code_takes_in_the_codes_below_it():
    prefixes = code_set_prefixes("C50 C34.1-C34.3")
    assert code_in_set("C501", prefixes)
    assert code_in_set("C342", prefixes)
    assert not code_in_set("C344", prefixes)
    assert not code_in_set("C5", prefixes)


@pytest.mark.parametrize(
    "text", ["brystkreft", "C36-C34", "C34-", "-C34", "5C0", "C50\x00", "=C50", "A00-Z99"]
)
def test_what_is_not_a_code_set_is_refused(text):
    with pytest.raises(CodeSetError):
        code_set_prefixes(text)
