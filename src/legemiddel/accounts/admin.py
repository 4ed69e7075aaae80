from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from legemiddel.accounts.models import AuditEvent, UnitMembership, User
from legemiddel.accounts.services import audit_record, user_sync_admin_flags


class UnitMembershipInline(admin.TabularInline):
    model = UnitMembership
    extra = 0
    autocomplete_fields = ["org_unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [UnitMembershipInline]
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
        if any(fs.has_changed() for fs in formsets):
            audit_record(
                action=AuditEvent.Action.MEMBERSHIP_CHANGED,
                request=request,
                detail=f"{form.instance.username}: enhetsmedlemskap endret i administrasjonen",
            )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only, also for administrators."""

    list_display = ["at", "username", "action", "path", "ip_address", "detail"]
    list_filter = ["action"]
    search_fields = ["username", "detail"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
