"""Line breaks typed into one-line fields never add lines to the calendar invitation (names,
places, addresses). The forms refuse them with a message; what gets past a form is folded or
escaped where it is written."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from legemiddel.governance import ical, services
from legemiddel.governance.models import MeetingParticipant as Participant

URL = "https://legemiddel.example.no/styring/moter/1/"
REFUSED = "Skriv det på én linje: linjeskift, tabulatorer og andre kontrolltegn er ikke tillatt."
INJECTED = "Ola Nordmann\r\nATTENDEE;CN=Evil:mailto:evil@example.com\r\nX-EVIL:1"


def unfolded(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").removesuffix("\r\n").split("\r\n")


def names(ics: str) -> list[str]:
    return [re.split("[;:]", line, maxsplit=1)[0] for line in unfolded(ics)]


@pytest.fixture
def meeting(imported):
    return services.startup_meeting_ensure(agreement=imported)


@pytest.mark.parametrize("field", ["name", "email"])
def test_a_line_break_in_a_participant_adds_no_line_to_the_invitation(meeting, field):
    values = {"name": "Ola Nordmann", "email": "ola@helse-bergen.no"}
    values[field] = values[field] + "\r\nATTENDEE:mailto:evil@example.com\nX-EVIL:1"
    Participant.objects.create(meeting=meeting, role=Participant.Role.OTHER, **values)

    ics = ical.meeting_ics(meeting, URL)

    assert names(ics).count("ATTENDEE") == 1
    assert "X-EVIL" not in names(ics)
    [attendee] = [line for line in unfolded(ics) if line.startswith("ATTENDEE")]
    assert "\r" not in attendee
    assert "\n" not in attendee
    # Every physical line is a content line or a continuation of one.
    for line in ics.removesuffix("\r\n").split("\r\n"):
        assert line.startswith(" ") or re.match(r"^[A-Z-]+[;:]", line), line


def test_a_participants_name_is_one_quoted_parameter_whatever_it_holds(meeting):
    Participant.objects.create(
        meeting=meeting,
        role=Participant.Role.OTHER,
        name='Kari "K" Nordmann; ROLE=CHAIR: x',
        email="kari@helse-bergen.no",
    )

    [attendee] = [line for line in unfolded(ical.meeting_ics(meeting, URL)) if "kari@" in line]

    assert attendee == (
        "ATTENDEE;CN=\"Kari 'K' Nordmann; ROLE=CHAIR: x\";ROLE=REQ-PARTICIPANT;RSVP=TRUE"
        ":mailto:kari@helse-bergen.no"
    )


def test_a_line_break_in_the_place_or_title_stays_inside_its_property(meeting, adviser):
    services.meeting_update(
        meeting=meeting, actor=adviser, location="Rom 1\r\nX-EVIL:1\rRom\u20282"
    )
    meeting.agreement.title = "TNF\nX-EVIL:2"

    ics = ical.meeting_ics(meeting, URL)

    assert "X-EVIL" not in names(ics)
    assert "LOCATION:Rom 1\\nX-EVIL:1\\nRom\\n2" in unfolded(ics)
    assert "SUMMARY:Oppstartsmøte: TNF\\nX-EVIL:2" in unfolded(ics)


def test_the_meeting_page_refuses_a_participant_name_with_a_line_break(meeting, adviser, client):
    client.force_login(adviser)
    before = meeting.participants.count()

    response = client.post(
        reverse("governance:meeting", args=[meeting.pk]),
        {"action": "participant", "role": "other", "name": INJECTED, "email": "o@example.no"},
    )

    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert meeting.participants.count() == before
