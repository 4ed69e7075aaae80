from django.urls import path

from legemiddel.methods import version_views

app_name = "methods"

urlpatterns: list = [
    # --- import: the decision list's versions and what each changed ---
    path("versjoner/", version_views.imports, name="imports"),
    path("versjoner/<int:import_id>/", version_views.diff, name="diff"),
    # --- end import ---
]
