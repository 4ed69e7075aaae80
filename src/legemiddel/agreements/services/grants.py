"""Access to confidential LIS prices: granted for a service need, until a date."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from legemiddel.accounts.models import User
from legemiddel.agreements.models import PriceAccessGrant, PriceAccessRequest
from legemiddel.agreements.services.request_notices import price_request_close_granted
from legemiddel.core.audit import audit_record
from legemiddel.core.models import AuditEvent
from legemiddel.lib.formatting import format_date

MAX_GRANT_DAYS = 366


@transaction.atomic
def price_access_grant(
    *, user: User, reason: str, expires_on: dt.date, actor: User
) -> PriceAccessGrant:
    """Give one person access to confidential prices for a stated service need, until a date.

    Nobody grants themselves; a grant lasts at most a year and is renewed by a new grant. A
    request the person has waiting is answered by the grant, wherever it was given.
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
    waiting = PriceAccessRequest.objects.filter(
        user=user, status=PriceAccessRequest.Status.OPEN
    ).first()
    if waiting is not None:
        price_request_close_granted(price_request=waiting, grant=grant, actor=actor)
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
