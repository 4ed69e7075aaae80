"""The meeting pages as each role uses them: the core group plans, minutes and gives actions;
a participant reads; everyone else sees nothing; the owner of an action closes it. Bad input
gets a clear message and stores nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from legemiddel.accounts.roles import Role
from legemiddel.core.models import AuditEvent
from legemiddel.governance import services
from legemiddel.governance.models import (
    Forum,
    Meeting,
    MeetingAction,
    MeetingAttachment,
    MeetingDecision,
)
from legemiddel.organisation.models import HealthPersonnel
from tests.governance.builders import core_forum, core_meeting

pytestmark = pytest.mark.django_db


def held_meeting(users):
    meeting = core_meeting(users[Role.CORE_GROUP], when=timezone.now() - dt.timedelta(hours=3))
    return meeting


def test_the_core_group_plans_a_meeting(client_for):
    client = client_for(Role.CORE_GROUP)

    response = client.post(
        reverse("governance:meeting_new"),
        {
            "forum": core_forum().pk,
            "title": "Kjernegruppen januar",
            "scheduled_at": "2027-01-14T13:00",
            "duration_minutes": 90,
            "location": "Møterom 4",
            "agenda": "1. Kostnader",
        },
    )

    meeting = Meeting.objects.get(title="Kjernegruppen januar")
    assert response.status_code == 302
    assert response["Location"] == reverse("governance:meeting", args=[meeting.pk])
    assert (meeting.forum, meeting.status, meeting.duration_minutes) == (
        core_forum(),
        Meeting.Status.PLANNED,
        90,
    )
    assert AuditEvent.objects.filter(target=f"møte:{meeting.pk}", action="meeting").exists()


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("scheduled_at", "Oppgi dato og klokkeslett for møtet."),
        ("forum", "Velg forumet møtet hører til."),
        ("title", "Gi møtet en tittel."),
    ],
)
def test_a_meeting_without_date_forum_or_title_is_refused_and_nothing_stored(
    client_for, missing, message
):
    data = {
        "forum": core_forum().pk,
        "title": "Kjernegruppen januar",
        "scheduled_at": "2027-01-14T13:00",
        "duration_minutes": 60,
    }
    data[missing] = ""

    response = client_for(Role.CORE_GROUP).post(reverse("governance:meeting_new"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_service_refuses_a_meeting_without_date_or_forum(users):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.meeting_create(forum=None, actor=None, title="X", scheduled_at=None)

    assert caught.value.message_dict == {
        "forum": ["Velg forumet møtet hører til."],
        "scheduled_at": ["Oppgi dato og klokkeslett for møtet."],
    }
    assert not Meeting.objects.exists()


def test_start_up_meetings_are_not_planned_by_hand(client_for):
    startup = Forum.objects.get(kind=Forum.Kind.STARTUP)

    response = client_for(Role.CORE_GROUP).post(
        reverse("governance:meeting_new"),
        {"forum": startup.pk, "title": "X", "scheduled_at": "2027-01-14T13:00"},
    )

    assert response.status_code == 400
    assert not Meeting.objects.exists()


def test_minutes_decision_and_action_reach_the_owners_page(users, client_for, client):
    meeting = held_meeting(users)
    owner = users[Role.UNIT_LEADER]
    core = client_for(Role.CORE_GROUP)
    url = reverse("governance:meeting", args=[meeting.pk])
    kari = meeting.participants.get(name="Kari Nordmann")

    core.post(url, {"action": "minutes", "minutes": "Vi gikk gjennom.", "attended": [kari.pk]})
    core.post(url, {"action": "decision", "kind": "follow_up", "text": "Følg opp MS."})
    core.post(
        url,
        {
            "action": "action",
            "text": "Send tall til enhetene",
            "owner": owner.pk,
            "due": "2026-12-20",
        },
    )

    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes) == (Meeting.Status.HELD, "Vi gikk gjennom.")
    assert MeetingDecision.objects.get(meeting=meeting).text == "Følg opp MS."
    action = MeetingAction.objects.get(meeting=meeting)
    assert (action.owner, action.due, action.status) == (owner, dt.date(2026, 12, 20), "open")
    client.force_login(owner)
    mine = client.get(reverse("governance:my_actions")).content.decode()
    assert "Send tall til enhetene" in mine
    assert "Send tall til enhetene" in client.get("/").content.decode()
    # The owner reads the meeting through the action, and closes it.
    assert client.get(url).status_code == 200
    client.post(reverse("governance:action_done", args=[action.pk]))
    action.refresh_from_db()
    assert action.status == MeetingAction.Status.DONE
    assert (
        "Du har ingen åpne tiltak." in client.get(reverse("governance:my_actions")).content.decode()
    )


def test_an_action_without_owner_is_refused_and_nothing_stored(users, client_for):
    meeting = held_meeting(users)

    response = client_for(Role.CORE_GROUP).post(
        reverse("governance:meeting", args=[meeting.pk]),
        {"action": "action", "text": "Send tall", "owner": ""},
    )

    assert "Et tiltak må ha en ansvarlig." in response.content.decode()
    assert not MeetingAction.objects.exists()


def test_only_the_owner_or_an_organiser_closes_an_action(users, client_for):
    meeting = held_meeting(users)
    action = services.action_add(
        meeting=meeting, actor=None, text="Gjør noe", owner=users[Role.UNIT_LEADER]
    )

    response = client_for(Role.CONTROLLER).post(reverse("governance:action_done", args=[action.pk]))

    assert response.status_code == 404
    assert MeetingAction.objects.get(pk=action.pk).status == "open"


def test_a_participant_reads_the_meeting_but_others_see_nothing(users, client_for):
    meeting = core_meeting(users[Role.CORE_GROUP])
    reader = users[Role.PHARMACY]
    services.participant_add(meeting=meeting, actor=None, name="", user=reader)
    url = reverse("governance:meeting", args=[meeting.pk])

    pharmacy = client_for(Role.PHARMACY)
    assert pharmacy.get(url).status_code == 200
    assert "Kjernegruppen desember" in pharmacy.get(reverse("governance:meetings")).content.decode()
    assert pharmacy.post(url, {"action": "decision", "text": "x"}).status_code == 403

    other = client_for(Role.CONTROLLER)
    assert other.get(url).status_code == 404
    assert other.get(reverse("governance:meeting_ics", args=[meeting.pk])).status_code == 404
    assert (
        "Kjernegruppen desember" not in other.get(reverse("governance:meetings")).content.decode()
    )


def test_a_role_is_resolved_to_the_persons_holding_it(users):
    meeting = core_meeting(users[Role.CORE_GROUP])

    added = services.participants_add_role(meeting=meeting, actor=None, role=Role.PHARMACY)
    again = services.participants_add_role(meeting=meeting, actor=None, role=Role.PHARMACY)

    assert (added, again) == (1, 0)
    person = meeting.participants.get(user=users[Role.PHARMACY])
    assert person.resolved_from == "pharmacy"


def test_an_attachment_is_uploaded_and_downloaded_by_those_who_see_the_meeting(users, client_for):
    meeting = core_meeting(users[Role.CORE_GROUP])
    core = client_for(Role.CORE_GROUP)
    url = reverse("governance:meeting", args=[meeting.pk])
    page = core.get(url).content.decode()
    assert "Aldri pasientopplysninger" in page

    core.post(
        url,
        {"action": "attachment", "file": SimpleUploadedFile("Kostnader 2026.pdf", b"%PDF-1.4 x")},
    )

    attachment = MeetingAttachment.objects.get(meeting=meeting)
    download = core.get(reverse("governance:attachment", args=[attachment.pk]))
    assert download.content == b"%PDF-1.4 x"
    assert download["Content-Disposition"].startswith('attachment; filename="Kostnader-2026.pdf"')
    stranger = client_for(Role.CONTROLLER)
    assert stranger.get(reverse("governance:attachment", args=[attachment.pk])).status_code == 404


@override_settings(MEETING_ATTACHMENT_MAX_BYTES=100)
@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "Filen er tom."), (b"x" * 101, "er for stor (høyst 0 MB)")],
)
def test_an_empty_or_too_large_attachment_is_refused(users, client_for, content, message):
    meeting = core_meeting(users[Role.CORE_GROUP])

    response = client_for(Role.CORE_GROUP).post(
        reverse("governance:meeting", args=[meeting.pk]),
        {"action": "attachment", "file": SimpleUploadedFile("tabell.xlsx", content)},
    )

    assert message in response.content.decode()
    assert not MeetingAttachment.objects.exists()


def test_the_core_group_adds_a_forum(client_for):
    response = client_for(Role.CORE_GROUP).post(
        reverse("governance:forum_new"), {"name": "Prosjekt søknadssystem", "description": ""}
    )

    forum = Forum.objects.get(name="Prosjekt søknadssystem")
    assert response["Location"] == reverse("governance:forum", args=[forum.pk])
    assert forum.kind == Forum.Kind.OTHER


def test_the_meeting_page_shows_its_history(users, client_for):
    meeting = core_meeting(users[Role.CORE_GROUP])

    page = client_for(Role.CORE_GROUP).get(reverse("governance:meeting", args=[meeting.pk]))

    assert "deltaker lagt til: Kari Nordmann" in page.content.decode()


def test_an_old_start_up_meeting_link_leads_to_its_new_page(users, client_for):
    meeting = core_meeting(users[Role.CORE_GROUP])

    response = client_for(Role.CORE_GROUP).get(f"/avtaler/moter/{meeting.pk}/")

    assert response.status_code == 301
    assert response["Location"] == reverse("governance:meeting", args=[meeting.pk])


def test_a_health_professional_is_invited_by_hpr_number(users, client_for):
    meeting = core_meeting(users[Role.CORE_GROUP])
    HealthPersonnel.objects.create(
        hpr_number="9100001",
        name="Dr. Nøkkel",
        email="nokkel@helse-bergen.no",
        category="hospital_doctor",
    )
    url = reverse("governance:meeting", args=[meeting.pk])
    core = client_for(Role.CORE_GROUP)

    core.post(url, {"action": "participant", "role": "key_doctor", "hpr": "9100001"})
    unknown = core.post(url, {"action": "participant", "role": "key_doctor", "hpr": "9999999"})
    nameless = core.post(url, {"action": "participant", "role": "other", "email": "x@y.no"})

    person = meeting.participants.get(personnel__hpr_number="9100001")
    assert (person.name, person.email, person.role) == (
        "Dr. Nøkkel",
        "nokkel@helse-bergen.no",
        "key_doctor",
    )
    assert "Ingen helsepersonell har dette HPR-nummeret." in unknown.content.decode()
    assert "Oppgi navnet eller HPR-nummeret til deltakeren." in nameless.content.decode()
    assert meeting.participants.count() == 4
