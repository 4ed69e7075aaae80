"""ATC codes as strings: their level and the groups above them (no database)."""

from __future__ import annotations

import re

ATC_PATTERN = re.compile(r"^[A-Z](\d\d([A-Z]([A-Z](\d\d)?)?)?)?$")
# Length of an ATC code at each level: A, A10, A10B, A10BA, A10BA02.
ATC_LENGTHS = {1: 1, 2: 3, 3: 4, 4: 5, 5: 7}
_LEVEL_BY_LENGTH = {length: level for level, length in ATC_LENGTHS.items()}


def atc_level(code: str) -> int | None:
    """The ATC level (1-5) of a well-formed code, else ``None``."""
    if not ATC_PATTERN.match(code):
        return None
    return _LEVEL_BY_LENGTH.get(len(code))


def atc_ancestors(code: str) -> list[str]:
    """The code and every level above it, top first: ``A10BA02`` -> A, A10, A10B, A10BA, A10BA02."""
    level = atc_level(code)
    if level is None:
        return []
    return [code[: ATC_LENGTHS[lvl]] for lvl in range(1, level + 1)]
