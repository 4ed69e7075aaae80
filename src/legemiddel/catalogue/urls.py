from django.urls import path

from legemiddel.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("", views.search, name="search"),
    path("pakning/<str:varenr>/", views.package, name="package"),
    path("virkestoff/<str:fest_id>/", views.substance, name="substance"),
    path("atc/", views.atc, name="atc_root"),
    path("atc/<str:code>/", views.atc, name="atc"),
    path("lastinger/", views.loads, name="loads"),
]
