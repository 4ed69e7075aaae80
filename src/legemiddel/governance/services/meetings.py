"""Writes for meetings: plan, move, cancel, participants, minutes, decisions, actions and
attachments. Every write records who did it, with the meeting as the audit event's object."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from legemiddel.accounts.models import User
from legemiddel.accounts.roles import Role
from legemiddel.agreements import selectors as agreement_selectors
from legemiddel.agreements.models import Agreement
from legemiddel.core.audit import audit_record
from legemiddel.core.models import AuditEvent
from legemiddel.governance.models import (
    Forum,
    Meeting,
    MeetingAction,
    MeetingAttachment,
    MeetingDecision,
    MeetingParticipant,
)
from legemiddel.lib.formatting import format_date
from legemiddel.lib.validators import refuse_control_characters
from legemiddel.organisation.models import HealthPersonnel

DEFAULT_AGENDA = """1. Hva er nytt i avtalen: førstevalg, bytte og fra når
2. Hvordan innføre: nye pasienter, bytte av pasienter som står på behandling
3. Lagerplanlegging i sykehusapoteket (utfasing og oppbygging)
4. Oppfølging: hvilke tall, hvem følger opp, når
5. Informasjon til forskrivere og avtalespesialister"""

# What moves a meeting in the participants' calendars (an update goes out).
MOVING_FIELDS = ("scheduled_at", "duration_minutes", "location")


def target(meeting: Meeting) -> str:
    """The meeting as the audit trail's object."""
    return f"møte:{meeting.pk}"


def _audit(meeting: Meeting, actor: User | None, detail: str) -> None:
    audit_record(
        action=AuditEvent.Action.MEETING, user=actor, detail=detail, target=target(meeting)
    )


def startup_meeting_due(start: dt.date) -> dt.date:
    """The day a start-up meeting is due by: some days before the agreement starts."""
    return start - dt.timedelta(days=settings.STARTUP_MEETING_DAYS_BEFORE)


# The standing fora every installation has (the first migration creates them too).
STANDING_FORA = (
    ("kjernegruppe", "Kjernegruppen", Forum.Kind.CORE_GROUP,
     "Kjernegruppen for legemiddelområdet møtes om lag månedlig."),
    ("samarbeidsforum", "Samarbeidsforum med H-reseptenhetene", Forum.Kind.COLLABORATION,
     "Samarbeidsforum med alle enheter som forskriver H-reseptlegemidler, to ganger i året."),
    ("oppstartsmote", "Oppstartsmøter for LIS-avtaler", Forum.Kind.STARTUP,
     "Oppstartsmøte før hver ny LIS-avtale: innføring, lagerplanlegging og oppfølging."),
    ("lmk", "Legemiddelkomiteen (LMK)", Forum.Kind.DRUG_COMMITTEE,
     "Legemiddelkomiteen i foretaket."),
)  # fmt: skip


def standing_fora_ensure() -> None:
    """Create the standing fora that are missing (idempotent; a forum of the kind counts)."""
    for code, name, kind, description in STANDING_FORA:
        if (
            not Forum.objects.filter(kind=kind).exists()
            and not Forum.objects.filter(code=code).exists()
        ):
            Forum.objects.create(code=code, name=name, kind=kind, description=description)


def startup_forum() -> Forum:
    forum, _ = Forum.objects.get_or_create(
        kind=Forum.Kind.STARTUP,
        defaults={"code": "oppstartsmote", "name": "Oppstartsmøter for LIS-avtaler"},
    )
    return forum


@transaction.atomic
def forum_create(*, actor: User | None, name: str, description: str = "") -> Forum:
    """Add a forum of the core group's own (a working group, a project board)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["Gi forumet et navn."]})
    base = slugify(name)[:32] or "forum"
    code, n = base, 1
    while Forum.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    forum = Forum.objects.create(
        code=code, name=name, description=description.strip(), kind=Forum.Kind.OTHER
    )
    audit_record(
        action=AuditEvent.Action.MEETING,
        user=actor,
        detail=f"forum lagt til: {name}",
        target=f"forum:{forum.pk}",
    )
    return forum


@transaction.atomic
def startup_meeting_ensure(*, agreement: Agreement) -> Meeting:
    """The agreement's start-up meeting: planned (due before the start, the standard agenda,
    the area's people invited) the first time, its due date kept in step with the start
    after that. Calling it again changes nothing else."""
    meeting = Meeting.objects.filter(agreement=agreement).first()
    due = startup_meeting_due(agreement.start)
    if meeting is not None:
        if meeting.due_by != due:
            meeting.due_by = due
            meeting.save(update_fields=["due_by"])
            _audit(
                meeting,
                None,
                f"oppstartsmøte for avtale {agreement.pk}: frist flyttet til {format_date(due)}",
            )
        return meeting
    meeting = Meeting.objects.create(
        forum=startup_forum(),
        agreement=agreement,
        title=f"Oppstartsmøte: {agreement.title}"[:200],
        due_by=due,
        agenda=DEFAULT_AGENDA,
    )
    meeting_suggest_participants(meeting=meeting)
    _audit(meeting, None, f"oppstartsmøte planlagt for avtale {agreement.pk}")
    return meeting


def _key(email: str, name: str) -> str:
    return email.strip().casefold() or "name:" + name


def meeting_suggest_participants(*, meeting: Meeting) -> int:
    """Invite the area's unit leaders, controllers and advisory pharmacists, the pharmacy and
    the core group to a start-up meeting (key doctors are added by hand). Returns how many
    were added. Each person once, by e-mail address or, without one, by name, so suggesting
    again adds only the people who are new."""
    if meeting.agreement is None:
        return 0
    existing = {_key(e, n) for e, n in meeting.participants.values_list("email", "name")}
    added = 0
    for role, user in agreement_selectors.meeting_candidates(meeting.agreement.area):
        if _key(user.email, user.display_name) in existing:
            continue
        existing.add(_key(user.email, user.display_name))
        MeetingParticipant.objects.create(
            meeting=meeting, role=role, name=user.display_name, email=user.email, user=user
        )
        added += 1
    return added


@transaction.atomic
def meeting_create(
    *,
    forum: Forum | None,
    actor: User | None,
    title: str,
    scheduled_at: dt.datetime | None,
    duration_minutes: int = 60,
    location: str = "",
    agenda: str = "",
) -> Meeting:
    """Plan a meeting of a forum. A meeting needs its forum, a title and a time."""
    errors: dict[str, list[str]] = {}
    if forum is None:
        errors["forum"] = ["Velg forumet møtet hører til."]
    if scheduled_at is None:
        errors["scheduled_at"] = ["Oppgi dato og klokkeslett for møtet."]
    if not title.strip():
        errors["title"] = ["Gi møtet en tittel."]
    if errors:
        raise ValidationError(errors)
    assert forum is not None
    meeting = Meeting(
        forum=forum,
        title=title.strip(),
        scheduled_at=scheduled_at,
        duration_minutes=duration_minutes,
        location=location,
        agenda=agenda,
    )
    meeting.full_clean()
    meeting.save()
    _audit(meeting, actor, f"møte planlagt i {forum.name}")
    return meeting


def _editable(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(["Møtet er avlyst og kan ikke endres."])


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor: User | None, **fields: Any) -> bool:
    """Schedule or move the meeting, or change its title, place or agenda. Returns whether it
    moved (time, length or place changed): then the sequence grows, and the caller sends the
    update to those already invited (:func:`meeting_invitations_send`)."""
    _editable(meeting)
    stored = Meeting.objects.get(pk=meeting.pk)
    if "scheduled_at" in fields and fields["scheduled_at"] is None:
        raise ValidationError({"scheduled_at": ["Oppgi dato og klokkeslett for møtet."]})
    moved = any(getattr(stored, key) != fields[key] for key in MOVING_FIELDS if key in fields)
    for key, value in fields.items():
        setattr(meeting, key, value)
    if moved:
        meeting.sequence = stored.sequence + 1
    meeting.full_clean()
    meeting.save()
    if meeting.agreement_id:
        detail = f"oppstartsmøte for avtale {meeting.agreement_id} endret"
    else:
        detail = "møte flyttet" if moved else "møte endret"
    _audit(meeting, actor, detail)
    return moved


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: User | None) -> None:
    """Cancel the meeting; the caller sends the cancellation to those invited."""
    _editable(meeting)
    if meeting.status == Meeting.Status.HELD:
        raise ValidationError(["Møtet er holdt og kan ikke avlyses."])
    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence"])
    _audit(meeting, actor, "møte avlyst")


@transaction.atomic
def meeting_record_minutes(
    *, meeting: Meeting, actor: User, minutes: str, attended: Iterable[int]
) -> None:
    """Record the minutes and who attended; the meeting is then held. Empty minutes, and
    minutes of a meeting not yet held, are refused."""
    _editable(meeting)
    if not minutes.strip():
        raise ValidationError({"minutes": ["Skriv referatet."]})
    if meeting.scheduled_at is None or meeting.scheduled_at > timezone.now():
        raise ValidationError({"minutes": ["Møtet må være holdt før referatet føres."]})
    meeting.minutes = minutes.strip()
    meeting.minutes_recorded_at = timezone.now()
    meeting.minutes_recorded_by = actor
    meeting.status = Meeting.Status.HELD
    meeting.save(update_fields=["minutes", "minutes_recorded_at", "minutes_recorded_by", "status"])
    chosen = set(attended)
    for participant in meeting.participants.all():
        if participant.attended != (participant.pk in chosen):
            participant.attended = participant.pk in chosen
            participant.save(update_fields=["attended"])
    if meeting.agreement_id:
        detail = f"referat ført for oppstartsmøte, avtale {meeting.agreement_id}"
    else:
        detail = "referat ført"
    _audit(meeting, actor, detail)


@transaction.atomic
def participant_add(
    *,
    meeting: Meeting,
    actor: User | None,
    name: str,
    email: str = "",
    role: str = MeetingParticipant.Role.MEMBER,
    user: User | None = None,
    personnel: HealthPersonnel | None = None,
) -> MeetingParticipant:
    """Invite one person: a user, a health professional from the register (by HPR number), or
    a name with an e-mail address (or none). What is typed wins over what is registered."""
    _editable(meeting)
    if personnel is not None:
        user = user or personnel.user
        name = name or personnel.name
        email = email or personnel.email
    if user is not None:
        name = name or user.display_name
        email = email or user.email
    if not name.strip():
        raise ValidationError({"name": ["Oppgi navnet på deltakeren."]})
    refuse_control_characters(name)
    participant = MeetingParticipant(
        meeting=meeting,
        name=name.strip(),
        email=email.strip(),
        role=role,
        user=user,
        personnel=personnel,
    )
    participant.full_clean()
    participant.save()
    _audit(meeting, actor, f"deltaker lagt til: {participant.name}")
    return participant


@transaction.atomic
def participants_add_role(*, meeting: Meeting, actor: User | None, role: str) -> int:
    """Invite everyone who holds ``role`` now (active users), each person once. Returns how
    many were added."""
    _editable(meeting)
    label = str(Role(role).label)
    existing = {_key(e, n) for e, n in meeting.participants.values_list("email", "name")}
    added = 0
    holders = User.objects.filter(is_active=True, groups__name=role).order_by(
        "last_name", "first_name"
    )
    for user in holders:
        if _key(user.email, user.display_name) in existing:
            continue
        existing.add(_key(user.email, user.display_name))
        MeetingParticipant.objects.create(
            meeting=meeting,
            name=user.display_name,
            email=user.email,
            user=user,
            role=MeetingParticipant.Role.MEMBER,
            resolved_from=role,
        )
        added += 1
    _audit(meeting, actor, f"{added} deltakere lagt til for rollen {label}")
    return added


@transaction.atomic
def participant_remove(*, meeting: Meeting, actor: User | None, participant_id: int) -> None:
    _editable(meeting)
    found = meeting.participants.filter(pk=participant_id).first()
    if found is not None:
        found.delete()
        _audit(meeting, actor, f"deltaker fjernet: {found.name}")


@transaction.atomic
def decision_add(*, meeting: Meeting, actor: User | None, **fields: Any) -> MeetingDecision:
    """Minute a decision."""
    decision = MeetingDecision(meeting=meeting, **fields)
    decision.full_clean()
    decision.save()
    _audit(meeting, actor, f"vedtak ført: {decision.text[:80]}")
    return decision


@transaction.atomic
def action_add(
    *,
    meeting: Meeting,
    actor: User | None,
    text: str,
    owner: User | None,
    due: dt.date | None = None,
) -> MeetingAction:
    """Give someone an action from the meeting. An action needs its owner and a text."""
    errors: dict[str, list[str]] = {}
    if owner is None:
        errors["owner"] = ["Et tiltak må ha en ansvarlig."]
    if not text.strip():
        errors["text"] = ["Beskriv tiltaket."]
    if errors:
        raise ValidationError(errors)
    action = MeetingAction(meeting=meeting, text=text.strip(), owner=owner, due=due)
    action.created_by = actor
    action.full_clean()
    action.save()
    assert owner is not None
    _audit(meeting, actor, f"tiltak til {owner.get_username()}: {action.text[:80]}")
    return action


@transaction.atomic
def action_close(*, action: MeetingAction, actor: User) -> None:
    """Mark an action done."""
    if action.status == MeetingAction.Status.DONE:
        return
    action.status = MeetingAction.Status.DONE
    action.closed_at = timezone.now()
    action.save(update_fields=["status", "closed_at"])
    _audit(action.meeting, actor, f"tiltak {action.pk} utført")


@transaction.atomic
def attachment_add(
    *, meeting: Meeting, actor: User | None, upload: UploadedFile
) -> MeetingAttachment:
    """Attach a file (a presentation, a table; never patient data). Empty and too large
    files are refused."""
    name = (upload.name or "").strip()
    limit = settings.MEETING_ATTACHMENT_MAX_BYTES
    if not upload.size:
        raise ValidationError({"file": [f"Filen {name} er tom."]})
    if upload.size > limit:
        raise ValidationError(
            {"file": [f"Filen {name} er for stor (høyst {limit // (1024 * 1024)} MB)."]}
        )
    try:
        refuse_control_characters(name)
    except ValidationError as exc:
        raise ValidationError({"file": ["Filnavnet har ugyldige tegn."]}) from exc
    attachment = MeetingAttachment.objects.create(
        meeting=meeting,
        name=name[:200] or "vedlegg",
        content=upload.read(),
        size=upload.size,
        uploaded_by=actor,
    )
    _audit(meeting, actor, f"vedlegg lagt til: {attachment.name}")
    return attachment
