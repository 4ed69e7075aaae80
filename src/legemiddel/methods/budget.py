"""Budget impact of an introduced method: what the core group expects a year to cost and how
many patients, against the use month by month since the method may be used.

The use is the substance's (its ATC codes): packs, DDD and amount from the monthly cube (SLS
and H-prescriptions), patients from the fact tables (H-prescription dispensings and DIPS
administrations), through ``usage.selectors``. The amount is what the pharmacy invoiced and
reveals LIS prices: the pages show it, and the expected cost, only with price access.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from legemiddel.core.audit import audit_record
from legemiddel.methods.compliance import method_atc_codes
from legemiddel.methods.models import BudgetExpectation, DecisionStatus, Method, MethodType
from legemiddel.organisation.models import OrgUnit
from legemiddel.usage.selectors import monthly_usage_by_atc, patient_counts

INTRODUCED = (DecisionStatus.INTRODUCED, DecisionStatus.CONDITIONS)
MAX_COST = Decimal("1e12")
MAX_PATIENTS = 1_000_000


def budget_methods() -> QuerySet[Method]:
    """Drug methods introduced (with or without conditions), confirmed or suggested."""
    introduced = Q(status__in=INTRODUCED) | Q(status="", suggested_status__in=INTRODUCED)
    return (
        Method.objects.filter(method_type=MethodType.DRUG)
        .filter(Q(listed=True) | Q(manual=True))
        .filter(introduced)
        .order_by("method_id", "indication_key")
    )


def budget_start(method: Method) -> dt.date | None:
    """From when the method may be used: the effective date, else the decision date."""
    return method.effective_from or method.decision_date


@dataclass
class Figures:
    patients: int = 0
    packs: float = 0.0
    ddd: float = 0.0
    amount: float = 0.0


@dataclass
class YearFigures(Figures):
    year: int = 0
    expectation: BudgetExpectation | None = None

    @property
    def patients_share(self) -> float | None:
        e = self.expectation
        return self.patients / e.expected_patients if e and e.expected_patients else None

    @property
    def cost_share(self) -> float | None:
        e = self.expectation
        return self.amount / float(e.expected_cost) if e and e.expected_cost else None


@dataclass
class MonthFigures(Figures):
    month: dt.date = dt.date.min


@dataclass
class UnitFigures(Figures):
    unit: OrgUnit | None = None

    @property
    def name(self) -> str:
        return self.unit.name if self.unit else _("No unit")


@dataclass
class MethodBudget:
    method: Method
    start: dt.date | None
    atc_codes: list[str]
    months: list[MonthFigures] = field(default_factory=list)
    units: list[UnitFigures] = field(default_factory=list)
    years: list[YearFigures] = field(default_factory=list)
    unit: OrgUnit | None = None


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def method_budget(
    method: Method, *, unit: OrgUnit | None = None, today: dt.date | None = None
) -> MethodBudget:
    """The method's use since it may be used: per month, per unit and per year against the
    expectations (in the whole trust, or in ``unit`` alone)."""
    today = today or timezone.localdate()
    start = budget_start(method)
    atc = sorted(method_atc_codes([method]).get(method.pk, set()))
    result = MethodBudget(method=method, start=start, atc_codes=atc, unit=unit)
    expectations = {e.year: e for e in method.budgets.all()}
    if start is None:
        result.years = [YearFigures(year=y, expectation=e) for y, e in sorted(expectations.items())]
        return result
    unit_id = unit.pk if unit else None
    cube = monthly_usage_by_atc(atc, since=start, org_unit_id=unit_id)
    by_month = {m: MonthFigures(month=m) for m in _months(start, max(today, start))}
    by_unit: dict[int | None, UnitFigures] = {}
    for row in cube:
        for cell in (
            by_month.setdefault(row["month"], MonthFigures(month=row["month"])),
            by_unit.setdefault(row["org_unit_id"], UnitFigures()),
        ):
            cell.packs += row["quantity"] or 0.0
            cell.ddd += row["ddd"] or 0.0
            cell.amount += row["amount"] or 0.0
    for (month,), n in patient_counts(atc, since=start, by=("month",), org_unit_id=unit_id).items():
        by_month.setdefault(month, MonthFigures(month=month)).patients = n
    for (unit_key,), n in patient_counts(
        atc, since=start, by=("org_unit_id",), org_unit_id=unit_id
    ).items():
        by_unit.setdefault(unit_key, UnitFigures()).patients = n
    units = OrgUnit.objects.in_bulk([k for k in by_unit if k is not None])
    for key, cell in by_unit.items():
        cell.unit = units.get(key) if key is not None else None
    result.months = [by_month[m] for m in sorted(by_month)]
    result.units = sorted(by_unit.values(), key=lambda c: (-c.ddd, -c.patients, c.name))
    years = sorted({m.year for m in by_month} | set(expectations))
    for year in years:
        total = YearFigures(year=year, expectation=expectations.get(year))
        first = max(start, dt.date(year, 1, 1))
        for m in result.months:
            if m.month.year == year:
                total.packs += m.packs
                total.ddd += m.ddd
                total.amount += m.amount
        if first <= dt.date(year, 12, 31):
            counted = patient_counts(
                atc, since=first, until=dt.date(year, 12, 31), org_unit_id=unit_id
            )
            total.patients = counted.get((), 0)
        result.years.append(total)
    return result


@dataclass
class BudgetRow:
    method: Method
    start: dt.date | None
    expectation: BudgetExpectation | None
    figures: Figures


def budget_overview(year: int) -> list[BudgetRow]:
    """Each introduced method with the year's expectation and the year's use of its ATC
    codes (patients counted per ATC code: one query for all the methods)."""
    methods = list(budget_methods().prefetch_related("budgets"))
    atcs = method_atc_codes(methods)
    every = {a for codes in atcs.values() for a in codes}
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    sums: dict[str, Figures] = {}
    for row in monthly_usage_by_atc(every, since=first):
        if row["month"] > last:
            continue
        cell = sums.setdefault(row["atc"], Figures())
        cell.packs += row["quantity"] or 0.0
        cell.ddd += row["ddd"] or 0.0
        cell.amount += row["amount"] or 0.0
    for (atc,), n in patient_counts(every, since=first, until=last, by=("atc",)).items():
        sums.setdefault(atc, Figures()).patients = n
    # A patient on two of a method's codes (a combination) is one patient: methods with several
    # codes are counted over all of them together (one query per distinct set of codes).
    together = {
        codes: patient_counts(set(codes), since=first, until=last).get((), 0)
        for codes in {frozenset(c) for c in atcs.values() if len(c) > 1}
    }
    rows = []
    for method in methods:
        figures = Figures()
        codes = atcs.get(method.pk, set())
        for atc in codes:
            found = sums.get(atc)
            if found:
                figures.patients += found.patients
                figures.packs += found.packs
                figures.ddd += found.ddd
                figures.amount += found.amount
        if len(codes) > 1:
            figures.patients = together[frozenset(codes)]
        expectation = next((e for e in method.budgets.all() if e.year == year), None)
        rows.append(BudgetRow(method, budget_start(method), expectation, figures))
    return rows


def budget_expectation_save(
    *,
    method: Method,
    year: int,
    expected_patients: int | None,
    expected_cost: Decimal | None,
    note: str = "",
    cost_given: bool,
    actor: Any,
    request: Any = None,
) -> BudgetExpectation:
    """Record what the core group expects the method to cost in a year and for how many
    patients. Without price access the expected cost is neither shown nor changed
    (``cost_given`` False keeps it). The audit trail names what changed, never the cost."""
    if not budget_methods().filter(pk=method.pk).exists():
        raise ValidationError(_("Budgets are recorded for introduced drug methods only."))
    if not 2000 <= year <= 2100:
        raise ValidationError(_("Give a year between 2000 and 2100."))
    if expected_patients is not None and not 0 <= expected_patients <= MAX_PATIENTS:
        raise ValidationError(_("The number of patients is out of range."))
    if expected_cost is not None and (
        not expected_cost.is_finite() or not Decimal(0) <= expected_cost <= MAX_COST
    ):
        raise ValidationError(_("The expected cost is out of range."))
    with transaction.atomic():
        expectation, created = BudgetExpectation.objects.select_for_update().get_or_create(
            method=method, year=year, defaults={"created_by": actor}
        )
        expectation.expected_patients = expected_patients
        expectation.note = note.strip()
        fields = ["expected_patients", "note", "updated_at"]
        if cost_given:
            expectation.expected_cost = expected_cost
            fields.append("expected_cost")
        expectation.save(update_fields=fields)
        audit_record(
            action="budget_expectation",
            user=actor,
            request=request,
            detail=f"metode {method.method_id} ({method.pk}) år {year}: "
            + ("ny" if created else "endret")
            + f", pasienter {expected_patients if expected_patients is not None else '-'}"
            + (", forventet kostnad endret" if cost_given else ""),
        )
    return expectation
