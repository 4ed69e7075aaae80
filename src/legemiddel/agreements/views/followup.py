"""Distribution of notices and start-up meetings."""

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
    get_meeting_for_user,
    get_notice_for_user,
)
from legemiddel.agreements.forms import (
    DecisionForm,
    MeetingForm,
    MinutesForm,
    NoticeForm,
    ParticipantForm,
)
from legemiddel.agreements.ical import meeting_ics
from legemiddel.agreements.links import meeting_url
from legemiddel.agreements.models import Participant, StartupMeeting
from legemiddel.agreements.views import APPROVERS, REGISTER
from legemiddel.core.downloads import file_response


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


# --- start-up meetings ---------------------------------------------------------------------


@access(REGISTER)
def meetings(request: HttpRequest) -> HttpResponse:
    found = StartupMeeting.objects.select_related("agreement", "agreement__area").order_by(
        "-due_by"
    )
    warnings = {w.meeting.pk: w.kinds for w in selectors.meeting_warnings()}
    rows = [(m, warnings.get(m.pk, [])) for m in found]
    return render(request, "agreements/meetings.html", {"rows": rows})


@access(REGISTER)
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """One meeting: time and place, participants, agenda, minutes and decisions. Each form
    posts here with an ``action`` naming it."""
    found = get_meeting_for_user(request.user, meeting_id, write=request.method == "POST")
    actor = request_user(request)
    action = request.POST.get("action") if request.method == "POST" else None
    schedule = MeetingForm(request.POST if action == "schedule" else None, instance=found)
    participant = ParticipantForm(request.POST if action == "participant" else None)
    minutes = MinutesForm(
        request.POST if action == "minutes" else None,
        meeting=found,
        initial={
            "minutes": found.minutes,
            "attended": [str(p.pk) for p in found.participants.all() if p.attended],
        },
    )
    decision = DecisionForm(request.POST if action == "decision" else None)
    done = False
    try:
        if action == "schedule" and schedule.is_valid():
            services.meeting_update(
                meeting=found,
                actor=actor,
                **{k: schedule.cleaned_data[k] for k in schedule.fields},
            )
            done = True
        elif action == "participant" and participant.is_valid():
            participant.instance.meeting = found
            participant.save()
            done = True
        elif action == "remove":
            chosen = request.POST.get("participant", "")
            if chosen.isdigit():
                Participant.objects.filter(meeting=found, pk=int(chosen)).delete()
            done = True
        elif action == "suggest":
            added = services.meeting_suggest_participants(meeting=found)
            messages.success(request, _("%(n)s participants added.") % {"n": added})
            done = True
        elif action == "minutes" and minutes.is_valid():
            services.meeting_record_minutes(
                meeting=found,
                actor=actor,
                minutes=minutes.cleaned_data["minutes"],
                attended=[int(pk) for pk in minutes.cleaned_data["attended"]],
            )
            done = True
        elif action == "decision" and decision.is_valid():
            services.decision_add(meeting=found, actor=actor, **decision.cleaned_data)
            done = True
    except ValidationError as exc:
        target = {"schedule": schedule, "minutes": minutes, "decision": decision}.get(
            action or "", schedule
        )
        for message in exc.messages:
            target.add_error(None, message)
    if done:
        return redirect("agreements:meeting", meeting_id=found.pk)
    return render(
        request,
        "agreements/meeting.html",
        {
            "meeting": found,
            "warnings": found.warnings(),
            "schedule": schedule,
            "participant_form": participant,
            "minutes_form": minutes,
            "decision_form": decision,
            "participants": found.participants.all(),
            "decisions": found.decisions.all(),
        },
    )


@access(REGISTER)
def meeting_invitation(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = get_meeting_for_user(request.user, meeting_id)
    ics = meeting_ics(found, meeting_url(found))
    return file_response(ics, filename=f"oppstartsmote-{found.pk}", fmt="ics")
