"""Reads of usage data for pages (dashboards read the analytics tables)."""

from __future__ import annotations

import datetime as dt

from legemiddel.usage.models import MonthlyUsage


def latest_month(source: str | None = None) -> dt.date | None:
    """The newest month with data in the cube (for "data up to" notes)."""
    cube = MonthlyUsage.objects.all()
    if source:
        cube = cube.filter(source=source)
    return cube.order_by("-month").values_list("month", flat=True).first()
