"""Governance listens to what agreements announce: a published agreement gets its start-up
meeting, and a changed start moves the meeting's due date. Both are idempotent (the outbox may
run a listener twice)."""

from __future__ import annotations

from django.db import transaction

from legemiddel.agreements.events import AGREEMENT_PUBLISHED, AGREEMENT_RESCHEDULED
from legemiddel.agreements.models import Agreement
from legemiddel.core.models import OutboxEvent
from legemiddel.governance.models import Meeting
from legemiddel.governance.services import startup_meeting_ensure

TOPICS = (AGREEMENT_PUBLISHED, AGREEMENT_RESCHEDULED)


@transaction.atomic
def startup_meetings_after(events: list[OutboxEvent]) -> None:
    """All or nothing (on SQLite the outbox runs listeners outside its own transaction): a
    meeting is never left half made, without its suggested participants."""
    ids = {e.payload.get("agreement") for e in events}
    for agreement in Agreement.objects.filter(pk__in=[i for i in ids if isinstance(i, int)]):
        if agreement.status == Agreement.Status.WITHDRAWN:
            continue
        planned = Meeting.objects.filter(agreement=agreement).exists()
        if agreement.status == Agreement.Status.DRAFT and not planned:
            # Never published: a changed start of a draft plans no meeting yet.
            continue
        startup_meeting_ensure(agreement=agreement)
