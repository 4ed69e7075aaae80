"""Precomputed measure values: what the dashboards read (never the raw lines)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MeasureValue(models.Model):
    """One measure for one unit and month: numerator and (for shares) denominator.

    Mostly unit rows: clinics and the trust are sums of their units, added up when read. Rows
    without a unit (usage not yet mapped to a unit) are kept with ``org_unit`` empty so the
    trust total stays complete. A count of distinct patients does not add up (a patient
    treated in two units is one patient in their department), so such kinds also store a
    ``subtree`` row for every place above their units and for the trust (``org_unit`` empty):
    that row is the place's value as it stands and replaces the sum of the units below it.
    Rewritten as a whole by ``engine.measures_refresh``.
    """

    measure = models.CharField(_("measure"), max_length=120)
    month = models.DateField(_("month"))
    org_unit = models.ForeignKey(
        "organisation.OrgUnit",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    # HPR number of the prescriber, where the source names one (H-prescriptions); else empty.
    prescriber = models.CharField(_("prescriber (HPR)"), max_length=9, blank=True, default="")
    numerator = models.FloatField(_("numerator"), default=0)
    denominator = models.FloatField(_("denominator"), default=0)
    subtree = models.BooleanField(_("whole subtree"), default=False)

    class Meta:
        verbose_name = _("measure value")
        verbose_name_plural = _("measure values")
        indexes = [models.Index(fields=["measure", "month"], name="measure_month")]

    def __str__(self) -> str:
        return f"{self.measure} {self.month:%Y-%m} {self.org_unit_id}"


class PackageTotal(models.Model):
    """Use of one package at one unit over the last twelve data months (``recent``) or the
    twelve before: what the cost-driver page reads. Rewritten by the refresh."""

    org_unit = models.ForeignKey(
        "organisation.OrgUnit",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    package = models.ForeignKey(
        "catalogue.Package", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    recent = models.BooleanField(_("last twelve months"))
    ddd = models.FloatField(_("DDD"), default=0)
    amount = models.FloatField(_("amount (NOK)"), default=0)

    class Meta:
        verbose_name = _("package total")
        verbose_name_plural = _("package totals")

    def __str__(self) -> str:
        return f"{self.package_id} {self.org_unit_id} {'recent' if self.recent else 'before'}"


class MeasureRefresh(models.Model):
    """When the values were last computed, and from which data month."""

    at = models.DateTimeField(_("computed"), auto_now_add=True)
    seconds = models.FloatField(_("duration (s)"), default=0)
    rows = models.PositiveIntegerField(_("values"), default=0)
    latest_month = models.DateField(_("latest data month"), null=True)

    class Meta:
        verbose_name = _("measure refresh")
        verbose_name_plural = _("measure refreshes")
        get_latest_by = "at"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M}"


class AlertPreference(models.Model):
    """A unit leader's choice about the monthly e-mail (sent unless opted out)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_preference"
    )
    opted_out = models.BooleanField(_("no monthly e-mail"), default=False)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("alert preference")
        verbose_name_plural = _("alert preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {'av' if self.opted_out else 'på'}"


class AlertDelivery(models.Model):
    """The monthly e-mail to one person for one data month: at most one per month. What
    happened when it was sent is in the mail log (``mail``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_deliveries"
    )
    month = models.DateField(_("data month"))
    mail = models.OneToOneField(
        "core.MailDelivery",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("e-mail delivery"),
    )

    class Meta:
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")
        constraints = [
            models.UniqueConstraint(fields=["user", "month"], name="one_alert_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.month:%Y-%m}"
