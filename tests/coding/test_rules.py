"""The coding rules are reviewed YAML: the shipped file validates, and a file that does not
names the file and the field."""

from __future__ import annotations

import pytest

from legemiddel.coding.rules import RuleError, load_rules, parse_rules

from .conftest import RULES_YAML


def test_the_shipped_rules_validate_and_map_saerkoder_by_date():
    rules = load_rules()
    assert rules.reviewer
    import datetime as dt

    assert rules.saerkode_atc("1LA05", dt.date(2024, 1, 1)) == "S01LA05"
    assert rules.saerkode_atc("6XX02", dt.date(2024, 1, 1)) == "L01FF01"
    assert rules.saerkode_atc("1LA05", dt.date(2017, 1, 1)) is None
    assert rules.saerkode_atc("9ZZ99", dt.date(2024, 1, 1)) is None


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("reviewer: Testesen", "reviewer: ''", "reviewer"),
        ("reviewed: 2026-01-01", "reviewed: i går", "reviewed"),
        ("atc: [S01LA05]", "atc: [S01.LA05]", "rules[oye].atc"),
        ("atc: [S01LA05]", "atc: []", "rules[oye].atc"),
        ("procedure: [CKD05]", "procedure: CKD05", "rules[oye].procedure"),
        ("window_before: 1", "window_before: -1", "rules[kreft].window_before"),
        ("parent_unit: true", "parent_unit: ja", "rules[oye].parent_unit"),
        ("drg_weight: 0.13", "drg_weight: 0.13\n    fixed_amount: 10", "rules[oye].drg_weight"),
        (
            "valid_from: 2018-01-01\n  - key: kreft",
            "valid_from: 2018-01-01\n    valid_to: 2017-01-01\n  - key: kreft",
            "rules[oye].valid_to",
        ),
        ("key: bio", "key: Bio Logisk", "rules[2].key"),
        ("key: bio", "key: oye", "rules:"),
        ("{code: 1LA05, atc: S01LA05", "{code: 1LA05, atc: S01", "saerkoder[0].atc"),
        ("author: Test", "author: Test\nowner: x", "ukjent nøkkel owner"),
    ],
)
def test_a_rule_file_that_does_not_validate_names_file_and_field(old, new, field):
    assert old in RULES_YAML
    with pytest.raises(RuleError) as info:
        parse_rules(RULES_YAML.replace(old, new, 1), "isf.yaml")
    message = str(info.value)
    assert message.startswith("isf.yaml: ")
    assert field in message
