"""ICD-10 code sets of an indication, and the reviewed file that gives methods their codes.

A code set is written as codes and ranges separated by spaces (or commas), with or without the
dot: ``C50 C34.0-C34.9 M05-M06``. A code covers every code below it (``C50`` covers ``C50.9``
and NPR's ``C509``); a range covers everything from its first to its last code at the last
code's precision.

For SQL, :func:`icd10_prefixes` expands a set to the (normalised: upper case, no dot) prefixes it
covers; a code matches when it starts with one of them::

    REPLACE(UPPER(refund_code), '.', '') LIKE 'C34%' OR ... LIKE 'C50%'

(the prefixes hold only A-Z and 0-9, so they need no escaping in LIKE). The expansion is
minimal (no prefix covered by a shorter one) and bounded (:data:`MAX_PREFIXES`).

The reviewed file ``methods/indications.yaml`` (author, reviewer, review date, valid until)
lists, per method ID and a phrase of the indication, the codes of that indication. It is
validated on load; a problem names the file and the field.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from legemiddel.methods.ids import fold_indication, method_id_or_none

INDICATIONS_FILE = Path(__file__).resolve().parent / "indications.yaml"
MAX_PREFIXES = 2000
_CODE = re.compile(r"^([A-Z])(\d{2})(?:\.?(\d{1,2}))?$")
_SPLIT = re.compile(r"[\s,;]+")
_RANGE = re.compile(r"\s*[-–]\s*")
_TOP = {"author", "reviewer", "reviewed", "valid_until", "entries"}
_ENTRY = {"method", "indication", "icd10", "note"}


class Icd10Error(ValueError):
    """A code set does not parse; the message names the bad code."""


def normalise_code(code: str) -> str:
    """``c34.1`` -> ``C341``; the form NPR and the H-prescription refunds use."""
    return (code or "").strip().upper().replace(".", "")


def _parse_code(text: str) -> str:
    match = _CODE.match(text.strip().upper())
    if not match:
        raise Icd10Error(f"«{text}» er ikke en ICD-10-kode (skriv f.eks. C50 eller C34.1)")
    return "".join(part or "" for part in match.groups())


def icd10_parse(codes: str) -> list[tuple[str, str]]:
    """The set as (first, last) pairs of normalised codes; a single code is (code, code)."""
    # «C34.0 - C34.9» is one range: close up spaces around a dash before splitting.
    text = _RANGE.sub("-", (codes or "").strip())
    pairs: list[tuple[str, str]] = []
    for token in (t for t in _SPLIT.split(text) if t):
        if "-" in token:
            first, _, last = token.partition("-")
            low, high = _parse_code(first), _parse_code(last)
            if _key(low, len(high)) > _key(high, len(high)):
                raise Icd10Error(f"«{token}»: første kode kommer etter siste kode")
            pairs.append((low, high))
        else:
            code = _parse_code(token)
            pairs.append((code, code))
    return pairs


def icd10_clean(codes: str) -> str:
    """The set as it is stored: dotted codes, one space between (raises :class:`Icd10Error`)."""
    return " ".join(
        _dotted(low) if low == high else f"{_dotted(low)}-{_dotted(high)}"
        for low, high in icd10_parse(codes)
    )


def _dotted(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def _key(code: str, length: int) -> int:
    """A code as a number at ``length`` characters' precision (missing digits as 0)."""
    digits = (code[1:] + "0" * length)[: length - 1]
    return (ord(code[0]) - ord("A")) * 10 ** (length - 1) + int(digits)


def _code(key: int, length: int) -> str:
    letter, digits = divmod(key, 10 ** (length - 1))
    return chr(ord("A") + letter) + str(digits).zfill(length - 1)


def icd10_prefixes(codes: str) -> list[str]:
    """The normalised prefixes a set covers (see the module docstring); raises
    :class:`Icd10Error` for a bad set or one wider than :data:`MAX_PREFIXES` prefixes."""
    found: set[str] = set()
    for low, high in icd10_parse(codes):
        if low == high:
            found.add(low)
            continue
        length = len(high)
        first, last = _key(low, length), _key(high, length)
        if last - first + 1 > MAX_PREFIXES:
            raise Icd10Error(f"«{_dotted(low)}-{_dotted(high)}»: området er for stort")
        found.update(_code(k, length) for k in range(first, last + 1))
    ordered = sorted(found, key=lambda p: (len(p), p))
    minimal: list[str] = []
    for prefix in ordered:
        if not any(prefix.startswith(shorter) for shorter in minimal):
            minimal.append(prefix)
    return sorted(minimal)


def icd10_matches(codes: str, code: str) -> bool:
    """Whether ``code`` (any case, with or without the dot) lies in the set ``codes``. A bad
    set or an empty code matches nothing."""
    wanted = normalise_code(code)
    if not wanted:
        return False
    try:
        return any(wanted.startswith(prefix) for prefix in icd10_prefixes(codes))
    except Icd10Error:
        return False


@dataclass(frozen=True)
class IndicationCodes:
    method_id: str
    indication: str  # folded phrase; "*" = every row of the ID
    icd10: str
    note: str = ""

    def applies_to(self, method_id: str, indication: str) -> bool:
        return self.method_id == method_id and (
            self.indication == "*" or self.indication in fold_indication(indication)
        )


@dataclass(frozen=True)
class IndicationFile:
    author: str
    reviewer: str
    reviewed: dt.date
    valid_until: dt.date
    entries: tuple[IndicationCodes, ...]

    def codes_for(self, method_id: str, indication: str) -> str | None:
        """The codes of the most specific entry (longest phrase) that applies, or ``None``."""
        matching = [e for e in self.entries if e.applies_to(method_id, indication)]
        if not matching:
            return None
        best = max(matching, key=lambda e: 0 if e.indication == "*" else len(e.indication))
        return best.icd10

    def needs_review(self, today: dt.date) -> bool:
        return today > self.valid_until


class IndicationFileError(ValueError):
    """The indications file does not validate; the message names the file and the field."""


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise IndicationFileError(f"{where}: skriv en tekst")
    return value.strip()


def _day(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise IndicationFileError(f"{where}: skriv en dato (2026-01-31)")


def parse_indications(data: Any, name: str = "indications.yaml") -> IndicationFile:
    """Validate the loaded YAML; every message starts with the file name and the field."""
    if not isinstance(data, dict):
        raise IndicationFileError(f"{name}: filen må være en ordbok med author, reviewer ...")
    unknown = set(data) - _TOP
    if unknown:
        raise IndicationFileError(f"{name}: ukjente felt {', '.join(sorted(map(str, unknown)))}")
    author = _text(data.get("author"), f"{name}: author")
    reviewer = _text(data.get("reviewer"), f"{name}: reviewer")
    reviewed = _day(data.get("reviewed"), f"{name}: reviewed")
    valid_until = _day(data.get("valid_until"), f"{name}: valid_until")
    if valid_until < reviewed:
        raise IndicationFileError(f"{name}: valid_until: kan ikke være før reviewed")
    raw = data.get("entries")
    if not isinstance(raw, list):
        raise IndicationFileError(f"{name}: entries: skriv en liste")
    entries: list[IndicationCodes] = []
    seen: set[tuple[str, str]] = set()
    for number, item in enumerate(raw, start=1):
        where = f"{name}: entries[{number}]"
        if not isinstance(item, dict):
            raise IndicationFileError(f"{where}: skriv method, indication og icd10")
        unknown = set(item) - _ENTRY
        if unknown:
            raise IndicationFileError(
                f"{where}: ukjente felt {', '.join(sorted(map(str, unknown)))}"
            )
        method_id = method_id_or_none(str(item.get("method") or ""))
        if method_id is None:
            raise IndicationFileError(f"{where}.method: skriv en metode-ID (ID2019_073)")
        indication = fold_indication(_text(item.get("indication"), f"{where}.indication"))
        try:
            codes = icd10_clean(_text(str(item.get("icd10") or ""), f"{where}.icd10"))
            icd10_prefixes(codes)
        except Icd10Error as exc:
            raise IndicationFileError(f"{where}.icd10: {exc}") from exc
        if (method_id, indication) in seen:
            raise IndicationFileError(f"{where}: {method_id} «{indication}» står to ganger")
        seen.add((method_id, indication))
        note = item.get("note") or ""
        entries.append(IndicationCodes(method_id, indication, codes, str(note)))
    return IndicationFile(author, reviewer, reviewed, valid_until, tuple(entries))


def load_indications(path: Path | None = None) -> IndicationFile:
    """The reviewed indications file (cached for the default file)."""
    if path is None:
        return _default()
    return _load(path)


def _load(path: Path) -> IndicationFile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise IndicationFileError(f"{path.name}: kan ikke leses ({type(exc).__name__})") from exc
    return parse_indications(data, path.name)


@functools.cache
def _default() -> IndicationFile:
    return _load(INDICATIONS_FILE)
