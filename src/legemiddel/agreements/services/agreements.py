"""Writes for the agreement register: an agreement, its products and its history. Every write
records who did it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from legemiddel.accounts.models import User
from legemiddel.agreements import importer
from legemiddel.agreements.events import AGREEMENT_RESCHEDULED
from legemiddel.agreements.models import Agreement, AgreementChange, AgreementLine
from legemiddel.catalogue.models import Package
from legemiddel.core import outbox
from legemiddel.core.audit import audit_record
from legemiddel.core.models import AuditEvent
from legemiddel.lib.formatting import format_date, format_number
from legemiddel.lib.tabular import ImportRejected, RowError

# Agreement fields whose change is recorded, with the label the history shows.
AGREEMENT_FIELDS = {
    "title": "tittel",
    "reference": "LIS-referanse",
    "region": "region",
    "start": "start",
    "end": "slutt",
    "extended_to": "forlenget til",
    "conditions": "vilkår",
    "comment": "kommentar",
}
LINE_FIELDS = {
    "indication_group": "indikasjonsgruppe",
    "patient_group": "pasientgruppe",
    "rank": "rang",
    "package_id": "varenr",
    "valid_from": "gyldig fra",
    "valid_to": "gyldig til",
    "cost_basis": "kostnad per",
    "packs_per_period": "pakninger per periode",
    "dosing": "dosering",
    "conditions": "vilkår",
    "comment": "kommentar",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return format_date(value)
    return str(value)


def _diff(old: dict[str, Any], new: dict[str, Any], labels: dict[str, str]) -> list[dict]:
    return [
        {"field": key, "label": label, "old": _text(old.get(key)), "new": _text(new.get(key))}
        | {"price": False}
        for key, label in labels.items()
        if old.get(key) != new.get(key)
    ]


def _record(
    agreement: Agreement,
    actor: User | None,
    summary: str,
    changes: list[dict],
    *,
    reason: str = "",
) -> AgreementChange:
    if agreement.status == Agreement.Status.PUBLISHED and not agreement.has_unpublished_changes:
        agreement.has_unpublished_changes = True
        agreement.save(update_fields=["has_unpublished_changes"])
    change = AgreementChange.objects.create(
        agreement=agreement,
        by=actor,
        summary=summary[:300],
        changes=changes,
        correction=bool(reason),
        reason=reason,
    )
    detail = f"avtale {agreement.pk} «{agreement.title}»: {summary}"
    if reason:
        detail += f" (retting tilbake i tid, begrunnelse: {reason})"
    audit_record(action=AuditEvent.Action.AGREEMENT, user=actor, detail=detail[:1000])
    return change


def _overlap_errors(agreement: Agreement) -> list[str]:
    others = Agreement.objects.filter(area_id=agreement.area_id).exclude(
        Q(pk=agreement.pk) | Q(status=Agreement.Status.WITHDRAWN)
    )
    region = importer.normalised_region(agreement.region)
    return [
        f"Perioden overlapper «{other.title}» ({format_date(other.start)}–"
        f"{format_date(other.effective_end)}) for samme område og region."
        for other in others
        if importer.normalised_region(other.region) == region
        and importer.overlaps(
            agreement.start, agreement.effective_end, other.start, other.effective_end
        )
    ]


def _validate(agreement: Agreement) -> None:
    agreement.full_clean(exclude=["created_by"])
    errors = _overlap_errors(agreement)
    if errors:
        raise ValidationError({"start": errors})


def period_years(start: dt.date, end: dt.date) -> str:
    """The years an agreement runs, for its name: one year alone, two joined by a dash."""
    return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"


@transaction.atomic
def agreement_create(*, actor: User | None, **fields: Any) -> Agreement:
    """Register a new agreement (as a draft). Its start-up meeting comes when it is published
    (governance listens for the publication).

    Refuses a period that overlaps another agreement for the same area and region.
    """
    agreement = Agreement(created_by=actor, **fields)
    _validate(agreement)
    agreement.save()
    _record(agreement, actor, "registrert", [])
    return agreement


@transaction.atomic
def agreement_update(*, agreement: Agreement, actor: User | None, **fields: Any) -> Agreement:
    """Change an agreement's own fields (not its lines), recording what changed."""
    old = {key: getattr(agreement, key) for key in AGREEMENT_FIELDS}
    for key, value in fields.items():
        setattr(agreement, key, value)
    _validate(agreement)
    changes = _diff(
        old, {key: getattr(agreement, key) for key in AGREEMENT_FIELDS}, AGREEMENT_FIELDS
    )
    if not changes:
        return agreement
    agreement.save()
    if "start" in {c["field"] for c in changes}:
        # The start-up meeting (in governance) is due some days before the start.
        outbox.announce(
            topic=AGREEMENT_RESCHEDULED,
            payload={"agreement": agreement.pk, "start": agreement.start.isoformat()},
        )
    _record(agreement, actor, "endret " + ", ".join(c["label"] for c in changes), changes)
    return agreement


def _price_change(old: Decimal | None, new: Decimal | None, what: str) -> list[dict]:
    if old == new:
        return []
    return [
        {"field": "lis_price", "label": f"LIS-pris {what}"}
        | {"old": format_number(old, 2), "new": format_number(new, 2), "price": True}
    ]


def _line_state(line: AgreementLine) -> dict[str, Any]:
    return {key: getattr(line, key) for key in LINE_FIELDS}


def _ranked(line: AgreementLine | importer.LineRecord, agreement: Agreement) -> importer.Ranked:
    is_record = isinstance(line, importer.LineRecord)
    varenr = line.varenr if isinstance(line, importer.LineRecord) else line.package_id
    return importer.Ranked(
        row=line.row if is_record else 0,  # type: ignore[union-attr]
        indication_group=line.indication_group,
        patient_group=line.patient_group,
        rank=line.rank,
        varenr=varenr,
        starts=line.valid_from or agreement.start,
        ends=line.valid_to or agreement.effective_end,
    )


def _period_errors(
    agreement: Agreement, row: int, valid_from: dt.date | None, valid_to: dt.date | None
) -> list[RowError]:
    errors = []
    end = agreement.effective_end
    for column, day in (("gyldig fra", valid_from), ("gyldig til", valid_to)):
        if day and not agreement.start <= day <= end:
            errors.append(
                RowError(
                    row,
                    column,
                    format_date(day),
                    f"ligger utenfor avtaleperioden {format_date(agreement.start)}–"
                    f"{format_date(end)}",
                )
            )
    return errors


def first_of_next_month(today: dt.date | None = None) -> dt.date:
    """The default day a change to a published agreement applies from."""
    day = today or timezone.localdate()
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def has_history(agreement: Agreement) -> bool:
    """Published at least once: its past months' figures are built on its lines."""
    return agreement.version > 0


# Line fields that change figures (ranks, costs); the rest (dosing, conditions, comment) is
# text, changed in place without a new period.
FIGURE_FIELDS = {
    "indication_group",
    "patient_group",
    "rank",
    "package_id",
    "valid_to",
    "cost_basis",
    "packs_per_period",
}


def _effective_day(agreement: Agreement, effective_from: dt.date | None) -> dt.date:
    day = effective_from or first_of_next_month()
    if day < timezone.localdate():
        raise ValidationError(
            {
                "effective_from": [
                    "En endring kan ikke gjelde fra en dag som er passert. Rett en feil "
                    "tilbake i tid med «Rett en feil tilbake i tid» og en begrunnelse."
                ]
            }
        )
    if day > agreement.effective_end:
        raise ValidationError(
            {"effective_from": [f"Avtalen slutter {format_date(agreement.effective_end)}."]}
        )
    return day


def _check_line(line: AgreementLine) -> None:
    line.full_clean()
    errors = _period_errors(line.agreement, 0, line.valid_from, line.valid_to)
    if errors:
        raise ValidationError({"valid_from": [e.message for e in errors]})


@transaction.atomic
def line_save(
    *,
    line: AgreementLine,
    actor: User | None,
    price_visible: bool,
    lis_price: Any = None,
    effective_from: dt.date | None = None,
) -> AgreementLine:
    """Add or change one line. ``lis_price`` is applied only when the actor can see prices
    (``price_visible``); otherwise the stored price stays as it is.

    In an agreement that has been published the change applies from ``effective_from``
    (default: the first of next month; never a day that has passed): the line as it was ends
    the day before and a new line takes over, so the figures of past months never move. A
    new line starts that day too. Text (dosing, conditions, comment) changes in place.
    Correcting the past is :func:`line_correct`.
    """
    agreement = line.agreement
    old: dict[str, Any] = {}
    old_price: Decimal | None = None
    stored: AgreementLine | None = None
    if line.pk:
        stored = AgreementLine.objects.get(pk=line.pk)
        old, old_price = _line_state(stored), stored.lis_price
    line.lis_price = lis_price if price_visible else old_price
    day: dt.date | None = None
    if has_history(agreement):
        day = _effective_day(agreement, effective_from)
        if stored is None and day > agreement.start:
            line.valid_from = max(day, line.valid_from or day)
        elif stored is not None and day > stored.starts:
            state = _line_state(line)
            figures = {k for k in FIGURE_FIELDS if old.get(k) != state.get(k)}
            if figures or old_price != line.lis_price:
                return _line_split(line, stored, day, actor)
    _check_line(line)
    line.save()
    what = f"{line.indication_group} rang {line.rank} ({line.package_id})"
    changes = _diff(old, _line_state(line), LINE_FIELDS) if old else []
    changes += _price_change(old_price, line.lis_price, line.package_id)
    if old and not changes:
        return line
    when = f" fra {format_date(line.valid_from)}" if day and not old and line.valid_from else ""
    _record(agreement, actor, ("endret linje " if old else "ny linje ") + what + when, changes)
    return line


def _line_split(
    line: AgreementLine, stored: AgreementLine, day: dt.date, actor: User | None
) -> AgreementLine:
    """End the stored line the day before ``day``; the changed line takes over from ``day``."""
    if day > stored.ends:
        raise ValidationError(
            {"effective_from": [f"Linjen gjelder bare til {format_date(stored.ends)}."]}
        )
    successor = AgreementLine(
        **{
            f.attname: getattr(line, f.attname)
            for f in AgreementLine._meta.concrete_fields
            if not f.primary_key
        }
    )
    successor.valid_from = day
    before = _line_state(stored) | {"valid_from": None}
    stored.valid_to = day - dt.timedelta(days=1)
    _check_line(stored)
    _check_line(successor)
    stored.save(update_fields=["valid_to"])
    successor.save()
    changes = _diff(before, _line_state(successor) | {"valid_from": None}, LINE_FIELDS)
    changes += _price_change(stored.lis_price, successor.lis_price, successor.package_id)
    what = f"{successor.indication_group} rang {successor.rank} ({successor.package_id})"
    _record(line.agreement, actor, f"endret linje {what} fra {format_date(day)}", changes)
    return successor


@transaction.atomic
def line_correct(
    *,
    line: AgreementLine,
    actor: User | None,
    reason: str,
    price_visible: bool,
    lis_price: Any = None,
) -> AgreementLine:
    """Correct an error in a published line back in time: changed in place, so the figures
    of past months move when it is published. Deliberate: needs a reason, recorded in the
    history as a correction and in the audit log."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Skriv hvorfor feilen rettes tilbake i tid."]})
    stored = AgreementLine.objects.get(pk=line.pk)
    old, old_price = _line_state(stored), stored.lis_price
    line.lis_price = lis_price if price_visible else old_price
    _check_line(line)
    changes = _diff(old, _line_state(line), LINE_FIELDS)
    changes += _price_change(old_price, line.lis_price, line.package_id)
    if not changes:
        return line
    line.save()
    what = f"{line.indication_group} rang {line.rank} ({line.package_id})"
    _record(line.agreement, actor, f"rettet linje tilbake i tid: {what}", changes, reason=reason)
    return line


@transaction.atomic
def line_delete(
    *, line: AgreementLine, actor: User | None, effective_from: dt.date | None = None
) -> None:
    """Remove a line. In an agreement that has been published the line ends the day before
    ``effective_from`` (default: the first of next month) instead, so past months keep it."""
    agreement = line.agreement
    what = f"{line.indication_group} rang {line.rank} ({line.package_id})"
    if has_history(agreement):
        day = _effective_day(agreement, effective_from)
        if day > line.starts:
            if day > line.ends:
                raise ValidationError(
                    {"effective_from": [f"Linjen gjelder bare til {format_date(line.ends)}."]}
                )
            old_end = line.valid_to
            line.valid_to = day - dt.timedelta(days=1)
            line.save(update_fields=["valid_to"])
            changes = _diff({"valid_to": old_end}, {"valid_to": line.valid_to}, LINE_FIELDS)
            _record(agreement, actor, f"avsluttet linje {what} fra {format_date(day)}", changes)
            return
    changes = _diff(_line_state(line), {}, LINE_FIELDS) + _price_change(
        line.lis_price, None, line.package_id
    )
    line.delete()
    _record(agreement, actor, "fjernet linje " + what, changes)


@dataclass
class ImportResult:
    lines: int
    groups: int

    def as_text(self) -> str:
        products = "produkt" if self.lines == 1 else "produkter"
        groups = "indikasjonsgruppe" if self.groups == 1 else "indikasjonsgrupper"
        return f"{self.lines} {products} i {self.groups} {groups} importert."


@transaction.atomic
def agreement_import_lines(
    *, agreement: Agreement, data: bytes, file_name: str, actor: User | None
) -> ImportResult:
    """Replace the agreement's products with those in a spreadsheet. All or nothing.

    Checks every row (format, unknown varenr, dates inside the agreement period) and the
    ranking as a whole (gaps, one product twice in a group at the same time).
    """
    records, errors = importer.parse_lines(data)
    if not errors and not records:
        errors.append(RowError(0, "", "", "Filen har ingen produktlinjer."))
    known = set(
        Package.objects.filter(varenr__in={r.varenr for r in records}).values_list(
            "varenr", flat=True
        )
    )
    errors += importer.unknown_varenr(records, known)
    for record in records:
        errors += _period_errors(agreement, record.row, record.valid_from, record.valid_to)
    errors += importer.rank_problems([_ranked(r, agreement) for r in records])
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.row, e.column)))
    old_prices = {
        (line.indication_group, line.patient_group, line.package_id, line.valid_from): line
        for line in agreement.lines.all()
    }
    agreement.lines.all().delete()
    AgreementLine.objects.bulk_create(
        AgreementLine(
            agreement=agreement,
            package_id=r.varenr,
            indication_group=r.indication_group,
            patient_group=r.patient_group,
            rank=r.rank,
            lis_price=r.lis_price,
            valid_from=r.valid_from,
            valid_to=r.valid_to,
            cost_basis=r.cost_basis,
            packs_per_period=r.packs_per_period,
            dosing=r.dosing,
            conditions=r.conditions,
            comment=r.comment,
        )
        for r in records
    )
    changes: list[dict] = []
    for r in records:
        before = old_prices.pop((r.indication_group, r.patient_group, r.varenr, r.valid_from), None)
        if before is None:
            changes.append(
                {"field": "line", "label": "ny linje", "old": "", "new": _line_text(r)}
                | {"price": False}
            )
        elif before.rank != r.rank:
            changes.append(
                {"field": "rank", "label": f"rang {r.varenr} i {r.indication_group}"}
                | {"old": str(before.rank), "new": str(r.rank), "price": False}
            )
        changes += _price_change(before.lis_price if before else None, r.lis_price, r.varenr)
    for gone in old_prices.values():
        changes.append(
            {"field": "line", "label": "fjernet linje", "old": _line_text(gone), "new": ""}
            | {"price": False}
        )
    result = ImportResult(len(records), len({r.indication_group for r in records}))
    _record(agreement, actor, f"produkter importert fra {file_name}: {result.as_text()}", changes)
    return result


def _line_text(line: AgreementLine | importer.LineRecord) -> str:
    varenr = line.varenr if isinstance(line, importer.LineRecord) else line.package_id
    # The history is read in Norwegian: the patient group's name, never its code.
    with translation.override("nb"):
        group = str(AgreementLine.PatientGroup(line.patient_group).label).lower()
    return f"{line.indication_group} · {group} · rang {line.rank} · {varenr}"
