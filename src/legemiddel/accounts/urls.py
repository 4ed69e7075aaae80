from django.urls import path

from legemiddel.accounts import views

app_name = "accounts"
urlpatterns = [
    path("logg-inn/", views.LoginView.as_view(), name="login"),
    path("logg-ut/", views.LogoutView.as_view(), name="logout"),
    path("revisjonslogg/", views.audit_log, name="audit"),
    path("revisjonslogg.<str:fmt>", views.audit_log_table, name="audit_table"),
]
