"""The coding rules: a reviewed YAML file (``rules/isf.yaml``) saying which drugs must appear
on the episode, which procedure code goes with them, the særkode mapping, the matching window
and whether a parent unit's episode counts. Validated on load; a problem names file and field.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

RULES_FILE = Path(__file__).resolve().parent / "rules" / "isf.yaml"
ATC = re.compile(r"^[A-Z]\d\d[A-Z]{2}\d\d$")
KEY = re.compile(r"^[a-z0-9-]{1,60}$")
CODE = re.compile(r"^[A-Z0-9]{2,10}$")
_TOP = {"author", "reviewer", "reviewed", "rules", "saerkoder"}
_RULE = {
    "key", "label", "atc", "procedure", "window_before", "window_after", "parent_unit",
    "drg_weight", "fixed_amount", "valid_from", "valid_to",
}  # fmt: skip


class RuleError(ValueError):
    """A rule file does not validate; the message names the file and the field."""


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    atc: tuple[str, ...]
    procedure: tuple[str, ...]
    window_before: int
    window_after: int
    parent_unit: bool
    drg_weight: float | None
    fixed_amount: float | None
    valid_from: dt.date
    valid_to: dt.date | None


@dataclass(frozen=True)
class Saerkode:
    code: str
    atc: str
    valid_from: dt.date
    valid_to: dt.date | None


@dataclass(frozen=True)
class RuleSet:
    author: str
    reviewer: str
    reviewed: dt.date
    rules: tuple[Rule, ...]
    saerkoder: tuple[Saerkode, ...]

    def saerkode_atc(self, code: str, day: dt.date) -> str | None:
        for item in self.saerkoder:
            if (
                item.code == code
                and item.valid_from <= day
                and (item.valid_to is None or day <= item.valid_to)
            ):
                return item.atc
        return None


def _date(value: Any, where: str, *, required: bool = True) -> dt.date | None:
    if value is None and not required:
        return None
    if isinstance(value, dt.date):
        return value
    raise RuleError(f"{where}: skriv en dato (2026-01-31)")


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RuleError(f"{where}: skriv en tekst")
    return value.strip()


def _codes(value: Any, where: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(
        isinstance(v, str) and pattern.match(v) for v in value
    ):
        raise RuleError(
            f"{where}: skriv en liste med koder, f.eks. [{'S01LA05' if pattern is ATC else 'CKD05'}]"
        )
    return tuple(value)


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise RuleError(f"{where}: skriv et tall som ikke er negativt")
    return float(value)


def _days(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 60:
        raise RuleError(f"{where}: skriv et helt antall dager (0–60)")
    return value


def _rule(raw: Any, where: str) -> Rule:
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: skriv regelen som et oppslag")
    unknown = sorted(set(map(str, raw)) - _RULE)
    if unknown:
        raise RuleError(f"{where}: ukjent nøkkel {', '.join(unknown)}")
    key = _text(raw.get("key"), f"{where}.key")
    if not KEY.match(key):
        raise RuleError(f"{where}.key: bruk små bokstaver a-z, sifre og bindestrek")
    where = f"rules[{key}]"
    drg = _number(raw.get("drg_weight"), f"{where}.drg_weight")
    fixed = _number(raw.get("fixed_amount"), f"{where}.fixed_amount")
    if (drg is None) == (fixed is None):
        raise RuleError(f"{where}.drg_weight: oppgi enten drg_weight eller fixed_amount")
    if not isinstance(raw.get("parent_unit", False), bool):
        raise RuleError(f"{where}.parent_unit: skriv true eller false")
    valid_from = _date(raw.get("valid_from"), f"{where}.valid_from")
    valid_to = _date(raw.get("valid_to"), f"{where}.valid_to", required=False)
    assert valid_from is not None
    if valid_to is not None and valid_to < valid_from:
        raise RuleError(f"{where}.valid_to: slutter før valid_from")
    atc = _codes(raw.get("atc"), f"{where}.atc", ATC)
    if not atc:
        raise RuleError(f"{where}.atc: regelen må nevne minst ett legemiddel")
    return Rule(
        key=key,
        label=_text(raw.get("label"), f"{where}.label"),
        atc=atc,
        procedure=_codes(raw.get("procedure", []), f"{where}.procedure", CODE),
        window_before=_days(raw.get("window_before", 0), f"{where}.window_before"),
        window_after=_days(raw.get("window_after", 0), f"{where}.window_after"),
        parent_unit=raw.get("parent_unit", False),
        drg_weight=drg,
        fixed_amount=fixed,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def _saerkode(raw: Any, where: str) -> Saerkode:
    if not isinstance(raw, dict) or set(map(str, raw)) - {"code", "atc", "valid_from", "valid_to"}:
        raise RuleError(f"{where}: skriv code, atc, valid_from (og valid_to)")
    code = raw.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        raise RuleError(f"{where}.code: skriv særkoden uten punktum, f.eks. 1LA05")
    atc = raw.get("atc")
    if not isinstance(atc, str) or not ATC.match(atc):
        raise RuleError(f"{where}.atc: skriv ATC-koden, f.eks. S01LA05")
    valid_from = _date(raw.get("valid_from"), f"{where}.valid_from")
    assert valid_from is not None
    return Saerkode(
        code, atc, valid_from, _date(raw.get("valid_to"), f"{where}.valid_to", required=False)
    )


def parse_rules(text: str, file: str) -> RuleSet:
    """The rule set in ``text``; :class:`RuleError` names ``file`` and the field."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleError(f"{file}: kan ikke leses: {exc}") from exc
    try:
        if not isinstance(raw, dict):
            raise RuleError("filen må være et YAML-oppslag (nøkkel: verdi)")
        unknown = sorted(set(map(str, raw)) - _TOP)
        if unknown:
            raise RuleError(f"ukjent nøkkel {', '.join(unknown)}")
        reviewed = _date(raw.get("reviewed"), "reviewed")
        assert reviewed is not None
        if not isinstance(raw.get("rules"), list) or not raw["rules"]:
            raise RuleError("rules: skriv minst én regel")
        rules = tuple(_rule(r, f"rules[{i}]") for i, r in enumerate(raw["rules"]))
        keys = [r.key for r in rules]
        if len(set(keys)) != len(keys):
            raise RuleError("rules: to regler har samme key")
        if not isinstance(raw.get("saerkoder", []), list):
            raise RuleError("saerkoder: skriv en liste")
        saerkoder = tuple(
            _saerkode(s, f"saerkoder[{i}]") for i, s in enumerate(raw.get("saerkoder", []))
        )
        return RuleSet(
            author=_text(raw.get("author"), "author"),
            reviewer=_text(raw.get("reviewer"), "reviewer"),
            reviewed=reviewed,
            rules=rules,
            saerkoder=saerkoder,
        )
    except RuleError as exc:
        raise RuleError(f"{file}: {exc}") from exc


@functools.cache
def _load(path: Path, mtime: float) -> RuleSet:
    return parse_rules(path.read_text(encoding="utf-8"), path.name)


def load_rules(path: Path | None = None) -> RuleSet:
    path = path or RULES_FILE
    return _load(path, path.stat().st_mtime)
