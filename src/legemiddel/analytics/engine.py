"""Compute the measures from the monthly cube and the agreements into :class:`MeasureValue`.

Runs after every usage import and every publication of an agreement. It reads the cube
(month x unit x package x source), never the raw lines, so it stays small however many lines
were imported.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.db import connection, transaction

from legemiddel.agreements.models import Agreement, AgreementLine, TherapeuticArea
from legemiddel.analytics.definitions import Definition, Selection, definitions
from legemiddel.analytics.models import MeasureRefresh, MeasureValue, PackageTotal
from legemiddel.catalogue.models import Package
from legemiddel.usage.models import Administration, Dispensing, MonthlyUsage

T = TypeVar("T")
AREA_SEPARATOR = "--"

# Within one refresh many measures read the same cube rows, rankings and package facts; they
# are read once and shared. Outside a refresh nothing is cached (the data may change).
_shared: dict[tuple[Any, ...], Any] | None = None
# The sources of the import a refresh follows (None: a full refresh, or none running).
_refreshing: set[str] | None = None


def _once(key: tuple[Any, ...], read: Callable[[], T]) -> T:
    if _shared is None:
        return read()
    if key not in _shared:
        _shared[key] = read()
    return cast(T, _shared[key])


@dataclass(frozen=True)
class Measure:
    """A definition applied to one area (or to the whole trust when it has no area)."""

    key: str
    definition: Definition
    area: TherapeuticArea | None

    @property
    def is_share(self) -> bool:
        """Shown as a percentage."""
        return self.definition.kind == "share"

    @property
    def divides(self) -> bool:
        """Numerator over denominator (a share or a ratio), rather than a sum."""
        return self.definition.kind in {"share", "ratio"}

    @property
    def title(self) -> str:
        if self.area is None:
            return self.definition.title
        return f"{self.definition.title} – {self.area.name}"


def measures() -> list[Measure]:
    """Every measure: each ``for_each_area`` definition once per therapeutic area."""
    areas = list(TherapeuticArea.objects.order_by("name"))
    found: list[Measure] = []
    for definition in definitions():
        if definition.for_each_area:
            found += [
                Measure(f"{definition.id}{AREA_SEPARATOR}{area.code}", definition, area)
                for area in areas
            ]
        else:
            found.append(Measure(definition.id, definition, None))
    return found


def measure_by_key(key: str) -> Measure | None:
    return next((m for m in measures() if m.key == key), None)


def _area_lines(area: TherapeuticArea) -> list[AgreementLine]:
    """The lines of the area's published agreements, with agreement and package (the
    confidential price included: savings need it, and nothing here reaches a page)."""
    return _once(
        ("lines", area.pk),
        lambda: list(
            AgreementLine.objects.filter(
                agreement__area=area, agreement__status=Agreement.Status.PUBLISHED
            ).select_related("agreement", "package")
        ),
    )


def _in_force(line: AgreementLine, day: dt.date) -> bool:
    agreement = line.agreement
    return agreement.start <= day <= agreement.effective_end and line.valid_on(day)


def ranks_by_month(
    area: TherapeuticArea, months: Iterable[dt.date]
) -> dict[dt.date, dict[str, int]]:
    """For each month, the rank of each package in the published agreement in force on the
    15th (the best rank when a package is ranked in several groups)."""
    lines = _area_lines(area)
    result: dict[dt.date, dict[str, int]] = {}
    for month in months:
        mid = month.replace(day=15)
        ranks: dict[str, int] = {}
        for line in lines:
            if _in_force(line, mid):
                ranks[line.package_id] = min(line.rank, ranks.get(line.package_id, 99))
        result[month] = ranks
    return result


def _matches(selection: Selection, varenr: str, atc: str, rank: int | None) -> bool:
    if selection.ranks is not None:
        if rank is None:
            return False
        if selection.ranks and rank not in selection.ranks:
            return False
    if selection.atc and not atc.startswith(selection.atc):
        return False
    return not selection.varenr or varenr in selection.varenr


def _value(basis: str, quantity: float, amount: float, ddd: float) -> float:
    return {"ddd": ddd, "packs": quantity, "nok": amount}[basis]


def _area_packages(area: TherapeuticArea) -> set[str]:
    return {line.package_id for line in _area_lines(area)}


def _atc_of() -> dict[str, str]:
    """varenr -> ATC code of every package that has one."""
    return _once(
        ("atc",),
        lambda: dict(Package.objects.filter(atc__isnull=False).values_list("varenr", "atc_id")),
    )


def _days_between(later: str, earlier: str) -> str:
    """SQL for the days between two date columns (the one place the databases differ)."""
    if connection.vendor == "sqlite":
        return f"(julianday({later}) - julianday({earlier}))"
    return f"({later} - {earlier})"


def start_counts(
    packages: set[str], sources: Iterable[str], look_back_days: int
) -> list[tuple[dt.date, int | None, str, str, int]]:
    """Treatment starts counted in the database: (month, unit, prescriber, varenr, starts).

    A start is a patient's first event (H-prescription dispensing or administration) of one of
    ``packages``, or the first after a gap longer than the look-back window. Events in the
    first window of the data are left out: what came before them is not known, so they may be
    continuing treatment. A window function over the patient's events does the work, so
    millions of lines never pass through Python.
    """
    events, params = _events_sql(sources, sorted(packages))
    if not events:
        return []
    sql = f"""
        WITH events AS ({events}),
        ordered AS (
            SELECT day, month, package_id, org_unit_id, prescriber,
                   LAG(day) OVER (PARTITION BY patient ORDER BY day) AS previous
            FROM events
        ),
        bounds AS (SELECT MIN(day) AS first_day FROM events)
        SELECT month, org_unit_id, prescriber, package_id, COUNT(*)
        FROM ordered CROSS JOIN bounds
        WHERE (previous IS NULL OR {_days_between("day", "previous")} > %s)
          AND {_days_between("day", "first_day")} >= %s
        GROUP BY month, org_unit_id, prescriber, package_id
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, look_back_days, look_back_days])
        rows = cursor.fetchall()
    return [
        (_as_date(month), unit, prescriber or "", varenr, int(count))
        for month, unit, prescriber, varenr, count in rows
    ]


def _starts(measure: Measure) -> list[MeasureValue]:
    """Share of treatment starts: numerator and denominator count starts per month, unit and
    prescriber, from patient-level H-prescriptions and administrations."""
    definition = measure.definition
    assert measure.area is not None
    packages = _area_packages(measure.area)
    counts = start_counts(packages, definition.sources, definition.look_back_days)
    ranks = ranks_by_month(measure.area, {month for month, *_ in counts})
    atc_of = _atc_of()
    sums: dict[tuple[dt.date, int | None, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for month, unit, prescriber, varenr, starts in counts:
        rank = ranks[month].get(varenr)
        if rank is None:
            continue  # started on a package not ranked that month
        atc = atc_of.get(varenr) or ""
        cell = sums[(month, unit, prescriber)]
        if _matches(definition.numerator, varenr, atc, rank):
            cell[0] += starts
        if definition.denominator is not None and _matches(
            definition.denominator, varenr, atc, rank
        ):
            cell[1] += starts
    return [
        MeasureValue(
            measure=measure.key,
            month=month,
            org_unit_id=unit,
            prescriber=prescriber,
            numerator=n,
            denominator=d,
        )
        for (month, unit, prescriber), (n, d) in sums.items()
        if n or d
    ]


def _sql_date(day: dt.date) -> Any:
    """A date as a query parameter: SQLite keeps dates as ISO text."""
    return day.isoformat() if connection.vendor == "sqlite" else day


def _events_sql(sources: Iterable[str], packages: list[str]) -> tuple[str, list[Any]]:
    """The patient-level events (H-prescription dispensings, administrations) of packages.
    Empty SQL when there is nothing to select (``IN ()`` is an error on PostgreSQL). Only
    table names from the models and placeholders go into the SQL text; every value is a
    query parameter."""
    if not packages:
        return "", []
    marks = ", ".join(["%s"] * len(packages))
    parts: list[str] = []
    params: list[Any] = []
    if "hresept" in sources:
        parts.append(
            "SELECT patient, dispensed_on AS day, month, package_id, org_unit_id, "  # noqa: S608
            f"prescriber_hpr AS prescriber FROM {Dispensing._meta.db_table} "
            f"WHERE package_id IN ({marks})"
        )
        params += packages
    if "dips" in sources:
        parts.append(
            "SELECT patient, administered_on AS day, month, package_id, org_unit_id, "  # noqa: S608
            f"'' AS prescriber FROM {Administration._meta.db_table} "
            f"WHERE package_id IN ({marks})"
        )
        params += packages
    return " UNION ALL ".join(parts), params


@dataclass(frozen=True)
class FirstChoiceChange:
    """The day a substance's first choice changed, the new first choice and the others."""

    day: dt.date
    atc: str
    first: frozenset[str]
    others: frozenset[str]


def first_choice_changes(area: TherapeuticArea) -> list[FirstChoiceChange]:
    """Every day a product became first choice for a substance (ATC level 5) while another
    product of it was ranked the day before (at a new agreement or mid-period): patients on
    the other products are expected to switch."""
    lines = [line for line in _area_lines(area) if line.package.atc_id]
    atc_of = {line.package_id: line.package.atc_id or "" for line in lines}

    def in_force(day: dt.date, first_only: bool) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for line in lines:
            if _in_force(line, day) and (line.rank == 1 or not first_only):
                found[atc_of[line.package_id]].add(line.package_id)
        return found

    days = sorted(
        {line.agreement.start for line in lines}
        | {line.valid_from for line in lines if line.valid_from}
    )
    changes = []
    for day in days:
        previous = day - dt.timedelta(days=1)
        first_before, ranked_before = in_force(previous, True), in_force(previous, False)
        for atc, first in in_force(day, True).items():
            new = first - first_before.get(atc, set())
            if new and ranked_before.get(atc, set()) - first:
                same_substance = {v for v, a in atc_of.items() if a == atc}
                changes.append(
                    FirstChoiceChange(day, atc, frozenset(first), frozenset(same_substance - first))
                )
    return changes


def switch_counts(
    change: FirstChoiceChange, sources: Iterable[str], look_back_days: int, months: int = 12
) -> list[tuple[dt.date, int | None, str, int, int]]:
    """(month, unit, prescriber, switched, treated) for the patients who had another product
    of the substance in the look-back window before the change, in each month after it: the
    product at their last event that month decides."""
    products = sorted(change.first | change.others)
    others, first = sorted(change.others), sorted(change.first)
    if not others or not first:
        return []
    events, params = _events_sql(sources, products)
    if not events:
        return []
    end = change.day
    for _ in range(months):
        end = (end.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    window_start = change.day - dt.timedelta(days=look_back_days)
    # One pass over the events (no second scan of them): a window over each patient flags the
    # cohort, another numbers each patient's events in a month from the last.
    other_marks = ", ".join(["%s"] * len(others))
    first_marks = ", ".join(["%s"] * len(first))
    sql = f"""
        WITH events AS ({events}),
        flagged AS (
            SELECT day, month, package_id, org_unit_id, prescriber,
                   MAX(CASE WHEN day >= %s AND day < %s AND package_id IN ({other_marks})
                       THEN 1 ELSE 0 END) OVER (PARTITION BY patient) AS in_cohort,
                   ROW_NUMBER() OVER (
                       PARTITION BY patient, month, CASE WHEN day >= %s THEN 1 ELSE 0 END
                       ORDER BY day DESC
                   ) AS position
            FROM events
        )
        SELECT month, org_unit_id, prescriber,
               SUM(CASE WHEN package_id IN ({first_marks}) THEN 1 ELSE 0 END),
               COUNT(*)
        FROM flagged
        WHERE in_cohort = 1 AND position = 1 AND day >= %s AND day < %s
        GROUP BY month, org_unit_id, prescriber
    """  # noqa: S608
    arguments = [
        *params,
        _sql_date(window_start),
        _sql_date(change.day),
        *others,
        _sql_date(change.day),
        *first,
        _sql_date(change.day),
        _sql_date(end),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, arguments)
        rows = cursor.fetchall()
    return [
        (_as_date(month), unit, prescriber or "", int(switched), int(treated))
        for month, unit, prescriber, switched, treated in rows
    ]


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _switches(measure: Measure) -> list[MeasureValue]:
    """Share of the patients on another product who were switched after each change."""
    assert measure.area is not None
    definition = measure.definition
    sums: dict[tuple[dt.date, int | None, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for change in first_choice_changes(measure.area):
        for month, unit, prescriber, switched, treated in switch_counts(
            change, definition.sources, definition.look_back_days
        ):
            cell = sums[(month, unit, prescriber)]
            cell[0] += switched
            cell[1] += treated
    return [
        MeasureValue(
            measure=measure.key,
            month=month,
            org_unit_id=unit,
            prescriber=prescriber,
            numerator=n,
            denominator=d,
        )
        for (month, unit, prescriber), (n, d) in sums.items()
        if d
    ]


def patient_months(
    packages: set[str], sources: Iterable[str]
) -> list[tuple[dt.date, int | None, int]]:
    """(month, unit, distinct patients) with an event of the packages, counted in SQL."""
    events, params = _events_sql(sources, sorted(packages))
    if not events:
        return []
    sql = f"""
        WITH events AS ({events})
        SELECT month, org_unit_id, COUNT(DISTINCT patient) FROM events
        GROUP BY month, org_unit_id
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(_as_date(m), unit, int(n)) for m, unit, n in cursor.fetchall()]


def _cost_per_patient_year(measure: Measure) -> list[MeasureValue]:
    """Invoiced amount over patient-years (patients treated in the month / 12), per unit."""
    assert measure.area is not None
    packages = _area_packages(measure.area)
    sums: dict[tuple[dt.date, int | None], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for month, unit, _, _, amount, _ in _cube_rows(measure.definition.sources, packages):
        sums[(month, unit)][0] += amount
    if _refreshing is not None and not _refreshing & {"hresept", "dips"}:
        # The import brought no patient data: the patient-years stored last time still hold.
        stored = MeasureValue.objects.filter(measure=measure.key, denominator__gt=0)
        for month, unit, years in stored.values_list("month", "org_unit_id", "denominator"):
            sums[(month, unit)][1] += years
    else:
        for month, unit, patients in patient_months(packages, ("hresept", "dips")):
            sums[(month, unit)][1] += patients / 12
    return [
        MeasureValue(measure=measure.key, month=month, org_unit_id=unit, numerator=n, denominator=d)
        for (month, unit), (n, d) in sums.items()
        if n or d
    ]


def _cube_rows(
    sources: Iterable[str], packages: set[str] | None
) -> list[tuple[dt.date, int | None, str, float, float, float]]:
    """(month, unit, varenr, packs, amount, DDD) from the cube, for some packages or all."""

    def read() -> list[tuple[dt.date, int | None, str, float, float, float]]:
        cube = MonthlyUsage.objects.filter(source__in=list(sources), package__isnull=False)
        if packages is not None:
            cube = cube.filter(package_id__in=packages)
        return list(
            cube.values_list("month", "org_unit_id", "package_id", "quantity", "amount", "ddd")
        )

    chosen = None if packages is None else frozenset(packages)
    return _once(("cube", tuple(sorted(sources)), chosen), read)


def _first_choice_cost_per_ddd(
    area: TherapeuticArea, months: Iterable[dt.date]
) -> dict[dt.date, dict[str, float]]:
    """Per month and substance (ATC level 5): the lowest LIS cost per DDD among the area's
    first choices in force on the 15th. Confidential: used only for savings, which only users
    with price access see."""
    lines = [
        line
        for line in _area_lines(area)
        if line.rank == 1
        and line.lis_price is not None
        and line.package.atc_id
        and (line.package.ddd_per_pack or 0) > 0
    ]
    result: dict[dt.date, dict[str, float]] = {}
    for month in months:
        mid = month.replace(day=15)
        costs: dict[str, float] = {}
        for line in lines:
            if _in_force(line, mid):
                atc = line.package.atc_id or ""
                per_ddd = float(line.lis_price or 0) / float(line.package.ddd_per_pack or 1)
                costs[atc] = min(per_ddd, costs.get(atc, per_ddd))
        result[month] = costs
    return result


def _savings_potential(measure: Measure) -> list[MeasureValue]:
    """Invoiced amount minus the same DDDs at the first choice's LIS cost per DDD, per month,
    unit and substance, for use of packages other than the first choice; a use already
    cheaper than the first choice counts as nothing."""
    assert measure.area is not None
    packages = _area_packages(measure.area)
    rows = _cube_rows(measure.definition.sources, packages)
    months = {row[0] for row in rows}
    costs = _first_choice_cost_per_ddd(measure.area, months)
    ranks = ranks_by_month(measure.area, months)
    atc_of = _atc_of()
    sums: dict[tuple[dt.date, int | None], float] = defaultdict(float)
    for month, unit, varenr, _, amount, ddd in rows:
        if ranks[month].get(varenr) == 1:
            continue  # already the first choice
        per_ddd = costs[month].get(atc_of.get(varenr) or "")
        if per_ddd is None or not ddd or ddd <= 0:
            continue
        sums[(month, unit)] += max(0.0, amount - ddd * per_ddd)
    return [
        MeasureValue(measure=measure.key, month=month, org_unit_id=unit, numerator=value)
        for (month, unit), value in sums.items()
        if value
    ]


def _months_before(day: dt.date, count: int) -> list[dt.date]:
    months, month = [], day.replace(day=1)
    for _ in range(count):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    return months


def _savings_realised(measure: Measure) -> list[MeasureValue]:
    """For each agreement of the area: the same DDDs at the trust's cost per DDD in the three
    months before it started (per substance), minus what they cost, month by month."""
    assert measure.area is not None
    packages = _area_packages(measure.area)
    rows = _cube_rows(measure.definition.sources, packages)
    atc_of = _atc_of()
    agreements = list(
        Agreement.objects.filter(area=measure.area, status=Agreement.Status.PUBLISHED).order_by(
            "start"
        )
    )
    sums: dict[tuple[dt.date, int | None], float] = defaultdict(float)
    for i, agreement in enumerate(agreements):
        before = set(_months_before(agreement.start, 3))
        totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for month, _, varenr, _, amount, ddd in rows:
            if month in before and ddd and ddd > 0:
                cell = totals[atc_of.get(varenr) or ""]
                cell[0] += amount
                cell[1] += ddd
        baseline = {atc: a / d for atc, (a, d) in totals.items() if atc and d > 0}
        until = agreement.effective_end
        if i + 1 < len(agreements):
            until = min(until, agreements[i + 1].start - dt.timedelta(days=1))
        for month, unit, varenr, _, amount, ddd in rows:
            per_ddd = baseline.get(atc_of.get(varenr) or "")
            if per_ddd is None or not ddd or not agreement.start <= month <= until:
                continue
            sums[(month, unit)] += ddd * per_ddd - amount
    return [
        MeasureValue(measure=measure.key, month=month, org_unit_id=unit, numerator=value)
        for (month, unit), value in sums.items()
        if value
    ]


def compute(measure: Measure) -> list[MeasureValue]:
    """The values of one measure, one per month and unit (and prescriber, for starts)."""
    definition = measure.definition
    if definition.counts == "starts":
        return _starts(measure)
    if definition.counts == "switches":
        return _switches(measure)
    if definition.counts == "cost_per_patient_year":
        return _cost_per_patient_year(measure)
    if definition.counts == "savings_potential":
        return _savings_potential(measure)
    if definition.counts == "savings_realised":
        return _savings_realised(measure)
    selections = [s for s in (definition.numerator, definition.denominator) if s is not None]
    prefixes = {p for s in selections for p in s.atc}
    numbers = {v for s in selections for v in s.varenr}
    ranks: dict[dt.date, dict[str, int]] = {}
    packages: set[str] | None = None
    if measure.area is not None:
        packages = _area_packages(measure.area)
    elif numbers and not prefixes:
        packages = numbers
    rows = _cube_rows(definition.sources, packages)
    if measure.area is not None:
        ranks = ranks_by_month(measure.area, {row[0] for row in rows})
    atc_of = _atc_of()
    sums: dict[tuple[dt.date, int | None], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for month, unit, varenr, quantity, amount, ddd in rows:
        month_ranks = ranks.get(month, {})
        if measure.area is not None and not month_ranks:
            continue  # no agreement in force that month: no value
        rank = month_ranks.get(varenr)
        atc = atc_of.get(varenr, "")
        value = _value(definition.basis, quantity, amount, ddd)
        cell = sums[(month, unit)]
        if _matches(definition.numerator, varenr, atc, rank):
            cell[0] += value
        if definition.denominator is not None and _matches(
            definition.denominator, varenr, atc, rank
        ):
            cell[1] += value
    return [
        MeasureValue(measure=measure.key, month=month, org_unit_id=unit, numerator=n, denominator=d)
        for (month, unit), (n, d) in sums.items()
        if n or d
    ]


def _reads(measure: Measure) -> set[str]:
    """The sources a measure's values come from."""
    sources = set(measure.definition.sources)
    if measure.definition.counts == "cost_per_patient_year":
        sources |= {"hresept", "dips"}
    return sources


@transaction.atomic
def measures_refresh(sources: Iterable[str] | None = None) -> MeasureRefresh:
    """Recompute the measures (all or nothing) and record when and from which month.

    With ``sources`` (an import of one source) only the measures that read them are
    recomputed; without, every measure is, and values of measures no longer defined go.
    """
    global _shared, _refreshing
    started = time.perf_counter()
    chosen = measures()
    if sources is not None:
        wanted = set(sources)
        chosen = [m for m in chosen if _reads(m) & wanted]
    values: list[MeasureValue] = []
    _shared, _refreshing = {}, (set(sources) if sources is not None else None)
    try:
        for measure in chosen:
            values += compute(measure)
    finally:
        _shared, _refreshing = None, None
    # A difference of sums that should be zero comes out as 1e-12 in some row orders; such
    # values are nothing and are not stored, so the same data gives the same rows.
    values = [v for v in values if abs(v.numerator) > 1e-6 or abs(v.denominator) > 1e-6]
    stored = MeasureValue.objects.all()
    if sources is not None:
        stored = stored.filter(measure__in=[m.key for m in chosen])
    stored.delete()
    MeasureValue.objects.bulk_create(values, batch_size=2000)
    latest = (
        MonthlyUsage.objects.filter(source__in={"sls", "hresept"})
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    if sources is None or {"sls", "hresept"} & set(sources):
        _package_totals(latest)
    return MeasureRefresh.objects.create(
        seconds=time.perf_counter() - started, rows=len(values), latest_month=latest
    )


def _package_totals(latest: dt.date | None) -> None:
    """Twelve-month totals per unit and package, this year and the year before (in SQL)."""
    from django.db.models import Sum

    PackageTotal.objects.all().delete()
    if latest is None:
        return
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
    PackageTotal.objects.bulk_create(totals, batch_size=2000)
