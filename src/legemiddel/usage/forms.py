from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from legemiddel.catalogue.models import Package
from legemiddel.organisation.models import OrgUnit
from legemiddel.usage.models import CodeMapping


class MappingForm(forms.Form):
    """Map one unknown code: an item number to a catalogue package, or a code to a unit."""

    unknown_id = forms.IntegerField(widget=forms.HiddenInput)
    varenr = forms.CharField(label=_("Package (varenr)"), required=False, max_length=6)
    org_unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=OrgUnit.objects.filter(active=True).order_by("path"),
        required=False,
    )

    def __init__(self, *args: object, kind: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.kind = kind

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if self.kind == CodeMapping.Kind.VARENR:
            varenr = str(cleaned.get("varenr") or "").strip().zfill(6)
            package = Package.objects.filter(varenr=varenr).first()
            if package is None:
                self.add_error("varenr", _("No package in the catalogue has this item number."))
            cleaned["package"] = package
        elif not cleaned.get("org_unit"):
            self.add_error("org_unit", _("Choose the unit the code belongs to."))
        return cleaned
