"""Governance plans an agreement's start-up meeting when the agreement is published (the
outbox topic ``agreement.published``), once; agreements no longer create meetings."""

from __future__ import annotations

import datetime as dt

from legemiddel.agreements import services as agreements
from legemiddel.agreements.models import Agreement
from legemiddel.core import outbox
from legemiddel.core.models import AuditEvent, OutboxEvent
from legemiddel.governance.listeners import startup_meetings_after
from legemiddel.governance.models import Forum, Meeting


def test_a_draft_has_no_start_up_meeting(imported):
    assert not Meeting.objects.filter(agreement=imported).exists()


def test_publishing_plans_the_meeting_due_two_weeks_before_the_start(imported, adviser, users):
    agreements.agreement_publish(agreement=imported, actor=adviser)
    assert not Meeting.objects.filter(agreement=imported).exists()  # after commit, by the outbox

    outbox.process()

    meeting = Meeting.objects.get(agreement=imported)
    assert meeting.forum.kind == Forum.Kind.STARTUP
    assert meeting.title == "Oppstartsmøte: TNF BIO 2026"
    assert meeting.due_by == dt.date(2026, 2, 15)
    assert meeting.scheduled_at is None
    assert meeting.status == Meeting.Status.PLANNED
    assert meeting.agenda.startswith("1. Hva er nytt i avtalen")
    assert meeting.participants.filter(role="core_group").count() == 2
    assert AuditEvent.objects.filter(
        target=f"møte:{meeting.pk}", detail=f"oppstartsmøte planlagt for avtale {imported.pk}"
    ).exists()


def test_it_plans_one_meeting_however_often_it_is_published_or_heard(imported, adviser):
    agreements.agreement_publish(agreement=imported, actor=adviser)
    outbox.process()
    meeting = Meeting.objects.get(agreement=imported)
    meeting.location = "Teams"
    meeting.save()
    agreements.line_delete(line=imported.lines.first(), actor=adviser)
    agreements.agreement_publish(agreement=imported, actor=adviser)

    outbox.process()
    # The outbox may run a listener twice: the second run changes nothing.
    startup_meetings_after(list(OutboxEvent.objects.all()))

    assert Meeting.objects.filter(agreement=imported).count() == 1
    meeting.refresh_from_db()
    assert meeting.location == "Teams"
    assert meeting.participants.count() == meeting.participants.values("name").distinct().count()


def test_a_changed_start_moves_the_due_date(imported, adviser):
    agreements.agreement_publish(agreement=imported, actor=adviser)
    outbox.process()

    agreements.agreement_update(agreement=imported, actor=adviser, start=dt.date(2026, 5, 1))
    outbox.process()

    assert Meeting.objects.get(agreement=imported).due_by == dt.date(2026, 4, 17)


def test_a_withdrawn_agreement_gets_no_meeting(imported, adviser):
    agreements.agreement_publish(agreement=imported, actor=adviser)
    Agreement.objects.filter(pk=imported.pk).update(status=Agreement.Status.WITHDRAWN)

    outbox.process()

    assert not Meeting.objects.filter(agreement=imported).exists()
