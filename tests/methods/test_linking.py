"""Linking a method: FEST substances by name, ATC codes, the LIS area and rank, ICD-10 codes
from the reviewed file, and the start of use tied to an agreement. Nothing a person set is
overwritten."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from legemiddel.methods.icd10 import (
    IndicationFileError,
    icd10_clean,
    icd10_matches,
    icd10_prefixes,
    load_indications,
    parse_indications,
)
from legemiddel.methods.linking import link_method, link_methods, lis_rank, substance_names
from legemiddel.methods.models import MethodSubstance, MethodType
from tests.methods.conftest import add_method

pytestmark = pytest.mark.django_db


def _linked(method) -> dict[str, str]:
    return dict(method.substance_links.values_list("substance_id", "source"))


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Adalimumab", ["Adalimumab"]),
        ("nivolumab og ipilimumab", ["nivolumab", "ipilimumab"]),
        ("Nivolumab, ipilimumab", ["Nivolumab", "ipilimumab"]),
        ("Nivolumab + Ipilimumab", ["Nivolumab", "Ipilimumab"]),
        ("elexakaftor/tezakaftor/ivakaftor", ["elexakaftor", "tezakaftor", "ivakaftor"]),
        ("Pembrolizumab i kombinasjon med lenvatinib", ["Pembrolizumab", "lenvatinib"]),
        ("Certolizumab pegol", ["Certolizumab pegol"]),
        ("Nivolumab (Opdivo)", ["Nivolumab"]),
        ("  ", []),
        ("Adalimumab og adalimumab", ["Adalimumab"]),
    ],
)
def test_it_splits_the_substance_column(text, names):
    assert substance_names(text) == names


def test_an_unambiguous_name_links_the_substance_in_any_case(catalogue):
    method = add_method(substance_text="ADALIMUMAB")
    link_method(method)
    assert _linked(method) == {"S_ADA": MethodSubstance.Source.NAME}
    assert method.substance_pick_needed is False


def test_the_english_name_links_too(catalogue):
    method = add_method(substance_text="infliximab")
    link_method(method)
    assert _linked(method) == {"S_INF": "name"}


def test_a_name_without_the_salt_finds_the_salt(catalogue):
    method = add_method(substance_text="Tofacitinib")
    link_method(method)
    assert _linked(method) == {"S_TOFA": "name"}


def test_several_names_each_link(catalogue):
    method = add_method(substance_text="Nivolumab og ipilimumab")
    link_method(method)
    assert set(_linked(method)) == {"S_NIVO", "S_IPI"}
    assert method.substance_pick_needed is False


def test_an_ambiguous_name_is_left_for_a_person(catalogue):
    method = add_method(substance_text="Interferon beta")
    link_method(method)
    assert _linked(method) == {}
    method.refresh_from_db()
    assert method.substance_pick_needed is True


def test_an_unknown_name_is_left_for_a_person_but_the_known_one_links(catalogue):
    method = add_method(substance_text="Nivolumab og ukjentumab")
    link_method(method)
    assert _linked(method) == {"S_NIVO": "name"}
    method.refresh_from_db()
    assert method.substance_pick_needed is True


def test_a_retired_substance_is_not_linked(catalogue):
    method = add_method(substance_text="Gammelstoff")
    link_method(method)
    assert _linked(method) == {}
    assert method.substance_pick_needed is True


def test_other_method_types_get_no_substances(catalogue):
    method = add_method(substance_text="Adalimumab", method_type=MethodType.DEVICE)
    link_method(method)
    assert _linked(method) == {}
    assert method.substance_pick_needed is False
    assert method.atc_codes == ""


def test_a_persons_substances_are_never_overwritten(catalogue):
    method = add_method(substance_text="Adalimumab")
    MethodSubstance.objects.create(
        method=method, substance_id="S_INF", source=MethodSubstance.Source.MANUAL
    )
    method.substances_by_hand = True
    method.save()
    link_method(method)
    assert _linked(method) == {"S_INF": "manual"}


def test_a_name_link_that_no_longer_fits_is_removed_and_relinking_is_idempotent(catalogue):
    method = add_method(substance_text="Adalimumab")
    link_method(method)
    method.substance_text = "Nivolumab"
    method.save()
    link_method(method)
    link_method(method)
    assert _linked(method) == {"S_NIVO": "name"}


def test_atc_codes_come_from_brands_of_the_linked_substances_only(catalogue):
    method = add_method(substance_text="Nivolumab")
    link_method(method)
    # Opdualag (nivolumab + relatlimab) is not made of nivolumab alone.
    assert method.atc_codes == "L01FF01"
    both = add_method(method_id="2023_009", substance_text="nivolumab og ipilimumab")
    link_method(both)
    assert both.atc_codes == "L01FF01 L01FX04"


def test_the_area_is_the_one_ranking_the_atc_codes_and_the_rank_is_the_current_best(tnf_area):
    method = add_method(substance_text="Adalimumab")
    link_method(method)
    method.refresh_from_db()
    assert method.atc_codes == "L04AB04"
    assert method.area == tnf_area
    # Hyrimoz (adalimumab) is first choice in the running agreement.
    assert lis_rank(method) == 1


def test_no_area_without_an_agreement(catalogue):
    method = add_method(substance_text="Nivolumab")
    link_method(method)
    assert method.area is None
    assert lis_rank(method) is None


def test_links_set_by_hand_are_kept(tnf_area):
    method = add_method(substance_text="Adalimumab")
    method.atc_codes = "L04AB99"
    method.area = None
    method.links_by_hand = True
    method.save()
    link_method(method)
    method.refresh_from_db()
    assert (method.atc_codes, method.area) == ("L04AB99", None)


def test_icd10_codes_come_from_the_reviewed_file(catalogue):
    ra = add_method(method_id="2019_120", indication="Behandling av revmatoid artritt hos voksne")
    melanoma = add_method(method_id="2016_036", indication="Avansert melanom")
    lung = add_method(method_id="2016_036", indication="Ikke-småcellet lungekreft")
    other = add_method(method_id="2023_099", indication="Revmatoid artritt")
    for method in (ra, melanoma, lung, other):
        link_method(method)
    assert ra.icd10 == "M05-M06"
    assert melanoma.icd10 == "C43"
    assert lung.icd10 == "C34"
    assert other.icd10 == ""


def test_icd10_codes_set_by_hand_are_kept(catalogue):
    method = add_method(method_id="2023_001", icd10="M05.8", icd10_by_hand=True)
    link_method(method)
    assert method.icd10 == "M05.8"


def test_a_start_tied_to_a_new_agreement_takes_the_next_agreements_start(tnf_area):
    method = add_method(
        substance_text="Adalimumab",
        full="Adalimumab innføres. Kan tas i bruk fra ny LIS-avtale.",
        decision_date=dt.date.today(),
    )
    assert method.effective_note
    link_method(method)
    method.refresh_from_db()
    coming = tnf_area.agreements.get(title="TNF 2027")
    assert method.effective_from == coming.start


def test_a_confirmed_method_keeps_its_date(tnf_area):
    from django.utils import timezone

    method = add_method(
        substance_text="Adalimumab",
        full="Adalimumab innføres. Kan tas i bruk fra ny LIS-avtale.",
        status_confirmed_at=timezone.now(),
        status="introduced",
    )
    link_method(method)
    assert method.effective_from is None


# --- ICD-10 code sets ---


@pytest.mark.parametrize(
    ("codes", "code", "inside"),
    [
        ("C50", "C50.9", True),
        ("C50", "C509", True),
        ("C50", "c50", True),
        ("C50", "C51", False),
        ("C34.0-C34.9", "C34.1", True),
        ("C34.0-C34.9", "C3419", True),
        ("C34.0-C34.9", "C35", False),
        ("M05-M06", "M06.9", True),
        ("M05-M06", "M07", False),
        ("C00-D49", "D48.1", True),
        ("C00-D49", "D50", False),
        ("L40.5 M07.0-M07.3", "M07.2", True),
        ("L40.5 M07.0-M07.3", "L40.0", False),
        ("C50", "", False),
        ("ikke en kode", "C50", False),
    ],
)
def test_icd10_matches(codes, code, inside):
    assert icd10_matches(codes, code) is inside


def test_icd10_prefixes_are_minimal_for_sql():
    assert icd10_prefixes("C34 C34.0-C34.2 M05-M06") == ["C34", "M05", "M06"]
    assert icd10_prefixes("C34.0 - C34.2, C50") == ["C340", "C341", "C342", "C50"]
    assert icd10_prefixes("") == []


def test_a_code_set_is_stored_tidy():
    assert icd10_clean(" c501,  c34.0 – c34.9 ") == "C50.1 C34.0-C34.9"


@pytest.mark.parametrize("codes", ["C5", "50", "C34.9-C34.0", "A00-Z99.99", "C50=", "C50-"])
def test_a_bad_code_set_names_the_code(codes):
    from legemiddel.methods.icd10 import Icd10Error

    with pytest.raises(Icd10Error):
        icd10_prefixes(codes)


# --- The reviewed file ---

GOOD = {
    "author": "Kjernegruppen",
    "reviewer": "Koding",
    "reviewed": dt.date(2026, 11, 1),
    "valid_until": dt.date(2027, 11, 1),
    "entries": [{"method": "2023_001", "indication": "Revmatoid artritt", "icd10": "M05-M06"}],
}


def test_the_shipped_file_validates_and_needs_no_review_yet():
    found = load_indications()
    assert found.entries
    assert found.author
    assert found.reviewer
    assert not found.needs_review(found.reviewed)


def test_the_file_accepts_both_id_forms_and_folds_the_indication():
    found = parse_indications(GOOD)
    assert found.codes_for("ID2023_001", "REVMATOID ARTRITT hos voksne") == "M05-M06"
    assert found.needs_review(dt.date(2027, 11, 2))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"author": ""}, "author"),
        ({"reviewed": "i fjor"}, "reviewed"),
        ({"valid_until": dt.date(2020, 1, 1)}, "valid_until"),
        ({"entries": "ingen"}, "entries"),
        (
            {"entries": [{"method": "2023-1", "indication": "x", "icd10": "C50"}]},
            "entries[1].method",
        ),
        (
            {"entries": [{"method": "2023_001", "indication": "", "icd10": "C50"}]},
            "entries[1].indication",
        ),
        (
            {"entries": [{"method": "2023_001", "indication": "x", "icd10": "C5"}]},
            "entries[1].icd10",
        ),
        (
            {"entries": [{"method": "2023_001", "indication": "x", "icd10": "C50", "kode": 1}]},
            "entries[1]",
        ),
        ({"entries": [GOOD["entries"][0], GOOD["entries"][0]]}, "entries[2]"),
        ({"ekstra": 1}, "ukjente felt"),
    ],
)
def test_a_bad_file_names_file_and_field(change, field):
    with pytest.raises(IndicationFileError) as caught:
        parse_indications({**GOOD, **change}, "indications.yaml")
    assert str(caught.value).startswith("indications.yaml: ")
    assert field in str(caught.value)


def test_an_unreadable_file_names_the_file(tmp_path):
    bad = tmp_path / "indikasjoner.yaml"
    bad.write_bytes(b"\xff\xfe: [")
    with pytest.raises(IndicationFileError, match=r"indikasjoner\.yaml"):
        load_indications(bad)
    bad.write_text(yaml.safe_dump([1, 2]), encoding="utf-8")
    with pytest.raises(IndicationFileError, match=r"indikasjoner\.yaml"):
        load_indications(bad)


def test_linking_a_drug_method_costs_a_bounded_number_of_queries(
    tnf_area, django_assert_max_num_queries
):
    """The import links every changed method: a handful of queries each, not one per brand."""
    method = add_method(substance_text="Adalimumab og nivolumab")
    with django_assert_max_num_queries(12):
        link_method(method)
    assert set(method.atc_codes.split()) == {"L04AB04", "L01FF01"}


def test_linking_many_methods_at_once_gives_what_one_at_a_time_gives(
    tnf_area, django_assert_max_num_queries
):
    """An import links the whole list in one go: the same links as method by method, and a
    number of queries that does not grow with the list."""
    texts = ["Adalimumab", "infliximab", "Adalimumab og nivolumab", "ukjentmab", "ADALIMUMAB"] * 6
    one_by_one = [add_method(substance_text=t, indication=f"A {i}") for i, t in enumerate(texts)]
    for method in one_by_one:
        link_method(method)
    together = [add_method(substance_text=t, indication=f"B {i}") for i, t in enumerate(texts)]
    with django_assert_max_num_queries(14):
        link_methods(together)

    def links(method):
        method.refresh_from_db()
        return (
            _linked(method),
            method.atc_codes,
            method.area_id,
            method.substance_pick_needed,
            method.icd10,
        )

    assert [links(m) for m in together] == [links(m) for m in one_by_one]
    assert together[3].substance_pick_needed is True
    assert together[2].area_id == tnf_area.pk
