from django.urls import path

from legemiddel.organisation import views

app_name = "organisation"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("enhet/<int:unit_id>/", views.unit_detail, name="unit"),
    path("helsepersonell/", views.personnel, name="personnel"),
    path("helsefellesskap/", views.sites, name="sites"),
]
