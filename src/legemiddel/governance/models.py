"""Governance: the fora of the drug work and their meetings, one model for every forum.

A forum is the core group, the collaboration forum with the H-prescription units, the start-up
meetings of the LIS agreements, the drug committee, or a forum the core group adds. A meeting
has participants (people, or a role resolved to the persons holding it when it was added),
an agenda, minutes, decisions, actions with an owner and attachments. A start-up meeting also
points at its agreement and is due some days before the agreement starts.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from legemiddel.agreements.models import Agreement
from legemiddel.organisation.models import HealthPersonnel


class Forum(models.Model):
    class Kind(models.TextChoices):
        CORE_GROUP = "core_group", _("Core group")
        COLLABORATION = "collaboration", _("Collaboration forum")
        STARTUP = "startup", _("Start-up meetings")
        DRUG_COMMITTEE = "drug_committee", _("Drug committee")
        OTHER = "other", _("Other forum")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("fora")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    """One meeting of a forum. ``sequence`` grows with every change of time or place, so the
    participants' calendars replace the invitation rather than add a second one."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    forum = models.ForeignKey(
        Forum, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("forum")
    )
    title = models.CharField(_("title"), max_length=200)
    # Start-up meetings only: the agreement and the day the meeting is due by.
    agreement = models.OneToOneField(
        Agreement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agreement"),
    )
    due_by = models.DateField(_("due by"), null=True, blank=True)
    scheduled_at = models.DateTimeField(_("time"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    location = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_recorded_at = models.DateTimeField(_("minutes recorded"), null=True, blank=True)
    minutes_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("minutes by"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    sequence = models.PositiveIntegerField(default=0, editable=False)
    invited_at = models.DateTimeField(_("invitation sent"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-scheduled_at", "-due_by", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_startup(self) -> bool:
        return self.agreement_id is not None

    @property
    def ends_at(self) -> dt.datetime | None:
        if self.scheduled_at is None:
            return None
        return self.scheduled_at + dt.timedelta(minutes=self.duration_minutes)

    def warnings(self, today: dt.date | None = None) -> list[str]:
        """What the core group should act on: an overdue start-up meeting, one booked after
        its due date or not booked close to it, or a held meeting without minutes."""
        if self.status == self.Status.CANCELLED or self.minutes_recorded_at is not None:
            return []
        day = today or timezone.localdate()
        found: list[str] = []
        held_on = timezone.localtime(self.scheduled_at).date() if self.scheduled_at else None
        if self.due_by is not None:
            if held_on is None and day > self.due_by:
                found.append("overdue")
            elif held_on is not None and held_on > self.due_by:
                found.append("late")
            elif held_on is None and (self.due_by - day).days <= 14:
                found.append("unscheduled")
        if held_on is not None and held_on < day:
            found.append("minutes_missing")
        return found


class MeetingParticipant(models.Model):
    """Someone invited: a user, a health professional from the register, or a name and an
    e-mail address. ``resolved_from`` names the role whose holders were added together."""

    class Role(models.TextChoices):
        KEY_DOCTOR = "key_doctor", _("Key doctor")
        UNIT_LEADER = "unit_leader", _("Unit leader")
        CONTROLLER = "controller", _("Unit controller")
        ADVISORY_PHARMACIST = "advisory_pharmacist", _("Advisory pharmacist")
        PHARMACY = "pharmacy", _("Pharmacy department")
        CORE_GROUP = "core_group", _("Core group")
        MEMBER = "member", _("Member")
        OTHER = "other", _("Other")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, default=Role.MEMBER)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_participations",
        verbose_name=_("user"),
    )
    personnel = models.ForeignKey(
        HealthPersonnel,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("health professional"),
    )
    resolved_from = models.CharField(_("added for the role"), max_length=40, blank=True)
    attended = models.BooleanField(_("attended"), default=False)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["meeting", "role", "name"]

    def __str__(self) -> str:
        return self.name


class MeetingDecision(models.Model):
    """A decision minuted at a meeting, with who follows it up by when."""

    class Kind(models.TextChoices):
        STOCK = "stock", _("Stock planning")
        FOLLOW_UP = "follow_up", _("Follow-up")
        IMPLEMENTATION = "implementation", _("Implementation")
        OTHER = "other", _("Other")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    text = models.TextField(_("decision"))
    owner = models.CharField(_("responsible"), max_length=200, blank=True)
    due = models.DateField(_("deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class MeetingAction(models.Model):
    """Something a named person does after a meeting, by a date."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("action status", "Open")
        DONE = "done", pgettext_lazy("action status", "Done")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    text = models.TextField(_("action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="meeting_actions",
        verbose_name=_("owner"),
    )
    due = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default="open")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return self.text[:60]

    def is_overdue(self, today: dt.date | None = None) -> bool:
        day = today or timezone.localdate()
        return self.status == self.Status.OPEN and self.due is not None and self.due < day


class MeetingAttachment(models.Model):
    """A file of a meeting (a presentation, a table). Never patient data."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("content"))
    size = models.PositiveIntegerField(_("size"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["meeting", "name", "id"]

    def __str__(self) -> str:
        return self.name
