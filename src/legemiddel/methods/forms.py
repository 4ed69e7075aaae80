"""Forms of the core group's register and manage page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from legemiddel.agreements.models import TherapeuticArea
from legemiddel.lib.validators import refuse_control_characters
from legemiddel.methods.models import DecisionStatus, MethodType

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ConfirmForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=DecisionStatus.choices)
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "input-wide"}),
        help_text=_("One condition per line. Required for an introduction with conditions."),
    )
    price_condition = forms.BooleanField(label=_("On condition of the price"), required=False)
    effective_from = forms.DateField(label=_("May be used from"), required=False, widget=DATE)
    effective_note = forms.CharField(
        label=_("May be used from (text)"),
        required=False,
        max_length=300,
        validators=[refuse_control_characters],
        widget=forms.TextInput(attrs={"class": "input-wide"}),
        help_text=_("E.g. «from the new LIS agreement» when there is no date."),
    )


class LinksForm(forms.Form):
    atc_codes = forms.CharField(
        label=_("ATC codes"),
        required=False,
        max_length=300,
        help_text=_("Separated by spaces, e.g. «L04AB04 L04AB02»."),
    )
    area = forms.ModelChoiceField(
        label=_("LIS area"), queryset=TherapeuticArea.objects.all(), required=False
    )
    icd10 = forms.CharField(
        label=_("ICD-10 codes of the indication"),
        required=False,
        max_length=500,
        help_text=_("Codes or code ranges separated by spaces, e.g. «C50 C34.0-C34.9»."),
    )


class MethodForm(forms.Form):
    method_id = forms.CharField(
        label=_("ID"),
        max_length=20,
        validators=[refuse_control_characters],
        help_text=_("As in the list, e.g. 2019_073 or ID2019_073."),
    )
    substance_text = forms.CharField(
        label=_("Substance"), max_length=500, required=False, validators=[refuse_control_characters]
    )
    trade_names = forms.CharField(
        label=_("Trade name"),
        max_length=500,
        required=False,
        validators=[refuse_control_characters],
    )
    indication = forms.CharField(
        label=_("Indication"), widget=forms.Textarea(attrs={"rows": 2, "class": "input-wide"})
    )
    method_type = forms.ChoiceField(label=_("Method type"), choices=MethodType.choices)
    specialty = forms.CharField(
        label=_("Specialty"), max_length=200, required=False, validators=[refuse_control_characters]
    )
    decision_date = forms.DateField(label=_("Date of latest decision"), required=False, widget=DATE)
    decision_short = forms.CharField(
        label=_("Current decision, short version"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "input-wide"}),
    )
    decision_full = forms.CharField(
        label=_("Current decision (full)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "input-wide"}),
    )
