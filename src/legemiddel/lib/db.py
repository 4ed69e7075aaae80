"""The few places where SQLite and PostgreSQL differ, in one module."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection


def days_between_sql(later: str, earlier: str) -> str:
    """SQL for the days between two date columns (the one place the databases differ)."""
    if connection.vendor == "sqlite":
        return f"(julianday({later}) - julianday({earlier}))"
    return f"({later} - {earlier})"


def date_param(day: dt.date) -> Any:
    """A date as a query parameter: SQLite keeps dates as ISO text."""
    return day.isoformat() if connection.vendor == "sqlite" else day
