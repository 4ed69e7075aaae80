"""The few places where SQLite and PostgreSQL differ, in one module.

Everything else in the product is written once for both databases; code that needs one of these
differences asks here instead of looking at ``connection.vendor`` itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


def days_between_sql(later: str, earlier: str) -> str:
    """SQL for the days between two date columns (or expressions) in raw SQL."""
    if _sqlite():
        return f"(julianday({later}) - julianday({earlier}))"
    return f"({later} - {earlier})"


def plus_days_sql(day: str, days: int) -> str:
    """SQL for a date column (or expression) moved by a whole number of days."""
    if _sqlite():
        return f"date({day}, '{int(days):+d} days')"
    return f"({day} + {int(days)})"


def year_sql(day: str) -> str:
    """SQL for the year (an integer) of a date column or expression."""
    if _sqlite():  # dates are ISO text
        return f"CAST(substr({day}, 1, 4) AS INTEGER)"
    return f"CAST(EXTRACT(YEAR FROM {day}) AS INTEGER)"


def contains_sql(text: str, part: str) -> str:
    """SQL for whether ``part`` occurs in ``text`` (no LIKE: no wildcards to escape)."""
    if _sqlite():
        return f"(instr({text}, {part}) > 0)"
    return f"(strpos({text}, {part}) > 0)"


def text_sql(value: str) -> str:
    """SQL for a value (a date, a number) as text, for building keys in raw SQL."""
    return f"CAST({value} AS TEXT)"


def date_param(day: dt.date) -> Any:
    """A date as a raw query parameter: SQLite keeps dates as ISO text."""
    return day.isoformat() if _sqlite() else day


def bulk_copy() -> bool:
    """Whether bulk rows go in with ``COPY`` (PostgreSQL) rather than multi-row ``INSERT``s."""
    return connection.vendor == "postgresql"


def enlarge_page_cache(kib: int) -> None:
    """A bigger page cache for this connection on SQLite (its default is 2 MB), for work that
    would otherwise read the same index pages from disk again and again. PostgreSQL sizes its
    shared buffers itself."""
    if _sqlite():
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{int(kib)}")


def refresh_statistics(table: str) -> None:
    """Fresh planner statistics for a table just filled in bulk, inside a transaction
    (PostgreSQL plans the next statements from them; SQLite needs nothing here)."""
    if not _sqlite():
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
