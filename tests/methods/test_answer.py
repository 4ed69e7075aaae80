"""The answer in plain Norwegian, built from the data: status (confirmed, else suggested and
marked), indication, date, conditions, and the LIS first choice without prices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from legemiddel.agreements.models import TherapeuticArea
from legemiddel.methods.models import DecisionStatus
from legemiddel.methods.selectors import answer
from tests.methods.lookup_builders import add_product, add_substance, make_method, publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def norwegian():
    with translation.override("nb"):
        yield


def test_an_introduction_with_a_date(db):
    method = make_method(
        indication="Behandling av revmatoid artritt", effective_from=dt.date(2024, 3, 1)
    )
    assert answer(method) == "Innført for behandling av revmatoid artritt fra 01.03.2024."


def test_an_introduction_on_condition_of_the_price(db):
    method = make_method(
        indication="Revmatoid artritt",
        status=DecisionStatus.CONDITIONS,
        conditions="at prisen er lik eller lavere enn prisen på dagens førstevalg.",
        price_condition=True,
        effective_from=dt.date(2024, 3, 1),
    )
    assert answer(method) == (
        "Innført for revmatoid artritt fra 01.03.2024, på vilkår: at prisen er lik eller "
        "lavere enn prisen på dagens førstevalg."
    )


def test_a_price_condition_without_its_text(db):
    method = make_method(status=DecisionStatus.CONDITIONS, price_condition=True)
    assert answer(method) == "Innført for revmatoid artritt, på vilkår om avtalt pris."


def test_a_date_given_only_as_text(db):
    method = make_method(effective_note="når ny LIS-avtale trer i kraft")
    assert answer(method) == "Innført for revmatoid artritt (når ny LIS-avtale trer i kraft)."


def test_the_lis_first_choice_of_the_linked_area(db):
    area = TherapeuticArea.objects.create(code="TNF-BIO", name="TNF BIO")
    substance = add_substance("S1", "Adalimumab")
    first = add_product("100001", "Amgevita", substance)
    second = add_product("100002", "Humira", substance)
    publish(area, [("Revmatoid artritt", 1, first), ("Revmatoid artritt", 2, second)],
            title="TNF BIO 2026")  # fmt: skip
    method = make_method(area=area, effective_from=dt.date(2024, 3, 1))
    text = answer(method)
    assert text == (
        "Innført for revmatoid artritt fra 01.03.2024; førstevalg i LIS-avtalen TNF BIO 2026 "
        "(rang 1: Amgevita)."
    )
    assert "4321" not in text
    assert "4 321" not in text


def test_no_first_choice_without_an_agreement_in_force(db):
    area = TherapeuticArea.objects.create(code="MS", name="MS")
    substance = add_substance("S1", "Natalizumab")
    agreement = publish(area, [("MS", 1, add_product("100001", "Tysabri", substance))])
    agreement.status = agreement.Status.DRAFT
    agreement.save()
    assert "førstevalg" not in answer(make_method(area=area))


def test_not_introduced_says_when_it_was_decided(db):
    method = make_method(
        indication="Tidlig brystkreft",
        status=DecisionStatus.NOT_INTRODUCED,
        decision_date=dt.date(2023, 11, 20),
    )
    assert answer(method) == "Ikke innført for tidlig brystkreft (besluttet 20.11.2023)."


def test_under_assessment_says_what_may_be_done(db):
    method = make_method(indication="Migrene", status=DecisionStatus.ASSESSMENT)
    assert answer(method) == (
        "Under vurdering for migrene: skal ikke startes for nye pasienter; pågående behandling "
        "kan fortsette."
    )


def test_other_sends_the_reader_to_the_full_decision(db):
    text = answer(make_method(status=DecisionStatus.OTHER))
    assert "les hele beslutningen" in text


def test_an_unconfirmed_suggestion_is_marked(db):
    method = make_method(status="", suggested=DecisionStatus.NOT_INTRODUCED)
    assert answer(method) == "Ikke innført for revmatoid artritt. (foreslått, ikke bekreftet)"


def test_the_confirmed_status_wins_over_the_suggestion(db):
    method = make_method(status=DecisionStatus.INTRODUCED, suggested=DecisionStatus.NOT_INTRODUCED)
    assert answer(method).startswith("Innført for")
    assert "foreslått" not in answer(method)


def test_an_acronym_at_the_start_of_the_indication_keeps_its_case(db):
    method = make_method(indication="HER2-positiv brystkreft")
    assert answer(method) == "Innført for HER2-positiv brystkreft."


def test_white_space_in_the_list_does_not_reach_the_sentence(db):
    method = make_method(indication="  Revmatoid\n  artritt ")
    assert answer(method) == "Innført for revmatoid artritt."
