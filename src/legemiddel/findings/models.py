"""Findings: one thing a control found wrong, with the work done on it until it is resolved.

A finding is produced by a control (its ``kind``) from a source record, identified by a
``source_key`` stable across re-imports; the control refreshes its findings in bulk
(:func:`legemiddel.findings.services.findings_refresh`). People then work on them: status,
reason, assignee and comments, every change in the audit trail. Patient-level: a finding
holds a pseudonym and DIPS references, never a fødselsnummer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

NO_DEADLINE = dt.date(9999, 12, 31)


class Finding(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CORRECTED = "corrected", _("Corrected")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")
        DISPUTED = "disputed", _("Disputed")
        # Closed with one of the resolutions its kind declares (``FindingKind.resolutions``);
        # a refresh leaves it as people decided, like "not applicable".
        RESOLVED = "resolved", _("Resolved")

    kind = models.CharField(_("kind"), max_length=40)
    source_key = models.CharField(_("source record"), max_length=200)
    rule = models.CharField(_("rule"), max_length=80)
    category = models.CharField(_("finding"), max_length=40)
    org_unit = models.ForeignKey(
        "organisation.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        db_index=False,  # read with the status (finding_totals); written in bulk
        db_constraint=False,
        related_name="+",
        verbose_name=_("unit"),
    )
    occurred_on = models.DateField(_("date"))
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    subject = models.CharField(_("drug"), max_length=40, blank=True)
    patient = models.CharField(_("patient (pseudonym)"), max_length=64, blank=True)
    prescriber = models.CharField(
        _("prescriber (HPR)"), max_length=9, blank=True, default="", db_default=""
    )
    amount = models.FloatField(_("estimated income at risk (NOK)"), null=True)
    deadline = models.DateField(_("correction deadline"), null=True)
    # The deadline for sorting: the same date, or the end of time when there is none (one
    # index serves "nearest deadline first" on both databases, which sort NULL differently).
    due = models.DateField(default=NO_DEADLINE, editable=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    reason = models.TextField(_("reason"), blank=True)
    # For kinds that declare their own resolutions: which one closed the finding, and what it
    # refers to (e.g. the approved exception's case number).
    resolution = models.CharField(
        _("resolution"), max_length=40, blank=True, default="", db_default=""
    )
    resolution_reference = models.CharField(
        _("resolution reference"), max_length=120, blank=True, default="", db_default=""
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,  # filtered with the status only; written in bulk
        related_name="+",
        verbose_name=_("assignee"),
    )
    # Whether the finding is still produced by the latest refresh of its control.
    present = models.BooleanField(default=True)
    created_at = models.DateTimeField(_("found"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_key"], name="finding_source_unique")
        ]
        indexes = [
            models.Index(fields=["status", "due", "occurred_on", "id"], name="finding_worklist"),
            models.Index(fields=["status", "org_unit", "amount"], name="finding_totals"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference} {self.occurred_on}"

    @property
    def category_label(self) -> Any:
        from legemiddel.findings.kinds import get_kind

        kind = get_kind(self.kind)
        return kind.category_label(self.category) if kind else self.category

    @property
    def resolution_label(self) -> Any:
        from legemiddel.findings.kinds import get_kind

        kind = get_kind(self.kind)
        return kind.resolution_label(self.resolution) if kind else self.resolution


class FindingComment(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Candidate(models.Model):
    """Staging for a refresh: what a control finds now, written in bulk by SQL and compared
    with the findings already there. Emptied by each refresh."""

    kind = models.CharField(max_length=40)
    source_key = models.CharField(max_length=200)
    rule = models.CharField(max_length=80)
    category = models.CharField(max_length=40)
    org_unit_id = models.IntegerField(null=True)
    occurred_on = models.DateField()
    reference = models.CharField(max_length=120, blank=True)
    subject = models.CharField(max_length=40, blank=True)
    patient = models.CharField(max_length=64, blank=True)
    prescriber = models.CharField(max_length=9, blank=True, default="", db_default="")
    amount = models.FloatField(null=True)
    deadline = models.DateField(null=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "source_key"], name="candidate_key")]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_key}"
