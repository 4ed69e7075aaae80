"""Specialties (``Fagområde`` in the list) mapped to the trust's units: whose leaders hear of
changed decisions. The import creates each new name unmapped; the core group maps it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from legemiddel.core.audit import audit_record
from legemiddel.methods.models import Specialty
from legemiddel.organisation.models import OrgUnit


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


class SpecialtyUnitsForm(forms.Form):
    units = UnitsField(
        queryset=OrgUnit.objects.order_by("path"),
        required=False,
        label=_("Units"),
        help_text=_(
            "The leaders of these units, and of the units above and below them, are e-mailed "
            "when a decision in this specialty changes."
        ),
        widget=forms.SelectMultiple(attrs={"size": 16}),
    )


@transaction.atomic
def specialty_set_units(*, specialty: Specialty, units: Iterable[OrgUnit], actor: Any) -> None:
    """Map a specialty to units (replacing the mapping), in the audit trail."""
    chosen = list(units)
    specialty.units.set(chosen)
    codes = ", ".join(sorted(u.code for u in chosen)) or "ingen"
    audit_record(
        user=actor,
        action="specialty_map",
        detail=f"fagområdet «{specialty.name}» koblet til enhetene: {codes}"[:1000],
        target=f"fagområde:{specialty.pk}",
    )
