"""Telling the person who asked for price access what became of the request (also when a grant
is given directly on the grants page): shared by the grant and the request services."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from legemiddel.accounts.models import User
from legemiddel.agreements.models import PriceAccessGrant, PriceAccessRequest
from legemiddel.core.audit import audit_record
from legemiddel.core.mail import absolute_url, mail_send
from legemiddel.core.models import AuditEvent
from legemiddel.lib.formatting import format_date

MAIL_KIND = "price_access"


def tell_requester(
    price_request: PriceAccessRequest, *, subject: str, template: str, context: dict[str, object]
) -> None:
    person = price_request.user
    if not person.email:
        return
    mail_send(
        to=person.email,
        name=person.display_name,
        subject=subject,
        template=template,
        context={
            "request": price_request,
            "portal_url": absolute_url(reverse("agreements:portal")),
            "request_url": absolute_url(reverse("agreements:price_request")),
            **context,
        },
        kind=MAIL_KIND,
        ref=f"price_request:{price_request.pk}",
    )


def price_request_close_granted(
    *, price_request: PriceAccessRequest, grant: PriceAccessGrant, actor: User
) -> None:
    """Mark a person's open request granted by ``grant`` and tell them. Called by
    :func:`price_access_grant`, so a grant given directly on the grants page answers a waiting
    request too."""
    price_request.status = PriceAccessRequest.Status.GRANTED
    price_request.decided_by = actor
    price_request.decided_at = timezone.now()
    price_request.grant = grant
    price_request.save(update_fields=["status", "decided_by", "decided_at", "grant"])
    audit_record(
        action=AuditEvent.Action.PRICE_ACCESS,
        user=actor,
        detail=f"forespørsel {price_request.pk} fra {price_request.user.get_username()} "
        f"innvilget til {format_date(grant.expires_on)}",
    )
    tell_requester(
        price_request,
        subject="Du har fått pristilgang",
        template="agreements/email/price_request_granted",
        context={"grant": grant},
    )
