"""URL map. Every view here declares an access rule (see legemiddel.accounts.access)."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from legemiddel.accounts.access import LOGGED_IN, PUBLIC, access
from legemiddel.organisation.views import my_access


class AdminLoginRedirect(RedirectView):
    access_rule = PUBLIC
    pattern_name = "accounts:login"
    query_string = True


class MovedMeetingRedirect(RedirectView):
    """Start-up meetings moved from the agreements to governance (same ids): the links in
    invitations and e-mails sent before still lead to the meeting."""

    access_rule = LOGGED_IN
    pattern_name = "governance:meeting"
    permanent = True


admin.site.site_header = "Legemiddel – administrasjon"
admin.site.site_title = "Legemiddel"

urlpatterns = [
    path("", include("legemiddel.web.urls")),
    path("", include("legemiddel.accounts.urls")),
    path("min-tilgang/", my_access, name="my_access"),
    path("organisasjon/", include("legemiddel.organisation.urls")),
    path("katalog/", include("legemiddel.catalogue.urls")),
    path("forbruk/", include("legemiddel.usage.urls")),
    path("avtaler/moter/<int:meeting_id>/", MovedMeetingRedirect.as_view()),
    path("avtaler/", include("legemiddel.agreements.urls")),
    path("analyse/", include("legemiddel.analytics.urls")),
    path("funn/", include("legemiddel.findings.urls")),
    path("inntektskontroll/", include("legemiddel.coding.urls")),
    path("metoder/", include("legemiddel.methods.urls")),
    path("styring/", include("legemiddel.governance.urls")),
    path("api/v1/", include(("legemiddel.api.urls", "api-v1"), namespace="api-v1")),
    path("i18n/setlang/", access(PUBLIC)(set_language), name="set_language"),
    # One login page for everything, so throttling and the audit trail cover the admin too.
    path("admin/login/", AdminLoginRedirect.as_view()),
    path("admin/", admin.site.urls),
]
