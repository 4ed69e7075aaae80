"""Understanding a decision text: the suggested status, conditions and date of use.

The texts are written for these tests in the style of the national decision list (no text is
copied from it); the tricky ones are where a naive reading goes wrong.
"""

from __future__ import annotations

import datetime as dt

import pytest

from legemiddel.methods.decisions import (
    effective_date,
    effective_note,
    sentences,
    tied_to_agreement,
    understand,
)
from legemiddel.methods.models import DecisionStatus as S

PRICE = (
    "Det forutsetter at prisen er lik eller lavere enn prisen som ligger til grunn for "
    "beslutningen."
)

CASES = [
    # (short, full, status)
    ("Innført", "Nivolumab kan innføres til behandling av avansert melanom.", S.INTRODUCED),
    ("", "Nivolumab kan innføres til behandling av avansert melanom.", S.INTRODUCED),
    ("Innført", "", S.INTRODUCED),
    (
        "Innført",
        "Pembrolizumab innføres til førstelinjebehandling av lungekreft. " + PRICE,
        S.CONDITIONS,
    ),
    (
        "",
        "Legemidlet kan innføres under forutsetning av at det brukes i tråd med nasjonale "
        "retningslinjer.",
        S.CONDITIONS,
    ),
    (
        "",
        "Beslutningsforum besluttet å innføre metoden. Vilkår: registrering i kvalitetsregister.",
        S.CONDITIONS,
    ),
    (
        "",
        "Metoden innføres for pasienter over 18 år. Behandlingen skal kun startes av "
        "spesialist i revmatologi.",
        S.CONDITIONS,
    ),
    ("Ikke innført", "", S.NOT_INTRODUCED),
    ("", "Tisagenlekleucel kan ikke innføres til behandling av lymfom.", S.NOT_INTRODUCED),
    ("", "Metoden innføres ikke. Prisen er for høy sammenlignet med nytten.", S.NOT_INTRODUCED),
    (
        "",
        "Legemidlet innføres derfor ikke til behandling av denne pasientgruppen.",
        S.NOT_INTRODUCED,
    ),
    ("", "Beslutningsforum besluttet å ikke innføre metoden.", S.NOT_INTRODUCED),
    ("", "Det er ikke grunnlag for å innføre metoden nå.", S.NOT_INTRODUCED),
    ("", "Kriteriene for å innføre metoden er ikke oppfylt.", S.NOT_INTRODUCED),
    ("", "Søknaden er avslått.", S.NOT_INTRODUCED),
    # Negation wins over a later positive sentence (the core group corrects it).
    (
        "",
        "Metoden kan ikke innføres for barn. Den kan innføres til behandling av voksne.",
        S.NOT_INTRODUCED,
    ),
    ("KAN IKKE INNFØRES", "", S.NOT_INTRODUCED),
    ("", "Metoden er under vurdering.", S.ASSESSMENT),
    ("", "Ikke ferdig vurdert. Metoden kan ikke innføres nå.", S.ASSESSMENT),
    ("", "Metodevurdering pågår.", S.ASSESSMENT),
    ("", "", S.ASSESSMENT),
    ("   ", "\n", S.ASSESSMENT),
    ("", "Kan ikke tas i bruk før beslutning er fattet i Beslutningsforum.", S.ASSESSMENT),
    ("", "Saken sendes tilbake til Bestillerforum for videre dialog.", S.ASSESSMENT),
    ("Avsluttet", "Oppdraget er trukket av leverandøren.", S.OTHER),
    ("", "Se egen sak om dette legemiddelet.", S.OTHER),
    # A condition that contains «ikke» is not a negated decision.
    (
        "",
        "Legemidlet innføres til behandling av MS. Det forutsetter at legemidlet ikke brukes "
        "i kombinasjon med andre sykdomsmodifiserende legemidler.",
        S.CONDITIONS,
    ),
    # A deferral is a condition of an introduction.
    (
        "",
        "Metoden innføres. Den kan ikke tas i bruk før ny pris er gjeldende.",
        S.CONDITIONS,
    ),
    (
        "",
        "Innføring av metoden godkjennes. Prisen skal være lik eller lavere enn i prisnotatet.",
        S.CONDITIONS,
    ),
]


@pytest.mark.parametrize(("short", "full", "status"), CASES)
def test_it_suggests_the_status(short, full, status):
    assert understand(short, full).status == status


def test_there_are_enough_realistic_texts():
    assert len(CASES) >= 25
    assert {status for _s, _f, status in CASES} == set(S.values)


def test_the_price_condition_is_found_and_kept_as_the_condition():
    got = understand("Innført", "Pembrolizumab innføres til behandling av lungekreft. " + PRICE)
    assert got.status == S.CONDITIONS
    assert got.price_condition is True
    assert got.conditions == PRICE


def test_a_condition_without_a_price_is_not_a_price_condition():
    got = understand(
        "", "Legemidlet kan innføres. Vilkår: behandlingen skal registreres i MS-registeret."
    )
    assert got.status == S.CONDITIONS
    assert got.price_condition is False
    assert got.conditions == "Vilkår: behandlingen skal registreres i MS-registeret."


def test_several_conditions_are_kept_each_on_its_line():
    got = understand(
        "",
        "Metoden innføres til behandling av X. " + PRICE + " Det forutsettes også at "
        "behandlingen startes ved et universitetssykehus.",
    )
    assert got.conditions.splitlines() == [
        PRICE,
        "Det forutsettes også at behandlingen startes ved et universitetssykehus.",
    ]


def test_a_not_introduced_method_has_no_conditions_or_date():
    got = understand("", "Metoden innføres ikke. " + PRICE + " Ny vurdering fra 1. mars 2024.")
    assert got.status == S.NOT_INTRODUCED
    assert (got.conditions, got.price_condition, got.effective_from) == ("", False, None)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Behandlingen kan tas i bruk fra 1. mars 2024.", dt.date(2024, 3, 1)),
        ("Behandlingen kan tas i bruk fra 01.03.2024.", dt.date(2024, 3, 1)),
        ("Kan tas i bruk fra og med 15.2.2025 når prisen gjelder.", dt.date(2025, 2, 15)),
        ("Beslutningen gjelder fra 1. februar 2025.", dt.date(2025, 2, 1)),
        ("Metoden kan tas i bruk fra mars 2024.", dt.date(2024, 3, 1)),
        ("Tas i bruk fra 15. des. 2023.", dt.date(2023, 12, 15)),
        ("Kan tas i bruk fra 1. MARS 2024.", dt.date(2024, 3, 1)),
        # An impossible date is no date; the next good one counts.
        ("Kan tas i bruk fra 31.02.2024, senest fra 01.04.2024.", dt.date(2024, 4, 1)),
        ("Kan tas i bruk fra 31.02.2024.", None),
        # A date not about use or validity (data from a study) is not a date of use.
        ("Studien har data fra 01.01.2019.", None),
        ("Kan tas i bruk fra ny LIS-avtale.", None),
    ],
)
def test_it_reads_the_date_of_use(text, day):
    assert effective_date(text) == day


def test_the_date_of_use_comes_with_the_introduction():
    got = understand(
        "Innført", "X kan innføres til behandling av Y. Kan tas i bruk fra 1. mars 2024."
    )
    assert got.status == S.INTRODUCED
    assert got.effective_from == dt.date(2024, 3, 1)


@pytest.mark.parametrize(
    ("text", "tied"),
    [
        ("Behandlingen kan tas i bruk fra ny LIS-avtale.", True),
        ("Kan tas i bruk når nye anbefalinger gjelder.", True),
        ("Kan tas i bruk når ny avtale gjelder.", True),
        ("Metoden kan tas i bruk når nye LIS-avtaler trer i kraft.", True),
        ("Kan tas i bruk fra tidspunkt for ny pris.", False),
    ],
)
def test_it_notes_a_start_tied_to_an_agreement_or_price(text, tied):
    got = understand("", "Metoden innføres. " + text)
    assert got.effective_note == text
    assert got.effective_from is None
    assert tied_to_agreement(got.effective_note) is tied


def test_no_note_without_a_tie():
    assert effective_note("Metoden innføres til behandling av melanom.") == ""


def test_sentences_do_not_break_inside_dates():
    assert sentences("Kan tas i bruk fra 1. mars 2024. Det forutsetter noe.\nNy linje") == [
        "Kan tas i bruk fra 1. mars 2024.",
        "Det forutsetter noe.",
        "Ny linje",
    ]


def test_the_short_version_repeated_in_the_full_is_read_once():
    full = "Metoden innføres. " + PRICE
    assert understand("Metoden innføres.", full).conditions == PRICE


@pytest.mark.parametrize(
    "text",
    ["\x00\x1f", '=HYPERLINK("x")', "ø" * 100_000, "innføres " * 5000, "nan", "1. 2. 3."],
)
def test_odd_text_never_raises(text):
    assert understand(text, text).status in S.values
