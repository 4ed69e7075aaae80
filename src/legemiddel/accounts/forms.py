from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from legemiddel.core.models import AuditEvent


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Wrong user name or password. After several failed attempts the account is locked "
            "for a while."
        ),
        "inactive": _("This account is deactivated. Contact the administrator."),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class AuditFilterForm(forms.Form):
    """The audit log's filters, from the query string: event, user, period and object."""

    hendelse = forms.ChoiceField(label=_("Event"), required=False)
    bruker = forms.CharField(label=_("User name"), required=False, max_length=150)
    fra = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    til = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    objekt = forms.CharField(
        label=_("Object"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "forskriver:1234567"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["hendelse"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All")), *AuditEvent.Action.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("fra"), data.get("til")
        if start and end and start > end:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data
