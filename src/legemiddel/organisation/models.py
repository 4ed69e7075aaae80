"""The trust's organisation and the health community around it.

Inside the trust: health trust (HF) -> hospital/clinic -> department -> unit, each node an
:class:`OrgUnit` with a materialised ``path`` so a subtree is one indexed prefix query.
Cost centres hang on org units (sales statistics arrive per cost centre / customer number).
Outside the trust: :class:`ExternalSite` (GP offices, contract-specialist offices, nursing
homes, municipalities). :class:`HealthPersonnel` (HPR number) work at either through
:class:`Affiliation`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from legemiddel.accounts.roles import Role
from legemiddel.lib.validators import hpr_validator

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
    _("Use letters A-Z, digits, dot, dash or underscore, starting with a letter or digit."),
)
org_number_validator = RegexValidator(r"^\d{9}$", _("An organisation number has 9 digits."))
municipality_number_validator = RegexValidator(r"^\d{4}$", _("A municipality number has 4 digits."))


class HealthTrust(models.Model):
    """A health trust (helseforetak), e.g. Helse Bergen HF."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(
        _("organisation number"), max_length=9, blank=True, validators=[org_number_validator]
    )
    region = models.CharField(_("regional health authority"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("health trust")
        verbose_name_plural = _("health trusts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrgUnit(models.Model):
    """A node in the trust's hierarchy: hospital/clinic, department or unit."""

    class Level(models.IntegerChoices):
        CLINIC = 1, _("Hospital/clinic")
        DEPARTMENT = 2, _("Department")
        UNIT = 3, _("Unit")

    trust = models.ForeignKey(HealthTrust, on_delete=models.PROTECT, related_name="org_units")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    # Codes from the clinic down, joined by "/": "MED/HJE/HJE-SENG". Maintained by services.
    path = models.CharField(max_length=400, editable=False, db_index=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "code"], name="orgunit_code_unique_in_trust"),
            models.UniqueConstraint(fields=["trust", "path"], name="orgunit_path_unique_in_trust"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.level == self.Level.CLINIC:
            if self.parent_id is not None:
                raise ValidationError(
                    {"parent": _("A hospital/clinic sits directly under the trust.")}
                )
        else:
            if self.parent is None:
                raise ValidationError({"parent": _("A department or unit needs a parent.")})
            if self.parent.level != self.level - 1:
                raise ValidationError(
                    {
                        "parent": _(
                            "The parent must be one level above (clinic > department > unit)."
                        )
                    }
                )
            if self.parent.trust_id != self.trust_id:
                raise ValidationError({"parent": _("The parent belongs to another trust.")})

    def compute_path(self) -> str:
        return f"{self.parent.path}/{self.code}" if self.parent else self.code

    def ancestors(self) -> list[OrgUnit]:
        """Parents from the clinic down (excluding self)."""
        chain: list[OrgUnit] = []
        node = self.parent
        while node is not None:
            chain.insert(0, node)
            node = node.parent
        return chain


class CostCentre(models.Model):
    """A cost centre (kostnadssted); sales statistics are reported per cost centre."""

    trust = models.ForeignKey(HealthTrust, on_delete=models.PROTECT, related_name="cost_centres")
    code = models.CharField(_("code"), max_length=20, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="cost_centres", verbose_name=_("unit")
    )

    class Meta:
        verbose_name = _("cost centre")
        verbose_name_plural = _("cost centres")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "code"], name="costcentre_code_unique_in_trust"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class ExternalSite(models.Model):
    """A place outside the trust in its health community."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        GP_OFFICE = "gp_office", _("GP office")
        SPECIALIST_OFFICE = "specialist_office", _("Contract-specialist office")
        NURSING_HOME = "nursing_home", _("Nursing home")
        OTHER = "other", _("Other")

    trust = models.ForeignKey(
        HealthTrust,
        on_delete=models.PROTECT,
        related_name="external_sites",
        verbose_name=_("health community of"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(
        _("organisation number"), max_length=9, blank=True, validators=[org_number_validator]
    )
    municipality_number = models.CharField(
        _("municipality number"),
        max_length=4,
        blank=True,
        validators=[municipality_number_validator],
    )
    municipality = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sites",
        limit_choices_to={"kind": "municipality"},
        verbose_name=_("municipality"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("external site")
        verbose_name_plural = _("external sites")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "code"], name="site_code_unique_in_trust")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == self.Kind.MUNICIPALITY and self.municipality_id is not None:
            raise ValidationError(
                {"municipality": _("A municipality does not lie in a municipality.")}
            )
        if self.municipality is not None and self.municipality.kind != self.Kind.MUNICIPALITY:
            raise ValidationError({"municipality": _("Choose a site of kind municipality.")})


class HealthPersonnel(models.Model):
    """A prescriber or other health personnel, identified by HPR number."""

    class Category(models.TextChoices):
        HOSPITAL_DOCTOR = "hospital_doctor", _("Hospital doctor")
        GP = "gp", _("General practitioner")
        CONTRACT_SPECIALIST = "contract_specialist", _("Contract specialist")
        NURSING_HOME_DOCTOR = "nursing_home_doctor", _("Nursing-home doctor")
        PHARMACIST = "pharmacist", _("Pharmacist")
        NURSE = "nurse", _("Nurse")
        OTHER = "other", _("Other")

    hpr_number = models.CharField(
        _("HPR number"), max_length=9, unique=True, validators=[hpr_validator]
    )
    name = models.CharField(_("name"), max_length=200)
    # fold(name + hpr): set by services.personnel_save; see legemiddel.lib.text.fold for why.
    search_key = models.CharField(max_length=250, editable=False, db_index=True, default="")
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    is_specialist = models.BooleanField(_("specialist approval"), default=False)
    # Where notices (new LIS agreements, changes) reach the person; contract specialists have
    # no user account here, so the address lives on the person.
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.OneToOneField(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="health_personnel",
        verbose_name=_("user account"),
    )

    class Meta:
        verbose_name = _("health personnel")
        verbose_name_plural = _("health personnel")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hpr_number})"


class Affiliation(models.Model):
    """Where a health professional works: an org unit in the trust or an external site."""

    person = models.ForeignKey(
        HealthPersonnel, on_delete=models.CASCADE, related_name="affiliations"
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="affiliations",
        verbose_name=_("unit"),
    )
    site = models.ForeignKey(
        ExternalSite,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="affiliations",
        verbose_name=_("external site"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(org_unit__isnull=False) & models.Q(site__isnull=True))
                | (models.Q(org_unit__isnull=True) & models.Q(site__isnull=False)),
                name="affiliation_exactly_one_place",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.org_unit or self.site}"

    @property
    def place(self) -> OrgUnit | ExternalSite | None:
        return self.org_unit or self.site


class UnitMembership(models.Model):
    """Scopes a user to an organisational unit (and everything under it) for a role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("unit"),
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("unit membership")
        verbose_name_plural = _("unit memberships")
        # The table kept its name when memberships moved from accounts to organisation.
        db_table = "accounts_unitmembership"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "org_unit", "role"], name="unique_membership_per_role"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="membership_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.org_unit}"
