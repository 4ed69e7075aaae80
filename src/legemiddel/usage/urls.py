from django.urls import path

from legemiddel.usage import views

app_name = "usage"
urlpatterns = [
    path("", views.batches, name="batches"),
    path("parti/<int:batch_id>/", views.batch_detail, name="batch"),
    path("parti/<int:batch_id>/avviste.csv", views.batch_rejects_csv, name="batch_rejects"),
    path("koblinger/", views.mappings, name="mappings"),
]
