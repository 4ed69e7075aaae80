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
