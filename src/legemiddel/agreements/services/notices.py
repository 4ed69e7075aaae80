"""Distribution of a published agreement's notice: approval, sending and resending."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from legemiddel.accounts.models import User
from legemiddel.agreements.models import Delivery, Notice
from legemiddel.core.audit import audit_record
from legemiddel.core.models import AuditEvent

log = logging.getLogger(__name__)


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
