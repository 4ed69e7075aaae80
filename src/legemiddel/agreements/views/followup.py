"""Distribution of notices."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from legemiddel.accounts.access import access, request_user
from legemiddel.agreements import selectors, services
from legemiddel.agreements.access import (
    can_approve_notices,
    get_delivery_for_user,
    get_notice_for_user,
)
from legemiddel.agreements.forms import NoticeForm
from legemiddel.agreements.views import APPROVERS, REGISTER


@access(REGISTER)
def notices(request: HttpRequest) -> HttpResponse:
    """What went to whom: every notice with its delivery counts."""
    found = selectors.notices_with_counts().order_by("-created_at", "-id")[:200]
    return render(request, "agreements/notices.html", {"notices": found})


def _notice_page(
    request: HttpRequest, notice_id: int, form: NoticeForm | None = None, status: int = 200
) -> HttpResponse:
    found = get_notice_for_user(request.user, notice_id)
    counted = selectors.notices_with_counts().get(pk=found.pk)
    return render(
        request,
        "agreements/notice.html",
        {
            "notice": found,
            "counts": counted,
            "form": form or NoticeForm(initial={"subject": found.subject, "body": found.body}),
            "deliveries": found.deliveries.select_related("mail"),
            "can_approve": can_approve_notices(request.user),
        },
        status=status,
    )


@access(REGISTER)
def notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    return _notice_page(request, notice_id)


@access(APPROVERS)
@require_POST
def notice_send(request: HttpRequest, notice_id: int) -> HttpResponse:
    found = get_notice_for_user(request.user, notice_id, write=True)
    form = NoticeForm(request.POST)
    if not form.is_valid():
        # The page again with what was typed and what is wrong with it; nothing is sent.
        return _notice_page(request, found.pk, form=form, status=400)
    try:
        sent, failed = services.notice_send(
            notice=found, actor=request_user(request), **form.cleaned_data
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if failed:
            messages.error(
                request,
                _("%(sent)s sent, %(failed)s failed. Resend the failed ones below.")
                % {"sent": sent, "failed": failed},
            )
        else:
            messages.success(request, _("Sent to %(sent)s recipients.") % {"sent": sent})
    return redirect("agreements:notice", notice_id=found.pk)


@access(APPROVERS)
@require_POST
def notice_discard(request: HttpRequest, notice_id: int) -> HttpResponse:
    found = get_notice_for_user(request.user, notice_id, write=True)
    try:
        services.notice_discard(notice=found, actor=request_user(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("agreements:notice", notice_id=found.pk)


@access(APPROVERS)
@require_POST
def delivery_resend(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = get_delivery_for_user(request.user, delivery_id, write=True)
    try:
        ok = services.delivery_resend(delivery=delivery, actor=request_user(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if ok:
            messages.success(request, _("Sent again to %(email)s.") % {"email": delivery.email})
        else:
            error = delivery.mail.error if delivery.mail else ""
            messages.error(request, _("Sending failed again: %(e)s") % {"e": error})
    return redirect("agreements:notice", notice_id=delivery.notice_id)
