"""What the governance tests build on: a forum's meeting with people who have e-mail
addresses and one who has none."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone

from legemiddel.accounts.models import User
from legemiddel.governance import services
from legemiddel.governance.models import Forum, Meeting, MeetingParticipant

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO)


def core_forum() -> Forum:
    return Forum.objects.get(kind=Forum.Kind.CORE_GROUP)


def core_meeting(actor: User | None, when: dt.datetime | None = None) -> Meeting:
    """A core-group meeting in ten days, with Kari and Ola (e-mail) and Per (none)."""
    meeting = services.meeting_create(
        forum=core_forum(),
        actor=actor,
        title="Kjernegruppen desember",
        scheduled_at=when or timezone.now() + dt.timedelta(days=10),
        location="Møterom 4",
        agenda="1. Kostnader\n2. Avtaler",
    )
    for name, email in (
        ("Kari Nordmann", "kari@helse-bergen.no"),
        ("Ola Nordmann", "ola@helse-bergen.no"),
        ("Per Uten", ""),
    ):
        services.participant_add(meeting=meeting, actor=actor, name=name, email=email)
    return meeting


def participants(meeting: Meeting) -> list[MeetingParticipant]:
    return list(meeting.participants.order_by("name"))
