from django.urls import path

from legemiddel.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.index, name="index"),
    path("oversikt.<str:fmt>", views.index_table, name="index_table"),
    path("varsel/", views.alert, name="alert"),
    path("kostnadsdrivere/", views.drivers, name="drivers"),
    path("kostnadsdrivere.<str:fmt>", views.drivers_table, name="drivers_table"),
    path("<str:key>/", views.measure, name="measure"),
    path("<str:key>/graf.<str:fmt>", views.measure_chart, name="measure_chart"),
    path("<str:key>/tabell.<str:fmt>", views.measure_table, name="measure_table"),
    path("<str:key>/forskrivere.<str:fmt>", views.measure_prescribers, name="measure_prescribers"),
]
