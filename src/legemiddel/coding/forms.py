from __future__ import annotations

from django import forms

from legemiddel.coding.models import ReportingYear


class ReportingYearForm(forms.ModelForm):
    class Meta:
        model = ReportingYear
        fields = ["year", "unit_price", "isf_share", "correction_deadline"]
        widgets = {"correction_deadline": forms.DateInput(attrs={"type": "date"})}

    def clean_isf_share(self) -> float | None:
        share = self.cleaned_data.get("isf_share")
        if share is not None and not 0 <= share <= 1:
            raise forms.ValidationError("Skriv andelen som et tall mellom 0 og 1 (0,4 = 40 %).")
        return share
