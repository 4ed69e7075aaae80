"""Usage data: what was bought (SLS), dispensed (H-resept) and given or prescribed (DIPS).

Every fact row belongs to an :class:`ImportBatch` that says where it came from. Patients are
stored only as keyed pseudonyms (see :mod:`legemiddel.lib.pseudonym`); a clear fødselsnummer
never reaches these tables. Dashboards read :class:`MonthlyUsage`, a cube refreshed after each
import; patient-level facts stay in their own tables.

Fact tables carry few indexes on purpose: they are written a million rows at a time. For the
same reason their foreign keys have no database constraint (PostgreSQL would check each of them
for every row at commit, which costs more than the load itself): the import only writes
references it has just looked up, and ``PROTECT``/``CASCADE`` still hold in Django.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    SLS = "sls", _("Sales statistics (SLS)")
    HRESEPT = "hresept", _("H-prescriptions (Helfo)")
    DIPS = "dips", _("Administrations (DIPS)")
    DIPS_RESEPT = "dipsresept", _("E-prescriptions (DIPS)")


class ImportBatch(models.Model):
    """One imported file: its source, the period it covers and what happened to its rows."""

    class Status(models.TextChoices):
        LOADED = "loaded", _("Loaded")
        PARTLY = "partly", _("Loaded, some rows rejected")
        REPLACED = "replaced", _("Replaced by a later file")
        # SQLite: written in short transactions, not yet visible (see HiddenMonth).
        LOADING = "loading", _("Importing")

    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.LOADED
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_accepted = models.PositiveIntegerField(_("rows accepted"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    rows_replaced = models.PositiveIntegerField(_("earlier rows replaced"), default=0)
    # Rejected rows (only when the valid rows were accepted): row, column, value, reason.
    rejects = models.JSONField(_("rejected rows"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)
    seconds = models.FloatField(_("duration (s)"), default=0)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.period_start:%Y-%m}–{self.period_end:%Y-%m}"


class HiddenMonth(models.Model):
    """Fact rows of one month that no reader may see: not yet, or no longer.

    On SQLite (one writer at a time) an import writes its rows in many short transactions, so
    that other users' writes wait a moment instead of the whole import, and one short final
    transaction makes the file visible at once. Until then its months are hidden here:

    - ``loading``: the rows of ``batch`` in ``month`` are still being imported;
    - ``superseded``: ``batch`` replaced the month; the rows of every other batch in ``month``
      are being deleted (in short transactions too).

    An import removes what a stopped import left behind before it starts. Every reader of a fact
    table filters with :func:`legemiddel.usage.selectors.visible_facts_sql`. PostgreSQL imports
    in one transaction and never writes here; the table is empty while no import runs.
    """

    class Kind(models.TextChoices):
        LOADING = "loading", "loading"
        SUPERSEDED = "superseded", "superseded"

    source = models.CharField(max_length=20, choices=Source.choices)
    month = models.DateField()
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The batch's rows have ids from here on, every earlier batch's rows ids below it: the month
    # index (month, id) then finds either without reading the other's rows.
    first_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["source", "month"], name="hidden_month_source_month")]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "month"],
                condition=models.Q(kind="superseded"),
                name="hidden_month_one_superseded",
            ),
            models.UniqueConstraint(
                fields=["batch", "month"],
                condition=models.Q(kind="loading"),
                name="hidden_month_one_loading",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.month:%Y-%m} {self.kind} {self.batch_id}"


# Fields the fact tables share. The foreign keys are neither indexed nor constrained (see above).


def _batch() -> models.ForeignKey[ImportBatch]:
    return models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, db_index=False, db_constraint=False, related_name="+"
    )


def _org_unit() -> models.ForeignKey[Any]:
    return models.ForeignKey(
        "organisation.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        db_index=False,
        db_constraint=False,
        related_name="+",
    )


def _package(*, null: bool = False) -> models.ForeignKey[Any]:
    return models.ForeignKey(
        "catalogue.Package",
        on_delete=models.PROTECT,
        null=null,
        db_index=False,
        db_constraint=False,
        related_name="+",
    )


def _patient() -> models.CharField[str, str]:
    return models.CharField(_("patient (pseudonym)"), max_length=64, db_index=True)


class SalesLine(models.Model):
    """A sales statistics line: a customer's purchases of one package in one month."""

    batch = _batch()
    month = models.DateField(_("month"))  # first day of the month; index: migration 0003
    customer = models.CharField(_("customer number"), max_length=40)
    org_unit = _org_unit()
    package = _package()
    quantity = models.FloatField(_("packs"))
    amount = models.FloatField(_("amount excl. VAT (NOK)"))
    ddd = models.FloatField(_("DDD"), null=True)
    ddd_computed = models.BooleanField(_("DDD from FEST"), default=False)
    usage_group = models.CharField(_("usage area"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("sales line")
        verbose_name_plural = _("sales lines")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.customer} {self.package_id}"


class Dispensing(models.Model):
    """An H-prescription dispensing at a pharmacy (Helfo)."""

    batch = _batch()
    dispensed_on = models.DateField(_("dispensed"))
    month = models.DateField(_("month"))  # index: migration 0003
    patient = _patient()
    package = _package()
    quantity = models.FloatField(_("packs"))
    amount = models.FloatField(_("amount (NOK)"))
    refund_code = models.CharField(_("refund code (ICD-10)"), max_length=10, blank=True)
    prescriber_hpr = models.CharField(_("prescriber HPR"), max_length=9, blank=True)
    prescribed_on = models.DateField(_("prescribed"), null=True)
    pharmacy = models.CharField(_("pharmacy"), max_length=200, blank=True)
    org_unit = _org_unit()
    ddd = models.FloatField(_("DDD"), null=True)

    class Meta:
        verbose_name = _("H-prescription dispensing")
        verbose_name_plural = _("H-prescription dispensings")

    def __str__(self) -> str:
        return f"{self.dispensed_on} {self.package_id}"


class Administration(models.Model):
    """A drug administration in hospital (DIPS), with the episode's reported codes."""

    batch = _batch()
    administered_on = models.DateField(_("administered"))
    month = models.DateField(_("month"))  # index: migration 0003
    patient = _patient()
    unit_code = models.CharField(_("unit code"), max_length=40)
    org_unit = _org_unit()
    atc = models.CharField(_("ATC code"), max_length=7, blank=True)
    package = _package(null=True)
    dose = models.FloatField(_("dose"), null=True)
    dose_unit = models.CharField(_("dose unit"), max_length=20, blank=True)
    episode = models.CharField(_("episode"), max_length=40)
    diagnosis_codes = models.CharField(_("diagnosis codes (ICD-10)"), max_length=200, blank=True)
    procedure_codes = models.CharField(_("procedure codes"), max_length=200, blank=True)
    atc_codes = models.CharField(_("reported ATC codes"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("administration")
        verbose_name_plural = _("administrations")

    def __str__(self) -> str:
        return f"{self.administered_on} {self.atc or self.package_id}"


class EPrescription(models.Model):
    """An e-prescription written in DIPS."""

    batch = _batch()
    prescribed_on = models.DateField(_("prescribed"))
    month = models.DateField(_("month"))  # index: migration 0003
    patient = _patient()
    prescriber_hpr = models.CharField(_("prescriber HPR"), max_length=9)
    unit_code = models.CharField(_("unit code"), max_length=40, blank=True)
    org_unit = _org_unit()
    atc = models.CharField(_("ATC code"), max_length=7, blank=True)
    package = _package(null=True)
    dosage = models.CharField(_("dosage"), max_length=200, blank=True)
    quantity = models.FloatField(_("packs"), null=True)

    class Meta:
        verbose_name = _("e-prescription")
        verbose_name_plural = _("e-prescriptions")

    def __str__(self) -> str:
        return f"{self.prescribed_on} {self.atc or self.package_id}"


class CodeMapping(models.Model):
    """How a code in a source file maps to ours: an old or local item number to a FEST package,
    or a customer number to a unit. Made on the mapping page when an import meets an unknown code."""

    class Kind(models.TextChoices):
        VARENR = "varenr", _("Item number")
        CUSTOMER = "customer", _("Customer number / cost centre")
        UNIT = "unit", _("Unit code")

    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("code in the file"), max_length=40)
    package = models.ForeignKey(
        "catalogue.Package", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    org_unit = models.ForeignKey(
        "organisation.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("code mapping")
        verbose_name_plural = _("code mappings")
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "code"], name="code_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.code}"


class UnknownCode(models.Model):
    """A code an import could not map, waiting on the mapping page (removed once mapped)."""

    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=CodeMapping.Kind.choices)
    code = models.CharField(_("code in the file"), max_length=40)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    example = models.CharField(_("example from the file"), max_length=300, blank=True)
    file_name = models.CharField(_("last seen in"), max_length=255, blank=True)
    last_seen = models.DateTimeField(_("last seen"), auto_now=True)

    class Meta:
        verbose_name = _("unknown code")
        verbose_name_plural = _("unknown codes")
        ordering = ["source", "kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "code"], name="unknown_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.code}"


class MonthlyUsage(models.Model):
    """The cube dashboards read: month x unit x package (or ATC) x source."""

    month = models.DateField(_("month"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    # Derived from the fact rows, written in bulk: no database constraint (see the module).
    # Dashboards read by source and month; fewer indexes keep the refresh fast.
    org_unit = _org_unit()
    package = _package(null=True)
    atc = models.CharField(_("ATC code"), max_length=7, blank=True)
    quantity = models.FloatField(_("packs"), default=0)
    amount = models.FloatField(_("amount (NOK)"), default=0)
    ddd = models.FloatField(_("DDD"), default=0)
    patients = models.PositiveIntegerField(_("distinct patients"), default=0)
    rows = models.PositiveIntegerField(_("fact rows"), default=0)

    class Meta:
        verbose_name = _("monthly usage")
        verbose_name_plural = _("monthly usage")
        indexes = [models.Index(fields=["source", "month"], name="cube_source_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.source} {self.org_unit_id} {self.package_id}"
