from django.contrib import admin

from legemiddel.findings.models import Finding


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ("kind", "category", "reference", "occurred_on", "org_unit", "status")
    list_filter = ("kind", "status")
    readonly_fields = ("kind", "source_key", "patient", "created_at", "resolved_at")
