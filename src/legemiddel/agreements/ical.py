"""An iCalendar (RFC 5545) invitation for a start-up meeting, written by hand: one VEVENT."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from legemiddel.agreements.models import StartupMeeting
from legemiddel.lib.formatting import format_date


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_ics(meeting: StartupMeeting, url: str) -> str:
    """The invitation. A meeting without a time is an all-day reminder on its due date."""
    agreement = meeting.agreement
    organiser = settings.DEFAULT_FROM_EMAIL
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Legemiddel//Oppstartsmote//NO",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"UID:oppstartsmote-{meeting.pk}@{organiser.split('@')[-1]}",
        f"SEQUENCE:{meeting.sequence}",
        f"DTSTAMP:{_utc(timezone.now())}",
    ]
    if meeting.scheduled_at:
        end = meeting.scheduled_at + dt.timedelta(minutes=meeting.duration_minutes)
        lines += [f"DTSTART:{_utc(meeting.scheduled_at)}", f"DTEND:{_utc(end)}"]
    else:
        day = meeting.due_by
        lines += [
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
        ]
    description = (
        f"Oppstartsmøte for {agreement.title} ({agreement.region}), avtalestart "
        f"{format_date(agreement.start)}.\n\nAgenda:\n{meeting.agenda}\n\n{url}"
    )
    lines += [
        _fold("SUMMARY:" + _escape(f"Oppstartsmøte: {agreement.title}")),
        _fold("DESCRIPTION:" + _escape(description)),
        _fold("LOCATION:" + _escape(meeting.location)) if meeting.location else "",
        _fold("URL:" + url),
        f"ORGANIZER:mailto:{organiser}",
    ]
    for participant in meeting.participants.all():
        if participant.email:
            lines.append(
                _fold(
                    'ATTENDEE;CN="'
                    + participant.name.replace('"', "'")
                    + '";ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:'
                    + participant.email
                )
            )
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(line for line in lines if line) + "\r\n"
