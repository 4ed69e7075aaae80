"""The REST API, version 1, with its OpenAPI document at /api/v1/openapi.json and docs at
/api/v1/docs. Every endpoint requires a logged-in session; the access rule for the whole
namespace is declared in ``legemiddel.accounts.access.NAMESPACE_RULES``."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import django_auth

from legemiddel.agreements.api import router as agreements_router
from legemiddel.catalogue.api import router as catalogue_router

api = NinjaAPI(
    title="Legemiddel API",
    version="1",
    description=(
        "Read access to the drug catalogue (FEST): packages by item number (varenr), "
        "search, ATC groups and substances; and the LIS recommendations in force, without "
        "prices. Sign in through the web application; the API "
        "uses the same session and the same access rules."
    ),
    urls_namespace="api-v1",
    auth=django_auth,
)
api.add_router("/catalogue/", catalogue_router)
api.add_router("/agreements/", agreements_router)

urlpatterns = [*api.urls[0]]
