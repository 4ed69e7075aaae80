"""The start page's personal view: how the user's own units follow the measures.

Unit leaders, controllers and advisory pharmacists see their units' measures against target,
the worst first, with the change since last month and a link to the measure at that unit; the
core group sees the whole trust and the departments that need attention. Reads only the
precomputed values (``MeasureValue`` through the dashboard selectors); only reviewed measures,
and amounts only with price access (``measures_for_user``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from legemiddel.accounts.roles import UNIT_SCOPED_ROLES, Role
from legemiddel.analytics import selectors
from legemiddel.analytics.access import measures_for_user
from legemiddel.analytics.engine import Measure
from legemiddel.analytics.selectors import Point
from legemiddel.organisation.models import OrgUnit
from legemiddel.organisation.selectors import member_units

TREND_MONTHS = 6
MAX_ROWS = 25
# Departments at trust level: the level the core group follows up with.
ATTENTION_LEVEL = 2


@dataclass
class Row:
    """One measure at one place in the headline month."""

    measure: Measure
    unit: OrgUnit | None
    current: Point
    previous: Point | None
    trend: list[Point]

    @property
    def value(self) -> float | None:
        return self.current.value

    @property
    def change(self) -> float | None:
        """Change since the month before (None when either month has no value)."""
        if self.previous is None or self.previous.value is None or self.value is None:
            return None
        return self.value - self.previous.value

    @property
    def worse(self) -> bool:
        """Whether the change since last month goes the wrong way."""
        if not self.change:
            return False
        lower = self.measure.definition.lower_is_better
        return self.change > 0 if lower else self.change < 0

    @property
    def target(self) -> float | None:
        return self.measure.definition.target

    @property
    def gap(self) -> float | None:
        """How far the value is from the target on the wrong side (positive: missing it)."""
        if self.target is None or self.value is None:
            return None
        if self.measure.definition.lower_is_better:
            return self.value - self.target
        return self.target - self.value

    @property
    def meets_target(self) -> bool | None:
        return None if self.gap is None else self.gap <= 0

    @property
    def small(self) -> bool:
        # The same "few cases" rule as the measure pages (ANALYTICS_SMALL_DENOMINATOR).
        return self.current.few

    @property
    def url(self) -> str:
        url = reverse("analytics:measure", args=[self.measure.key])
        return f"{url}?enhet={self.unit.pk}" if self.unit is not None else url

    @property
    def sort_key(self) -> tuple[int, float]:
        # Missed targets first (largest gap first), then changes for the worse, then the
        # others; a share from few cases after the ones that say something.
        few = 3 if self.small else 0
        if self.gap is not None and self.gap > 0:
            return (few, -self.gap)
        if self.worse and self.change is not None:
            return (few + 1, -abs(self.change))
        return (few + 2, 0.0)


def _row(measure: Measure, unit: OrgUnit | None, points: list[Point], month: dt.date) -> Row | None:
    by_month = {p.month: p for p in points if p.month <= month}
    current = by_month.get(month)
    if current is None or current.value is None:
        return None
    before = selectors.previous_month(month)
    trend = [by_month[m] for m in sorted(by_month)][-TREND_MONTHS:]
    return Row(measure, unit, current, by_month.get(before), trend)


def _first_month(month: dt.date) -> dt.date:
    """The first month a row shows: the trend's (which holds the month before too)."""
    first = month
    for _ in range(TREND_MONTHS - 1):
        first = selectors.previous_month(first)
    return first


def _reviewed(user: Any) -> list[Measure]:
    return [m for m in measures_for_user(user) if m.definition.status == "reviewed"]


def unit_rows(
    user: Any, units: list[OrgUnit], month: dt.date, measures: list[Measure] | None = None
) -> list[Row]:
    """Every reviewed measure at each of ``units`` (their whole subtree), worst first;
    ``measures``: the user's reviewed measures when the caller has them already."""
    measures = _reviewed(user) if measures is None else measures
    series = selectors.unit_series(measures, units, since=_first_month(month))
    rows = [
        row
        for measure in measures
        for unit in units
        if (row := _row(measure, unit, series.get((measure.key, unit.pk), []), month))
    ]
    return sorted(rows, key=lambda r: r.sort_key)


def trust_rows(user: Any, month: dt.date, measures: list[Measure] | None = None) -> list[Row]:
    measures = _reviewed(user) if measures is None else measures
    nodes = selectors.trust_nodes(measures, since=_first_month(month))
    rows = [row for m in measures if (row := _row(m, None, nodes[m.key].points, month))]
    return sorted(rows, key=lambda r: r.sort_key)


def attention_rows(user: Any, month: dt.date, measures: list[Measure] | None = None) -> list[Row]:
    """Departments that miss a target (with enough cases to say so), the furthest first."""
    departments = list(OrgUnit.objects.filter(level=ATTENTION_LEVEL, active=True))
    return [
        row
        for row in unit_rows(user, departments, month, measures)
        if row.gap is not None and row.gap > 0 and not row.small
    ]


def start_panel(user: Any) -> dict[str, Any] | None:
    """The personal view's context, or ``None`` for roles it does not serve."""
    if not getattr(user, "is_authenticated", False):
        return None
    core_group = user.has_role(Role.CORE_GROUP)
    units = list(member_units(user)) if user.has_role(*UNIT_SCOPED_ROLES) else []
    if not core_group and not units:
        return None
    refresh = selectors.latest_refresh()
    month = selectors.headline_month(refresh.latest_month if refresh else None)
    context: dict[str, Any] = {
        "month": month,
        "latest": refresh.latest_month if refresh else None,
        "core_group": core_group,
        "units": units,
    }
    if month is None:
        return context
    measures = _reviewed(user)  # once: it reads the areas
    if units:
        mine = unit_rows(user, units, month, measures)
        context["rows"] = mine[:MAX_ROWS]
        context["more"] = len(mine) - len(context["rows"])
    if core_group:
        context["trust"] = trust_rows(user, month, measures)[:MAX_ROWS]
        context["attention"] = attention_rows(user, month, measures)[:MAX_ROWS]
    return context
