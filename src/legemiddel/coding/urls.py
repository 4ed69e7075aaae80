from django.urls import path

from legemiddel.coding import views

app_name = "coding"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("ar/ny/", views.reporting_year, name="year_new"),
    path("ar/<int:year_id>/", views.reporting_year, name="year"),
]
