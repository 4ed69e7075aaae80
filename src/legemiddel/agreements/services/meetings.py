"""Start-up meetings: participants, time and place, minutes and decisions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from legemiddel.accounts.models import User
from legemiddel.agreements import selectors
from legemiddel.agreements.models import Decision, Participant, StartupMeeting
from legemiddel.core.audit import audit_record
from legemiddel.core.models import AuditEvent


def meeting_suggest_participants(*, meeting: StartupMeeting) -> int:
    """Invite the area's unit leaders, controllers and advisory pharmacists, the pharmacy and
    the core group (key doctors are added by hand). Returns how many were added.

    Each person once, by e-mail address or, without one, by name, so suggesting again adds
    only the people who are new."""

    def key(email: str, name: str) -> str:
        return email.casefold() or "name:" + name

    existing = {key(e, n) for e, n in meeting.participants.values_list("email", "name")}
    added = 0
    for role, user in selectors.meeting_candidates(meeting.agreement.area):
        if key(user.email, user.display_name) in existing:
            continue
        existing.add(key(user.email, user.display_name))
        Participant.objects.create(
            meeting=meeting, role=role, name=user.display_name, email=user.email
        )
        added += 1
    return added


@transaction.atomic
def meeting_update(*, meeting: StartupMeeting, actor: User | None, **fields: Any) -> None:
    """Schedule or move the meeting, or change its place or agenda."""
    # Compare with what is stored: a bound ModelForm has already written into ``meeting``.
    stored = StartupMeeting.objects.get(pk=meeting.pk)
    moved = any(
        getattr(stored, key) != fields[key]
        for key in ("scheduled_at", "duration_minutes", "location")
        if key in fields
    )
    for key, value in fields.items():
        setattr(meeting, key, value)
    if moved:
        meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    audit_record(
        action=AuditEvent.Action.AGREEMENT,
        user=actor,
        detail=f"oppstartsmøte for avtale {meeting.agreement_id} endret",
    )


@transaction.atomic
def meeting_record_minutes(
    *, meeting: StartupMeeting, actor: User, minutes: str, attended: Iterable[int]
) -> None:
    """Record the minutes and who attended. Empty minutes are refused."""
    if not minutes.strip():
        raise ValidationError({"minutes": ["Skriv referatet."]})
    if meeting.scheduled_at is None or meeting.scheduled_at > timezone.now():
        raise ValidationError({"minutes": ["Møtet må være holdt før referatet føres."]})
    meeting.minutes = minutes.strip()
    meeting.minutes_recorded_at = timezone.now()
    meeting.minutes_recorded_by = actor
    meeting.save(update_fields=["minutes", "minutes_recorded_at", "minutes_recorded_by"])
    chosen = set(attended)
    for participant in meeting.participants.all():
        if participant.attended != (participant.pk in chosen):
            participant.attended = participant.pk in chosen
            participant.save(update_fields=["attended"])
    audit_record(
        action=AuditEvent.Action.AGREEMENT,
        user=actor,
        detail=f"referat ført for oppstartsmøte, avtale {meeting.agreement_id}",
    )


def decision_add(*, meeting: StartupMeeting, actor: User, **fields: Any) -> Decision:
    decision = Decision(meeting=meeting, **fields)
    decision.full_clean()
    decision.save()
    return decision
