"""The calendar invitation (RFC 5545) for a meeting, shown on an agreement's start-up meeting."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.conf import settings

from legemiddel.accounts.roles import Role
from legemiddel.agreements import services as agreements
from legemiddel.agreements.models import TherapeuticArea
from legemiddel.governance import ical, services
from legemiddel.governance.models import Meeting as StartupMeeting
from legemiddel.governance.models import MeetingParticipant as Participant

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
URL = "https://legemiddel.example.no/avtaler/1/oppstartsmote/"
LONG_NAME = 'Torbjørn "Toby" Rønning-Søndergaard Østerbø-Aasen'
LONG_EMAIL = "torbjorn.ronning-sondergaard.osterbo-aasen@helse-bergen.no"


@pytest.fixture
def meeting(org, users) -> StartupMeeting:
    area = TherapeuticArea.objects.create(code="TNF-BIO", name="TNF BIO")
    area.units.set([org["MED-REV-POL"]])
    agreement = agreements.agreement_create(
        actor=users[Role.PROCUREMENT_ADVISER],
        area=area,
        title="TNF BIO, del 2; Vest",
        region="Helse Vest",
        start=dt.date(2026, 3, 1),
        end=dt.date(2028, 2, 29),
    )
    meeting = services.startup_meeting_ensure(agreement=agreement)
    services.meeting_update(
        meeting=meeting,
        actor=users[Role.PROCUREMENT_ADVISER],
        agenda="1. Lager; bytte, nye pasienter\n2. Mappe C:\\felles",
    )
    Participant.objects.create(
        meeting=meeting, role=Participant.Role.KEY_DOCTOR, name=LONG_NAME, email=LONG_EMAIL
    )
    Participant.objects.create(
        meeting=meeting, role=Participant.Role.OTHER, name="Åse Ås", email="ase@helse-bergen.no"
    )
    return meeting


def unfolded(ics: str) -> list[str]:
    """The content lines with RFC 5545 folding undone."""
    assert ics.endswith("\r\n")
    return ics.replace("\r\n ", "").removesuffix("\r\n").split("\r\n")


def props(ics: str, name: str) -> list[str]:
    return [line for line in unfolded(ics) if re.split("[;:]", line, maxsplit=1)[0] == name]


def prop(ics: str, name: str) -> str:
    [found] = props(ics, name)
    return found


def test_it_writes_one_event_as_an_all_day_reminder_on_the_due_date_while_unscheduled(meeting):
    ics = ical.meeting_ics(meeting, URL)

    lines = unfolded(ics)
    assert lines[:6] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Legemiddel//Oppstartsmote//NO",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
    ]
    assert lines[-2:] == ["END:VEVENT", "END:VCALENDAR"]
    assert prop(ics, "UID") == (
        f"UID:oppstartsmote-{meeting.pk}@{settings.DEFAULT_FROM_EMAIL.split('@')[-1]}"
    )
    assert prop(ics, "SEQUENCE") == "SEQUENCE:0"
    assert prop(ics, "DTSTART") == "DTSTART;VALUE=DATE:20260215"
    assert prop(ics, "DTEND") == "DTEND;VALUE=DATE:20260216"
    assert re.fullmatch(r"DTSTAMP:\d{8}T\d{6}Z", prop(ics, "DTSTAMP"))
    assert prop(ics, "URL") == "URL:" + URL
    assert prop(ics, "ORGANIZER") == f"ORGANIZER:mailto:{settings.DEFAULT_FROM_EMAIL}"
    assert props(ics, "LOCATION") == []


def test_it_ends_every_line_with_crlf(meeting):
    ics = ical.meeting_ics(meeting, URL)

    assert ics.endswith("\r\n")
    without_crlf = ics.replace("\r\n", "")
    assert "\n" not in without_crlf
    assert "\r" not in without_crlf


def test_it_folds_lines_longer_than_75_octets_without_splitting_a_character(meeting):
    location = (
        "Møterom Ærøy, 3. etasje; Haukeland universitetssjukehus, Jonas Lies vei 65 – ved heisen"
    )
    services.meeting_update(meeting=meeting, actor=None, location=location)

    ics = ical.meeting_ics(meeting, URL)

    physical = ics.removesuffix("\r\n").split("\r\n")
    assert max(len(line.encode()) for line in physical) <= 75
    continued = [line for line in physical if line.startswith(" ")]
    assert len(continued) >= 4
    assert prop(ics, "LOCATION") == (
        "LOCATION:Møterom Ærøy\\, 3. etasje\\; Haukeland universitetssjukehus\\, "
        "Jonas Lies vei 65 – ved heisen"
    )


def test_it_escapes_commas_semicolons_backslashes_and_newlines_in_text(meeting):
    ics = ical.meeting_ics(meeting, URL)

    assert prop(ics, "SUMMARY") == "SUMMARY:Oppstartsmøte: TNF BIO\\, del 2\\; Vest"
    assert prop(ics, "DESCRIPTION") == (
        "DESCRIPTION:Oppstartsmøte for TNF BIO\\, del 2\\; Vest (Helse Vest)\\, "
        "avtalestart 01.03.2026.\\n\\nAgenda:\\n1. Lager\\; bytte\\, nye pasienter\\n"
        "2. Mappe C:\\\\felles\\n\\n" + URL
    )


def test_it_writes_every_kind_of_line_break_in_text_as_an_escaped_newline(meeting):
    services.meeting_update(meeting=meeting, actor=None, agenda="Windows\r\nUnix\nMac\rslutt")

    ics = ical.meeting_ics(meeting, URL)

    assert "Agenda:\\nWindows\\nUnix\\nMac\\nslutt\\n" in prop(ics, "DESCRIPTION")
    assert "\r" not in ics.replace("\r\n", "")


def test_it_bumps_the_sequence_when_the_time_or_place_changes(meeting):
    uid = prop(ical.meeting_ics(meeting, URL), "UID")

    services.meeting_update(
        meeting=meeting,
        actor=None,
        scheduled_at=dt.datetime(2026, 2, 10, 10, 0, tzinfo=OSLO),
        duration_minutes=90,
    )
    first = ical.meeting_ics(meeting, URL)

    assert prop(first, "SEQUENCE") == "SEQUENCE:1"
    assert prop(first, "DTSTART") == "DTSTART:20260210T090000Z"
    assert prop(first, "DTEND") == "DTEND:20260210T103000Z"
    assert prop(first, "UID") == uid

    services.meeting_update(meeting=meeting, actor=None, agenda="Ny agenda")
    services.meeting_update(
        meeting=meeting, actor=None, scheduled_at=dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC)
    )
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert prop(ical.meeting_ics(meeting, URL), "SEQUENCE") == "SEQUENCE:1"

    services.meeting_update(
        meeting=meeting, actor=None, scheduled_at=dt.datetime(2026, 6, 10, 10, 0, tzinfo=OSLO)
    )
    services.meeting_update(meeting=meeting, actor=None, location="Rom 2")
    meeting.refresh_from_db()
    moved = ical.meeting_ics(meeting, URL)

    assert meeting.sequence == 3
    assert prop(moved, "SEQUENCE") == "SEQUENCE:3"
    # Summer time: 10:00 in Oslo is 08:00 UTC.
    assert prop(moved, "DTSTART") == "DTSTART:20260610T080000Z"
    assert prop(moved, "DTEND") == "DTEND:20260610T093000Z"
    assert prop(moved, "LOCATION") == "LOCATION:Rom 2"
    assert prop(moved, "UID") == uid


def test_it_invites_the_participants_who_have_an_address(meeting):
    assert meeting.participants.filter(email="").count() == 5

    ics = ical.meeting_ics(meeting, URL)

    assert sorted(props(ics, "ATTENDEE")) == [
        "ATTENDEE;CN=\"Torbjørn 'Toby' Rønning-Søndergaard Østerbø-Aasen\";"
        f"ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{LONG_EMAIL}",
        'ATTENDEE;CN="Åse Ås";ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:ase@helse-bergen.no',
    ]
