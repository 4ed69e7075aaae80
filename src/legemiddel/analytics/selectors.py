"""Reads for the dashboards: series, drill-down and percentile bands from :class:`MeasureValue`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from legemiddel.accounts.models import User
from legemiddel.accounts.roles import Role
from legemiddel.agreements.models import Agreement
from legemiddel.analytics.engine import Measure
from legemiddel.analytics.listeners import TOPICS
from legemiddel.analytics.models import MeasureRefresh, MeasureValue
from legemiddel.core import outbox
from legemiddel.organisation.models import HealthPersonnel, OrgUnit
from legemiddel.organisation.selectors import org_units_in_scope, user_sees_whole_trust


def latest_refresh() -> MeasureRefresh | None:
    return MeasureRefresh.objects.order_by("-at", "-id").first()


def figures_updating() -> bool:
    """Whether an import or a publication has been announced that the refresh job has not yet
    processed: the figures shown are then those from before it."""
    return outbox.pending(TOPICS)


def unit_leaders() -> QuerySet[User]:
    """Active unit leaders, whose monthly e-mail the core group may look at."""
    return User.objects.filter(is_active=True, groups__name=Role.UNIT_LEADER.value).order_by(
        "username"
    )


def previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def provisional_from(latest: dt.date | None) -> dt.date | None:
    """The first provisional month: sales statistics are corrected backwards, so the newest
    ``ANALYTICS_PROVISIONAL_MONTHS`` months of data may still change (None: none are)."""
    count = settings.ANALYTICS_PROVISIONAL_MONTHS
    if latest is None or count <= 0:
        return None
    month = latest
    for _ in range(count - 1):
        month = previous_month(month)
    return month


def headline_month(latest: dt.date | None) -> dt.date | None:
    """The newest month that is not provisional: what headlines and the monthly e-mail use."""
    first = provisional_from(latest)
    return previous_month(first) if first is not None else latest


def data_month() -> dt.date | None:
    """The newest month of data (the last refresh's)."""
    refresh = latest_refresh()
    return refresh.latest_month if refresh else None


@dataclass
class Point:
    month: dt.date
    numerator: float
    denominator: float
    share: bool

    @property
    def value(self) -> float | None:
        if not self.share:
            return self.numerator
        return self.numerator / self.denominator if self.denominator else None

    @property
    def few(self) -> bool:
        """A share of too few cases to read much into (``ANALYTICS_SMALL_DENOMINATOR``)."""
        return self.share and self.denominator < settings.ANALYTICS_SMALL_DENOMINATOR


@dataclass
class Node:
    """A place in the drill-down: the trust (``unit`` None) or an org unit and its subtree."""

    unit: OrgUnit | None
    points: list[Point] = field(default_factory=list)
    # The page's month (the newest not provisional); None: the node's own last point.
    month: dt.date | None = None

    @property
    def name(self) -> str:
        return self.unit.name if self.unit else ""

    def at(self, month: dt.date) -> Point | None:
        return next((p for p in self.points if p.month == month), None)

    @property
    def end(self) -> dt.date | None:
        if self.month is not None:
            return self.month
        return self.points[-1].month if self.points else None

    @property
    def latest(self) -> Point | None:
        """The value in the page's month; None when there is no data that month (never an
        older month's value in its place)."""
        if self.month is None:
            return self.points[-1] if self.points else None
        return self.at(self.month)

    @property
    def last_year(self) -> Point | None:
        """The twelve months to the page's month together (small counts read better over a
        year)."""
        last = self.end
        if last is None:
            return None
        since = last.replace(year=last.year - 1)
        chosen = [p for p in self.points if since < p.month <= last]
        if not chosen:
            return None
        return Point(
            last,
            sum(p.numerator for p in chosen),
            sum(p.denominator for p in chosen),
            share=chosen[0].share,
        )

    def year_before(self) -> Point | None:
        last = self.end
        if last is None:
            return None
        return self.at(last.replace(year=last.year - 1))


class Dashboard:
    """Everything one measure page needs, read in a few queries."""

    def __init__(
        self, measure: Measure, user: Any, node_id: int | None, prescriber: str = ""
    ) -> None:
        self.measure = measure
        # share: divides numerator by denominator; percent: shown as a percentage.
        self.share = measure.divides
        self.percent = measure.is_share
        self.units = {u.id: u for u in OrgUnit.objects.all()}
        self.scope = set(org_units_in_scope(user).values_list("id", flat=True))
        self.whole_trust = user_sees_whole_trust(user)
        self.node = self.units.get(node_id) if node_id else None
        self.latest_data_month = data_month()
        # The month the page's headline figures are for: the newest that is not provisional.
        self.month = headline_month(self.latest_data_month)
        self.provisional_from = provisional_from(self.latest_data_month)
        rows = list(
            MeasureValue.objects.filter(measure=measure.key).values_list(
                "month", "org_unit_id", "prescriber", "subtree", "numerator", "denominator"
            )
        )
        self.prescriber = prescriber
        self.by_prescriber: dict[str, dict[dt.date, list[float]]] = defaultdict(
            lambda: defaultdict(lambda: [0.0, 0.0])
        )
        below = set(self._subtree(self.node.id)) if self.node else set()
        for month, unit_id, hpr, _whole, n, d in rows:
            if hpr and unit_id in below:
                cell = self.by_prescriber[hpr][month]
                cell[0] += n
                cell[1] += d
        values = [
            (m, u, n, d)
            for m, u, hpr, whole, n, d in rows
            if not whole and (not prescriber or hpr == prescriber)
        ]
        self.months = sorted({v[0] for v in rows})
        # Sums per (subtree root, month): each value counts for its unit and every ancestor.
        self.sums: dict[int | None, dict[dt.date, list[float]]] = defaultdict(
            lambda: defaultdict(lambda: [0.0, 0.0])
        )
        self.leaf: dict[int, dict[dt.date, list[float]]] = defaultdict(
            lambda: defaultdict(lambda: [0.0, 0.0])
        )
        for month, unit_id, n, d in values:
            for key in [None, *self._chain(unit_id)]:
                cell = self.sums[key][month]
                cell[0] += n
                cell[1] += d
            if unit_id is not None:
                self.leaf[unit_id][month][0] += n
                self.leaf[unit_id][month][1] += d
        if not prescriber:
            # A place's own value where it does not add up from its units (distinct patients).
            for month, unit_id, _hpr, whole, n, d in rows:
                if whole:
                    self.sums[unit_id][month] = [n, d]

    def _chain(self, unit_id: int | None) -> list[int]:
        chain: list[int] = []
        unit = self.units.get(unit_id) if unit_id is not None else None
        while unit is not None:
            chain.append(unit.id)
            unit = self.units.get(unit.parent_id) if unit.parent_id else None
        return chain

    def _subtree(self, unit_id: int) -> list[int]:
        return [u for u in self.units if unit_id in self._chain(u)]

    def prescribers(self) -> list[tuple[str, str, Node]]:
        """(HPR, name, series) of the prescribers at the chosen unit and below. Only for a
        unit the user may see: unit leaders and controllers see their own units' prescribers."""
        if self.node is None or not self.may_see(self.node):
            return []
        names = dict(
            HealthPersonnel.objects.filter(hpr_number__in=self.by_prescriber).values_list(
                "hpr_number", "name"
            )
        )
        found = []
        for hpr, sums in self.by_prescriber.items():
            points = [
                Point(m, sums[m][0], sums[m][1], share=self.share) for m in self.months if m in sums
            ]
            found.append((hpr, names.get(hpr, hpr), Node(self.node, points, self.month)))
        return sorted(found, key=lambda f: f[1])

    def may_see(self, unit: OrgUnit | None) -> bool:
        """The trust total and units in scope (unit-scoped roles see only their subtree)."""
        return unit is None or self.whole_trust or unit.id in self.scope

    def points(self, key: int | None) -> list[Point]:
        sums = self.sums.get(key, {})
        return [
            Point(m, sums[m][0], sums[m][1], share=self.share) for m in self.months if m in sums
        ]

    def current(self) -> Node:
        return Node(self.node, self.points(self.node.id if self.node else None), self.month)

    def path(self) -> list[OrgUnit]:
        """The breadcrumb down to the chosen place, through the places the user may see."""
        if self.node is None:
            return []
        return [
            self.units[i]
            for i in reversed(self._chain(self.node.id))
            if self.may_see(self.units[i])
        ]

    def children(self) -> list[Node]:
        """The next level down, with their values. Users scoped to units start from their
        own units instead of the trust's clinics."""
        if self.node is None and not self.whole_trust:
            tops = [
                u
                for u in self.units.values()
                if u.id in self.scope and u.parent_id not in self.scope
            ]
            return [
                Node(u, self.points(u.id), self.month) for u in sorted(tops, key=lambda u: u.name)
            ]
        parent_id = self.node.id if self.node else None
        return [
            Node(unit, self.points(unit.id), self.month)
            for unit in sorted(self.units.values(), key=lambda u: u.name)
            if unit.parent_id == parent_id and unit.id in self.sums and self.may_see(unit)
        ]

    def band(self) -> list[tuple[dt.date, float, float, float]]:
        """Per month, the 10th, 50th and 90th percentile of the share across units (rows
        with a denominator), so one unit can be read against all the others."""
        if not self.share:
            return []
        result = []
        for month in self.months:
            shares = sorted(
                cells[month][0] / cells[month][1]
                for cells in self.leaf.values()
                if month in cells and cells[month][1] > 0
            )
            if len(shares) >= 3:
                result.append(
                    (
                        month,
                        _percentile(shares, 0.1),
                        _percentile(shares, 0.5),
                        _percentile(shares, 0.9),
                    )
                )
        return result

    def agreement_starts(self) -> list[Agreement]:
        if self.measure.area is None:
            return []
        return list(
            Agreement.objects.filter(
                area=self.measure.area, status=Agreement.Status.PUBLISHED
            ).order_by("start")
        )


def _percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (as numpy's default)."""
    position = (len(values) - 1) * q
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


@dataclass
class Driver:
    varenr: str
    name: str
    ddd: float
    ddd_before: float
    amount: float
    amount_before: float

    @property
    def amount_change(self) -> float:
        return self.amount - self.amount_before


def cost_drivers(user: Any, latest: dt.date, *, by_amount: bool, limit: int = 25) -> list[Driver]:
    """Packages with the most use in the last twelve months (sales statistics and
    H-prescriptions), with the twelve months before for comparison, within the user's scope.
    Sorted by amount for users who may see amounts, otherwise by DDD. Reads the totals the
    refresh keeps (``latest`` names the period they cover)."""
    from django.db.models import Case, F, FloatField, Sum, When

    from legemiddel.analytics.models import PackageTotal
    from legemiddel.catalogue.models import Package

    totals = PackageTotal.objects.all()
    if not user_sees_whole_trust(user):
        totals = totals.filter(org_unit__in=org_units_in_scope(user))

    def part(field: str, recent: bool) -> Any:
        return Sum(Case(When(recent=recent, then=F(field)), default=0.0, output_field=FloatField()))

    rows = (
        totals.values("package_id")
        .annotate(
            ddd_now=part("ddd", True),
            ddd_then=part("ddd", False),
            amount_now=part("amount", True),
            amount_then=part("amount", False),
        )
        .order_by("-amount_now" if by_amount else "-ddd_now", "package_id")[:limit]
    )
    chosen = list(rows)
    names = dict(
        Package.objects.filter(varenr__in=[r["package_id"] for r in chosen]).values_list(
            "varenr", "name_form_strength"
        )
    )
    return [
        Driver(
            r["package_id"],
            names.get(r["package_id"], r["package_id"]),
            r["ddd_now"] or 0.0,
            r["ddd_then"] or 0.0,
            r["amount_now"] or 0.0,
            r["amount_then"] or 0.0,
        )
        for r in chosen
    ]


def trust_nodes(
    measures: list[Measure], month: dt.date | None = None, *, since: dt.date | None = None
) -> dict[str, Node]:
    """The whole trust's series of many measures in one grouped query (for the overview);
    ``month`` is the month the headline is for; ``since``: only the months from then on."""
    from django.db.models import Sum

    found: dict[str, Node] = {m.key: Node(None, month=month) for m in measures}
    divides = {m.key: m.divides for m in measures}
    sums: dict[str, dict[dt.date, list[float]]] = defaultdict(dict)
    values = MeasureValue.objects.filter(measure__in=list(found))
    if since is not None:
        values = values.filter(month__gte=since)
    rows = (
        values.exclude(subtree=True, org_unit__isnull=False)
        .values("measure", "month", "subtree")
        .annotate(n=Sum("numerator"), d=Sum("denominator"))
        .order_by("subtree")
    )
    for row in rows:
        # The trust's own row (distinct patients) replaces the sum of the units.
        sums[row["measure"]][row["month"]] = [row["n"] or 0.0, row["d"] or 0.0]
    for key, cells in sums.items():
        found[key].points = [
            Point(m, cells[m][0], cells[m][1], share=divides[key]) for m in sorted(cells)
        ]
    return found


def unit_series(
    measures: list[Measure], units: list[OrgUnit], *, since: dt.date | None = None
) -> dict[tuple[str, int], list[Point]]:
    """Each measure's series for each of ``units`` (its whole subtree), in one grouped query:
    what the monthly e-mail needs, without building a dashboard per measure. ``since``: only
    the months from then on (the start page's trend, not three years)."""
    from django.db.models import Sum

    if not units or not measures:
        return {}
    below: dict[int, list[int]] = defaultdict(list)  # org unit -> the chosen units above it
    for unit in OrgUnit.objects.only("id", "trust_id", "path"):
        for chosen in units:
            inside = unit.path == chosen.path or unit.path.startswith(chosen.path + "/")
            if unit.trust_id == chosen.trust_id and inside:
                below[unit.id].append(chosen.id)
    divides = {m.key: m.divides for m in measures}
    sums: dict[tuple[str, int], dict[dt.date, list[float]]] = defaultdict(
        lambda: defaultdict(lambda: [0.0, 0.0])
    )
    months = {} if since is None else {"month__gte": since}
    rows = (
        MeasureValue.objects.filter(
            measure__in=list(divides), org_unit_id__in=list(below), subtree=False, **months
        )
        .values("measure", "month", "org_unit_id")
        .annotate(n=Sum("numerator"), d=Sum("denominator"))
    )
    for row in rows:
        for chosen_id in below[row["org_unit_id"]]:
            cell = sums[(row["measure"], chosen_id)][row["month"]]
            cell[0] += row["n"] or 0.0
            cell[1] += row["d"] or 0.0
    # A chosen unit's own row (distinct patients) replaces the sum of the units below it.
    whole = MeasureValue.objects.filter(
        measure__in=list(divides), org_unit_id__in=[u.id for u in units], subtree=True, **months
    ).values_list("measure", "month", "org_unit_id", "numerator", "denominator")
    for key, month, unit_id, n, d in whole:
        sums[(key, unit_id)][month] = [n, d]
    return {
        key: [Point(m, cells[m][0], cells[m][1], share=divides[key[0]]) for m in sorted(cells)]
        for key, cells in sums.items()
    }
