"""Properties of the two text parsers over any input: understanding a decision never fails
and always suggests a status; an ICD-10 set that parses matches the same codes once tidied."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from legemiddel.methods.decisions import understand
from legemiddel.methods.icd10 import Icd10Error, icd10_clean, icd10_matches, icd10_prefixes
from legemiddel.methods.models import DecisionStatus

WORDS = st.sampled_from(
    [
        "kan", "ikke", "innføres", "innført", "tas", "i", "bruk", "fra", "1.", "mars", "2024",
        "01.03.2024", "forutsetter", "prisen", "under", "vurdering", "før", "ny", "LIS-avtale",
        "vilkår", "derfor", ".", "\n", "Ikke", "Innført", "31.02.2024", "nå", "metoden",
    ]
)  # fmt: skip
DECISIONS = st.one_of(st.text(max_size=400), st.lists(WORDS, max_size=60).map(" ".join))


@given(DECISIONS, DECISIONS)
def test_understanding_never_fails(short, full):
    seen = understand(short, full)
    assert seen.status in DecisionStatus.values
    if seen.status not in (DecisionStatus.INTRODUCED, DecisionStatus.CONDITIONS):
        assert seen.conditions == ""
        assert seen.effective_from is None
    assert (seen.status == DecisionStatus.CONDITIONS) == bool(seen.conditions)
    assert len(seen.effective_note) <= 300


CODE = st.builds(
    lambda letter, number, sub: f"{letter}{number:02d}{sub}",
    st.sampled_from("ACGHLMZ"),
    st.integers(0, 99),
    st.sampled_from(["", ".0", ".9", "1", ".12"]),
)
SETS = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(CODE, st.tuples(CODE, CODE).map("-".join)), max_size=5).map(" ".join),
)


@given(SETS, st.one_of(CODE, st.text(max_size=8)))
def test_a_tidied_set_matches_the_same_codes(codes, code):
    try:
        tidy = icd10_clean(codes)
        icd10_prefixes(codes)
    except Icd10Error:
        assert icd10_matches(codes, code) is False
        return
    assert icd10_matches(tidy, code) == icd10_matches(codes, code)
    assert icd10_prefixes(tidy) == icd10_prefixes(codes)
