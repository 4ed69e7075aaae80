"""An iCalendar (RFC 5545) invitation for a meeting: one VEVENT, every property written
through :mod:`legemiddel.lib.icalendar` (escaped and folded).

The UID stays the same for the life of a meeting and ``SEQUENCE`` grows with each change of
time or place, so a calendar replaces the invitation; a cancelled meeting goes out with
``METHOD:CANCEL``. Start-up meetings keep the UID their invitations had before they moved into
governance, so invitations already in calendars are updated, not doubled.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from legemiddel.governance.models import Meeting
from legemiddel.lib.formatting import format_date
from legemiddel.lib.icalendar import calendar, content_line

REQUEST = "REQUEST"
CANCEL = "CANCEL"


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_uid(meeting: Meeting) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.split("@")[-1]
    prefix = "oppstartsmote" if meeting.agreement_id else "mote"
    return f"{prefix}-{meeting.pk}@{domain}"


def _product(meeting: Meeting) -> str:
    return "Oppstartsmote" if meeting.agreement_id else "Mote"


def _summary(meeting: Meeting) -> str:
    # A start-up meeting is named after its agreement as the agreement is named now.
    if meeting.agreement is not None:
        return f"Oppstartsmøte: {meeting.agreement.title}"
    return meeting.title


def _description(meeting: Meeting, url: str) -> str:
    if meeting.agreement is not None:
        agreement = meeting.agreement
        head = (
            f"Oppstartsmøte for {agreement.title} ({agreement.region}), avtalestart "
            f"{format_date(agreement.start)}."
        )
    else:
        head = f"{meeting.forum.name}: {meeting.title}."
    return f"{head}\n\nAgenda:\n{meeting.agenda}\n\n{url}"


def meeting_ics(meeting: Meeting, url: str, *, method: str = REQUEST) -> str:
    """The invitation (or, with ``method=CANCEL``, the cancellation). A meeting without a time
    is an all-day reminder on its due date."""
    organiser = settings.DEFAULT_FROM_EMAIL
    cancelled = method == CANCEL or meeting.status == Meeting.Status.CANCELLED
    lines = [
        content_line("BEGIN", "VCALENDAR", text=False),
        content_line("VERSION", "2.0", text=False),
        content_line("PRODID", f"-//Legemiddel//{_product(meeting)}//NO", text=False),
        content_line("CALSCALE", "GREGORIAN", text=False),
        content_line("METHOD", CANCEL if cancelled else REQUEST, text=False),
        content_line("BEGIN", "VEVENT", text=False),
        content_line("UID", meeting_uid(meeting), text=False),
        content_line("SEQUENCE", str(meeting.sequence), text=False),
        content_line("DTSTAMP", _utc(timezone.now()), text=False),
    ]
    if meeting.scheduled_at:
        end = meeting.scheduled_at + dt.timedelta(minutes=meeting.duration_minutes)
        lines += [
            content_line("DTSTART", _utc(meeting.scheduled_at), text=False),
            content_line("DTEND", _utc(end), text=False),
        ]
    else:
        day = meeting.due_by or timezone.localdate()
        date = [("VALUE", "DATE")]
        lines += [
            content_line("DTSTART", f"{day:%Y%m%d}", params=date, text=False),
            content_line("DTEND", f"{day + dt.timedelta(days=1):%Y%m%d}", params=date, text=False),
        ]
    lines += [
        content_line("SUMMARY", _summary(meeting)),
        content_line("DESCRIPTION", _description(meeting, url)),
    ]
    if cancelled:
        lines.append(content_line("STATUS", "CANCELLED", text=False))
    if meeting.location:
        lines.append(content_line("LOCATION", meeting.location))
    lines += [
        content_line("URL", url, text=False),
        content_line("ORGANIZER", f"mailto:{organiser}", text=False),
    ]
    for participant in meeting.participants.all():
        if participant.email:
            lines.append(
                content_line(
                    "ATTENDEE",
                    f"mailto:{participant.email.strip()}",
                    params=[
                        ("CN", participant.name),
                        ("ROLE", "REQ-PARTICIPANT"),
                        ("RSVP", "TRUE"),
                    ],
                    text=False,
                )
            )
    lines += [
        content_line("END", "VEVENT", text=False),
        content_line("END", "VCALENDAR", text=False),
    ]
    return calendar(lines)
