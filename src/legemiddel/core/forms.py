from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from legemiddel.core import jobs

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class JobUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file contains"))
    file = forms.FileField(label=_("File (CSV)"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = [(k.key, k.label) for k in jobs.all_kinds()]  # type: ignore[attr-defined]

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload
