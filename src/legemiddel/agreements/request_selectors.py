"""Reads for price access on request: where a person stands, and the adviser's queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from legemiddel.accounts.roles import Role
from legemiddel.agreements.models import PriceAccessGrant, PriceAccessRequest

# A person may ask for renewal (and is reminded) this many days before the grant expires;
# earlier there is nothing to ask for.
RENEWAL_WINDOW_DAYS = 30


@dataclass(frozen=True)
class PriceAccessStatus:
    """Where one person stands: the grant that lasts longest, an open request, the last answer."""

    grant: PriceAccessGrant | None
    open_request: PriceAccessRequest | None
    last_declined: PriceAccessRequest | None
    today: dt.date

    @property
    def renewal_due(self) -> bool:
        return self.grant is not None and (self.grant.expires_on - self.today).days <= (
            RENEWAL_WINDOW_DAYS
        )

    @property
    def can_request(self) -> bool:
        """No open request, and either no grant or one that soon expires."""
        return self.open_request is None and (self.grant is None or self.renewal_due)


def active_grant(user: Any, today: dt.date | None = None) -> PriceAccessGrant | None:
    """The user's active grant that lasts longest (a renewal overlaps the grant it renews)."""
    today = today or timezone.localdate()
    return (
        PriceAccessGrant.objects.filter(user=user, revoked_at__isnull=True, expires_on__gte=today)
        .order_by("-expires_on", "-id")
        .first()
    )


def price_access_status(user: Any, today: dt.date | None = None) -> PriceAccessStatus:
    today = today or timezone.localdate()
    requests = list(PriceAccessRequest.objects.filter(user=user).order_by("-requested_at", "-id"))
    open_request = next((r for r in requests if r.status == PriceAccessRequest.Status.OPEN), None)
    latest = requests[0] if requests else None
    declined = latest if latest and latest.status == PriceAccessRequest.Status.DECLINED else None
    return PriceAccessStatus(
        grant=active_grant(user, today),
        open_request=open_request,
        last_declined=declined,
        today=today,
    )


def open_price_requests() -> QuerySet[PriceAccessRequest]:
    """The adviser's queue, oldest first."""
    return (
        PriceAccessRequest.objects.filter(status=PriceAccessRequest.Status.OPEN)
        .select_related("user", "renewal_of")
        .order_by("requested_at", "id")
    )


def decided_price_requests(limit: int = 50) -> list[PriceAccessRequest]:
    return list(
        PriceAccessRequest.objects.exclude(status=PriceAccessRequest.Status.OPEN)
        .select_related("user", "decided_by", "grant")
        .order_by("-decided_at", "-id")[:limit]
    )


def price_requests_panel(user: Any) -> dict[str, Any] | None:
    """The start page's panel for those who decide: open requests waiting, if any."""
    if not user.is_authenticated or not user.has_role(Role.PROCUREMENT_ADVISER, Role.CORE_GROUP):
        return None
    waiting = list(open_price_requests())
    return {"price_requests": waiting} if waiting else None
