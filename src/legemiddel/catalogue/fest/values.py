"""Reading values out of lxml elements: child lookup, text, attributes, dates and numbers.

FEST leaves out what it does not know, so every helper returns an empty value instead of
raising; :func:`required` is the one that refuses an entry.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any


def local_name(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def children(elem: Any) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for child in elem:
        out.setdefault(local_name(child.tag), []).append(child)
    return out


def child_text(kids: dict[str, list[Any]], name: str) -> str:
    found = kids.get(name)
    if not found:
        return ""
    return (found[0].text or "").strip()


def child_attr(kids: dict[str, list[Any]], name: str, attr: str = "V") -> str:
    found = kids.get(name)
    if not found:
        return ""
    return (found[0].get(attr) or "").strip()


def parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def parse_datetime(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed


class EntryProblem(Exception):
    def __init__(self, column: str, value: str, message: str) -> None:
        self.column = column
        self.value = value
        self.message = message


def parse_decimal(
    value: str, *, column: str, what: str, high: Decimal, noun: str = "en verdi"
) -> Decimal | None:
    """A number FEST gives, from 0 to ``high`` (docs/formats/fest.md); ``None`` when empty.

    Anything else (text, ``NaN``, ``INF``, ``1e400``, a negative number) is an
    :class:`EntryProblem` naming the element: the entry is refused, not stored without it.
    ``what`` names the entry and ``noun`` the value in the message ("en pris").
    """
    if not value:
        return None
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise EntryProblem(column, value, f"{what} har {noun} som ikke er et tall.")
    if number < 0:
        raise EntryProblem(column, value, f"{what} har en negativ {noun.removeprefix('en ')}.")
    if number > high:
        limit = f"{high:,.0f}".replace(",", "\u00a0")
        raise EntryProblem(column, value, f"{what} har {noun} over {limit}, grensen.")
    return number


def parse_whole(value: str, *, column: str, what: str) -> int:
    """A small whole number (a sort order); 0 when empty."""
    if not value:
        return 0
    if not (value.isdecimal() and len(value) <= 6):
        raise EntryProblem(column, value, f"{what}: {column} skal være et helt tall.")
    return int(value)


def required(kids: dict[str, list[Any]], name: str, what: str) -> str:
    value = child_text(kids, name)
    if not value:
        raise EntryProblem(name, "", f"{what} mangler {name}, som er påkrevd.")
    return value
