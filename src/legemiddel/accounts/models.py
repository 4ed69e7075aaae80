"""Users and their roles (unit memberships live in organisation, the audit trail in core)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from legemiddel.accounts.roles import Role
from legemiddel.lib.validators import hpr_validator


class User(AbstractUser):
    """A person who logs in. Roles are groups; unit scope comes from organisation's ``UnitMembership``."""

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


class ExternalIdentity(models.Model):
    """The stable identity a user logs in with at an identity provider: the issuer and the
    subject (``sub``) of its ID tokens. A subject is unique only within its issuer."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.CharField(_("issuer"), max_length=300)
    subject = models.CharField(_("subject identifier"), max_length=255)
    created_at = models.DateTimeField(_("first login"), auto_now_add=True)
    last_login = models.DateTimeField(_("last login"), null=True, blank=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="external_identity_unique_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} @ {self.issuer}"
