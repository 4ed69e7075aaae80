from django.urls import path

from legemiddel.governance import views

app_name = "governance"

urlpatterns = [
    path("", views.meetings, name="meetings"),
    path("fora/<int:forum_id>/", views.forum, name="forum"),
    path("fora/ny/", views.forum_new, name="forum_new"),
    path("moter/ny/", views.meeting_new, name="meeting_new"),
    path("moter/<int:meeting_id>/", views.meeting, name="meeting"),
    path("moter/<int:meeting_id>/invitasjon.ics", views.meeting_invitation, name="meeting_ics"),
    path("moter/<int:meeting_id>/send/", views.meeting_send, name="meeting_send"),
    path("moter/<int:meeting_id>/avlys/", views.meeting_cancel, name="meeting_cancel"),
    path("vedlegg/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("mine-tiltak/", views.my_actions, name="my_actions"),
    path("tiltak/<int:action_id>/utfort/", views.action_done, name="action_done"),
]
