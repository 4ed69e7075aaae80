from django.urls import path

from legemiddel.web import views

app_name = "web"
urlpatterns = [
    path("", views.start, name="start"),
    path("helse/", views.health, name="health"),
    path("jobber/", views.job_list, name="jobs"),
    path("jobber/<int:job_id>/", views.job_detail, name="job"),
    path("jobber/<int:job_id>/feil.csv", views.job_errors_csv, name="job_errors"),
]
