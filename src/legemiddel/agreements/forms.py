from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legemiddel.accounts.models import User
from legemiddel.agreements.models import (
    Agreement,
    AgreementLine,
)
from legemiddel.agreements.services.agreements import first_of_next_month
from legemiddel.lib.validators import refuse_control_characters

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "area",
            "title",
            "reference",
            "region",
            "start",
            "end",
            "extended_to",
            "conditions",
            "comment",
        ]
        widgets = {
            "start": DATE,
            "end": DATE,
            "extended_to": DATE,
            "conditions": forms.Textarea(attrs={"rows": 3}),
            "comment": forms.Textarea(attrs={"rows": 3}),
        }


class LineForm(forms.ModelForm):
    """One product line. The price field exists only for users who may see prices."""

    lis_price = forms.DecimalField(
        label=_("LIS unit price (NOK per pack, excl. VAT)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
    )

    class Meta:
        model = AgreementLine
        fields = [
            "indication_group",
            "patient_group",
            "rank",
            "package",
            "valid_from",
            "valid_to",
            "cost_basis",
            "packs_per_period",
            "dosing",
            "conditions",
            "comment",
        ]
        widgets = {"valid_from": DATE, "valid_to": DATE, "package": forms.TextInput}
        labels = {"package": _("Item number (varenr)")}

    def __init__(
        self, *args: Any, price_visible: bool, effective: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if price_visible:
            self.fields["lis_price"].initial = self.instance.lis_price if self.instance else None
        else:
            del self.fields["lis_price"]
        if effective:
            # A published agreement's figures for past months rest on its lines: a change
            # applies from a day on, and the line's own start follows from that day.
            del self.fields["valid_from"]
            self.fields["effective_from"] = copy.deepcopy(
                EffectiveForm.base_fields["effective_from"]
            )
            self.fields["effective_from"].initial = first_of_next_month()
            self.order_fields(["effective_from"])

    def clean_effective_from(self) -> dt.date:
        return _not_past(self.cleaned_data["effective_from"])


def _not_past(day: dt.date) -> dt.date:
    if day < timezone.localdate():
        raise forms.ValidationError(
            _(
                "A change cannot apply from a day that has passed. To correct an error "
                "back in time, use «Correct an error back in time» and give a reason."
            )
        )
    return day


class EffectiveForm(forms.Form):
    """From which day a change to (or the end of) a published line applies."""

    effective_from = forms.DateField(
        label=_("Applies from"),
        widget=DATE,
        help_text=_(
            "Default: the first of next month. Months before it keep their figures; it "
            "cannot be a day that has passed."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].initial = first_of_next_month()

    def clean_effective_from(self) -> dt.date:
        return _not_past(self.cleaned_data["effective_from"])


class CorrectionForm(LineForm):
    """The whole line, changed back in time, with the reason the history keeps."""

    reason = forms.CharField(
        label=_("Why the error is corrected back in time"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Required. Past months' figures change when this is published."),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (XLSX or CSV)"),
        help_text=_("Replaces the agreement's products. See the format description."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv", ".txt")):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class PublishForm(forms.Form):
    note = forms.CharField(
        label=_("What changed (goes into the notice)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class NoticeForm(forms.Form):
    # As wide as the text people check before it goes out to every recipient.
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "input-wide"}),
        # A line break in a subject would add header lines to every message.
        validators=[refuse_control_characters],
    )
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 16, "class": "input-wide"})
    )


class GrantForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Person"), queryset=User.objects.filter(is_active=True).order_by("last_name")
    )
    reason = forms.CharField(label=_("Service need"), max_length=500)
    expires_on = forms.DateField(label=_("Expires"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.label_from_instance = lambda u: f"{u.display_name} ({u.username})"  # type: ignore[method-assign,assignment]
        if not self.is_bound:
            self.fields["expires_on"].initial = timezone.localdate() + dt.timedelta(days=365)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=500, required=False)
