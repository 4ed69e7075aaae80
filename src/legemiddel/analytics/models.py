"""Precomputed measure values: what the dashboards read (never the raw lines)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeasureValue(models.Model):
    """One measure for one unit and month: numerator and (for shares) denominator.

    Unit rows only; clinics and the trust are sums of their units, added up when read. Rows
    without a unit (usage not yet mapped to a unit) are kept with ``org_unit`` empty so the
    trust total stays complete. Rewritten as a whole by ``engine.measures_refresh``.
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

    class Meta:
        verbose_name = _("measure value")
        verbose_name_plural = _("measure values")
        indexes = [models.Index(fields=["measure", "month"], name="measure_month")]

    def __str__(self) -> str:
        return f"{self.measure} {self.month:%Y-%m} {self.org_unit_id}"


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
