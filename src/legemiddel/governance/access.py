"""Who may see and change which meetings: one check per object type.

The core group, the procurement adviser and the administrator organise meetings: they see and
change every meeting. Everyone else sees the meetings they take part in (as a user, or by the
e-mail address they were invited with) or own an action from. Hidden looks the same as
missing (``Http404``); asking to change what one may only read is ``PermissionDenied``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from legemiddel.accounts.roles import Role
from legemiddel.governance.models import Forum, Meeting, MeetingAction, MeetingAttachment

ORGANISER_ROLES = (Role.CORE_GROUP, Role.PROCUREMENT_ADVISER, Role.ADMINISTRATOR)


def can_organise(user: Any) -> bool:
    """Plan, move and cancel meetings, add fora, record minutes, decisions and actions."""
    return bool(user.is_authenticated and user.has_role(*ORGANISER_ROLES))


def participation(user: Any) -> Q:
    """The meetings ``user`` takes part in, or owns an action from."""
    condition = Q(participants__user=user) | Q(actions__owner=user)
    if user.email:
        condition |= Q(participants__email__iexact=user.email)
    return condition


def visible_meetings(user: Any) -> QuerySet[Meeting]:
    meetings = Meeting.objects.select_related("forum", "agreement", "agreement__area")
    if can_organise(user):
        return meetings
    return meetings.filter(pk__in=Meeting.objects.filter(participation(user)).values("pk"))


def get_meeting_for_user(user: Any, meeting_id: int, write: bool = False) -> Meeting:
    if write and not can_organise(user):
        raise PermissionDenied
    found = visible_meetings(user).filter(pk=meeting_id).first()
    if found is None:
        raise Http404
    return found


def get_forum_for_user(user: Any, forum_id: int) -> Forum:
    found = Forum.objects.filter(pk=forum_id).first()
    if found is None:
        raise Http404
    return found


def get_action_for_user(user: Any, action_id: int, write: bool = False) -> MeetingAction:
    """An action its owner or an organiser may see and close."""
    found = MeetingAction.objects.select_related("meeting", "owner").filter(pk=action_id).first()
    if found is None or not (found.owner_id == user.pk or can_organise(user)):
        raise Http404
    return found


def get_attachment_for_user(user: Any, attachment_id: int) -> MeetingAttachment:
    """An attachment of a meeting the user may see."""
    found = MeetingAttachment.objects.filter(
        pk=attachment_id, meeting__in=visible_meetings(user)
    ).first()
    if found is None:
        raise Http404
    return found
