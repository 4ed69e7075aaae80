"""Distribution of a published agreement's notice: approval, sending and resending."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from legemiddel.accounts.models import User
from legemiddel.agreements.models import Delivery, Notice
from legemiddel.core.audit import audit_record
from legemiddel.core.mail import Outgoing, mail_send_many
from legemiddel.core.models import AuditEvent, MailDelivery
from legemiddel.lib.text import has_control_characters

MAIL_KIND = "notice"


def _send(deliveries: list[Delivery], notice: Notice) -> tuple[int, int]:
    """Send the notice to each delivery in one batch; the mail log keeps the outcome of each."""
    entries = mail_send_many(
        messages=[
            Outgoing(
                to=delivery.email,
                name=delivery.name,
                subject=notice.subject,
                template="core/email/message",
                context={"text": notice.body},
                kind=MAIL_KIND,
                ref=f"notice:{notice.pk}",
                entry=delivery.mail,
            )
            for delivery in deliveries
        ]
    )
    for delivery, entry in zip(deliveries, entries, strict=True):
        if delivery.mail_id is None:
            delivery.mail = entry
            delivery.save(update_fields=["mail"])
    sent = sum(entry.status == MailDelivery.Status.SENT for entry in entries)
    return sent, len(entries) - sent


@transaction.atomic
def notice_send(
    *, notice: Notice, actor: User, subject: str | None = None, body: str | None = None
) -> tuple[int, int]:
    """Approve a drafted notice (with any edits to its text) and e-mail it to every recipient
    with an address. Returns (sent, failed); failed deliveries can be resent."""
    if notice.status != Notice.Status.DRAFT:
        raise ValidationError(["Varselet er allerede behandlet."])
    if subject is not None:
        if has_control_characters(subject.strip()):
            raise ValidationError(["Emnet må stå på én linje, uten linjeskift eller kontrolltegn."])
        notice.subject = subject.strip()[:200]
    if body is not None:
        notice.body = body.strip()
    if not notice.subject or not notice.body:
        raise ValidationError(["Emne og tekst kan ikke være tomme."])
    notice.status = Notice.Status.SENT
    notice.approved_by = actor
    notice.approved_at = timezone.now()
    notice.save(update_fields=["subject", "body", "status", "approved_by", "approved_at"])
    pending = notice.deliveries.filter(mail__isnull=True).exclude(email="").order_by("id")
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
    """Send an approved notice again to one recipient whose delivery failed (or never went
    out); one who already received it is not sent a second copy."""
    notice = delivery.notice
    if notice.status != Notice.Status.SENT:
        raise ValidationError(["Varselet er ikke godkjent og sendt."])
    if not delivery.email:
        raise ValidationError(["Mottakeren har ingen e-postadresse."])
    if delivery.status == Delivery.Status.SENT:
        raise ValidationError(["Mottakeren har allerede fått varselet."])
    sent, _ = _send([delivery], notice)
    audit_record(
        action=AuditEvent.Action.NOTICE,
        user=actor,
        detail=f"varsel {notice.pk} sendt på nytt til levering {delivery.pk}: "
        + ("sendt" if sent else "feilet"),
    )
    return bool(sent)
