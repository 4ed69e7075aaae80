"""Price access on request: a person states a service need, the procurement adviser grants or
declines, and a reminder goes out before a grant expires. Everyone concerned is told by e-mail
and every step is in the audit trail; no message or audit line carries a price."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from legemiddel.accounts.models import User
from legemiddel.accounts.roles import Role
from legemiddel.agreements.models import PriceAccessGrant, PriceAccessRequest
from legemiddel.agreements.request_selectors import (
    RENEWAL_WINDOW_DAYS,
    active_grant,
    price_access_status,
)
from legemiddel.agreements.services.grants import price_access_grant
from legemiddel.agreements.services.request_notices import MAIL_KIND, tell_requester
from legemiddel.core.audit import audit_record
from legemiddel.core.mail import Outgoing, absolute_url, mail_send_many
from legemiddel.core.models import AuditEvent, MailDelivery
from legemiddel.lib.formatting import format_date

REMINDER_DAYS = 14


def _deciders(asking: User) -> list[User]:
    """Who is told of a new request: the procurement advisers with an address, or the core
    group when there is none (they may decide too); never the person asking."""
    for role in (Role.PROCUREMENT_ADVISER, Role.CORE_GROUP):
        found = list(
            User.objects.filter(is_active=True, groups__name=role.value)
            .exclude(email="")
            .exclude(pk=asking.pk)
            .order_by("last_name", "first_name")
            .distinct()
        )
        if found:
            return found
    return []


def _decidable(price_request: PriceAccessRequest, actor: User) -> None:
    if price_request.status != PriceAccessRequest.Status.OPEN:
        raise ValidationError(["Forespørselen er allerede behandlet."])
    if price_request.user_id == actor.pk:
        raise ValidationError(["Du kan ikke behandle din egen forespørsel."])


@transaction.atomic
def price_access_request(*, user: User, need: str) -> PriceAccessRequest:
    """Ask for price access for a stated service need; the procurement advisers are e-mailed.

    One open request per person. Someone who holds a grant may only ask for renewal, in the
    last :data:`RENEWAL_WINDOW_DAYS` days before it expires.
    """
    if not user.is_active:
        raise ValidationError(["Brukeren er deaktivert."])
    need = need.strip()
    if not need:
        raise ValidationError({"need": ["Skriv det tjenstlige behovet."]})
    status = price_access_status(user)
    if status.open_request is not None:
        raise ValidationError(["Du har allerede en forespørsel som venter på behandling."])
    if status.grant is not None and not status.renewal_due:
        raise ValidationError([f"Du har pristilgang til {format_date(status.grant.expires_on)}."])
    created = PriceAccessRequest.objects.create(user=user, need=need[:500], renewal_of=status.grant)
    what = "fornyet pristilgang" if status.grant else "pristilgang"
    audit_record(
        action=AuditEvent.Action.PRICE_ACCESS,
        user=user,
        detail=f"ba om {what} (forespørsel {created.pk}): {created.need}",
    )
    queue_url = absolute_url(reverse("agreements:price_requests"))
    mail_send_many(
        messages=[
            Outgoing(
                to=adviser.email,
                name=adviser.display_name,
                subject=f"Forespørsel om {what}: {user.display_name}",
                template="agreements/email/price_request_new",
                context={
                    "request": created,
                    "renewal": status.grant is not None,
                    "queue_url": queue_url,
                },
                kind=MAIL_KIND,
                ref=f"price_request:{created.pk}",
            )
            for adviser in _deciders(user)
        ]
    )
    return created


@transaction.atomic
def price_access_request_grant(
    *, price_request: PriceAccessRequest, expires_on: dt.date, actor: User
) -> PriceAccessGrant:
    """Grant an open request until a date (the grant rules apply) and tell the person.

    The grant closes the request (see :func:`price_request_close_granted`)."""
    _decidable(price_request, actor)
    grant = price_access_grant(
        user=price_request.user, reason=price_request.need, expires_on=expires_on, actor=actor
    )
    price_request.refresh_from_db()
    return grant


@transaction.atomic
def price_access_request_decline(
    *, price_request: PriceAccessRequest, reason: str, actor: User
) -> None:
    """Decline an open request with a reason the person is told."""
    _decidable(price_request, actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Skriv hvorfor forespørselen avslås."]})
    price_request.status = PriceAccessRequest.Status.DECLINED
    price_request.decided_by = actor
    price_request.decided_at = timezone.now()
    price_request.decline_reason = reason[:500]
    price_request.save(update_fields=["status", "decided_by", "decided_at", "decline_reason"])
    audit_record(
        action=AuditEvent.Action.PRICE_ACCESS,
        user=actor,
        detail=f"forespørsel {price_request.pk} fra {price_request.user.get_username()} "
        f"avslått: {price_request.decline_reason}",
    )
    tell_requester(
        price_request,
        subject="Forespørselen om pristilgang er avslått",
        template="agreements/email/price_request_declined",
        context={},
    )


@transaction.atomic
def price_access_reminders_send(
    *, today: dt.date | None = None, days: int = REMINDER_DAYS
) -> tuple[int, int]:
    """Remind everyone whose price access expires within ``days`` days, once per grant, with a
    link to ask for renewal. Nobody is reminded who has a later grant or an open request.
    Returns (sent, failed)."""
    today = today or timezone.localdate()
    days = min(days, RENEWAL_WINDOW_DAYS)  # the link must lead to a form that accepts them
    due = PriceAccessGrant.objects.filter(
        revoked_at__isnull=True,
        reminded_on__isnull=True,
        expires_on__gte=today,
        expires_on__lte=today + dt.timedelta(days=days),
        user__is_active=True,
    ).select_related("user")
    reminded: list[PriceAccessGrant] = []
    messages: list[Outgoing] = []
    for grant in due:
        person = grant.user
        latest = active_grant(person, today)
        waiting = person.price_requests.filter(status=PriceAccessRequest.Status.OPEN).exists()
        if (latest is not None and latest.pk != grant.pk) or waiting or not person.email:
            continue
        reminded.append(grant)
        messages.append(
            Outgoing(
                to=person.email,
                name=person.display_name,
                subject=f"Pristilgangen din utløper {format_date(grant.expires_on)}",
                template="agreements/email/price_access_expiring",
                context={
                    "grant": grant,
                    "request_url": absolute_url(reverse("agreements:price_request")),
                },
                kind=MAIL_KIND,
                ref=f"price_grant:{grant.pk}",
            )
        )
    entries = mail_send_many(messages=messages)
    sent = 0
    for grant, entry in zip(reminded, entries, strict=True):
        # A failed reminder is tried again the next day.
        if entry.status == MailDelivery.Status.SENT:
            sent += 1
            grant.reminded_on = today
            grant.save(update_fields=["reminded_on"])
            audit_record(
                action=AuditEvent.Action.PRICE_ACCESS,
                detail=f"påminnelse sendt til {grant.user.get_username()}: pristilgangen "
                f"utløper {format_date(grant.expires_on)}",
            )
    return sent, len(entries) - sent
