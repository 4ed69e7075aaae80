from django.urls import path

from legemiddel.methods import views_register

app_name = "methods"

urlpatterns: list = [
    # --- register (the core group's register and manage page) ---
    path("register/", views_register.register, name="register"),
    path("register/xlsx/", views_register.register_xlsx, name="register_xlsx"),
    path("register/ny/", views_register.method_new, name="method_new"),
    path("<int:pk>/behandle/", views_register.manage, name="manage"),
    # --- end register ---
]
