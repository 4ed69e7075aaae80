"""The one gate to confidential LIS prices, and the cost comparisons made from them.

A price leaves the database for a person only through :func:`priced_lines`, which needs an
active :class:`~legemiddel.agreements.models.PriceAccessGrant` and writes a ``price_view`` event
to the audit trail. Views of prices use the :data:`PRICE_ACCESS` rule, so the access middleware
refuses everyone else before the view runs. Everything else in the product (portal, notices,
API, exports, history for users without a grant) is built from data that has no prices in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from legemiddel.accounts.access import Rule
from legemiddel.agreements.models import AgreementLine, PriceAccessGrant
from legemiddel.catalogue.selectors import current_public_prices
from legemiddel.core.audit import audit_record

CENT = Decimal("0.01")


def has_price_access(user: Any) -> bool:
    """Whether the user holds an active, unrevoked grant today (read once per user object)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cached: bool | None = getattr(user, "_price_access", None)
    if cached is None:
        cached = PriceAccessGrant.objects.filter(
            user=user, revoked_at__isnull=True, expires_on__gte=timezone.localdate()
        ).exists()
        user._price_access = cached
    return cached


@dataclass(frozen=True)
class _PriceAccess(Rule):
    def allows(self, user: Any) -> bool:
        return super().allows(user) and has_price_access(user)


PRICE_ACCESS = _PriceAccess("users with an active price access grant (service need)")


@dataclass(frozen=True)
class LineCost:
    """A line with its confidential price and what a treatment period costs at that price."""

    line: AgreementLine
    lis_price: Decimal | None
    aip: Decimal | None
    aup: Decimal | None
    cost: Decimal | None  # per DDD, per year or per course, as the line's cost basis says
    public_cost: Decimal | None  # the same period at the public AIP

    @property
    def discount_percent(self) -> Decimal | None:
        if self.lis_price is None or not self.aip:
            return None
        return ((1 - self.lis_price / self.aip) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


def period_cost(line: AgreementLine, unit_price: Decimal | None) -> Decimal | None:
    """What one DDD, one year or one course costs at ``unit_price`` per pack.

    Per DDD needs the package's DDDs per pack (FEST statistics factor); per year or course
    needs the packs the line's dosing uses in that period. Without them there is no figure
    rather than a wrong one.
    """
    if unit_price is None:
        return None
    if line.cost_basis == AgreementLine.CostBasis.DDD:
        per_pack = line.package.ddd_per_pack
        if not per_pack:
            return None
        return (unit_price / per_pack).quantize(CENT, ROUND_HALF_UP)
    if not line.packs_per_period:
        return None
    return (unit_price * line.packs_per_period).quantize(CENT, ROUND_HALF_UP)


def line_costs(
    lines: Iterable[AgreementLine], public: dict[str, dict[str, Decimal]]
) -> list[LineCost]:
    """Costs of each line (no access check: callers are :func:`priced_lines` and tests)."""
    result = []
    for line in lines:
        prices = public.get(line.package_id, {})
        aip = prices.get("AIP")
        result.append(
            LineCost(
                line=line,
                lis_price=line.lis_price,
                aip=aip,
                aup=prices.get("AUP"),
                cost=period_cost(line, line.lis_price),
                public_cost=period_cost(line, aip),
            )
        )
    return result


def priced_lines(
    *, request: HttpRequest, lines: Iterable[AgreementLine], what: str
) -> list[LineCost]:
    """The lines with their prices for the requesting user, logged as a price view.

    Raises :class:`PermissionDenied` without an active grant (the view's rule normally
    refuses first; this is the second lock).
    """
    if not has_price_access(request.user):
        raise PermissionDenied
    chosen = list(lines)
    audit_record(request=request, action="price_view", detail=what)
    return line_costs(chosen, current_public_prices({line.package_id for line in chosen}))
