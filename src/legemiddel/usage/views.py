"""Usage data pages: import batches, rejected rows, and the mapping of unknown codes.

No page here shows patient-level rows; batches hold counts and (masked) row errors only.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from legemiddel.accounts.access import Roles, access, request_user
from legemiddel.accounts.roles import Role
from legemiddel.core import jobs
from legemiddel.core.downloads import csv_response
from legemiddel.usage.access import get_batch_for_user, get_unknown_code_for_user
from legemiddel.usage.forms import MappingForm
from legemiddel.usage.models import CodeMapping, ImportBatch, Source, UnknownCode
from legemiddel.usage.selectors import latest_month
from legemiddel.usage.services import code_map

DATA_STEWARDS = Roles(Role.ADMINISTRATOR, Role.CORE_GROUP, Role.CONTROLLER, Role.PHARMACY)
MAPPERS = Roles(Role.ADMINISTRATOR, Role.CORE_GROUP)


@access(DATA_STEWARDS)
def batches(request: HttpRequest) -> HttpResponse:
    """Every imported usage file with its period and row counts; the newest month per source."""
    source = request.GET.get("kilde", "")
    listed = ImportBatch.objects.select_related("created_by")
    if source in Source.values:
        listed = listed.filter(source=source)
    latest = [(s, latest_month(s.value)) for s in Source]
    context = {
        "batches": listed[:200],
        "sources": Source.choices,
        "source": source,
        "latest": latest,
        "unknown_count": UnknownCode.objects.count(),
        # The link to the mapping page only for those it opens for; the others see the count.
        "can_map": MAPPERS.allows(request.user),
        "can_import": jobs.any_allowed(request.user),
    }
    return render(request, "usage/batches.html", context)


@access(DATA_STEWARDS)
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, batch_id)
    return render(request, "usage/batch.html", {"batch": batch})


@access(DATA_STEWARDS)
def batch_rejects_csv(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, batch_id)
    return csv_response(
        f"avviste-rader-{batch.pk}",
        ["rad", "kolonne", "verdi", "feil"],
        ((r["row"], r["column"], r["value"], r["message"]) for r in batch.rejects),
    )


@access(MAPPERS)
def mappings(request: HttpRequest) -> HttpResponse:
    """Codes imports could not map, each with a form to map it; and the mappings made."""
    user = request_user(request)
    if request.method == "POST":
        unknown = get_unknown_code_for_user(user, request.POST.get("unknown_id", ""))
        form = MappingForm(request.POST, kind=unknown.kind)
        if form.is_valid():
            code_map(
                source=unknown.source,
                kind=unknown.kind,
                code=unknown.code,
                actor=user,
                package=form.cleaned_data.get("package"),
                org_unit=form.cleaned_data.get("org_unit")
                if unknown.kind != CodeMapping.Kind.VARENR
                else None,
            )
            messages.success(
                request,
                _("%(code)s is mapped. Import the file again to load its rows.")
                % {"code": unknown.code},
            )
            return redirect("usage:mappings")
        failed = (unknown.pk, form)
    else:
        failed = None
    unknown_codes = []
    for code in UnknownCode.objects.all():
        form = (
            failed[1]
            if failed and failed[0] == code.pk
            else MappingForm(initial={"unknown_id": code.pk}, kind=code.kind)
        )
        unknown_codes.append((code, form))
    done = CodeMapping.objects.select_related("package", "org_unit", "created_by").order_by(
        "-created_at"
    )[:100]
    return render(request, "usage/mappings.html", {"unknown_codes": unknown_codes, "done": done})
