"""Invitations through the one mail path: the .ics goes to everyone with an address, a moved
meeting sends an update (same UID, SEQUENCE+1), a cancelled one a cancellation; a participant
without an address is named, and nothing is sent to them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from legemiddel.accounts.roles import Role
from legemiddel.core.models import MailDelivery
from legemiddel.governance import services
from legemiddel.governance.models import Meeting
from tests.governance.builders import core_meeting

pytestmark = pytest.mark.django_db


def ics_of(message) -> str:
    [(name, content, mimetype)] = message.attachments
    assert name == "invitasjon.ics"
    assert mimetype.startswith("text/calendar")
    return content


def prop(ics: str, name: str) -> str:
    lines = ics.replace("\r\n ", "").split("\r\n")
    [found] = [line for line in lines if line.split(":")[0].split(";")[0] == name]
    return found


def test_it_invites_everyone_with_an_address_and_names_who_has_none(users):
    meeting = core_meeting(users[Role.CORE_GROUP])

    result = services.meeting_invitations_send(meeting=meeting, actor=users[Role.CORE_GROUP])

    assert (result.sent, result.failed, result.without_email) == (2, 0, ["Per Uten"])
    assert sorted(m.to[0] for m in mail.outbox) == ["kari@helse-bergen.no", "ola@helse-bergen.no"]
    message = mail.outbox[0]
    assert message.subject.startswith("Invitasjon: Kjernegruppen desember, ")
    assert "du er invitert til møtet «Kjernegruppen desember» (Kjernegruppen)" in message.body
    ics = ics_of(message)
    assert prop(ics, "METHOD") == "METHOD:REQUEST"
    assert prop(ics, "SEQUENCE") == "SEQUENCE:0"
    assert prop(ics, "SUMMARY") == "SUMMARY:Kjernegruppen desember"
    assert MailDelivery.objects.filter(kind="meeting", status="sent").count() == 2
    meeting.refresh_from_db()
    assert meeting.invited_at is not None


def test_moving_an_invited_meeting_sends_an_update_with_the_same_uid(users, client):
    core = users[Role.CORE_GROUP]
    meeting = core_meeting(core)
    services.meeting_invitations_send(meeting=meeting, actor=core)
    uid = prop(ics_of(mail.outbox[0]), "UID")
    mail.outbox.clear()
    client.force_login(core)

    response = client.post(
        reverse("governance:meeting", args=[meeting.pk]),
        {
            "action": "schedule",
            "title": meeting.title,
            "scheduled_at": "2027-01-12T10:00",
            "duration_minutes": 60,
            "location": "Møterom 4",
            "agenda": meeting.agenda,
        },
    )

    assert response.status_code == 302
    assert len(mail.outbox) == 2
    ics = ics_of(mail.outbox[0])
    assert mail.outbox[0].subject == "Endret: Kjernegruppen desember, 12.01.2027 kl. 10:00"
    assert prop(ics, "UID") == uid
    assert prop(ics, "SEQUENCE") == "SEQUENCE:1"
    assert prop(ics, "DTSTART") == "DTSTART:20270112T090000Z"


def test_changing_only_the_agenda_sends_nothing(users):
    core = users[Role.CORE_GROUP]
    meeting = core_meeting(core)
    services.meeting_invitations_send(meeting=meeting, actor=core)
    mail.outbox.clear()

    moved = services.meeting_update(meeting=meeting, actor=core, agenda="1. Ny agenda")

    assert moved is False
    meeting.refresh_from_db()
    assert meeting.sequence == 0


def test_cancelling_sends_a_cancellation(users, client):
    core = users[Role.CORE_GROUP]
    meeting = core_meeting(core)
    services.meeting_invitations_send(meeting=meeting, actor=core)
    mail.outbox.clear()
    client.force_login(core)

    client.post(reverse("governance:meeting_cancel", args=[meeting.pk]))

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert len(mail.outbox) == 2
    ics = ics_of(mail.outbox[0])
    assert mail.outbox[0].subject == "Avlyst: Kjernegruppen desember"
    assert prop(ics, "METHOD") == "METHOD:CANCEL"
    assert prop(ics, "STATUS") == "STATUS:CANCELLED"
    assert prop(ics, "SEQUENCE") == "SEQUENCE:1"
    with pytest.raises(ValidationError):
        services.meeting_update(meeting=meeting, actor=core, location="Annet rom")


def test_a_meeting_never_invited_is_cancelled_without_mail(users):
    meeting = core_meeting(users[Role.CORE_GROUP])

    services.meeting_cancel(meeting=meeting, actor=users[Role.CORE_GROUP])

    assert mail.outbox == []


def test_the_page_says_who_got_nothing_for_lack_of_an_address(users, client):
    meeting = core_meeting(users[Role.CORE_GROUP])
    client.force_login(users[Role.CORE_GROUP])

    response = client.post(reverse("governance:meeting_send", args=[meeting.pk]), follow=True)

    text = response.content.decode()
    assert "Sendt til 2 deltakere." in text
    assert "Ingenting ble sendt til Per Uten: ingen e-postadresse." in text
    assert len(mail.outbox) == 2


def test_a_meeting_without_participants_or_time_is_not_sent(users, client):
    core = users[Role.CORE_GROUP]
    meeting = core_meeting(core)
    meeting.participants.all().delete()
    client.force_login(core)

    response = client.post(reverse("governance:meeting_send", args=[meeting.pk]), follow=True)

    assert "Legg til deltakere før du inviterer." in response.content.decode()
    assert mail.outbox == []
    assert Meeting.objects.get(pk=meeting.pk).invited_at is None
