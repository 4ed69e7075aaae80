from django.urls import path

from legemiddel.methods import budget_views

app_name = "methods"

urlpatterns: list = []

# --- compliance: the budget impact of introduced methods ------------------------------------
urlpatterns += [
    path("budsjett/", budget_views.budget_list, name="budget"),
    path("<int:pk>/budsjett/", budget_views.budget_method, name="budget_method"),
    path("<int:pk>/budsjett.<str:fmt>", budget_views.budget_table, name="budget_table"),
]
