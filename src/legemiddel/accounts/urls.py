from django.urls import path

from legemiddel.accounts import views
from legemiddel.accounts.oidc import views as oidc_views

app_name = "accounts"
urlpatterns = [
    path("logg-inn/", views.LoginView.as_view(), name="login"),
    path("logg-ut/", views.LogoutView.as_view(), name="logout"),
    path("logg-inn/sso/", oidc_views.OidcLoginView.as_view(), name="oidc_login"),
    path("logg-inn/sso/svar/", oidc_views.OidcCallbackView.as_view(), name="oidc_callback"),
    path("revisjonslogg/", views.audit_log, name="audit"),
    path("revisjonslogg.<str:fmt>", views.audit_log_table, name="audit_table"),
]
