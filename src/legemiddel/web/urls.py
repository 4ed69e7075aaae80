from django.urls import path

from legemiddel.web import help_pages, views

app_name = "web"
urlpatterns = [
    path("", views.start, name="start"),
    path("helse/", views.health, name="health"),
    # Browsers ask for /favicon.ico on pages without our frame (admin, downloads).
    path(
        "favicon.ico",
        views.FaviconRedirect.as_view(),
        name="favicon",
    ),
    path("jobber/", views.job_list, name="jobs"),
    path("jobber/<int:job_id>/", views.job_detail, name="job"),
    path("jobber/<int:job_id>/feil.csv", views.job_errors_csv, name="job_errors"),
    path("hjelp/", help_pages.help_index, name="help"),
    path("hjelp/ordliste/", help_pages.glossary, name="glossary"),
    path("hjelp/format/<str:key>/", help_pages.format_page, name="format"),
    path(
        "hjelp/format/<str:key>/mal.<str:fmt>", help_pages.format_template, name="format_template"
    ),
]
