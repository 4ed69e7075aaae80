"""Reads for governance: meetings per forum, what needs attention, a person's actions and the
history of a meeting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from legemiddel.agreements.models import Agreement
from legemiddel.core.models import AuditEvent
from legemiddel.governance.access import can_organise, visible_meetings
from legemiddel.governance.models import Forum, Meeting, MeetingAction


@dataclass
class MeetingWarning:
    meeting: Meeting
    kinds: list[str]


def meeting_warnings(today: dt.date | None = None) -> list[MeetingWarning]:
    """Meetings the core group must act on: start-up meetings of agreements not yet over
    that are overdue, booked late or not booked close to their due date, and any meeting held
    without minutes."""
    day = today or timezone.localdate()
    meetings = (
        Meeting.objects.select_related("forum", "agreement", "agreement__area")
        .exclude(agreement__status=Agreement.Status.WITHDRAWN)
        .filter(minutes_recorded_at__isnull=True)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by(F("due_by").asc(nulls_last=True), F("scheduled_at").asc(nulls_last=True), "id")
    )
    found = []
    for meeting in meetings:
        if meeting.agreement is not None and meeting.agreement.effective_end < day:
            continue
        kinds = meeting.warnings(day)
        if kinds:
            found.append(MeetingWarning(meeting, kinds))
    return found


def meetings_for(user: Any, forum: Forum | None = None) -> QuerySet[Meeting]:
    meetings = visible_meetings(user)
    if forum is not None:
        meetings = meetings.filter(forum=forum)
    # The same order on every database: unscheduled meetings after the scheduled ones.
    return meetings.order_by(
        F("scheduled_at").desc(nulls_last=True), F("due_by").desc(nulls_last=True), "-id"
    )


def open_actions(user: Any) -> QuerySet[MeetingAction]:
    """The user's open actions, the earliest deadline first (no deadline last)."""
    return (
        MeetingAction.objects.filter(owner=user, status=MeetingAction.Status.OPEN)
        .select_related("meeting", "meeting__forum")
        .order_by(F("due").asc(nulls_last=True), "id")
    )


def meeting_history(meeting: Meeting) -> QuerySet[AuditEvent]:
    """Everything recorded about the meeting, newest first, also from before it moved into
    governance (those events were given the meeting as their object when it moved)."""
    return AuditEvent.objects.filter(target=f"møte:{meeting.pk}").order_by("-at", "-id")


def attention_for(user: Any) -> dict[str, Any] | None:
    """The organisers' start-page panel: meetings to act on."""
    if not can_organise(user):
        return None
    warnings = meeting_warnings()
    return {"warnings": warnings} if warnings else None


def actions_for(user: Any) -> dict[str, Any] | None:
    """The start-page panel of everyone with open actions."""
    if not user.is_authenticated:
        return None
    actions = list(open_actions(user)[:10])
    if not actions:
        return None
    return {"actions": actions, "today": timezone.localdate()}
