"""Who may see which measure, dashboard and monthly e-mail: one check per object type.

Views get objects through the ``get_<thing>_for_user`` helpers (``Http404`` when there is
nothing the user may see) and ask the named helpers below instead of checking roles inline.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from legemiddel.accounts.models import User
from legemiddel.accounts.roles import Role
from legemiddel.agreements.pricing import has_price_access
from legemiddel.analytics import engine, selectors

ANALYST_ROLES = (
    Role.CORE_GROUP,
    Role.UNIT_LEADER,
    Role.CONTROLLER,
    Role.ADVISORY_PHARMACIST,
    Role.DRUG_COMMITTEE,
    Role.MEDICAL_DIRECTOR,
    Role.PROCUREMENT_ADVISER,
)
ALERT_ROLES = (Role.UNIT_LEADER, Role.CORE_GROUP)


def can_open_alerts(user: Any) -> bool:
    """The monthly e-mail page: unit leaders (their own) and the core group (anyone's)."""
    return bool(user.is_authenticated and user.has_role(*ALERT_ROLES))


def receives_alerts(user: Any) -> bool:
    """Unit leaders get the monthly e-mail, and may opt out of it."""
    return bool(user.is_authenticated and user.has_role(Role.UNIT_LEADER))


def can_see_others_alerts(user: Any) -> bool:
    """The core group may read any unit leader's monthly e-mail."""
    return bool(user.is_authenticated and user.has_role(Role.CORE_GROUP))


def can_see_drafts(user: Any) -> bool:
    """Draft measures are not yet reviewed: only the core group, who review them, sees them."""
    return bool(user.is_authenticated and user.has_role(Role.CORE_GROUP))


def measures_for_user(user: Any) -> list[engine.Measure]:
    """Measures in NOK reveal invoiced (LIS) prices: only with price access. Drafts only for
    the core group."""
    prices = has_price_access(user)
    drafts = can_see_drafts(user)
    return [
        m
        for m in engine.measures()
        if (prices or not m.definition.needs_price_access)
        and (drafts or m.definition.status != "draft")
    ]


def get_measure_for_user(user: Any, key: str) -> engine.Measure:
    """A measure by key; one in NOK without price access is refused, not hidden (its key is
    in the published definitions). A draft is not found except by the core group."""
    measure = engine.measure_by_key(key)
    if measure is None:
        raise Http404
    if measure.definition.status == "draft" and not can_see_drafts(user):
        raise Http404
    if measure.definition.needs_price_access and not has_price_access(user):
        raise PermissionDenied
    return measure


def get_dashboard_for_user(
    user: Any, key: str, node: str = "", prescriber: str = ""
) -> selectors.Dashboard:
    """A measure at a place (``node``: a unit id, empty for the whole trust) and optionally one
    prescriber in it (an HPR number), as raw query-string values. Not found when the unit is
    outside what the user may see, or the prescriber has no figures there."""
    if prescriber and (not node or not prescriber.isdigit()):
        raise Http404  # a prescriber is always looked at within a unit
    dashboard = selectors.Dashboard(
        get_measure_for_user(user, key),
        user,
        int(node) if node.isdigit() else None,
        prescriber=prescriber,
    )
    if node and (dashboard.node is None or not dashboard.may_see(dashboard.node)):
        raise Http404
    if prescriber and prescriber not in dashboard.by_prescriber:
        raise Http404
    return dashboard


def get_alert_subject_for_user(user: User, username: str) -> User:
    """Whose monthly e-mail ``user`` reads: their own, or for the core group the chosen
    active user's (``username``; empty for their own)."""
    if not username or not can_see_others_alerts(user):
        return user
    found = User.objects.filter(username=username, is_active=True).first()
    if found is None:
        raise Http404
    return found
