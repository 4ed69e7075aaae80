from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from legemiddel.methods.models import MethodImport, Specialty

# --- import: specialties mapped to units (who hears of changed decisions), and the versions ---


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ("name", "mapped_units")
    search_fields = ("name",)
    filter_horizontal = ("units",)

    @admin.display(description=_("units"))
    def mapped_units(self, obj: Specialty) -> str:
        return ", ".join(unit.name for unit in obj.units.all()) or "–"

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).prefetch_related("units")


@admin.register(MethodImport)
class MethodImportAdmin(admin.ModelAdmin):
    list_display = ("file_name", "created_at", "rows_read", "methods_new", "methods_changed")
    readonly_fields = [f.name for f in MethodImport._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


# --- end import ---
