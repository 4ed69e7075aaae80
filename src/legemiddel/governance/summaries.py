"""The start-up meetings as the agreement pages show them: registered with
``agreements.meetings`` from ``ready()``, since agreements may not import governance."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from legemiddel.agreements.meetings import MeetingSummary
from legemiddel.governance.models import Meeting


def startup_meeting_summaries(agreement_ids: list[int]) -> dict[int, MeetingSummary]:
    """The start-up meetings of these agreements, for the agreement pages (registered with
    ``agreements.meetings``)."""
    day = timezone.localdate()
    found: dict[int, MeetingSummary] = {}
    for meeting in Meeting.objects.filter(agreement_id__in=agreement_ids):
        assert meeting.agreement_id is not None
        found[meeting.agreement_id] = MeetingSummary(
            url=reverse("governance:meeting", args=[meeting.pk]),
            due_by=meeting.due_by,
            scheduled_at=meeting.scheduled_at,
            minutes_recorded_at=meeting.minutes_recorded_at,
            cancelled=meeting.status == Meeting.Status.CANCELLED,
            warnings=tuple(meeting.warnings(day)),
        )
    return found
