"""The core group's form for a method's expected yearly cost and patients."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from legemiddel.methods.budget import MAX_COST, MAX_PATIENTS


class BudgetExpectationForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    expected_patients = forms.IntegerField(
        label=_("Expected patients in the year"),
        min_value=0,
        max_value=MAX_PATIENTS,
        required=False,
    )
    expected_cost = forms.DecimalField(
        label=_("Expected cost in the year (NOK)"),
        min_value=Decimal(0),
        max_value=MAX_COST,
        max_digits=14,
        decimal_places=0,
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: object, prices: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not prices:
            # The expected cost is confidential like the prices it is made from.
            del self.fields["expected_cost"]
