from django.urls import path

from legemiddel.methods import specialty_views, version_views, views_register
from legemiddel.methods.views import lookup, questions

app_name = "methods"

urlpatterns: list = []

# --- lookup: the clinicians' look-up, the method page and questions to the core group -------
urlpatterns += [
    path("", lookup.lookup, name="lookup"),
    path("sok/", lookup.search, name="search"),
    path("<int:method_id>/", lookup.detail, name="detail"),
    path("sporsmal/", questions.questions, name="questions"),
]
# --- end lookup ----------------------------------------------------------------------------

# --- register (the core group's register and manage page) ---------------------------------
urlpatterns += [
    path("register/", views_register.register, name="register"),
    path("register/xlsx/", views_register.register_xlsx, name="register_xlsx"),
    path("register/ny/", views_register.method_new, name="method_new"),
    path("<int:pk>/behandle/", views_register.manage, name="manage"),
    # --- import: the decision list's versions and what each changed ---
    path("versjoner/", version_views.imports, name="imports"),
    path("versjoner/<int:import_id>/", version_views.diff, name="diff"),
    path("fagomrader/", specialty_views.specialties, name="specialties"),
    path("fagomrader/<int:specialty_id>/", specialty_views.specialty, name="specialty"),
    # --- end import ---
]
# --- end register ---------------------------------------------------------------------------
