"""The core group's page of clinicians' questions: open ones to answer, answered ones."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from legemiddel.accounts.access import Roles, access, request_user
from legemiddel.methods import selectors
from legemiddel.methods.access import CORE_ROLES, get_question_for_user
from legemiddel.methods.question_forms import AnswerForm
from legemiddel.methods.questions import question_answer

CORE = Roles(*CORE_ROLES)
MAX_ROWS = 200


def _form(question_pk: int, data: dict[str, str] | None = None) -> AnswerForm:
    # One form per question on the page: ids of their own (q12-answer), one name for all.
    return AnswerForm(data, initial={"question": question_pk}, auto_id=f"q{question_pk}-%s")


@access(CORE)
def questions(request: HttpRequest) -> HttpResponse:
    """Open questions (oldest first) with a form each, and the answered ones."""
    user = request_user(request)
    failed_pk: int | None = None
    errors: list[str] = []
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if not form.is_valid():
            errors = [_("Choose a question to answer.")]
        else:
            question = get_question_for_user(user, form.cleaned_data["question"], write=True)
            try:
                question_answer(question=question, actor=user, answer=form.cleaned_data["answer"])
            except ValidationError as exc:
                failed_pk = question.pk
                errors = exc.messages
            else:
                messages.success(
                    request, _("The answer is saved and sent to the person who asked.")
                )
                return redirect("methods:questions")
    state = "answered" if request.GET.get("vis") == "besvart" else "open"
    rows = []
    for question in selectors.questions_for_core_group(state=state)[:MAX_ROWS]:
        if question.pk == failed_pk:
            rows.append((question, _form(question.pk, request.POST.dict()), errors))
        else:
            rows.append((question, _form(question.pk), []))
    context = {
        "rows": rows,
        "state": state,
        "open_count": selectors.open_question_count(),
        "errors": errors,
    }
    return render(request, "methods/questions.html", context, status=400 if errors else 200)
