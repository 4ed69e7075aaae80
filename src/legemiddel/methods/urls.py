from django.urls import path

from legemiddel.methods import specialty_views, version_views

app_name = "methods"

urlpatterns: list = [
    # --- import: the decision list's versions and what each changed ---
    path("versjoner/", version_views.imports, name="imports"),
    path("versjoner/<int:import_id>/", version_views.diff, name="diff"),
    path("fagomrader/", specialty_views.specialties, name="specialties"),
    path("fagomrader/<int:specialty_id>/", specialty_views.specialty, name="specialty"),
    # --- end import ---
]
