"""Users, unit memberships and the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from legemiddel.accounts.roles import Role
from legemiddel.lib.validators import hpr_validator

if TYPE_CHECKING:
    from legemiddel.organisation.models import OrgUnit


class User(AbstractUser):
    """A person who logs in. Roles are groups; unit scope comes from :class:`UnitMembership`."""

    hpr_number = models.CharField(
        _("HPR number"),
        max_length=9,
        blank=True,
        validators=[hpr_validator],
        help_text=_("Health personnel register number, for health personnel."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def role_values(self) -> frozenset[str]:
        """The user's role values, read once per user object (one query)."""
        cached: frozenset[str] | None = getattr(self, "_role_cache", None)
        if cached is None:
            valid = set(Role.values)
            cached = frozenset(
                name for name in self.groups.values_list("name", flat=True) if name in valid
            )
            self._role_cache = cached
        return cached

    def has_role(self, *roles: Role | str) -> bool:
        if not self.is_active:
            return False
        mine = self.role_values()
        return any(str(role) in mine for role in roles)


class UnitMembership(models.Model):
    """Scopes a user to an organisational unit (and everything under it) for a role."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    org_unit: models.ForeignKey[OrgUnit] = models.ForeignKey(
        "organisation.OrgUnit",
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

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("event"), max_length=40, choices=Action.choices, db_index=True)
    path = models.CharField(_("address"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="audit_user_time")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"
