"""Income control (ISF coding): what was reported to NPR, the year's figures, and the match of
each administration of a listed drug to its coded episode.

Episodes come from the episode file (see docs/formats/episoder.md), one row per code; patients
as the same keyed pseudonym as usage data. Episode and code rows are written in bulk and carry
no foreign-key constraints (as usage's fact tables).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EpisodeImport(models.Model):
    """One imported episode file: the months it covers and what happened to its rows."""

    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_accepted = models.PositiveIntegerField(_("rows accepted"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    episodes = models.PositiveIntegerField(_("episodes"), default=0)
    episodes_replaced = models.PositiveIntegerField(_("earlier episodes replaced"), default=0)
    # Of those, the episodes replaced by id in months the file does not cover.
    episodes_superseded = models.PositiveIntegerField(
        _("earlier versions of the same episodes replaced"), default=0
    )
    rejects = models.JSONField(_("rejected rows"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("episode import")
        verbose_name_plural = _("episode imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class ContactType(models.TextChoices):
    INPATIENT = "inpatient", _("Inpatient")
    DAY = "day", _("Day patient")
    OUTPATIENT = "outpatient", _("Outpatient")


class Episode(models.Model):
    """An episode as reported to NPR."""

    batch = models.ForeignKey(
        EpisodeImport,
        on_delete=models.CASCADE,
        db_index=False,
        db_constraint=False,
        related_name="+",
    )
    episode_ref = models.CharField(_("episode id"), max_length=40)
    patient = models.CharField(_("patient (pseudonym)"), max_length=64)
    unit_code = models.CharField(_("unit code"), max_length=40)
    org_unit = models.ForeignKey(
        "organisation.OrgUnit",
        on_delete=models.PROTECT,
        db_index=False,
        db_constraint=False,
        related_name="+",
    )
    contact_type = models.CharField(_("contact type"), max_length=12, choices=ContactType.choices)
    start_at = models.DateTimeField(_("start"))
    end_at = models.DateTimeField(_("end"))
    start_day = models.DateField(_("start date"))
    end_day = models.DateField(_("end date"))
    month = models.DateField(_("month"))
    hpr = models.CharField(_("responsible HPR"), max_length=9, blank=True)

    class Meta:
        verbose_name = _("episode")
        verbose_name_plural = _("episodes")
        indexes = [
            models.Index(fields=["episode_ref"], name="episode_ref"),
            models.Index(fields=["patient", "start_day"], name="episode_patient_day"),
            models.Index(fields=["month"], name="episode_month"),
        ]

    def __str__(self) -> str:
        return self.episode_ref


class CodeSystem(models.TextChoices):
    ICD10 = "ICD10", "ICD-10"
    NCMP = "NCMP", "NCMP"
    NCSP = "NCSP", "NCSP"
    ATC = "ATC", "ATC"
    SAERKODE = "S", _("Særkode")


class EpisodeCode(models.Model):
    """One code on an episode. ``atc`` is the drug it stands for: the code itself for an ATC
    code, the mapped ATC code for a særkode (the rules' dated mapping), else empty."""

    episode_ref = models.CharField(max_length=40)
    month = models.DateField()
    system = models.CharField(_("code system"), max_length=5, choices=CodeSystem.choices)
    code = models.CharField(_("code"), max_length=20)
    main = models.BooleanField(_("main code"), default=False)
    atc = models.CharField(_("ATC code"), max_length=7, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["episode_ref", "atc"], name="episodecode_atc"),
            models.Index(fields=["episode_ref", "code"], name="episodecode_code"),
            models.Index(fields=["month"], name="episodecode_month"),
            models.Index(fields=["atc"], name="episodecode_drug"),
        ]

    def __str__(self) -> str:
        return f"{self.episode_ref} {self.system} {self.code}"


class ReportingYear(models.Model):
    """The year's ISF figures and correction deadline: dated data the core group keeps."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    unit_price = models.FloatField(_("unit price (NOK)"), null=True, blank=True)
    isf_share = models.FloatField(_("ISF share (0–1)"), null=True, blank=True)
    correction_deadline = models.DateField(_("correction deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporting year")
        verbose_name_plural = _("reporting years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class Outcome(models.IntegerChoices):
    NO_EPISODE = 0, _("No episode at all")
    NO_DRUG_CODE = 1, _("Episode without the drug code")
    NO_PROCEDURE = 2, _("Drug code without the procedure code")
    CODED = 3, _("Coded")


class Match(models.Model):
    """The best episode for one administration under one rule (derived, rewritten by SQL)."""

    rule = models.CharField(max_length=80)
    administration_id = models.BigIntegerField()
    patient = models.CharField(max_length=64)
    org_unit_id = models.IntegerField(null=True)
    administered_on = models.DateField()
    month = models.DateField()
    atc = models.CharField(max_length=7)
    reference = models.CharField(max_length=40, blank=True)  # the DIPS episode id on the row
    episode_ref = models.CharField(max_length=40, blank=True)  # the matched episode, if any
    outcome = models.PositiveSmallIntegerField(choices=Outcome.choices)
    dips_differs = models.BooleanField(default=False)
    amount = models.FloatField(null=True)

    class Meta:
        indexes = [models.Index(fields=["month", "org_unit_id"], name="match_month_unit")]

    def __str__(self) -> str:
        return f"{self.rule} {self.administration_id} {self.outcome}"
