"""Registering and changing an agreement: overlaps, the start-up meeting, the history.

The start-up meeting lives in governance, which plans it when the agreement is published and
moves its due date when the start changes (through the outbox); it is built here with the same
service the listener calls."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from legemiddel.accounts.roles import Role
from legemiddel.agreements import services
from legemiddel.agreements.models import Agreement, TherapeuticArea
from legemiddel.core import outbox
from legemiddel.core.models import AuditEvent
from legemiddel.governance import services as governance
from legemiddel.governance.models import Meeting
from legemiddel.governance.models import MeetingParticipant as Participant
from legemiddel.organisation.services import membership_add
from tests.agreements.builders import END, START, counts, make_agreement

# --- registering an agreement ---------------------------------------------------------------


def test_it_registers_a_draft_with_a_startup_meeting_due_before_the_start(area, adviser, users):
    agreement = make_agreement(area, adviser)

    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.DRAFT
    assert agreement.version == 0
    assert agreement.has_unpublished_changes is True
    assert agreement.created_by == adviser
    # A draft has no start-up meeting: governance plans it when the agreement is published.
    assert not Meeting.objects.filter(agreement=agreement).exists()
    meeting = governance.startup_meeting_ensure(agreement=agreement)
    assert settings.STARTUP_MEETING_DAYS_BEFORE == 14
    assert meeting.due_by == dt.date(2026, 2, 15)
    assert meeting.scheduled_at is None
    assert meeting.agenda.startswith("1. Hva er nytt i avtalen")
    assert set(meeting.participants.values_list("role", "name")) == {
        (Participant.Role.UNIT_LEADER, "Unit Leader"),
        (Participant.Role.CONTROLLER, "Controller"),
        (Participant.Role.PHARMACY, "Pharmacy"),
        (Participant.Role.CORE_GROUP, "Core Group"),
        (Participant.Role.CORE_GROUP, "Procurement Adviser"),
    }
    assert list(agreement.changes.values_list("summary", "changes", "by")) == [
        ("registrert", [], adviser.pk)
    ]
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.AGREEMENT, user=adviser, detail__contains="TNF BIO 2026"
    ).exists()


def test_it_invites_each_address_once(area, adviser, users):
    users[Role.CORE_GROUP].email = "felles@helse-bergen.no"
    users[Role.CORE_GROUP].save()
    users[Role.PROCUREMENT_ADVISER].email = "felles@helse-bergen.no"
    users[Role.PROCUREMENT_ADVISER].save()

    agreement = make_agreement(area, adviser)

    meeting = governance.startup_meeting_ensure(agreement=agreement)
    assert list(
        meeting.participants.filter(email="felles@helse-bergen.no").values_list("name")
    ) == [("Core Group",)]
    assert meeting.participants.count() == 4

    assert governance.meeting_suggest_participants(meeting=meeting) == 0
    assert meeting.participants.count() == 4

    advisory = users[Role.ADVISORY_PHARMACIST]
    membership_add(user=advisory, org_unit=area.units.get(), role=Role.ADVISORY_PHARMACIST)
    assert governance.meeting_suggest_participants(meeting=meeting) == 1
    assert set(meeting.participants.values_list("role", "name")) == {
        (Participant.Role.UNIT_LEADER, "Unit Leader"),
        (Participant.Role.CONTROLLER, "Controller"),
        (Participant.Role.ADVISORY_PHARMACIST, "Advisory Pharmacist"),
        (Participant.Role.PHARMACY, "Pharmacy"),
        (Participant.Role.CORE_GROUP, "Core Group"),
    }


@pytest.mark.parametrize(
    ("region", "start", "end"),
    [
        ("Helse Vest", START, END),
        ("  helse   VEST ", dt.date(2027, 1, 1), dt.date(2029, 1, 1)),
        ("HELSE VEST", dt.date(2025, 1, 1), START),
        ("Helse vest", END, dt.date(2030, 1, 1)),
    ],
)
def test_it_refuses_an_overlapping_period_for_the_same_area_and_region(
    agreement, area, adviser, region, start, end
):
    before = counts()

    with pytest.raises(ValidationError) as caught:
        make_agreement(area, adviser, title="Ny TNF", region=region, start=start, end=end)

    assert caught.value.message_dict == {
        "start": [
            "Perioden overlapper «TNF BIO 2026» (01.03.2026–29.02.2028) for samme område og region."
        ]
    }
    assert counts() == before


def test_it_allows_the_same_period_in_another_region_or_area_and_next_to_the_last(
    agreement, area, adviser, org
):
    other_area = TherapeuticArea.objects.create(code="MS", name="MS")

    make_agreement(area, adviser, title="TNF Midt", region="Helse Midt-Norge")
    make_agreement(other_area, adviser, title="MS 2026")
    make_agreement(
        area, adviser, title="TNF 2028", start=dt.date(2028, 3, 1), end=dt.date(2030, 2, 28)
    )

    assert set(Agreement.objects.values_list("title", flat=True)) == {
        "TNF BIO 2026",
        "TNF Midt",
        "MS 2026",
        "TNF 2028",
    }
    assert Meeting.objects.count() == 0  # planned at publication, by governance
    for each in Agreement.objects.all():
        governance.startup_meeting_ensure(agreement=each)
    assert Meeting.objects.count() == 4


def test_it_ignores_withdrawn_agreements_when_checking_overlap(agreement, area, adviser):
    Agreement.objects.filter(pk=agreement.pk).update(status=Agreement.Status.WITHDRAWN)

    replacement = make_agreement(area, adviser, title="TNF BIO 2026 (ny)")

    assert replacement.pk is not None
    assert Agreement.objects.count() == 2


def test_it_refuses_an_end_before_the_start_and_writes_nothing(area, adviser, catalogue):
    before = counts()

    with pytest.raises(ValidationError) as caught:
        make_agreement(area, adviser, start=dt.date(2026, 3, 1), end=dt.date(2026, 2, 28))

    assert "end" in caught.value.message_dict
    assert counts() == before


# --- changing an agreement ------------------------------------------------------------------


def test_it_records_what_changed_and_moves_the_meeting_with_the_start(agreement, adviser, users):
    governance.startup_meeting_ensure(agreement=agreement)
    services.agreement_update(
        agreement=agreement,
        actor=users[Role.CORE_GROUP],
        title="TNF BIO 2026–2028",
        start=dt.date(2026, 4, 1),
        region="Helse Vest",
    )

    agreement.refresh_from_db()
    assert (agreement.title, agreement.start) == ("TNF BIO 2026–2028", dt.date(2026, 4, 1))
    outbox.process()  # governance hears that the start moved
    assert Meeting.objects.get(agreement=agreement).due_by == dt.date(2026, 3, 18)
    change = agreement.changes.first()
    assert change is not None
    assert change.by == users[Role.CORE_GROUP]
    assert change.summary == "endret tittel, start"
    assert change.changes == [
        {
            "field": "title",
            "label": "tittel",
            "old": "TNF BIO 2026",
            "new": "TNF BIO 2026–2028",
            "price": False,
        },
        {
            "field": "start",
            "label": "start",
            "old": "01.03.2026",
            "new": "01.04.2026",
            "price": False,
        },
    ]


def test_it_records_nothing_when_nothing_changed(agreement, adviser):
    before = counts()

    services.agreement_update(agreement=agreement, actor=adviser, title="TNF BIO 2026", end=END)

    assert counts() == before


def test_it_leaves_the_meeting_alone_when_the_start_stays(agreement, adviser):
    governance.startup_meeting_ensure(agreement=agreement)
    services.agreement_update(agreement=agreement, actor=adviser, end=dt.date(2028, 1, 31))

    assert not outbox.pending()
    assert Meeting.objects.get(agreement=agreement).due_by == dt.date(2026, 2, 15)


def test_it_refuses_a_change_into_another_agreements_period(agreement, area, adviser):
    make_agreement(
        area, adviser, title="TNF 2028", start=dt.date(2028, 3, 1), end=dt.date(2030, 1, 1)
    )
    before = counts()

    with pytest.raises(ValidationError) as caught:
        services.agreement_update(
            agreement=agreement, actor=adviser, extended_to=dt.date(2028, 6, 30)
        )

    assert "TNF 2028" in caught.value.message_dict["start"][0]
    agreement.refresh_from_db()
    assert agreement.extended_to is None
    assert counts() == before


def test_it_refuses_an_extension_that_does_not_go_beyond_the_end(agreement, adviser):
    with pytest.raises(ValidationError) as caught:
        services.agreement_update(agreement=agreement, actor=adviser, extended_to=END)

    assert "extended_to" in caught.value.message_dict
    agreement.refresh_from_db()
    assert agreement.extended_to is None
