"""The core group maps the list's specialties to our units."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from legemiddel.accounts.access import Roles, access, request_user
from legemiddel.accounts.roles import Role
from legemiddel.methods.models import Specialty
from legemiddel.methods.specialties import SpecialtyUnitsForm, specialty_set_units

MAPPERS = Roles(Role.CORE_GROUP, Role.ADMINISTRATOR)


@access(MAPPERS)
def specialties(request: HttpRequest) -> HttpResponse:
    rows = Specialty.objects.prefetch_related("units").order_by("name")
    return render(request, "methods/specialties.html", {"specialties": rows})


@access(MAPPERS)
def specialty(request: HttpRequest, specialty_id: int) -> HttpResponse:
    found = get_object_or_404(Specialty, pk=specialty_id)
    form = SpecialtyUnitsForm(request.POST or None, initial={"units": list(found.units.all())})
    if request.method == "POST" and form.is_valid():
        specialty_set_units(
            specialty=found, units=form.cleaned_data["units"], actor=request_user(request)
        )
        messages.success(request, _("Saved."))
        return redirect("methods:specialties")
    return render(request, "methods/specialty.html", {"specialty": found, "form": form})
