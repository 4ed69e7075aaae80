"""The clinicians' look-up: search by substance, trade name, indication or ID in every form,
case-insensitive with æ, ø and å, grouped per method ID, drugs first."""

from __future__ import annotations

import pytest

from legemiddel.methods.models import DecisionStatus, MethodType
from legemiddel.methods.selectors import MAX_GROUPS, _ascii_parts, method_search
from tests.methods.lookup_builders import make_method

pytestmark = pytest.mark.django_db


@pytest.fixture
def methods(db):
    return {
        "ra": make_method("ID2019_073", "Revmatoid artritt"),
        "pso": make_method("ID2019_073", "Plakkpsoriasis hos voksne"),
        "sjogren": make_method(
            "ID2020_011", "Primært Sjøgrens syndrom", substance="Ianalumab", trade="",
            status=DecisionStatus.ASSESSMENT,
        ),
        "a": make_method(
            "ID2021_110A", "Tidlig brystkreft", substance="Pembrolizumab", trade="Keytruda",
            status=DecisionStatus.NOT_INTRODUCED,
        ),
        "b": make_method(
            "ID2021_110B", "Lungekreft", substance="Pembrolizumab", trade="Keytruda",
        ),
        "device": make_method(
            "ID2022_001", "Måling av adalimumab i blod", substance="", trade="",
            method_type=MethodType.DEVICE,
        ),
    }  # fmt: skip


def ids(result) -> list[str]:
    return [g.method_id for g in result.groups]


def test_it_finds_a_substance_in_any_case(methods):
    assert ids(method_search("adalimumab"))[0] == "ID2019_073"
    assert ids(method_search("ADALIMUMAB"))[0] == "ID2019_073"
    assert ids(method_search("AdAli")) == ids(method_search("adali"))


def test_it_groups_the_indications_of_one_id(methods):
    group = method_search("adalimumab").groups[0]
    assert group.method_id == "ID2019_073"
    assert sorted(hit.method.indication for hit in group.rows) == [
        "Plakkpsoriasis hos voksne",
        "Revmatoid artritt",
    ]


def test_drugs_come_before_devices_and_procedures(methods):
    # The device's indication names the substance too; it is shown, after the drug.
    assert ids(method_search("adalimumab")) == ["ID2019_073", "ID2022_001"]
    assert method_search("adalimumab").groups[1].method_type == MethodType.DEVICE


def test_it_folds_norwegian_letters_in_any_case(methods):
    assert ids(method_search("SJØGREN")) == ["ID2020_011"]
    assert ids(method_search("sjøgrens")) == ["ID2020_011"]
    assert ids(method_search("MÅLING")) == ["ID2022_001"]
    assert ids(method_search("sjogren")) == []  # ø is a letter of its own, not an o


def test_it_finds_a_trade_name_and_words_of_the_indication(methods):
    assert ids(method_search("keytruda")) == ["ID2021_110A", "ID2021_110B"]
    assert ids(method_search("brystkreft")) == ["ID2021_110A"]
    assert ids(method_search("keytruda lunge")) == ["ID2021_110B"]


def test_every_word_must_match(methods):
    assert ids(method_search("adalimumab lungekreft")) == []


@pytest.mark.parametrize(
    "q", ["2019_073", "ID2019_073", "id2019_073", " Id 2019_073 ", "2019-073", "ID2019_07"]
)
def test_it_finds_an_id_in_every_form(methods, q):
    assert ids(method_search(q)) == ["ID2019_073"]


@pytest.mark.parametrize("q", ["id2021_110 a", "2021_110 A", "ID2021_110A", "2021_110a"])
def test_a_letter_suffix_finds_that_method_only(methods, q):
    assert ids(method_search(q)) == ["ID2021_110A"]


def test_an_id_without_its_letter_finds_every_suffix(methods):
    assert ids(method_search("2021_110")) == ["ID2021_110A", "ID2021_110B"]


def test_rows_removed_from_the_list_are_not_found_but_hand_made_ones_are(methods):
    methods["ra"].listed = False
    methods["ra"].save()
    found = method_search("adalimumab").groups[0]
    assert [hit.method.indication for hit in found.rows] == ["Plakkpsoriasis hos voksne"]
    make_method("ID2024_900", "Hånd lagt til", substance="Etanercept", listed=False, manual=True)
    assert ids(method_search("etanercept")) == ["ID2024_900"]


@pytest.mark.parametrize("q", ["", "   ", "\t"])
def test_an_empty_query_finds_nothing(methods, q):
    result = method_search(q)
    assert result.groups == []
    assert not result.searched


def test_norwegian_letters_narrow_on_their_ascii_runs(methods):
    assert _ascii_parts("sjøgrens") == ["sj", "grens"]
    assert _ascii_parts("øyesykdommer") == ["yesykdommer"]
    assert _ascii_parts("åø") == []
    assert ids(method_search("primært SJØGRENS")) == ["ID2020_011"]
    assert ids(method_search("æøå")) == []


def test_odd_queries_find_nothing_and_do_not_fail(methods):
    for q in ("%", "'; DROP TABLE methods_method; --", "\x00", "=1+1", "a" * 5000, "🙂", "\x1b[2J"):
        assert method_search(q).groups == []


def test_a_long_result_is_cut_and_says_so(db):
    for n in range(MAX_GROUPS + 5):
        make_method(f"ID2023_{n:03d}", "Myelomatose", substance=f"Stoff {n:02d}")
    result = method_search("myelomatose")
    assert result.total_groups == MAX_GROUPS + 5
    assert len(result.groups) == MAX_GROUPS
    assert result.cut


def test_the_status_badge_uses_the_confirmed_status_else_the_suggestion(methods):
    make_method("ID2024_001", "Migrene", substance="Erenumab", status="",
                suggested=DecisionStatus.NOT_INTRODUCED)  # fmt: skip
    (hit,) = method_search("erenumab").groups[0].rows
    badge = hit.badge
    assert badge.status == DecisionStatus.NOT_INTRODUCED
    assert badge.tone == "bad"
    assert not badge.confirmed
    badge = method_search("2019_073").groups[0].rows[0].badge
    assert badge.confirmed
    assert badge.tone == "ok"


def test_the_methods_of_a_lis_area_are_listed_with_or_without_words(methods):
    from legemiddel.agreements.models import TherapeuticArea

    area = TherapeuticArea.objects.create(code="TNF-BIO", name="TNF BIO")
    for method in (methods["ra"], methods["pso"]):
        method.area = area
        method.save()
    assert ids(method_search("", area="TNF-BIO")) == ["ID2019_073"]
    assert method_search("", area="TNF-BIO").searched
    assert ids(method_search("plakk", area="TNF-BIO")) == ["ID2019_073"]
    assert ids(method_search("keytruda", area="TNF-BIO")) == []
    assert ids(method_search("", area="FINNES-IKKE")) == []
