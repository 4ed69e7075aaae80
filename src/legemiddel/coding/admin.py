from django.contrib import admin

from legemiddel.coding.models import EpisodeImport, ReportingYear


@admin.register(ReportingYear)
class ReportingYearAdmin(admin.ModelAdmin):
    list_display = ("year", "unit_price", "isf_share", "correction_deadline")


@admin.register(EpisodeImport)
class EpisodeImportAdmin(admin.ModelAdmin):
    list_display = ("file_name", "period_start", "period_end", "episodes", "created_at")
    readonly_fields = [f.name for f in EpisodeImport._meta.fields]
