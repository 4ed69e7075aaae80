"""The decision list's versions: each import (who, when, counts) and what it changed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from legemiddel.accounts.access import Roles, access, request_user
from legemiddel.core import jobs
from legemiddel.methods.models import Specialty
from legemiddel.methods.specialty_views import MAPPERS
from legemiddel.methods.versions import (
    READERS,
    get_method_import_for_user,
    import_diff,
    method_imports,
)

VERSION_READERS = Roles(*READERS)


@access(VERSION_READERS)
def imports(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    context = {
        "versions": method_imports()[:200],
        "can_import": jobs.get("metoder").allows(user),
        "unmapped": Specialty.objects.filter(units__isnull=True).count(),
        "specialties": Specialty.objects.count(),
        "can_map": MAPPERS.allows(user),
    }
    return render(request, "methods/versions.html", context)


@access(VERSION_READERS)
def diff(request: HttpRequest, import_id: int) -> HttpResponse:
    batch = get_method_import_for_user(request_user(request), import_id)
    return render(request, "methods/diff.html", {"diff": import_diff(batch), "batch": batch})
