"""LIS agreements: the register, price access and distribution of notices (the start-up
meetings live in governance).

Confidential unit prices (Public Administration Act §13) live in exactly two places:
:attr:`AgreementLine.lis_price` and the ``price`` entries of :attr:`AgreementChange.changes`.
Nothing else stores them, and only :mod:`legemiddel.agreements.pricing` hands them to a page,
after checking the reader's :class:`PriceAccessGrant`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legemiddel.core.models import MailDelivery
from legemiddel.organisation.models import code_validator


class TherapeuticArea(models.Model):
    """A therapeutic area LIS tenders for (e.g. «TNF BIO»), with who the notices concern."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    units = models.ManyToManyField(
        "organisation.OrgUnit",
        blank=True,
        related_name="therapeutic_areas",
        verbose_name=_("units using the area"),
        help_text=_(
            "Leaders of these units (and the departments above) and the doctors working there "
            "receive the area's notices."
        ),
    )
    specialists = models.ManyToManyField(
        "organisation.HealthPersonnel",
        blank=True,
        related_name="therapeutic_areas",
        verbose_name=_("contract specialists"),
    )

    class Meta:
        verbose_name = _("therapeutic area")
        verbose_name_plural = _("therapeutic areas")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Agreement(models.Model):
    """One LIS recommendation (tender result) for an area and region, over a period."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    area = models.ForeignKey(
        TherapeuticArea,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("therapeutic area"),
    )
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(
        _("LIS reference"), max_length=60, blank=True, help_text=_("E.g. the tender number.")
    )
    region = models.CharField(
        _("region"), max_length=200, help_text=_("E.g. Helse Vest + Helse Midt-Norge.")
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    extended_to = models.DateField(
        _("extended to"), null=True, blank=True, help_text=_("Leave empty unless extended.")
    )
    conditions = models.TextField(_("conditions"), blank=True)
    comment = models.TextField(_("comment"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    # The published version's number; 0 while never published.
    version = models.PositiveIntegerField(_("version"), default=0)
    # Changes since the last publication (the portal still shows the published version).
    has_unpublished_changes = models.BooleanField(_("unpublished changes"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["area__name", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="agreement_period_ordered"
            ),
            models.CheckConstraint(
                condition=models.Q(extended_to__isnull=True)
                | models.Q(extended_to__gt=models.F("end")),
                name="agreement_extension_after_end",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def effective_end(self) -> dt.date:
        return self.extended_to or self.end

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The agreement cannot end before it starts.")})
        if self.extended_to and self.end and self.extended_to <= self.end:
            raise ValidationError({"extended_to": _("An extension must go beyond the end.")})

    def is_current(self, on: dt.date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.status == self.Status.PUBLISHED and self.start <= day <= self.effective_end


class AgreementLine(models.Model):
    """A product in an agreement, ranked for an indication group and patient group."""

    class PatientGroup(models.TextChoices):
        ALL = "all", _("All patients")
        NEW = "new", _("New patients")
        SWITCH = "switch", _("Switching")

    class CostBasis(models.TextChoices):
        DDD = "ddd", _("Per DDD")
        YEAR = "year", _("Per year")
        COURSE = "course", _("Per course")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="lines")
    package = models.ForeignKey(
        "catalogue.Package",
        on_delete=models.PROTECT,
        related_name="agreement_lines",
        verbose_name=_("package"),
    )
    indication_group = models.CharField(_("indication group"), max_length=200)
    patient_group = models.CharField(
        _("patient group"), max_length=10, choices=PatientGroup.choices, default=PatientGroup.ALL
    )
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("1 is first choice."))
    # Confidential. Per pack, excluding VAT. Read it only through legemiddel.agreements.pricing.
    lis_price = models.DecimalField(
        _("LIS unit price"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    valid_from = models.DateField(
        _("ranked from"), null=True, blank=True, help_text=_("Empty: from the agreement's start.")
    )
    valid_to = models.DateField(
        _("ranked to"), null=True, blank=True, help_text=_("Empty: to the agreement's end.")
    )
    cost_basis = models.CharField(
        _("cost per"), max_length=8, choices=CostBasis.choices, default=CostBasis.DDD
    )
    packs_per_period = models.DecimalField(
        _("packs per year or course"),
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("From the dosing; needed for cost per year or per course."),
    )
    dosing = models.CharField(_("dosing"), max_length=200, blank=True)
    conditions = models.CharField(_("conditions"), max_length=500, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("agreement line")
        verbose_name_plural = _("agreement lines")
        ordering = ["agreement", "indication_group", "patient_group", "rank", "valid_from"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rank__gte=1), name="line_rank_positive"),
            models.CheckConstraint(
                condition=models.Q(lis_price__isnull=True) | models.Q(lis_price__gte=0),
                name="line_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indication_group} {self.rank}: {self.package_id}"

    @property
    def starts(self) -> dt.date:
        return self.valid_from or self.agreement.start

    @property
    def ends(self) -> dt.date:
        return self.valid_to or self.agreement.effective_end

    def valid_on(self, day: dt.date) -> bool:
        return self.starts <= day <= self.ends


class AgreementChange(models.Model):
    """Who changed what in an agreement, and when. Append-only.

    ``changes`` is a list of ``{"field", "label", "old", "new", "price"}``; entries with
    ``price`` true hold confidential values and are shown only with price access.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    summary = models.CharField(_("what"), max_length=300)
    changes = models.JSONField(_("changes"), default=list)
    # A deliberate correction back in time (past months' figures move), with its reason;
    # ordinary changes to a published agreement apply from a day on and never do.
    correction = models.BooleanField(_("correction back in time"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    # The version the change went into the portal with (set when published).
    published_in = models.PositiveIntegerField(_("published in version"), null=True, blank=True)

    class Meta:
        verbose_name = _("agreement change")
        verbose_name_plural = _("agreement changes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.summary}"


class AgreementVersion(models.Model):
    """What was published: the recommendations as the portal showed them (never prices)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    note = models.TextField(_("what changed"), blank=True)
    # The public recommendation at publication: agreement fields and ranked lines, no prices.
    snapshot = models.JSONField(_("published content"), default=dict)

    class Meta:
        verbose_name = _("published version")
        verbose_name_plural = _("published versions")
        ordering = ["agreement", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agreement} v{self.number}"


class PriceAccessGrant(models.Model):
    """Access to confidential LIS prices for one person, for a service need, until a date."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="price_grants",
        verbose_name=_("user"),
    )
    reason = models.CharField(_("service need"), max_length=500)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    expires_on = models.DateField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.CharField(_("why revoked"), max_length=500, blank=True)
    # The day the expiry reminder went out: one reminder per grant.
    reminded_on = models.DateField(_("expiry reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("price access grant")
        verbose_name_plural = _("price access grants")
        ordering = ["-granted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} → {self.expires_on}"

    def is_active(self, on: dt.date | None = None) -> bool:
        return self.revoked_at is None and (on or timezone.localdate()) <= self.expires_on


class PriceAccessRequest(models.Model):
    """A person's request for access to confidential prices, stating the service need.

    The source document shares prices "on request with staff who have a service need": the
    procurement adviser grants (making a :class:`PriceAccessGrant`) or declines with a reason.
    A person has at most one open request.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("awaits decision")
        GRANTED = "granted", _("granted")
        DECLINED = "declined", _("declined")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="price_requests",
        verbose_name=_("user"),
    )
    need = models.CharField(_("service need"), max_length=500)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    renewal_of = models.ForeignKey(
        PriceAccessGrant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("renews"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decline_reason = models.CharField(_("why declined"), max_length=500, blank=True)
    grant = models.OneToOneField(
        PriceAccessGrant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="request",
        verbose_name=_("grant"),
    )

    class Meta:
        verbose_name = _("price access request")
        verbose_name_plural = _("price access requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="open"),
                name="one_open_price_request_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.status})"


class Notice(models.Model):
    """The e-mail telling the area's people about a published agreement or change (no prices)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Awaiting approval")
        SENT = "sent", _("Sent")
        DISCARDED = "discarded", _("Discarded")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="notices")
    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="notices")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("drafted"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    """One recipient of a notice: who and why. What happened when it was sent is in the mail
    log (``mail``), written once the notice is approved; people without an address get none."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        NO_ADDRESS = "no_address", _("No e-mail address")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    reason = models.CharField(_("why"), max_length=300)
    mail = models.OneToOneField(
        "core.MailDelivery",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("e-mail delivery"),
    )

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["notice", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def status(self) -> str:
        if not self.email:
            return self.Status.NO_ADDRESS
        if self.mail is None or self.mail.status == MailDelivery.Status.QUEUED:
            return self.Status.PENDING
        return self.Status(self.mail.status)

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)
