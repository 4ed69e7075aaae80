"""Administration of therapeutic areas (who notices concern).

Agreements, lines, price grants and notices are deliberately not here: their pages keep the
history, the audit trail and the price gate, which the generic admin would bypass.
"""

from django.contrib import admin

from legemiddel.agreements.models import TherapeuticArea


@admin.register(TherapeuticArea)
class TherapeuticAreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    filter_horizontal = ["units", "specialists"]
