"""Reads of usage data for pages (dashboards read the analytics tables)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from legemiddel.usage.models import HiddenMonth, MonthlyUsage
from legemiddel.usage.services.targets import TARGETS


def latest_month(source: str | None = None) -> dt.date | None:
    """The newest month with data in the cube (for "data up to" notes)."""
    cube = MonthlyUsage.objects.all()
    if source:
        cube = cube.filter(source=source)
    return cube.order_by("-month").values_list("month", flat=True).first()


def visible_facts_sql(source: str, table: str | None = None) -> tuple[str, list[Any]]:
    """The SQL condition (and its parameters) every reader of a fact table adds to its WHERE:
    it leaves out the rows of an import still being written and the rows it replaced, which are
    being deleted (see :class:`~legemiddel.usage.models.HiddenMonth`). ``table``: the name or
    alias the query gives the source's fact table (its table name by default)."""
    facts = table or TARGETS[source].model._meta.db_table
    hidden = HiddenMonth._meta.db_table
    # The first test does not depend on the row: both databases evaluate it once, and while
    # nothing is hidden (no import under way) the rows cost nothing more to read.
    sql = (
        f"(NOT EXISTS (SELECT 1 FROM {hidden} WHERE source = %s) "  # noqa: S608
        f"OR NOT EXISTS (SELECT 1 FROM {hidden} hidden WHERE hidden.source = %s "
        f"AND hidden.month = {facts}.month AND ((hidden.kind = %s "
        f"AND hidden.batch_id = {facts}.batch_id) OR (hidden.kind = %s "
        f"AND hidden.batch_id <> {facts}.batch_id))))"
    )
    kinds = [HiddenMonth.Kind.LOADING.value, HiddenMonth.Kind.SUPERSEDED.value]
    return sql, [source, source, *kinds]
