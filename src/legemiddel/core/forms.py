from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.utils.translation import gettext_lazy as _

from legemiddel.core import jobs
from legemiddel.lib.formatting import format_number


class JobUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file contains"))
    file = forms.FileField(label=_("File"))

    def __init__(self, *args: object, user: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Only the kinds this user may start are offered (and accepted).
        self.kinds = jobs.kinds_for(user) if user is not None else jobs.all_kinds()
        self.fields["kind"].choices = [(k.key, k.label) for k in self.kinds]  # type: ignore[attr-defined]
        # Each kind's options as a checkbox; an option only applies to the kinds that offer it.
        for kind in self.kinds:
            for option in kind.options:
                self.fields.setdefault(
                    f"option_{option.key}",
                    forms.BooleanField(
                        label=str(option.label),
                        help_text=f"{kind.label}: {option.help_text}",
                        required=False,
                    ),
                )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        kind_key = cleaned.get("kind")
        upload = cleaned.get("file")
        if not kind_key or upload is None:
            return cleaned
        kind = jobs.get(str(kind_key))
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in kind.extensions:
            self.add_error(
                "file",
                _("%(kind)s must be a %(types)s file.")
                % {"kind": kind.label, "types": " / ".join(kind.extensions)},
            )
        elif upload.size > kind.max_bytes:
            self.add_error(
                "file",
                _("The file is larger than %(mb)s MB.")
                % {"mb": format_number(kind.max_bytes // (1024 * 1024))},
            )
        return cleaned

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload

    def chosen_options(self) -> dict[str, bool]:
        kind = jobs.get(self.cleaned_data["kind"])
        return {o.key: bool(self.cleaned_data.get(f"option_{o.key}")) for o in kind.options}
