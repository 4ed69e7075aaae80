from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from legemiddel.accounts.models import ExternalIdentity, User
from legemiddel.accounts.services import user_sync_admin_flags
from legemiddel.core.audit import audit_record
from legemiddel.core.models import AuditEvent


class ExternalIdentityInline(admin.TabularInline):
    """How the user logs in through the identity provider. Read-only: deleting a row lets the
    next login with that identity match by HPR number or e-mail again (OIDC_USER_MATCH)."""

    model = ExternalIdentity
    extra = 0
    fields = ("issuer", "subject", "created_at", "last_login")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [ExternalIdentityInline]
    list_display = [
        "username",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "is_staff",
        "role_list",
    ]
    list_filter = ["is_active", "is_staff", "groups"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Health personnel"), {"fields": ["hpr_number"]}),
    )

    @admin.display(description=_("roles"))
    def role_list(self, obj: User) -> str:
        return ", ".join(sorted(obj.role_values()))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        before = set(form.instance.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(form.instance.groups.values_list("name", flat=True))
        user_sync_admin_flags(user=form.instance)
        if before != after:
            audit_record(
                action=AuditEvent.Action.ROLES_CHANGED,
                request=request,
                detail=f"{form.instance.username}: {', '.join(sorted(before))} -> {', '.join(sorted(after))}",
            )
