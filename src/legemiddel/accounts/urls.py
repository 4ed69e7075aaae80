from django.urls import path

from legemiddel.accounts import views

app_name = "accounts"
urlpatterns = [
    path("logg-inn/", views.LoginView.as_view(), name="login"),
    path("logg-ut/", views.LogoutView.as_view(), name="logout"),
    path("min-tilgang/", views.my_access, name="my_access"),
    path("revisjonslogg/", views.audit_log, name="audit"),
]
