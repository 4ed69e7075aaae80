"""The national drug catalogue (FEST) as the rest of the product refers to it.

Packages are keyed by FEST ``Varenr`` (six digits, leading zeros kept) because sales statistics,
H-resept reports and agreements all name packages that way. Other FEST entries are keyed by their
FEST ``Id``. Nothing here is ever deleted: an entry FEST withdraws is *retired* (``active`` off),
because last year's usage data still points at it. Prices are kept per type with their validity
periods as history; a new FEST file adds periods and never overwrites older ones.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from legemiddel.catalogue.atc import ATC_LENGTHS, ATC_PATTERN, atc_ancestors, atc_level

__all__ = ["ATC_LENGTHS", "ATC_PATTERN", "atc_ancestors", "atc_level"]

FEST_ID_LENGTH = 60


class FestLoad(models.Model):
    """One FEST file loaded into the catalogue: when FEST produced it and what it changed."""

    retrieved_at = models.DateTimeField(_("retrieved from FEST"), db_index=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("loaded by"),
    )
    forced = models.BooleanField(_("older file forced in"), default=False)
    counts = models.JSONField(_("counts"), default=dict)
    seconds = models.FloatField(_("duration (s)"), default=0)

    class Meta:
        verbose_name = _("FEST load")
        verbose_name_plural = _("FEST loads")
        ordering = ["-loaded_at", "-id"]
        get_latest_by = "loaded_at"

    def __str__(self) -> str:
        return f"FEST {self.retrieved_at:%Y-%m-%d %H:%M} ({self.file_name})"

    @property
    def changed(self) -> int:
        return sum(
            v for k, v in self.counts.items() if k.endswith(("_created", "_updated", "_retired"))
        )


class AtcCode(models.Model):
    """A node of the ATC hierarchy. Levels 1-4 are derived from the codes FEST uses."""

    class NameSource(models.TextChoices):
        NONE = "", _("No name")
        FEST = "fest", _("FEST")
        FILE = "file", _("ATC file")

    code = models.CharField(_("ATC code"), max_length=7, primary_key=True)
    level = models.PositiveSmallIntegerField(_("level"))
    name = models.CharField(_("name"), max_length=300, blank=True)
    name_source = models.CharField(
        _("name from"), max_length=4, choices=NameSource.choices, blank=True
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )

    class Meta:
        verbose_name = _("ATC code")
        verbose_name_plural = _("ATC codes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    @property
    def ancestors(self) -> list[str]:
        return atc_ancestors(self.code)[:-1]


class FestEntry(models.Model):
    """Fields every FEST entry carries: its id, the entry's timestamp and whether it is active."""

    fest_id = models.CharField(_("FEST id"), max_length=FEST_ID_LENGTH, primary_key=True)
    fest_timestamp = models.DateTimeField(_("FEST timestamp"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True, db_index=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    # Hash of everything imported into the row: a re-import writes only rows whose hash changed.
    content_hash = models.CharField(max_length=32, editable=False)

    class Meta:
        abstract = True


class Substance(FestEntry):
    """An active substance (virkestoff)."""

    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    search_key = models.CharField(max_length=700, editable=False, db_index=True)

    class Meta:
        verbose_name = _("substance")
        verbose_name_plural = _("substances")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Brand(FestEntry):
    """A brand with form and strength (legemiddelmerkevare), e.g. «Humira inj 40 mg»."""

    trade_name = models.CharField(_("trade name"), max_length=300)
    name_form_strength = models.CharField(_("name, form and strength"), max_length=500)
    form = models.CharField(_("pharmaceutical form"), max_length=300, blank=True)
    atc = models.ForeignKey(
        AtcCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="brands",
        verbose_name=_("ATC code"),
    )
    prescription_group = models.CharField(_("prescription group"), max_length=10, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=300, blank=True)
    substances = models.ManyToManyField(
        Substance, through="BrandSubstance", related_name="brands", verbose_name=_("substances")
    )

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name_form_strength"]

    def __str__(self) -> str:
        return self.name_form_strength


class BrandSubstance(models.Model):
    """Which substances (in FEST's order) a brand contains."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="substance_links")
    substance = models.ForeignKey(Substance, on_delete=models.PROTECT, related_name="brand_links")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["brand", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "substance"], name="brand_substance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.brand_id} – {self.substance_id}"


class ExchangeGroup(FestEntry):
    """A group of packages pharmacies may substitute for each other (byttegruppe)."""

    code = models.CharField(_("code"), max_length=50, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("exchange group")
        verbose_name_plural = _("exchange groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code or self.fest_id


class RefundGroup(FestEntry):
    """A refund group under a refund basis (refusjonshjemmel), with its diagnosis codes."""

    group_no = models.CharField(_("group number"), max_length=50, blank=True)
    basis_code = models.CharField(_("refund basis code"), max_length=20, blank=True)
    basis = models.CharField(_("refund basis"), max_length=300, blank=True)
    atc = models.ForeignKey(
        AtcCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refund_groups",
        verbose_name=_("ATC code"),
    )
    is_h_resept = models.BooleanField(_("H-prescription"), default=False)

    class Meta:
        verbose_name = _("refund group")
        verbose_name_plural = _("refund groups")
        ordering = ["group_no"]

    def __str__(self) -> str:
        return f"{self.group_no} ({self.basis})" if self.basis else self.group_no


class RefundCode(models.Model):
    """A diagnosis code (ICD-10 or ICPC-2) that gives refund within a refund group."""

    group = models.ForeignKey(RefundGroup, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(_("code"), max_length=20, db_index=True)
    system = models.CharField(_("code system"), max_length=60, blank=True)
    term = models.CharField(_("term"), max_length=500, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund code")
        verbose_name_plural = _("refund codes")
        ordering = ["group", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.term}".strip()


class Package(models.Model):
    """A package (legemiddelpakning) identified by its Varenr."""

    varenr = models.CharField(_("item number"), max_length=6, primary_key=True)
    fest_id = models.CharField(_("FEST id"), max_length=FEST_ID_LENGTH, unique=True)
    fest_timestamp = models.DateTimeField(_("FEST timestamp"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True, db_index=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    content_hash = models.CharField(max_length=32, editable=False)

    ean = models.CharField(_("EAN"), max_length=14, blank=True, db_index=True)
    name_form_strength = models.CharField(_("name, form and strength"), max_length=500)
    atc = models.ForeignKey(
        AtcCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="packages",
        verbose_name=_("ATC code"),
    )
    brand = models.ForeignKey(
        Brand,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="packages",
        verbose_name=_("brand"),
    )
    exchange_group = models.ForeignKey(
        ExchangeGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="packages",
        verbose_name=_("exchange group"),
    )
    form = models.CharField(_("pharmaceutical form"), max_length=300, blank=True)
    prescription_group = models.CharField(_("prescription group"), max_length=10, blank=True)
    pack_size = models.DecimalField(
        _("pack size"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    pack_unit = models.CharField(_("pack unit"), max_length=60, blank=True)
    pack_type = models.CharField(_("pack type"), max_length=200, blank=True)
    ddd = models.DecimalField(_("DDD"), max_digits=16, decimal_places=6, null=True, blank=True)
    ddd_unit = models.CharField(_("DDD unit"), max_length=20, blank=True)
    ddd_per_pack = models.DecimalField(
        _("DDDs per pack (statistics factor)"),
        max_digits=16,
        decimal_places=6,
        null=True,
        blank=True,
    )
    marketed_from = models.DateField(_("marketed from"), null=True, blank=True)
    is_h_resept = models.BooleanField(_("H-prescription drug"), default=False, db_index=True)
    refund_groups = models.ManyToManyField(
        RefundGroup, through="PackageRefund", related_name="packages", verbose_name=_("refund")
    )
    # Folded name, varenr, EAN, ATC and substance names: one indexed column to search.
    search_key = models.CharField(max_length=1500, editable=False)

    class Meta:
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        ordering = ["name_form_strength", "varenr"]

    def __str__(self) -> str:
        return f"{self.name_form_strength} ({self.varenr})"


class PackageRefund(models.Model):
    """A package's membership in a refund group, as FEST dates it."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="refund_links")
    group = models.ForeignKey(RefundGroup, on_delete=models.PROTECT, related_name="package_links")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["package", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "group", "valid_from"], name="package_refund_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.package_id} – {self.group_id}"


class Price(models.Model):
    """A public price of a package for one period. History: older periods are never overwritten."""

    class Type(models.TextChoices):
        AIP = "AIP", _("Pharmacy purchase price (AIP)")
        AUP = "AUP", _("Pharmacy retail price (AUP)")
        STEP = "TRINN", _("Step price (trinnpris)")
        REFUND = "REFUSJON", _("Refund price")
        OTHER = "ANNEN", _("Other price")

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="prices")
    type = models.CharField(_("price type"), max_length=10, choices=Type.choices)
    # What the file said, kept because files have been seen with type codes swapped.
    type_code = models.CharField(_("type code in file"), max_length=10, blank=True)
    type_label = models.CharField(_("type label in file"), max_length=100, blank=True)
    amount = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="NOK")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    first_load = models.ForeignKey(
        FestLoad, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["package", "type", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "type", "valid_from"], name="price_period_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.package_id} {self.type} {self.amount} fra {self.valid_from}"
