"""Who may see and change what in the agreements app: one check per object type.

Views get every object through a ``get_<thing>_for_user`` helper, which raises ``Http404`` when
there is nothing the user may see (hidden looks the same as missing) and ``PermissionDenied``
when ``write`` is asked by someone who may only read. Role questions are the named ``can_...``
helpers below, never ``has_role`` in a view. The views' access rules come from the same role
lists, so a page and the objects on it are guarded alike.

Agreements and notices are trust-wide: whoever a view's rule lets in (the register
roles, or a price-access holder on the price pages) may read any of them.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from legemiddel.accounts.roles import Role
from legemiddel.agreements import selectors
from legemiddel.agreements.models import (
    Agreement,
    AgreementLine,
    AgreementVersion,
    Delivery,
    Notice,
    PriceAccessGrant,
    PriceAccessRequest,
    TherapeuticArea,
)

REGISTER_ROLES = (Role.PROCUREMENT_ADVISER, Role.CORE_GROUP)
APPROVER_ROLES = (Role.PROCUREMENT_ADVISER,)

M = TypeVar("M", bound=Model)


def can_edit_agreements(user: Any) -> bool:
    """Register agreements and their lines, and manage price access grants."""
    return bool(user.is_authenticated and user.has_role(*REGISTER_ROLES))


def can_approve_notices(user: Any) -> bool:
    """Send, discard and resend the notices of a publication."""
    return bool(user.is_authenticated and user.has_role(*APPROVER_ROLES))


def _found(queryset: QuerySet[M], **lookup: Any) -> M:
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404
    return found


def _writable(allowed: bool, write: bool) -> None:
    if write and not allowed:
        raise PermissionDenied


def get_agreement_for_user(user: Any, agreement_id: int, write: bool = False) -> Agreement:
    _writable(can_edit_agreements(user), write)
    return _found(Agreement.objects.select_related("area", "created_by"), pk=agreement_id)


def get_line_for_user(
    user: Any, agreement_id: int, line_id: int, write: bool = False
) -> AgreementLine:
    """A line of the agreement (a line id under another agreement is not found)."""
    _writable(can_edit_agreements(user), write)
    return _found(AgreementLine.objects.all(), pk=line_id, agreement_id=agreement_id)


def get_version_for_user(user: Any, agreement: Agreement, number: int) -> AgreementVersion:
    """A published version of an agreement the user got through :func:`get_agreement_for_user`."""
    return _found(agreement.versions.select_related("published_by"), number=number)


def get_notice_for_user(user: Any, notice_id: int, write: bool = False) -> Notice:
    _writable(can_approve_notices(user), write)
    return _found(
        Notice.objects.select_related("agreement", "agreement__area", "version", "approved_by"),
        pk=notice_id,
    )


def get_delivery_for_user(user: Any, delivery_id: int, write: bool = False) -> Delivery:
    _writable(can_approve_notices(user), write)
    return _found(Delivery.objects.select_related("notice", "mail"), pk=delivery_id)


def get_grant_for_user(user: Any, grant_id: int, write: bool = False) -> PriceAccessGrant:
    _writable(can_edit_agreements(user), write)
    return _found(PriceAccessGrant.objects.select_related("user"), pk=grant_id)


def get_price_request_for_user(
    user: Any, request_id: int, write: bool = False
) -> PriceAccessRequest:
    """A request in the adviser's queue: those who manage grants decide it."""
    _writable(can_edit_agreements(user), write)
    return _found(PriceAccessRequest.objects.select_related("user", "renewal_of"), pk=request_id)


def get_recommendation_for_user(user: Any, code: str) -> selectors.AreaRecommendation:
    """The portal's page of an area: only while it has a current or a coming agreement."""
    area = _found(TherapeuticArea.objects.all(), code=code)
    recommendation = selectors.area_recommendation(area)
    if recommendation.current is None and recommendation.next_agreement is None:
        raise Http404
    return recommendation
