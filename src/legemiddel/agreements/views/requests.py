"""Price access on request: anyone logged in asks, stating the service need; those who manage
grants (the procurement adviser, the core group) work through the queue."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from legemiddel.accounts.access import LOGGED_IN, access, request_user
from legemiddel.agreements import services
from legemiddel.agreements.access import get_price_request_for_user
from legemiddel.agreements.request_forms import (
    PriceRequestForm,
    RequestDeclineForm,
    RequestGrantForm,
)
from legemiddel.agreements.request_selectors import (
    decided_price_requests,
    open_price_requests,
    price_access_status,
)
from legemiddel.agreements.views import REGISTER


def _errors_to_messages(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _errors_to_form(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@access(LOGGED_IN)
def price_request(request: HttpRequest) -> HttpResponse:
    """Ask for price access (or its renewal); a person with a grant sees until when."""
    user = request_user(request)
    status = price_access_status(user)
    form = PriceRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.price_access_request(user=user, need=form.cleaned_data["need"])
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("Your request is sent. You will be told by e-mail when it has been decided."),
            )
            return redirect("agreements:portal")
    return render(request, "agreements/price_request.html", {"status": status, "form": form})


@access(REGISTER)
def price_requests(request: HttpRequest) -> HttpResponse:
    """The queue of open requests, each with its grant and decline forms, and the last answers."""
    return render(
        request,
        "agreements/price_requests.html",
        {
            "waiting": list(open_price_requests()),
            "decided": decided_price_requests(),
            "grant_form": RequestGrantForm(),
            "decline_form": RequestDeclineForm(),
        },
    )


@access(REGISTER)
@require_POST
def price_request_grant(request: HttpRequest, request_id: int) -> HttpResponse:
    found = get_price_request_for_user(request.user, request_id, write=True)
    form = RequestGrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date the access expires."))
        return redirect("agreements:price_requests")
    try:
        services.price_access_request_grant(
            price_request=found,
            expires_on=form.cleaned_data["expires_on"],
            actor=request_user(request),
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(
            request,
            _("Price access granted to %(name)s.") % {"name": found.user.display_name},
        )
    return redirect("agreements:price_requests")


@access(REGISTER)
@require_POST
def price_request_decline(request: HttpRequest, request_id: int) -> HttpResponse:
    found = get_price_request_for_user(request.user, request_id, write=True)
    form = RequestDeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write why the request is declined."))
        return redirect("agreements:price_requests")
    try:
        services.price_access_request_decline(
            price_request=found, reason=form.cleaned_data["reason"], actor=request_user(request)
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(
            request,
            _("The request from %(name)s is declined.") % {"name": found.user.display_name},
        )
    return redirect("agreements:price_requests")
