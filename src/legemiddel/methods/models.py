"""Decisions in Nye metoder: the national list of methods and decisions, each import kept as a
version, what the core group understands and links for each method, clinicians' questions and
the expected budget of an introduction.

A method's identity is its ID (stored as ``ID2019_073``/``ID2021_110A``) and its indication
(``Bruksområde (indikasjon)``): one ID can have several rows for different indications. The list
itself holds no patient data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MethodType(models.TextChoices):
    DRUG = "drug", _("Drugs")
    DEVICE = "device", _("Medical devices, diagnostics and tests")
    PROCEDURE = "procedure", _("Procedures and organisational measures")


class DecisionStatus(models.TextChoices):
    INTRODUCED = "introduced", _("Introduced")
    CONDITIONS = "conditions", _("Introduced with conditions")
    NOT_INTRODUCED = "not_introduced", _("Not introduced")
    ASSESSMENT = "assessment", _("Under assessment")
    OTHER = "other", _("Other")


# Statuses under which a new patient may not be started: use after the decision is a finding.
NOT_ALLOWED = (DecisionStatus.NOT_INTRODUCED, DecisionStatus.ASSESSMENT)


class MethodImport(models.Model):
    """One imported decision list (the public XLSX, or a CSV of the same columns): a version."""

    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    methods_new = models.PositiveIntegerField(_("new methods"), default=0)
    methods_changed = models.PositiveIntegerField(_("changed decisions"), default=0)
    methods_removed = models.PositiveIntegerField(_("removed rows"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision list import")
        verbose_name_plural = _("decision list imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class Method(models.Model):
    """A method and indication as the latest list has it, with what the core group added."""

    method_id = models.CharField(_("ID"), max_length=20)  # "ID2019_073", "ID2021_110A"
    indication = models.TextField(_("indication"))
    # The indication folded (case, spaces) for the identity and for search; set by services.
    indication_key = models.CharField(max_length=64, editable=False)
    substance_text = models.CharField(_("substance"), max_length=500, blank=True)
    trade_names = models.CharField(_("trade name"), max_length=500, blank=True)
    method_type = models.CharField(
        _("method type"), max_length=12, choices=MethodType.choices, default=MethodType.DRUG
    )
    method_type_text = models.CharField(_("method type in the list"), max_length=200, blank=True)
    specialty = models.CharField(_("specialty"), max_length=200, blank=True)
    decision_date = models.DateField(_("date of latest decision"), null=True, blank=True)
    decision_short = models.TextField(_("current decision, short version"))
    decision_full = models.TextField(_("current decision (full)"), blank=True)
    # In the latest imported list (False: removed from it, or added by hand).
    listed = models.BooleanField(_("in the latest list"), default=True)
    manual = models.BooleanField(_("added by hand"), default=False)
    first_import = models.ForeignKey(
        MethodImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_import = models.ForeignKey(
        MethodImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("decision changed"), null=True, blank=True)

    # Understanding the decision: suggested from the text, confirmed or corrected by a person.
    suggested_status = models.CharField(
        _("suggested status"), max_length=20, choices=DecisionStatus.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=DecisionStatus.choices, blank=True
    )  # empty until confirmed
    status_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("confirmed by"),
    )  # fmt: skip
    status_confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    price_condition = models.BooleanField(_("on condition of the price"), default=False)
    effective_from = models.DateField(_("may be used from"), null=True, blank=True)
    effective_note = models.CharField(_("may be used from (text)"), max_length=300, blank=True)

    # Links: FEST substances, ATC codes, the LIS area, the indication as ICD-10 codes.
    substances = models.ManyToManyField(
        "catalogue.Substance", through="MethodSubstance", blank=True, related_name="+"
    )
    atc_codes = models.CharField(
        _("ATC codes"), max_length=300, blank=True, help_text=_("Separated by spaces.")
    )
    area = models.ForeignKey(
        "agreements.TherapeuticArea", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("LIS area"),
    )  # fmt: skip
    icd10 = models.CharField(
        _("ICD-10 codes of the indication"),
        max_length=500,
        blank=True,
        help_text=_("Codes or code ranges separated by spaces, e.g. «C50 C34.0-C34.9»."),
    )
    # What a person set by hand, which linking never overwrites (see methods.linking).
    substances_by_hand = models.BooleanField(_("substances picked by hand"), default=False)
    links_by_hand = models.BooleanField(_("ATC codes and LIS area set by hand"), default=False)
    icd10_by_hand = models.BooleanField(_("ICD-10 codes set by hand"), default=False)
    # A substance name in the list matched several FEST substances, or none: a person picks.
    substance_pick_needed = models.BooleanField(_("substance must be picked"), default=False)

    class Meta:
        verbose_name = _("method")
        verbose_name_plural = _("methods")
        ordering = ["method_id", "indication_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["method_id", "indication_key"], name="method_identity_unique"
            )
        ]
        indexes = [models.Index(fields=["method_type", "status"], name="method_type_status")]

    def __str__(self) -> str:
        return f"{self.method_id} {self.substance_text}".strip()

    @property
    def effective_status(self) -> str:
        """The confirmed status, or the suggestion while nobody has confirmed it."""
        return self.status or self.suggested_status


class MethodRow(models.Model):
    """A row of one imported list as it was (the 9 columns, normalised): the versions' diff."""

    batch = models.ForeignKey(MethodImport, on_delete=models.CASCADE, related_name="rows")
    method_id = models.CharField(max_length=20)
    indication_key = models.CharField(max_length=64)
    row_number = models.PositiveIntegerField()
    data = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["batch", "method_id"], name="methodrow_batch")]

    def __str__(self) -> str:
        return f"{self.method_id} ({self.batch_id})"


class MethodSubstance(models.Model):
    """A method linked to a FEST substance, found by name or picked by a person."""

    class Source(models.TextChoices):
        NAME = "name", _("By name")
        MANUAL = "manual", _("Picked by hand")

    method = models.ForeignKey(Method, on_delete=models.CASCADE, related_name="substance_links")
    substance = models.ForeignKey("catalogue.Substance", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.NAME)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["method", "substance"], name="method_substance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.method_id} {self.substance_id}"


class Specialty(models.Model):
    """A specialty (fagområde) in the list, mapped to the trust's units: who hears of changes."""

    name = models.CharField(_("specialty"), max_length=200, unique=True)
    units = models.ManyToManyField(
        "organisation.OrgUnit", blank=True, related_name="+", verbose_name=_("units")
    )

    class Meta:
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """A clinician asks the core group to clarify a decision; the answer is shown to the next."""

    method = models.ForeignKey(Method, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(_("question"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    asked_at = models.DateTimeField(_("asked"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-asked_at", "-id"]

    def __str__(self) -> str:
        return self.text[:40]


class BudgetExpectation(models.Model):
    """What the core group expects an introduced method to cost in a year, and for how many."""

    method = models.ForeignKey(Method, on_delete=models.CASCADE, related_name="budgets")
    year = models.PositiveSmallIntegerField(_("year"))
    expected_cost = models.DecimalField(
        _("expected cost (NOK)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    expected_patients = models.PositiveIntegerField(_("expected patients"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("budget expectation")
        verbose_name_plural = _("budget expectations")
        ordering = ["method", "year"]
        constraints = [
            models.UniqueConstraint(fields=["method", "year"], name="budget_method_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.method_id} {self.year}"
