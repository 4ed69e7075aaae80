"""An iCalendar (RFC 5545) invitation for a start-up meeting: one VEVENT, every property
written through :mod:`legemiddel.lib.icalendar` (escaped and folded)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from legemiddel.agreements.models import StartupMeeting
from legemiddel.lib.formatting import format_date
from legemiddel.lib.icalendar import calendar, content_line


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_ics(meeting: StartupMeeting, url: str) -> str:
    """The invitation. A meeting without a time is an all-day reminder on its due date."""
    agreement = meeting.agreement
    organiser = settings.DEFAULT_FROM_EMAIL
    domain = organiser.split("@")[-1]
    lines = [
        content_line("BEGIN", "VCALENDAR", text=False),
        content_line("VERSION", "2.0", text=False),
        content_line("PRODID", "-//Legemiddel//Oppstartsmote//NO", text=False),
        content_line("CALSCALE", "GREGORIAN", text=False),
        content_line("METHOD", "REQUEST", text=False),
        content_line("BEGIN", "VEVENT", text=False),
        content_line("UID", f"oppstartsmote-{meeting.pk}@{domain}", text=False),
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
        day = meeting.due_by
        date = [("VALUE", "DATE")]
        lines += [
            content_line("DTSTART", f"{day:%Y%m%d}", params=date, text=False),
            content_line("DTEND", f"{day + dt.timedelta(days=1):%Y%m%d}", params=date, text=False),
        ]
    description = (
        f"Oppstartsmøte for {agreement.title} ({agreement.region}), avtalestart "
        f"{format_date(agreement.start)}.\n\nAgenda:\n{meeting.agenda}\n\n{url}"
    )
    lines += [
        content_line("SUMMARY", f"Oppstartsmøte: {agreement.title}"),
        content_line("DESCRIPTION", description),
    ]
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
