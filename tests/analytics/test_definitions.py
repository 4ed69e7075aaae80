"""Measure definitions: validated on load, each problem named by file and field."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from legemiddel.analytics.definitions import DefinitionError, load_definitions, parse_definition

GOOD = {
    "id": "andel",
    "title": "Andel",
    "why": "Fordi",
    "how": "Slik",
    "kind": "share",
    "basis": "ddd",
    "numerator": {"rank": [1]},
    "denominator": {"rank": "all"},
    "sources": ["sls"],
    "lower_is_better": False,
    "target": 0.8,
    "author": "A",
    "reviewer": "R",
    "review_date": dt.date(2026, 1, 1),
    "status": "reviewed",
    "for_each_area": True,
}


def test_the_products_definitions_load_and_are_reviewed():
    found = load_definitions()
    assert {d.id for d in found} >= {"forstevalg-ddd", "kostnad"}
    assert all(d.reviewer and d.review_date for d in found)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "gjennomsnitt"}, "kind må være share, total eller ratio"),
        ({"kind": "ratio"}, "kind ratio hører sammen med counts"),
        ({"basis": "liter"}, "basis må være"),
        ({"sources": ["dips"]}, "DDD og kroner finnes bare i sls og hresept"),
        ({"numerator": {"rank": [0]}}, "numerator.rank"),
        ({"numerator": {"colour": "red"}}, "ukjent nøkkel colour"),
        ({"denominator": None}, "trenger denominator"),
        ({"target": 2}, "target"),
        ({"review_date": "snart"}, "review_date"),
        ({"status": "ok"}, "status må være"),
        ({"for_each_area": False}, "rang forutsetter for_each_area"),
        ({"numerator": {"varenr": ["12x"]}}, "varenummer har seks sifre"),
        ({"why": ""}, "mangler why"),
        ({"basis": "packs"}, "basis packs krever varenr"),
    ],
)
def test_it_refuses_a_bad_definition_naming_file_and_field(change, message):
    raw = {**GOOD, **change}
    if raw.get("denominator") is None:
        raw.pop("denominator")
    with pytest.raises(DefinitionError, match=message):
        parse_definition(raw, "andel.yaml")


def test_the_file_name_must_be_the_id(tmp_path: Path):
    with pytest.raises(DefinitionError, match="filnavnet"):
        parse_definition(GOOD, "annet.yaml")
    (tmp_path / "andel.yaml").write_text("id: [ikke lukket", encoding="utf-8")
    with pytest.raises(DefinitionError, match="ikke gyldig YAML"):
        load_definitions(tmp_path)


def test_a_total_has_no_denominator():
    raw = {**GOOD, "kind": "total"}
    with pytest.raises(DefinitionError, match="bare en andel"):
        parse_definition(raw, "andel.yaml")


def test_definitions_read_from_a_directory(tmp_path: Path):
    body = textwrap.dedent(
        """
        id: andel
        title: Andel
        why: Fordi
        how: Slik
        kind: share
        basis: ddd
        numerator: {atc: [L04AB]}
        denominator: {atc: [L04]}
        sources: [sls]
        lower_is_better: false
        author: A
        reviewer: R
        review_date: 2026-01-01
        status: draft
        """
    )
    (tmp_path / "andel.yaml").write_text(body, encoding="utf-8")
    (definition,) = load_definitions(tmp_path)
    assert definition.numerator.atc == ("L04AB",)
    assert definition.for_each_area is False
