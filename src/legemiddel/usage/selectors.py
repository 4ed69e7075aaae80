"""Reads of usage data for pages (dashboards read the analytics tables)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Sum

from legemiddel.catalogue.models import Package
from legemiddel.lib.db import date_param
from legemiddel.usage.models import Administration, Dispensing, HiddenMonth, MonthlyUsage
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


def monthly_usage_by_atc(
    atc_codes: Iterable[str],
    *,
    since: dt.date,
    sources: Iterable[str] = ("sls", "hresept"),
    org_unit_id: int | None = None,
) -> list[dict[str, Any]]:
    """Packs, DDD and amount per month, unit and ATC code from the monthly cube, from the month
    of ``since``: ``{"month", "org_unit_id", "atc", "quantity", "ddd", "amount"}``. The amount is
    what the pharmacy invoiced (it reveals LIS prices): callers show it only with price access."""
    codes = sorted(set(atc_codes))
    if not codes:
        return []
    cube = MonthlyUsage.objects.filter(
        source__in=list(sources), atc__in=codes, month__gte=since.replace(day=1)
    )
    if org_unit_id is not None:
        cube = cube.filter(org_unit_id=org_unit_id)
    rows = (
        cube.values("month", "org_unit_id", "atc")
        .annotate(quantity=Sum("quantity"), ddd=Sum("ddd"), amount=Sum("amount"))
        .order_by("month", "org_unit_id", "atc")
    )
    return [dict(row) for row in rows]


def patient_counts(
    atc_codes: Iterable[str],
    *,
    since: dt.date,
    until: dt.date | None = None,
    by: Iterable[str] = (),
    org_unit_id: int | None = None,
) -> dict[tuple[Any, ...], int]:
    """Distinct patients with an H-prescription dispensing or a DIPS administration of the ATC
    codes from ``since`` to ``until`` (both included), grouped by ``by`` (some of ``month``, ``org_unit_id``,
    ``atc``; none: one total under the key ``()``). Counted in the database over the fact
    tables as readers may see them (not an import's rows before it is complete)."""
    codes = sorted(set(atc_codes))
    groups = [g for g in ("month", "org_unit_id", "atc") if g in set(by)]
    if not codes:
        return {}
    marks = ", ".join(["%s"] * len(codes))
    h_visible, h_params = visible_facts_sql("hresept", "d")
    a_visible, a_params = visible_facts_sql("dips", "a")
    unit_h = " AND d.org_unit_id = %s" if org_unit_id is not None else ""
    unit_a = " AND a.org_unit_id = %s" if org_unit_id is not None else ""
    unit_h += " AND d.dispensed_on <= %s" if until is not None else ""
    unit_a += " AND a.administered_on <= %s" if until is not None else ""
    columns = ", ".join(groups)
    sql = f"""
        SELECT {columns + ", " if columns else ""}COUNT(DISTINCT patient) FROM (
          SELECT d.month, d.org_unit_id, p.atc_id AS atc, d.patient
          FROM {Dispensing._meta.db_table} d
          JOIN {Package._meta.db_table} p ON p.varenr = d.package_id
          WHERE p.atc_id IN ({marks}) AND d.dispensed_on >= %s{unit_h} AND {h_visible}
          UNION ALL
          SELECT a.month, a.org_unit_id, a.atc, a.patient
          FROM {Administration._meta.db_table} a
          WHERE a.atc IN ({marks}) AND a.administered_on >= %s{unit_a} AND {a_visible}
        ) facts
        {"GROUP BY " + columns if columns else ""}
    """  # noqa: S608
    unit = [org_unit_id] if org_unit_id is not None else []
    unit += [date_param(until)] if until is not None else []
    params = [
        *codes, date_param(since), *unit, *h_params,
        *codes, date_param(since), *unit, *a_params,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    result: dict[tuple[Any, ...], int] = {}
    for row in rows:
        key = tuple(
            as_date(v) if g == "month" and v is not None else v
            for g, v in zip(groups, row[:-1], strict=True)
        )
        result[key] = int(row[-1])
    return result


def as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
