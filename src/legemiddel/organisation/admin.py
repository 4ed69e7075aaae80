from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from legemiddel.accounts.admin import UserAdmin
from legemiddel.accounts.models import User
from legemiddel.core.audit import audit_record
from legemiddel.core.models import AuditEvent
from legemiddel.organisation.models import (
    Affiliation,
    CostCentre,
    ExternalSite,
    HealthPersonnel,
    HealthTrust,
    OrgUnit,
    UnitMembership,
)
from legemiddel.organisation.services import org_unit_save, personnel_save


@admin.register(HealthTrust)
class HealthTrustAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "org_number", "region"]
    search_fields = ["code", "name"]


class CostCentreInline(admin.TabularInline):
    model = CostCentre
    extra = 0
    fields = ["trust", "code", "name"]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "path", "active"]
    list_filter = ["trust", "level", "active"]
    search_fields = ["name", "code", "path"]
    readonly_fields = ["path"]
    autocomplete_fields = ["parent"]
    inlines = [CostCentreInline]

    def save_model(self, request: HttpRequest, obj: OrgUnit, form: Any, change: bool) -> None:
        org_unit_save(unit=obj)


@admin.register(CostCentre)
class CostCentreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "org_unit", "trust"]
    search_fields = ["code", "name", "org_unit__name"]
    autocomplete_fields = ["org_unit"]


@admin.register(ExternalSite)
class ExternalSiteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "municipality", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["municipality"]


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ["org_unit", "site"]


@admin.register(HealthPersonnel)
class HealthPersonnelAdmin(admin.ModelAdmin):
    list_display = ["name", "hpr_number", "category", "is_specialist"]
    list_filter = ["category", "is_specialist"]
    search_fields = ["search_key", "hpr_number"]
    inlines = [AffiliationInline]
    autocomplete_fields = ["user"]

    def save_model(
        self, request: HttpRequest, obj: HealthPersonnel, form: Any, change: bool
    ) -> None:
        personnel_save(person=obj)


class UnitMembershipInline(admin.TabularInline):
    model = UnitMembership
    extra = 0
    autocomplete_fields = ["org_unit"]


class UserWithMembershipsAdmin(UserAdmin):
    """The user admin with the units the user is scoped to (memberships are organisation's)."""

    inlines = [*UserAdmin.inlines, UnitMembershipInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if any(fs.has_changed() for fs in formsets):
            audit_record(
                action=AuditEvent.Action.MEMBERSHIP_CHANGED,
                request=request,
                detail=f"{form.instance.username}: enhetsmedlemskap endret i administrasjonen",
            )


admin.site.unregister(User)
admin.site.register(User, UserWithMembershipsAdmin)
