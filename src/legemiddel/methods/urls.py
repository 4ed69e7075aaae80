from django.urls import path

from legemiddel.methods import specialty_views, version_views, views_register

app_name = "methods"

urlpatterns: list = [
    # --- register (the core group's register and manage page) ---
    path("register/", views_register.register, name="register"),
    path("register/xlsx/", views_register.register_xlsx, name="register_xlsx"),
    path("register/ny/", views_register.method_new, name="method_new"),
    path("<int:pk>/behandle/", views_register.manage, name="manage"),
    # --- end register ---
    # --- import: the decision list's versions and what each changed ---
    path("versjoner/", version_views.imports, name="imports"),
    path("versjoner/<int:import_id>/", version_views.diff, name="diff"),
    path("fagomrader/", specialty_views.specialties, name="specialties"),
    path("fagomrader/<int:specialty_id>/", specialty_views.specialty, name="specialty"),
    # --- end import ---
]
