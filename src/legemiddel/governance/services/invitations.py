"""Invitations, updates, cancellations and reminders of meetings, through the one mail path
(``core.mail``). Each participant with an address gets one e-mail with the calendar file; a
participant without one is named in the result, and nothing is sent to them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from legemiddel.accounts.models import User
from legemiddel.core.audit import audit_record
from legemiddel.core.mail import Outgoing, absolute_url, mail_send_many
from legemiddel.core.models import AuditEvent, MailDelivery
from legemiddel.governance import ical
from legemiddel.governance.models import Meeting, MeetingParticipant
from legemiddel.governance.services.meetings import target
from legemiddel.lib.formatting import format_date

MAIL_KIND = "meeting"


@dataclass
class Sent:
    """What a mailing did: how many went out, how many failed, who has no address."""

    sent: int = 0
    failed: int = 0
    without_email: list[str] = field(default_factory=list)


def meeting_url(meeting: Meeting) -> str:
    return absolute_url(reverse("governance:meeting", args=[meeting.pk]))


def _when(meeting: Meeting) -> str:
    if meeting.scheduled_at is None:
        return f"innen {format_date(meeting.due_by)}" if meeting.due_by else "tid ikke satt"
    local = timezone.localtime(meeting.scheduled_at)
    return f"{format_date(local.date())} kl. {local:%H:%M}"


def _send(
    meeting: Meeting,
    participants: list[MeetingParticipant],
    *,
    purpose: str,
    subject: str,
    ref: str,
) -> tuple[Sent, list[MailDelivery]]:
    url = meeting_url(meeting)
    method = ical.CANCEL if purpose == "cancel" else ical.REQUEST
    ics = ical.meeting_ics(meeting, url, method=method)
    attachment = ("invitasjon.ics", ics, f"text/calendar; method={method}; charset=utf-8")
    result = Sent()
    messages: list[Outgoing] = []
    for participant in participants:
        if not participant.email:
            result.without_email.append(participant.name)
            continue
        messages.append(
            Outgoing(
                to=participant.email,
                name=participant.name,
                subject=subject,
                template="governance/email/meeting",
                context={
                    "meeting": meeting,
                    "purpose": purpose,
                    "when": _when(meeting),
                    "url": url,
                    "participant": participant,
                },
                kind=MAIL_KIND,
                ref=f"{ref}:{participant.pk}",
                attachments=[attachment],
            )
        )
    entries = mail_send_many(messages=messages)
    result.sent = sum(1 for e in entries if e.status == MailDelivery.Status.SENT)
    result.failed = len(entries) - result.sent
    return result, entries


def meeting_invitations_send(*, meeting: Meeting, actor: User | None) -> Sent:
    """Send the invitation to every participant (an update when it went out before: same
    calendar entry, higher sequence; a cancellation when the meeting is cancelled)."""
    if meeting.status == Meeting.Status.CANCELLED:
        purpose, subject = "cancel", f"Avlyst: {meeting.title}"
    elif meeting.invited_at is not None:
        purpose, subject = "update", f"Endret: {meeting.title}, {_when(meeting)}"
    else:
        purpose, subject = "invite", f"Invitasjon: {meeting.title}, {_when(meeting)}"
    participants = list(meeting.participants.all())
    result, _ = _send(
        meeting,
        participants,
        purpose=purpose,
        subject=subject,
        ref=f"meeting:{meeting.pk}:{meeting.sequence}:{purpose}",
    )
    if result.sent:
        meeting.invited_at = timezone.now()
        meeting.save(update_fields=["invited_at"])
    words = {"invite": "invitasjon", "update": "endring", "cancel": "avlysning"}
    audit_record(
        action=AuditEvent.Action.MEETING,
        user=actor,
        detail=f"{words[purpose]} sendt til {result.sent}, feilet {result.failed}, "
        f"uten e-post {len(result.without_email)}",
        target=target(meeting),
    )
    return result


def meetings_due_reminder(today: dt.date, days: int) -> QuerySet[Meeting]:
    """Planned meetings from today to ``days`` days ahead that have had no reminder."""
    return Meeting.objects.filter(
        status=Meeting.Status.PLANNED,
        reminded_at__isnull=True,
        scheduled_at__date__gte=today,
        scheduled_at__date__lte=today + dt.timedelta(days=days),
    ).select_related("forum", "agreement")


def meeting_reminders_send(*, today: dt.date | None = None, days: int | None = None) -> Sent:
    """Remind the participants of the meetings in the coming ``days`` days
    (``MEETING_REMINDER_DAYS``), once per meeting and person: a meeting whose reminders all
    went out is not reminded again, and a person whose reminder failed is tried again the
    next time without the others getting a second one."""
    day = today or timezone.localdate()
    ahead = settings.MEETING_REMINDER_DAYS if days is None else days
    total = Sent()
    for meeting in meetings_due_reminder(day, ahead):
        ref = f"meeting:{meeting.pk}:reminder"
        done = set(
            MailDelivery.objects.filter(
                kind=MAIL_KIND, ref__startswith=ref + ":", status=MailDelivery.Status.SENT
            ).values_list("ref", flat=True)
        )
        todo = [p for p in meeting.participants.all() if f"{ref}:{p.pk}" not in done]
        result, _ = _send(
            meeting,
            todo,
            purpose="reminder",
            subject=f"Påminnelse: {meeting.title}, {_when(meeting)}",
            ref=ref,
        )
        total.sent += result.sent
        total.failed += result.failed
        total.without_email += result.without_email
        if not result.failed:
            meeting.reminded_at = timezone.now()
            meeting.save(update_fields=["reminded_at"])
        audit_record(
            action=AuditEvent.Action.MEETING,
            detail=f"påminnelse sendt til {result.sent}, feilet {result.failed}",
            target=target(meeting),
        )
    return total
