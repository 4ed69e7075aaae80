"""The clinicians' look-up: search as you type, and one method's plain answer.

Every logged-in member of staff may look up decisions (public national data); no page here
shows a price. The search form works without JavaScript (a plain GET to the look-up page);
with htmx it asks the search fragment as you type and puts the query in the address bar.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from legemiddel.accounts.access import LOGGED_IN, access, request_user
from legemiddel.methods import selectors
from legemiddel.methods.access import (
    can_answer_questions,
    can_edit_methods,
    get_method_for_user,
)
from legemiddel.methods.question_forms import QuestionForm
from legemiddel.methods.questions import question_ask


def _result(request: HttpRequest) -> selectors.SearchResult:
    q = request.GET.get("q", "").strip()[:200]
    return selectors.method_search(q, area=request.GET.get("omrade", ""))


def _detail_prefix() -> str:
    # Each hit's address from one reversed prefix: reversing per row is slow on a long list.
    return reverse("methods:detail", args=[0])[: -len("0/")]


@access(LOGGED_IN)
def lookup(request: HttpRequest) -> HttpResponse:
    """Is it introduced? Search by substance, trade name, indication or method ID."""
    context = {"result": _result(request), "detail_prefix": _detail_prefix()}
    return render(request, "methods/lookup.html", context)


@access(LOGGED_IN)
def search(request: HttpRequest) -> HttpResponse:
    """The result list as an HTML fragment, for the search box as you type."""
    result = _result(request)
    context = {"result": result, "detail_prefix": _detail_prefix()}
    response = render(request, "methods/_results.html", context)
    if request.htmx:  # type: ignore[attr-defined]
        query = {k: v for k, v in (("q", result.q), ("omrade", result.area)) if v}
        page = reverse("methods:lookup")
        response["HX-Push-Url"] = f"{page}?{urlencode(query)}" if query else page
    return response


@access(LOGGED_IN)
def detail(request: HttpRequest, method_id: int) -> HttpResponse:
    """The answer in plain Norwegian, the full decision, answered questions, and a form to ask
    the core group."""
    method = get_method_for_user(request.user, method_id)
    form = QuestionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            question_ask(method=method, user=request_user(request), text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Your question is sent to the core group. You get the answer by e-mail."),
            )
            return redirect("methods:detail", method_id=method.pk)
    context = {
        "method": method,
        "answer": selectors.answer(method),
        "badge": selectors.status_badge(method),
        "siblings": selectors.siblings(method),
        "answered": selectors.answered_questions(method),
        "public_url": selectors.public_url(method),
        "form": form,
        "can_answer": can_answer_questions(request.user),
        "can_edit": can_edit_methods(request.user),
    }
    return render(request, "methods/detail.html", context, status=400 if form.errors else 200)
