"""Recompute the precomputed measures: after an import of a source (only the measures that
read it), after a publication (only the area's measures), or all of them.

Two refreshes never run at once (a named lock in the refresh's transaction; on SQLite a lock
file, since there the values are computed outside the write transaction): the second waits for
the first, then computes from what the first committed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Sum

from legemiddel.analytics.engine.context import RefreshContext
from legemiddel.analytics.engine.measures import Measure, measures
from legemiddel.analytics.measure_kinds import get_kind
from legemiddel.analytics.models import MeasureRefresh, MeasureValue, PackageTotal
from legemiddel.core.locks import hold
from legemiddel.lib.db import one_writer, session_lock
from legemiddel.lib.memory import without_cyclic_gc
from legemiddel.usage.models import MonthlyUsage

LOCK = "analytics.measures"


def compute(measure: Measure, ctx: RefreshContext | None = None) -> list[MeasureValue]:
    """The values of one measure, one per month and unit (and prescriber, for patient counts)."""
    kind = get_kind(measure.definition.counts)
    if kind is None:
        raise ValueError(f"no measure kind {measure.definition.counts!r} is registered")
    return kind.compute(measure, ctx or RefreshContext())


def _reads(measure: Measure) -> set[str]:
    """The sources a measure's values come from."""
    kind = get_kind(measure.definition.counts)
    return kind.reads(measure.definition) if kind else set(measure.definition.sources)


def measures_refresh(
    sources: Iterable[str] | None = None, areas: Iterable[str] | None = None
) -> MeasureRefresh:
    """Recompute the measures (all or nothing) and record when and from which month.

    With ``sources`` (an import of one source) only the measures that read them are
    recomputed; with ``areas`` (codes of therapeutic areas whose agreements were published)
    only those areas' measures; with neither, every measure is, and values of measures no
    longer defined go.
    """
    chosen_sources = frozenset(sources) if sources is not None else None
    chosen_areas = frozenset(areas) if areas is not None else None
    # The refresh builds hundreds of thousands of values; as in the import it follows, the cycle
    # collector would only walk them again and again.
    if one_writer() and not connection.in_atomic_block:
        # SQLite lets one writer in at a time: compute outside any write transaction (a lock
        # file keeps two refreshes apart), then swap the values in one short transaction, so a
        # login waits for the swap only, never for the computation.
        with session_lock(LOCK), without_cyclic_gc():
            return _refresh(chosen_sources, chosen_areas)
    with transaction.atomic(), without_cyclic_gc():
        hold(LOCK)
        return _refresh(chosen_sources, chosen_areas)


def _refresh(sources: frozenset[str] | None, areas: frozenset[str] | None) -> MeasureRefresh:
    started = time.perf_counter()
    chosen = measures()
    if sources is not None:
        chosen = [m for m in chosen if _reads(m) & sources]
    if areas is not None:
        chosen = [m for m in chosen if m.area is not None and m.area.code in areas]
    ctx = RefreshContext(sources=sources)
    values: list[MeasureValue] = []
    for measure in chosen:
        values += compute(measure, ctx)
    # A difference of sums that should be zero comes out as 1e-12 in some row orders; such
    # values are nothing and are not stored, so the same data gives the same rows.
    values = [v for v in values if abs(v.numerator) > 1e-6 or abs(v.denominator) > 1e-6]
    latest = (
        MonthlyUsage.objects.filter(source__in={"sls", "hresept"})
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    totals = None
    if areas is None and (sources is None or {"sls", "hresept"} & sources):
        totals = _package_totals(latest)
    with transaction.atomic():
        stored = MeasureValue.objects.all()
        if sources is not None or areas is not None:
            stored = stored.filter(measure__in=[m.key for m in chosen])
        stored.delete()
        MeasureValue.objects.bulk_create(values, batch_size=2000)
        if totals is not None:
            PackageTotal.objects.all().delete()
            PackageTotal.objects.bulk_create(totals, batch_size=2000)
        return MeasureRefresh.objects.create(
            seconds=time.perf_counter() - started, rows=len(values), latest_month=latest
        )


def _package_totals(latest: dt.date | None) -> list[PackageTotal]:
    """Twelve-month totals per unit and package, this year and the year before (in SQL)."""
    if latest is None:
        return []
    start = latest.replace(year=latest.year - 1)
    before = latest.replace(year=latest.year - 2)
    cube = MonthlyUsage.objects.filter(source__in=("sls", "hresept"), package__isnull=False)
    totals = []
    for recent, period in ((True, (start, latest)), (False, (before, start))):
        rows = (
            cube.filter(month__gt=period[0], month__lte=period[1])
            .values("org_unit_id", "package_id")
            .annotate(ddd=Sum("ddd"), amount=Sum("amount"))
        )
        totals += [
            PackageTotal(
                org_unit_id=row["org_unit_id"],
                package_id=row["package_id"],
                recent=recent,
                ddd=row["ddd"] or 0.0,
                amount=row["amount"] or 0.0,
            )
            for row in rows
        ]
    return totals
