"""ICD-10 code sets of an indication, as the compliance check matches them.

A method's ``icd10`` holds codes and ranges separated by spaces or commas, with or without the
dot (``C50 C34.0-C34.9 E70.2``). A code means itself and every code below it (``C50`` takes in
``C501``); a range takes in every code from its first to its last. For matching in SQL a set
becomes prefixes (``C34.0-C34.9`` -> ``C340`` ... ``C349``; ``C00-C14`` -> ``C00`` ... ``C14``),
compared with the usage rows' codes, which the import stores upper case without dots.
"""

from __future__ import annotations

import re

CODE = re.compile(r"^[A-Z]\d{2}[0-9A-Z]{0,4}$")
# More prefixes than this for one set is a typing error (A00-Z99 would be 2 600 categories).
MAX_PREFIXES = 1000


class CodeSetError(ValueError):
    """A code set that is not ICD-10 codes and ranges."""


def normalise_code(text: str) -> str:
    """``e70.2`` -> ``E702``; raises ``CodeSetError`` for anything that is not an ICD-10 code."""
    code = text.strip().upper().replace(".", "")
    if not CODE.match(code):
        raise CodeSetError(text)
    return code


def _category(code: str) -> int:
    return (ord(code[0]) - ord("A")) * 100 + int(code[1:3])


def _category_code(index: int) -> str:
    return f"{chr(ord('A') + index // 100)}{index % 100:02d}"


def _subcodes(category: str, low: str, high: str) -> list[str]:
    """Prefixes for the codes of one category from sub-code ``low`` to ``high`` (digits)."""
    width = max(len(low), len(high), 1)
    if not (low or "0").isdigit() or not (high or "9").isdigit():
        raise CodeSetError(f"{category}{low}-{category}{high}")
    first = int(low.ljust(width, "0")) if low else 0
    last = int(high.ljust(width, "9")) if high else 10**width - 1
    if first == 0 and last == 10**width - 1:
        return [category]
    return [f"{category}{n:0{width}d}" for n in range(first, last + 1)]


def expand_range(low: str, high: str) -> list[str]:
    """The prefixes that cover every code from ``low`` to ``high`` (normalised codes)."""
    first, last = _category(low), _category(high)
    if (first, low[3:]) > (last, high[3:]) and not (first == last and not high[3:]):
        raise CodeSetError(f"{low}-{high}")
    if first == last:
        return _subcodes(low[:3], low[3:], high[3:])
    prefixes = _subcodes(low[:3], low[3:], "")
    prefixes += [_category_code(i) for i in range(first + 1, last)]
    prefixes += _subcodes(high[:3], "", high[3:])
    return prefixes


def code_set_prefixes(text: str) -> list[str]:
    """Every prefix of a code set, without duplicates, in order; ``CodeSetError`` naming the
    first part that is neither a code nor a range."""
    found: list[str] = []
    for part in re.split(r"[\s,;]+", (text or "").strip()):
        if not part:
            continue
        if "-" in part:
            low, _, high = part.partition("-")
            try:
                found += expand_range(normalise_code(low), normalise_code(high))
            except (CodeSetError, ValueError) as exc:
                raise CodeSetError(part) from exc
        else:
            found.append(normalise_code(part))
        if len(found) > MAX_PREFIXES:
            raise CodeSetError(part)
    return list(dict.fromkeys(found))


def code_in_set(code: str, prefixes: list[str]) -> bool:
    """Whether a usage row's code (normalised) falls in the set (for tests and the pages)."""
    return any(code.startswith(p) for p in prefixes)
