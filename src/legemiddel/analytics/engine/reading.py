"""What the measure kinds read: the published agreements' lines and ranks, the monthly cube,
and the patient-level events, each read once per refresh through its :class:`RefreshContext`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from legemiddel.agreements.models import Agreement, AgreementLine, TherapeuticArea
from legemiddel.analytics.definitions import Selection
from legemiddel.analytics.engine.context import RefreshContext, area_lines_key
from legemiddel.catalogue.models import Package
from legemiddel.usage.models import Administration, Dispensing, MonthlyUsage
from legemiddel.usage.selectors import visible_facts_sql


def area_lines(area: TherapeuticArea, ctx: RefreshContext) -> list[AgreementLine]:
    """The lines of the area's published agreements, with agreement and package (the
    confidential price included: savings need it, and nothing here reaches a page)."""
    return ctx.once(
        area_lines_key(area.pk),
        lambda: list(
            AgreementLine.objects.filter(
                agreement__area=area, agreement__status=Agreement.Status.PUBLISHED
            ).select_related("agreement", "package")
        ),
    )


def in_force(line: AgreementLine, day: dt.date) -> bool:
    agreement = line.agreement
    return agreement.start <= day <= agreement.effective_end and line.valid_on(day)


def ranks_by_month(
    area: TherapeuticArea, months: Iterable[dt.date], ctx: RefreshContext | None = None
) -> dict[dt.date, dict[str, int]]:
    """For each month, the rank of each package in the published agreement in force on the
    15th (the best rank when a package is ranked in several groups)."""
    lines = area_lines(area, ctx or RefreshContext())
    result: dict[dt.date, dict[str, int]] = {}
    for month in months:
        mid = month.replace(day=15)
        ranks: dict[str, int] = {}
        for line in lines:
            if in_force(line, mid):
                ranks[line.package_id] = min(line.rank, ranks.get(line.package_id, 99))
        result[month] = ranks
    return result


def matches(selection: Selection, varenr: str, atc: str, rank: int | None) -> bool:
    if selection.ranks is not None:
        if rank is None:
            return False
        if selection.ranks and rank not in selection.ranks:
            return False
    if selection.atc and not atc.startswith(selection.atc):
        return False
    return not selection.varenr or varenr in selection.varenr


def basis_value(basis: str, quantity: float, amount: float, ddd: float) -> float:
    return {"ddd": ddd, "packs": quantity, "nok": amount}[basis]


def area_packages(area: TherapeuticArea, ctx: RefreshContext) -> set[str]:
    return {line.package_id for line in area_lines(area, ctx)}


def atc_of(ctx: RefreshContext) -> dict[str, str]:
    """varenr -> ATC code of every package that has one."""
    return ctx.once(
        ("atc",),
        lambda: dict(Package.objects.filter(atc__isnull=False).values_list("varenr", "atc_id")),
    )


def cube_rows(
    sources: Iterable[str], packages: set[str] | None, ctx: RefreshContext
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
    return ctx.once(("cube", tuple(sorted(sources)), chosen), read)


def events_sql(sources: Iterable[str], packages: list[str]) -> tuple[str, list[Any]]:
    """The patient-level events (H-prescription dispensings, administrations) of packages, as
    far as readers may see them (not an import's rows before it is complete).
    Empty SQL when there is nothing to select (``IN ()`` is an error on PostgreSQL). Only
    table names from the models and placeholders go into the SQL text; every value is a
    query parameter."""
    if not packages:
        return "", []
    marks = ", ".join(["%s"] * len(packages))
    parts: list[str] = []
    params: list[Any] = []
    if "hresept" in sources:
        visible, visible_params = visible_facts_sql("hresept")
        parts.append(
            "SELECT patient, dispensed_on AS day, month, package_id, org_unit_id, "  # noqa: S608
            f"prescriber_hpr AS prescriber FROM {Dispensing._meta.db_table} "
            f"WHERE package_id IN ({marks}) AND {visible}"
        )
        params += [*packages, *visible_params]
    if "dips" in sources:
        visible, visible_params = visible_facts_sql("dips")
        parts.append(
            "SELECT patient, administered_on AS day, month, package_id, org_unit_id, "  # noqa: S608
            f"'' AS prescriber FROM {Administration._meta.db_table} "
            f"WHERE package_id IN ({marks}) AND {visible}"
        )
        params += [*packages, *visible_params]
    return " UNION ALL ".join(parts), params


def as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
