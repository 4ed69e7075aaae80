"""The base's records: background jobs as users see them, the audit trail and the mail log.

A job is an uploaded file, its progress and its outcome.

The queue itself is Django's tasks API (django-tasks, database backend); a :class:`Job` is the
product-level record a user can follow, with progress written by the task as it works.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    file = models.FileField(_("file"), upload_to="jobs/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="jobs",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.CharField(_("message"), max_length=1000, blank=True)
    # The page reporting on what the job did (an import batch), when its kind has one.
    result_url = models.CharField(_("result page"), max_length=300, blank=True, default="")
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # Choices made when the job was started (the job kind's options), passed to its importer.
    options = models.JSONField(_("options"), default=dict, blank=True)
    # The worker process running it (``WorkerProcess.worker_id``): if that process dies, the
    # job is failed and its upload deleted (see :mod:`legemiddel.core.workers`).
    worker_id = models.CharField(_("worker"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def kind_label(self) -> str:
        """What the file was, in words (the kind's label), for the job lists."""
        from legemiddel.core import jobs

        return str(jobs.label(self.kind))

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}


class WorkerProcess(models.Model):
    """A running ``legemiddel worker`` process, beating every ``WORKER_HEARTBEAT_SECONDS``.

    A worker whose beat is older than ``WORKER_DEAD_AFTER_SECONDS`` (or, on the same host,
    whose process is gone) is dead: its running jobs are failed and their uploads deleted."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    # The process's start time as the kernel counts it (Linux), so a reused pid is not taken
    # for the worker that had it before.
    pid_started = models.BigIntegerField(_("process start"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    last_beat = models.DateTimeField(_("last heartbeat"), db_index=True)

    class Meta:
        verbose_name = _("background worker")
        verbose_name_plural = _("background workers")
        ordering = ["host", "pid"]

    def __str__(self) -> str:
        return f"{self.host}:{self.pid} ({self.worker_id})"


class AuditEvent(models.Model):
    """Append-only trail of security-relevant events, read by the auditor.

    Later capabilities add patient-level reads and price views here. No clear fødselsnummer
    ever goes into ``detail``: callers pass pseudonyms.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logged out")
        ACCESS_DENIED = "access_denied", _("Access denied")
        ROLES_CHANGED = "roles_changed", _("Roles changed")
        MEMBERSHIP_CHANGED = "membership_changed", _("Unit membership changed")
        IMPORT = "import", _("Data import")
        USER_CREATED = "user_created", _("User created")
        PRICE_VIEW = "price_view", _("Confidential prices viewed")
        PRICE_ACCESS = "price_access", _("Price access granted or revoked")
        AGREEMENT = "agreement", _("Agreement changed or published")
        NOTICE = "notice", _("Notice sent")
        PERSONAL_DATA_VIEW = "personal_data_view", _("Personal data viewed")
        BACKUP = "backup", _("Backup or restore")
        RETENTION = "retention", _("Old log entries deleted")
        MEETING = "meeting", _("Meeting planned or changed")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("event"), max_length=40, choices=Action.choices, db_index=True)
    path = models.CharField(_("address"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=1000, blank=True)
    # What was read or changed, as a reference the auditor can filter on ("forskriver:9100001",
    # "enhet:12"); never a clear fødselsnummer.
    target = models.CharField(_("object"), max_length=200, blank=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        # The table kept its name when the trail moved from accounts to the base.
        db_table = "accounts_auditevent"
        indexes = [models.Index(fields=["user", "-at"], name="audit_user_time")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"


class OutboxEvent(models.Model):
    """Something that changed, announced in the transaction that changed it (an import, a
    publication), and processed after commit by a background job that calls the listeners
    (see :mod:`legemiddel.core.outbox`). Lower layers announce; higher layers listen."""

    topic = models.CharField(_("topic"), max_length=60, db_index=True)
    payload = models.JSONField(_("what changed"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


class Lock(models.Model):
    """A named lock: a row that a transaction locks to keep others of the same name waiting
    (see :func:`legemiddel.core.locks.hold`)."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("lock")
        verbose_name_plural = _("locks")

    def __str__(self) -> str:
        return self.name


class MailDelivery(models.Model):
    """One e-mail to one person: the product's one log of what was sent, whatever sent it.

    The message itself is not kept, only who it went to, its subject and what happened, so the
    log never holds a confidential price or a clear fødselsnummer. ``ref`` names the domain
    record the e-mail belongs to (``notice:12``, ``alert:2026-05``); the domain row points here.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    ref = models.CharField(_("reference"), max_length=100, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("e-mail delivery")
        verbose_name_plural = _("e-mail deliveries")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref} → {self.email}: {self.status}"
