"""Method IDs and the identity of a method row.

The list writes IDs as ``2019_073`` (sometimes ``2021_110 A``), web pages as ``ID2019_073``. We
store ``ID2019_073`` / ``ID2021_110A`` and accept every form, in any case, in search.
"""

from __future__ import annotations

import hashlib
import re

_ID = re.compile(r"^\s*(?:ID)?\s*(\d{4})\s*[_\-]\s*(\d{2,4})\s*([A-Z])?\s*$", re.IGNORECASE)


def normalise_method_id(text: str) -> str:
    """``2019_073``, ``ID2019_073``, ``id2021_110 a`` -> ``ID2019_073`` / ``ID2021_110A``.

    Raises ``ValueError`` for anything else."""
    match = _ID.match(text or "")
    if not match:
        raise ValueError(text)
    year, number, suffix = match.groups()
    return f"ID{year}_{number}{(suffix or '').upper()}"


def method_id_or_none(text: str) -> str | None:
    try:
        return normalise_method_id(text)
    except ValueError:
        return None


def fold_indication(text: str) -> str:
    """The indication as compared: case and runs of white space do not make a new method."""
    return " ".join((text or "").split()).casefold()


def indication_key(text: str) -> str:
    """The indication's part of a method's identity (fits any length of text in 64 chars)."""
    return hashlib.sha256(fold_indication(text).encode("utf-8")).hexdigest()
