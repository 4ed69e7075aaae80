from django.urls import path

from legemiddel.agreements.views import followup, portal, register, requests

app_name = "agreements"
urlpatterns = [
    path("", portal.portal, name="portal"),
    path("omrade/<str:code>/", portal.portal_area, name="portal_area"),
    path("anbefalinger.<str:fmt>", portal.portal_export, name="portal_export"),
    path("register/", register.register, name="register"),
    path("register/ny/", register.agreement_new, name="new"),
    path("register/<int:agreement_id>/", register.agreement_detail, name="detail"),
    path("register/<int:agreement_id>/endre/", register.agreement_edit, name="edit"),
    path("register/<int:agreement_id>/import/", register.agreement_import, name="import"),
    path("register/<int:agreement_id>/linje/ny/", register.line_edit, name="line_new"),
    path("register/<int:agreement_id>/linje/<int:line_id>/", register.line_edit, name="line_edit"),
    path(
        "register/<int:agreement_id>/linje/<int:line_id>/rett/",
        register.line_correct,
        name="line_correct",
    ),
    path(
        "register/<int:agreement_id>/linje/<int:line_id>/slett/",
        register.line_delete,
        name="line_delete",
    ),
    path("register/<int:agreement_id>/publiser/", register.agreement_publish, name="publish"),
    path(
        "register/<int:agreement_id>/versjon/<int:number>/",
        register.version_detail,
        name="version",
    ),
    path("register/<int:agreement_id>/priser/", register.prices, name="prices"),
    path(
        "register/<int:agreement_id>/priser.<str:fmt>",
        register.prices_export,
        name="prices_export",
    ),
    path("pristilgang/", register.grants, name="grants"),
    path("pristilgang/<int:grant_id>/trekk-tilbake/", register.grant_revoke, name="revoke"),
    path("pristilgang/be-om/", requests.price_request, name="price_request"),
    path("pristilgang/foresporsler/", requests.price_requests, name="price_requests"),
    path(
        "pristilgang/foresporsler/<int:request_id>/gi/",
        requests.price_request_grant,
        name="price_request_grant",
    ),
    path(
        "pristilgang/foresporsler/<int:request_id>/avsla/",
        requests.price_request_decline,
        name="price_request_decline",
    ),
    path("utsendelser/", followup.notices, name="notices"),
    path("utsendelser/<int:notice_id>/", followup.notice, name="notice"),
    path("utsendelser/<int:notice_id>/send/", followup.notice_send, name="notice_send"),
    path("utsendelser/<int:notice_id>/forkast/", followup.notice_discard, name="notice_discard"),
    path(
        "utsendelser/mottaker/<int:delivery_id>/send-igjen/",
        followup.delivery_resend,
        name="resend",
    ),
]
