"""Forms of price access on request (the request, and the adviser's grant or decline)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legemiddel.agreements.forms import DATE


class PriceRequestForm(forms.Form):
    need = forms.CharField(
        label=_("Service need"),
        max_length=500,
        help_text=_("What you need the prices for in your work, for example budget or tender."),
        widget=forms.Textarea(attrs={"rows": 3, "class": "input-wide"}),
    )


class RequestGrantForm(forms.Form):
    expires_on = forms.DateField(label=_("Expires"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["expires_on"].initial = timezone.localdate() + dt.timedelta(days=365)


class RequestDeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=500)
