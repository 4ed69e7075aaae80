from django.urls import path

from legemiddel.findings import views

app_name = "findings"
urlpatterns = [
    path("", views.worklist_page, name="worklist"),
    path("arbeidsliste.xlsx", views.worklist_xlsx, name="worklist_xlsx"),
    path("<int:finding_id>/", views.finding_page, name="finding"),
]
