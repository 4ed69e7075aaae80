"""Reminders a configurable number of days before a meeting, sent once to each person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from legemiddel.accounts.roles import Role
from legemiddel.core.models import MailDelivery
from legemiddel.governance import services
from tests.agreements.builders import closed_port
from tests.governance.builders import at, core_meeting

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)


def test_it_reminds_the_participants_of_a_meeting_within_the_days_once(users):
    soon = core_meeting(users[Role.CORE_GROUP], when=at(TODAY + dt.timedelta(days=2), 10))
    core_meeting(users[Role.CORE_GROUP], when=at(TODAY + dt.timedelta(days=3), 10))

    first = services.meeting_reminders_send(today=TODAY, days=2)
    second = services.meeting_reminders_send(today=TODAY, days=2)

    assert (first.sent, first.failed, first.without_email) == (2, 0, ["Per Uten"])
    assert (second.sent, second.failed) == (0, 0)
    assert len(mail.outbox) == 2
    assert mail.outbox[0].subject == "Påminnelse: Kjernegruppen desember, 03.12.2026 kl. 10:00"
    soon.refresh_from_db()
    assert soon.reminded_at is not None


@override_settings(MEETING_REMINDER_DAYS=5)
def test_the_number_of_days_comes_from_the_settings(users):
    core_meeting(users[Role.CORE_GROUP], when=at(TODAY + dt.timedelta(days=5), 10))

    assert services.meeting_reminders_send(today=TODAY).sent == 2


def test_a_cancelled_or_past_meeting_gets_no_reminder(users):
    cancelled = core_meeting(users[Role.CORE_GROUP], when=at(TODAY + dt.timedelta(days=1), 10))
    services.meeting_cancel(meeting=cancelled, actor=None)
    core_meeting(users[Role.CORE_GROUP], when=at(TODAY - dt.timedelta(days=1), 10))

    assert services.meeting_reminders_send(today=TODAY, days=2).sent == 0
    assert mail.outbox == []


def test_a_failed_reminder_is_tried_again_without_repeating_those_sent(users):
    meeting = core_meeting(users[Role.CORE_GROUP], when=at(TODAY + dt.timedelta(days=1), 10))
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=closed_port(),
        MAIL_ATTEMPTS=1,
    ):
        failed = services.meeting_reminders_send(today=TODAY, days=2)
    assert (failed.sent, failed.failed) == (0, 2)
    meeting.refresh_from_db()
    assert meeting.reminded_at is None
    # Kari got hers another way meanwhile: only Ola is tried again.
    MailDelivery.objects.filter(email="kari@helse-bergen.no").update(
        status=MailDelivery.Status.SENT, sent_at=timezone.now()
    )

    again = services.meeting_reminders_send(today=TODAY, days=2)

    assert (again.sent, again.failed) == (1, 0)
    assert [m.to for m in mail.outbox] == [["ola@helse-bergen.no"]]
    meeting.refresh_from_db()
    assert meeting.reminded_at is not None


def test_the_command_says_who_has_no_address(users, capsys):
    core_meeting(users[Role.CORE_GROUP], when=timezone.now() + dt.timedelta(days=1))

    call_command("meetingreminders", "--days", "2")

    out = capsys.readouterr().out
    assert "2 påminnelser sendt, 0 feilet." in out
    assert "Ikke sendt (mangler e-postadresse): Per Uten" in out
