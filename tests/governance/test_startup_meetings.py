"""Start-up meetings (moved from agreements into governance): warnings, the list to act on,
minutes and attendance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from legemiddel.agreements.models import Agreement
from legemiddel.core.models import AuditEvent
from legemiddel.governance import selectors, services
from legemiddel.governance.models import Meeting as StartupMeeting
from legemiddel.governance.models import MeetingParticipant as Participant
from tests.agreements.builders import OSLO, counts, make_agreement

DUE = dt.date(2026, 2, 15)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO)


def days(n: int) -> dt.date:
    return DUE + dt.timedelta(days=n)


@pytest.mark.parametrize(
    ("scheduled", "recorded", "today", "warnings"),
    [
        (None, False, days(-15), []),
        (None, False, days(-14), ["unscheduled"]),
        (None, False, DUE, ["unscheduled"]),
        (None, False, days(1), ["overdue"]),
        (at(days(-5), 10), False, days(-6), []),
        (at(days(-5), 10), False, days(-5), []),
        (at(days(-5), 10), False, days(-4), ["minutes_missing"]),
        (at(days(-5), 10), True, days(30), []),
        (at(days(3), 10), False, days(1), ["late"]),
        (at(days(3), 10), False, days(4), ["late", "minutes_missing"]),
        (at(days(3), 10), True, days(4), []),
        # The local day counts: 00:30 in Oslo on the day after is still late …
        (at(days(1), 0, 30), False, days(1), ["late"]),
        # … and 23:30 in Oslo on the due date is in time.
        (at(DUE, 23, 30), False, days(1), ["minutes_missing"]),
    ],
)
def test_it_warns_about_a_meeting_the_core_group_must_act_on(scheduled, recorded, today, warnings):
    meeting = StartupMeeting(
        due_by=DUE,
        scheduled_at=scheduled,
        minutes_recorded_at=at(days(40), 12) if recorded else None,
    )

    assert meeting.warnings(today) == warnings


def test_it_lists_the_meetings_to_act_on_for_running_and_coming_agreements(
    area, adviser, catalogue
):
    overdue = make_agreement(area, adviser, title="Overdue", region="Helse Vest")
    make_agreement(area, adviser, title="Withdrawn", region="Helse Nord")
    make_agreement(
        area, adviser, title="Over", start=dt.date(2024, 1, 1), end=dt.date(2025, 12, 31)
    )
    minuted = make_agreement(area, adviser, title="Minuted", region="Helse Sør-Øst")
    make_agreement(
        area, adviser, title="Later", region="Helse Midt-Norge", start=dt.date(2027, 1, 1)
    )
    held = make_agreement(
        area, adviser, title="Held", region="Finnmark", start=dt.date(2026, 2, 25)
    )
    for each in Agreement.objects.all():
        services.startup_meeting_ensure(agreement=each)
    Agreement.objects.filter(title="Withdrawn").update(status=Agreement.Status.WITHDRAWN)
    StartupMeeting.objects.filter(agreement=minuted).update(
        scheduled_at=at(dt.date(2026, 2, 1), 10), minutes_recorded_at=at(dt.date(2026, 2, 2), 10)
    )
    StartupMeeting.objects.filter(agreement=held).update(scheduled_at=at(dt.date(2026, 2, 5), 10))

    found = selectors.meeting_warnings(dt.date(2026, 2, 20))

    assert [(w.meeting.agreement.title, w.kinds) for w in found] == [
        ("Held", ["minutes_missing"]),
        ("Overdue", ["overdue"]),
    ]
    assert StartupMeeting.objects.get(agreement=overdue).due_by == DUE


def test_it_records_the_minutes_and_who_attended(agreement, adviser):
    meeting = services.startup_meeting_ensure(agreement=agreement)
    services.meeting_update(
        meeting=meeting, actor=adviser, scheduled_at=timezone.now() - dt.timedelta(hours=2)
    )
    present = list(meeting.participants.filter(role=Participant.Role.PHARMACY))

    services.meeting_record_minutes(
        meeting=meeting,
        actor=adviser,
        minutes="  Lager bygges opp før 01.03.  ",
        attended=[p.pk for p in present],
    )

    meeting.refresh_from_db()
    assert meeting.minutes == "Lager bygges opp før 01.03."
    assert meeting.minutes_recorded_by == adviser
    assert meeting.minutes_recorded_at is not None
    assert list(meeting.participants.filter(attended=True)) == present
    assert meeting.participants.filter(attended=False).count() == 4
    assert meeting.warnings(agreement.start) == []
    assert AuditEvent.objects.filter(
        detail=f"referat ført for oppstartsmøte, avtale {agreement.pk}"
    ).exists()


@pytest.mark.parametrize(
    ("hours_ago", "minutes", "message"),
    [
        (2, "   ", "Skriv referatet."),
        (-2, "Referat", "Møtet må være holdt før referatet føres."),
        (None, "Referat", "Møtet må være holdt før referatet føres."),
    ],
)
def test_it_refuses_empty_minutes_or_minutes_of_a_meeting_not_yet_held(
    agreement, adviser, hours_ago, minutes, message
):
    meeting = services.startup_meeting_ensure(agreement=agreement)
    if hours_ago is not None:
        services.meeting_update(
            meeting=meeting,
            actor=adviser,
            scheduled_at=timezone.now() - dt.timedelta(hours=hours_ago),
        )
    participant = meeting.participants.first()
    assert participant is not None
    before = counts()

    with pytest.raises(ValidationError) as caught:
        services.meeting_record_minutes(
            meeting=meeting, actor=adviser, minutes=minutes, attended=[participant.pk]
        )

    assert caught.value.message_dict == {"minutes": [message]}
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.minutes_recorded_at) == ("", None)
    assert not meeting.participants.filter(attended=True).exists()
    assert counts() == before
