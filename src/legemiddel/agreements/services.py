"""Writes for LIS agreements: the register, its history, publication, price access,
distribution of notices and start-up meetings. Every write records who did it."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from legemiddel.accounts.models import User
from legemiddel.agreements import importer, selectors
from legemiddel.agreements.models import (
    Agreement,
    AgreementChange,
    AgreementLine,
    AgreementVersion,
    Decision,
    Delivery,
    Notice,
    Participant,
    PriceAccessGrant,
    StartupMeeting,
)
from legemiddel.catalogue.models import Package
from legemiddel.core.audit import audit_record
from legemiddel.core.models import AuditEvent
from legemiddel.lib.formatting import format_date, format_number
from legemiddel.lib.tabular import ImportRejected, RowError

log = logging.getLogger(__name__)

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
MAX_GRANT_DAYS = 366


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
    agreement: Agreement, actor: User | None, summary: str, changes: list[dict]
) -> AgreementChange:
    if agreement.status == Agreement.Status.PUBLISHED and not agreement.has_unpublished_changes:
        agreement.has_unpublished_changes = True
        agreement.save(update_fields=["has_unpublished_changes"])
    change = AgreementChange.objects.create(
        agreement=agreement, by=actor, summary=summary[:300], changes=changes
    )
    audit_record(
        action=AuditEvent.Action.AGREEMENT,
        user=actor,
        detail=f"avtale {agreement.pk} «{agreement.title}»: {summary}"[:1000],
    )
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


def _meeting_due(start: dt.date) -> dt.date:
    return start - dt.timedelta(days=settings.STARTUP_MEETING_DAYS_BEFORE)


DEFAULT_AGENDA = """1. Hva er nytt i avtalen: førstevalg, bytte og fra når
2. Hvordan innføre: nye pasienter, bytte av pasienter som står på behandling
3. Lagerplanlegging i sykehusapoteket (utfasing og oppbygging)
4. Oppfølging: hvilke tall, hvem følger opp, når
5. Informasjon til forskrivere og avtalespesialister"""


@transaction.atomic
def agreement_create(*, actor: User | None, **fields: Any) -> Agreement:
    """Register a new agreement (as a draft) with its start-up meeting and suggested participants.

    Refuses a period that overlaps another agreement for the same area and region.
    """
    agreement = Agreement(created_by=actor, **fields)
    _validate(agreement)
    agreement.save()
    meeting = StartupMeeting.objects.create(
        agreement=agreement, due_by=_meeting_due(agreement.start), agenda=DEFAULT_AGENDA
    )
    meeting_suggest_participants(meeting=meeting)
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
        StartupMeeting.objects.filter(agreement=agreement).update(
            due_by=_meeting_due(agreement.start)
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


@transaction.atomic
def line_save(
    *, line: AgreementLine, actor: User | None, price_visible: bool, lis_price: Any = None
) -> AgreementLine:
    """Add or change one line. ``lis_price`` is applied only when the actor can see prices
    (``price_visible``); otherwise the stored price stays as it is."""
    agreement = line.agreement
    old: dict[str, Any] = {}
    old_price: Decimal | None = None
    if line.pk:
        stored = AgreementLine.objects.get(pk=line.pk)
        old, old_price = _line_state(stored), stored.lis_price
    if price_visible:
        line.lis_price = lis_price
    else:
        line.lis_price = old_price
    line.full_clean()
    errors = _period_errors(agreement, 0, line.valid_from, line.valid_to)
    if errors:
        raise ValidationError({"valid_from": [e.message for e in errors]})
    line.save()
    what = f"{line.indication_group} rang {line.rank} ({line.package_id})"
    changes = _diff(old, _line_state(line), LINE_FIELDS) if old else []
    changes += _price_change(old_price, line.lis_price, line.package_id)
    if old and not changes:
        return line
    _record(agreement, actor, ("endret linje " if old else "ny linje ") + what, changes)
    return line


@transaction.atomic
def line_delete(*, line: AgreementLine, actor: User | None) -> None:
    agreement = line.agreement
    what = f"{line.indication_group} rang {line.rank} ({line.package_id})"
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
        return f"{self.lines} produkter i {self.groups} indikasjonsgrupper importert."


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
    return f"{line.indication_group} · {line.patient_group} · rang {line.rank} · {varenr}"


def agreement_problems(agreement: Agreement) -> list[str]:
    """What stops publication: no products, rank gaps, lines outside the period, overlaps."""
    lines = list(agreement.lines.all())
    problems = [] if lines else ["Avtalen har ingen produkter."]
    problems += _overlap_errors(agreement)
    for error in importer.rank_problems([_ranked(line, agreement) for line in lines]):
        problems.append(error.message)
    for line in lines:
        problems += [
            e.message for e in _period_errors(agreement, 0, line.valid_from, line.valid_to)
        ]
        if line.cost_basis != AgreementLine.CostBasis.DDD and not line.packs_per_period:
            problems.append(
                f"{line.package_id} i «{line.indication_group}»: kostnad per år eller kur "
                "trenger pakninger per periode."
            )
    return problems


@transaction.atomic
def agreement_publish(*, agreement: Agreement, actor: User | None, note: str = "") -> Notice:
    """Publish the agreement (or its changes) to the portal and draft the notice.

    The new version keeps the published recommendation without prices. The notice goes out
    only when the procurement adviser approves it (:func:`notice_send`).
    """
    problems = agreement_problems(agreement)
    if problems:
        raise ValidationError(problems)
    if agreement.status == Agreement.Status.PUBLISHED and not agreement.has_unpublished_changes:
        raise ValidationError(["Ingenting er endret siden forrige publisering."])
    first = agreement.version == 0
    agreement.version += 1
    agreement.status = Agreement.Status.PUBLISHED
    agreement.has_unpublished_changes = False
    agreement.save(update_fields=["version", "status", "has_unpublished_changes"])
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=agreement.version,
        published_by=actor,
        note=note,
        snapshot=selectors.public_snapshot(agreement),
    )
    AgreementChange.objects.filter(agreement=agreement, published_in__isnull=True).update(
        published_in=version.number
    )
    subject, body = selectors.notice_text(agreement, version, first=first)
    notice = Notice.objects.create(agreement=agreement, version=version, subject=subject, body=body)
    Delivery.objects.bulk_create(
        Delivery(
            notice=notice,
            name=r.name,
            email=r.email,
            reason=r.reason,
            status=Delivery.Status.PENDING if r.email else Delivery.Status.NO_ADDRESS,
        )
        for r in selectors.distribution_list(agreement.area)
    )
    audit_record(
        action=AuditEvent.Action.AGREEMENT,
        user=actor,
        detail=f"avtale {agreement.pk} «{agreement.title}» publisert som versjon {version.number}",
    )
    # Measures rank packages by the published agreements: recompute them with this version.
    from legemiddel.analytics.engine import measures_refresh

    measures_refresh()
    return notice


def _send(deliveries: Iterable[Delivery], notice: Notice) -> tuple[int, int]:
    """Send to each delivery over one SMTP connection; record the outcome of each."""
    sent = failed = 0
    now = timezone.now()
    try:
        connection = mail.get_connection()
        connection.open()
    except Exception as exc:  # the server is down: every delivery fails the same way
        connection = None
        opening_error = f"{type(exc).__name__}: {exc}"[:500]
    for delivery in deliveries:
        delivery.attempts += 1
        try:
            if connection is None:
                raise ConnectionError(opening_error)
            message = mail.EmailMessage(
                subject=notice.subject,
                body=notice.body,
                to=[delivery.email],
                connection=connection,
            )
            message.send()
        except Exception as exc:
            log.warning("Notice %s to delivery %s failed: %s", notice.pk, delivery.pk, exc)
            delivery.status = Delivery.Status.FAILED
            delivery.error = f"{type(exc).__name__}: {exc}"[:500]
            failed += 1
        else:
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = now
            delivery.error = ""
            sent += 1
        delivery.save(update_fields=["attempts", "status", "sent_at", "error"])
    if connection is not None:
        connection.close()
    return sent, failed


@transaction.atomic
def notice_send(
    *, notice: Notice, actor: User, subject: str | None = None, body: str | None = None
) -> tuple[int, int]:
    """Approve a drafted notice (with any edits to its text) and e-mail it to every recipient
    with an address. Returns (sent, failed); failed deliveries can be resent."""
    if notice.status != Notice.Status.DRAFT:
        raise ValidationError(["Varselet er allerede behandlet."])
    if subject is not None:
        notice.subject = subject.strip()[:200]
    if body is not None:
        notice.body = body.strip()
    if not notice.subject or not notice.body:
        raise ValidationError(["Emne og tekst kan ikke være tomme."])
    notice.status = Notice.Status.SENT
    notice.approved_by = actor
    notice.approved_at = timezone.now()
    notice.save(update_fields=["subject", "body", "status", "approved_by", "approved_at"])
    pending = notice.deliveries.filter(status=Delivery.Status.PENDING).order_by("id")
    sent, failed = _send(list(pending), notice)
    audit_record(
        action=AuditEvent.Action.NOTICE,
        user=actor,
        detail=f"varsel {notice.pk} «{notice.subject}»: {sent} sendt, {failed} feilet",
    )
    return sent, failed


@transaction.atomic
def notice_discard(*, notice: Notice, actor: User) -> None:
    if notice.status != Notice.Status.DRAFT:
        raise ValidationError(["Varselet er allerede behandlet."])
    notice.status = Notice.Status.DISCARDED
    notice.approved_by = actor
    notice.approved_at = timezone.now()
    notice.save(update_fields=["status", "approved_by", "approved_at"])


@transaction.atomic
def delivery_resend(*, delivery: Delivery, actor: User) -> bool:
    """Send an approved notice again to one recipient (after a failure, or on request)."""
    notice = delivery.notice
    if notice.status != Notice.Status.SENT:
        raise ValidationError(["Varselet er ikke godkjent og sendt."])
    if not delivery.email:
        raise ValidationError(["Mottakeren har ingen e-postadresse."])
    sent, _ = _send([delivery], notice)
    audit_record(
        action=AuditEvent.Action.NOTICE,
        user=actor,
        detail=f"varsel {notice.pk} sendt på nytt til levering {delivery.pk}: "
        + ("sendt" if sent else "feilet"),
    )
    return bool(sent)


@transaction.atomic
def price_access_grant(
    *, user: User, reason: str, expires_on: dt.date, actor: User
) -> PriceAccessGrant:
    """Give one person access to confidential prices for a stated service need, until a date.

    Nobody grants themselves; a grant lasts at most a year and is renewed by a new grant.
    """
    today = timezone.localdate()
    if user.pk == actor.pk:
        raise ValidationError({"user": ["Du kan ikke gi deg selv pristilgang."]})
    if not user.is_active:
        raise ValidationError({"user": ["Brukeren er deaktivert."]})
    if not reason.strip():
        raise ValidationError({"reason": ["Skriv det tjenstlige behovet."]})
    if expires_on < today:
        raise ValidationError({"expires_on": ["Utløpsdatoen har passert."]})
    if (expires_on - today).days > MAX_GRANT_DAYS:
        raise ValidationError({"expires_on": ["Tilgang gis for høyst ett år om gangen."]})
    grant = PriceAccessGrant.objects.create(
        user=user, reason=reason.strip(), expires_on=expires_on, granted_by=actor
    )
    user.__dict__.pop("_price_access", None)
    audit_record(
        action=AuditEvent.Action.PRICE_ACCESS,
        user=actor,
        detail=f"pristilgang gitt til {user.get_username()} til {format_date(expires_on)}: "
        f"{grant.reason}",
    )
    return grant


@transaction.atomic
def price_access_revoke(*, grant: PriceAccessGrant, actor: User, reason: str = "") -> None:
    if grant.revoked_at is not None:
        return
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.revoke_reason = reason.strip()[:500]
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit_record(
        action=AuditEvent.Action.PRICE_ACCESS,
        user=actor,
        detail=f"pristilgang trukket tilbake for {grant.user.get_username()}"
        + (f": {grant.revoke_reason}" if grant.revoke_reason else ""),
    )


def meeting_suggest_participants(*, meeting: StartupMeeting) -> int:
    """Invite the area's unit leaders, controllers and advisory pharmacists, the pharmacy and
    the core group (key doctors are added by hand). Returns how many were added.

    Each person once, by e-mail address or, without one, by name, so suggesting again adds
    only the people who are new."""

    def key(email: str, name: str) -> str:
        return email.casefold() or "name:" + name

    existing = {key(e, n) for e, n in meeting.participants.values_list("email", "name")}
    added = 0
    for role, user in selectors.meeting_candidates(meeting.agreement.area):
        if key(user.email, user.display_name) in existing:
            continue
        existing.add(key(user.email, user.display_name))
        Participant.objects.create(
            meeting=meeting, role=role, name=user.display_name, email=user.email
        )
        added += 1
    return added


@transaction.atomic
def meeting_update(*, meeting: StartupMeeting, actor: User | None, **fields: Any) -> None:
    """Schedule or move the meeting, or change its place or agenda."""
    # Compare with what is stored: a bound ModelForm has already written into ``meeting``.
    stored = StartupMeeting.objects.get(pk=meeting.pk)
    moved = any(
        getattr(stored, key) != fields[key]
        for key in ("scheduled_at", "duration_minutes", "location")
        if key in fields
    )
    for key, value in fields.items():
        setattr(meeting, key, value)
    if moved:
        meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    audit_record(
        action=AuditEvent.Action.AGREEMENT,
        user=actor,
        detail=f"oppstartsmøte for avtale {meeting.agreement_id} endret",
    )


@transaction.atomic
def meeting_record_minutes(
    *, meeting: StartupMeeting, actor: User, minutes: str, attended: Iterable[int]
) -> None:
    """Record the minutes and who attended. Empty minutes are refused."""
    if not minutes.strip():
        raise ValidationError({"minutes": ["Skriv referatet."]})
    if meeting.scheduled_at is None or meeting.scheduled_at > timezone.now():
        raise ValidationError({"minutes": ["Møtet må være holdt før referatet føres."]})
    meeting.minutes = minutes.strip()
    meeting.minutes_recorded_at = timezone.now()
    meeting.minutes_recorded_by = actor
    meeting.save(update_fields=["minutes", "minutes_recorded_at", "minutes_recorded_by"])
    chosen = set(attended)
    for participant in meeting.participants.all():
        if participant.attended != (participant.pk in chosen):
            participant.attended = participant.pk in chosen
            participant.save(update_fields=["attended"])
    audit_record(
        action=AuditEvent.Action.AGREEMENT,
        user=actor,
        detail=f"referat ført for oppstartsmøte, avtale {meeting.agreement_id}",
    )


def decision_add(*, meeting: StartupMeeting, actor: User, **fields: Any) -> Decision:
    decision = Decision(meeting=meeting, **fields)
    decision.full_clean()
    decision.save()
    return decision
