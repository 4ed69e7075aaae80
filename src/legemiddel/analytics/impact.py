"""What publishing an agreement would change in the precomputed figures: the area's measures
computed as published and as proposed, for the trust and each unit, month by month.

Registered with ``agreements.impact`` from ``AnalyticsConfig.ready()``. Computes with the
measure kinds' own functions on a fresh :class:`RefreshContext` whose agreement lines are
the published or the proposed ones; writes nothing (``MeasureValue`` stays as it is).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from legemiddel.agreements.impact import ImpactRow, published_lines
from legemiddel.agreements.models import Agreement, AgreementLine
from legemiddel.analytics.engine.context import RefreshContext
from legemiddel.analytics.engine.measures import Measure, measures
from legemiddel.analytics.engine.refresh import compute
from legemiddel.lib.formatting import format_number, format_share
from legemiddel.organisation.models import OrgUnit

# Kinds whose unit values add up to the trust's (sums of the cube). Patient counts do not
# add up, and savings read confidential prices; neither belongs in a preview of a ranking.
SUMMABLE_KINDS = {"usage"}
TRUST = "Foretaket"
MAX_ROWS = 200

Sums = dict[tuple[dt.date, int | None], tuple[float, float]]


def _values(measure: Measure, ctx: RefreshContext) -> Sums:
    sums: dict[tuple[dt.date, int | None], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for value in compute(measure, ctx):
        for key in ((value.month, value.org_unit_id), (value.month, 0)):
            sums[key][0] += value.numerator
            sums[key][1] += value.denominator
    return {key: (n, d) for key, (n, d) in sums.items()}


def _text(measure: Measure, cell: tuple[float, float] | None) -> str:
    if cell is None:
        return ""
    numerator, denominator = cell
    if measure.divides:
        if not denominator:
            return ""
        ratio = numerator / denominator
        return format_share(ratio) if measure.is_share else format_number(ratio, 1)
    return format_number(numerator, 0)


def agreement_impact(agreement: Agreement, proposed: list[AgreementLine]) -> list[ImpactRow]:
    """Measure, place and month whose value differs between the published and the proposed
    lines: the trust first, then the units, earliest month first."""
    others = list(
        AgreementLine.objects.filter(
            agreement__area_id=agreement.area_id, agreement__status=Agreement.Status.PUBLISHED
        )
        .exclude(agreement=agreement)
        .select_related("agreement", "package")
    )
    before_lines = others + published_lines(agreement)
    after_lines = others + proposed
    chosen = [
        m
        for m in measures()
        if m.area is not None
        and m.area.pk == agreement.area_id
        and m.definition.counts in SUMMABLE_KINDS
    ]
    rows: list[tuple[str, int, str, dt.date, str, str]] = []
    unit_ids: set[int] = set()
    found: list[tuple[Measure, dt.date, int | None, str, str]] = []
    # One context for each side, shared by the area's measures: the cube is read once a side.
    before_ctx, after_ctx = RefreshContext(), RefreshContext()
    before_ctx.use_area_lines(agreement.area_id, before_lines)
    after_ctx.use_area_lines(agreement.area_id, after_lines)
    for measure in chosen:
        before = _values(measure, before_ctx)
        after = _values(measure, after_ctx)
        for key in sorted(set(before) | set(after), key=lambda k: (k[0], k[1] or 0)):
            old, new = _text(measure, before.get(key)), _text(measure, after.get(key))
            if old != new:
                found.append((measure, key[0], key[1], old, new))
                if key[1]:
                    unit_ids.add(key[1])
    names = dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    for measure, month, unit, old, new in found:
        if unit == 0:
            place, order = TRUST, 0
        else:
            place, order = names.get(unit or -1, "Uten enhet"), 1
        rows.append((measure.title, order, place, month, old, new))
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    return [ImpactRow(title, place, month, old, new) for title, _, place, month, old, new in rows][
        :MAX_ROWS
    ]
