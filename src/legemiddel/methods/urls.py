from django.urls import path

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
