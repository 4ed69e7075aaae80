"""Forms of the questions to the core group. The rules on the texts live in the services
(:mod:`legemiddel.methods.questions`); the forms only carry the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from legemiddel.methods.questions import MAX_ANSWER, MAX_QUESTION


class _ServiceChecked(forms.Form):
    """The services check the texts (and say where a control character is); the form's own
    check for NUL would answer first with less."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators = []


class QuestionForm(_ServiceChecked):
    text = forms.CharField(
        label=_("Your question"),
        required=False,
        strip=False,
        help_text=_(
            "What is unclear about the decision? The core group answers by e-mail, and the "
            "answer is shown here to the next person who looks it up. Do not write patient data."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "class": "input-wide", "maxlength": MAX_QUESTION}),
    )


class AnswerForm(_ServiceChecked):
    question = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(
        label=_("Answer"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "input-wide", "maxlength": MAX_ANSWER}),
    )
