"""Pages of governance: meetings per forum, one meeting, planning, invitations, cancelling,
attachments, and each person's actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from legemiddel.accounts.access import LOGGED_IN, Roles, access, request_user
from legemiddel.core.downloads import content_disposition, file_response
from legemiddel.governance import selectors, services
from legemiddel.governance.access import (
    ORGANISER_ROLES,
    can_organise,
    get_action_for_user,
    get_attachment_for_user,
    get_forum_for_user,
    get_meeting_for_user,
)
from legemiddel.governance.forms import (
    ActionForm,
    AttachmentForm,
    DecisionForm,
    ForumForm,
    MeetingForm,
    MinutesForm,
    ParticipantForm,
    RoleParticipantsForm,
    ScheduleForm,
)
from legemiddel.governance.ical import meeting_ics
from legemiddel.governance.models import Forum, Meeting

ORGANISERS = Roles(*ORGANISER_ROLES)


def _list(request: HttpRequest, forum: Forum | None) -> HttpResponse:
    day = timezone.localdate()
    rows = [(m, m.warnings(day)) for m in selectors.meetings_for(request.user, forum)[:300]]
    return render(
        request,
        "governance/meetings.html",
        {
            "rows": rows,
            "forum": forum,
            "fora": Forum.objects.all(),
            "can_organise": can_organise(request.user),
            "forum_form": ForumForm(),
        },
    )


@access(LOGGED_IN)
def meetings(request: HttpRequest) -> HttpResponse:
    """Every meeting the user may see (organisers: all; others: those they take part in)."""
    return _list(request, None)


@access(LOGGED_IN)
def forum(request: HttpRequest, forum_id: int) -> HttpResponse:
    return _list(request, get_forum_for_user(request.user, forum_id))


@access(ORGANISERS)
@require_POST
def forum_new(request: HttpRequest) -> HttpResponse:
    """Add a forum (a working group, a project board) with its own meetings."""
    form = ForumForm(request.POST)
    if form.is_valid():
        created = services.forum_create(actor=request_user(request), **form.cleaned_data)
        messages.success(request, _("The forum is added."))
        return redirect("governance:forum", forum_id=created.pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    return redirect("governance:meetings")


@access(ORGANISERS)
def meeting_new(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("forum", "").isdigit():
        initial["forum"] = request.GET["forum"]
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.meeting_create(actor=request_user(request), **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The meeting is planned. Add participants and invite."))
            return redirect("governance:meeting", meeting_id=created.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "governance/meeting_form.html", {"form": form}, status=status)


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _post(request: HttpRequest, found: Meeting, forms: dict[str, Any], action: str) -> bool:
    """Do what the posted form asks; False when it was refused (errors on the form)."""
    actor = request_user(request)
    form = forms.get(action)
    if form is not None and not form.is_valid():
        return False
    data = form.cleaned_data if form is not None else {}
    if action == "schedule":
        moved = services.meeting_update(meeting=found, actor=actor, **data)
        if moved and found.invited_at is not None:
            _report(request, services.meeting_invitations_send(meeting=found, actor=actor))
    elif action == "participant":
        services.participant_add(meeting=found, actor=actor, **data)
    elif action == "role":
        added = services.participants_add_role(meeting=found, actor=actor, role=data["role"])
        messages.success(request, _("%(n)s participants added.") % {"n": added})
    elif action == "remove":
        chosen = request.POST.get("participant", "")
        if chosen.isdigit():
            services.participant_remove(meeting=found, actor=actor, participant_id=int(chosen))
    elif action == "suggest":
        added = services.meeting_suggest_participants(meeting=found)
        messages.success(request, _("%(n)s participants added.") % {"n": added})
    elif action == "minutes":
        services.meeting_record_minutes(
            meeting=found,
            actor=actor,
            minutes=data["minutes"],
            attended=[int(pk) for pk in data["attended"]],
        )
    elif action == "decision":
        services.decision_add(meeting=found, actor=actor, **data)
    elif action == "action":
        services.action_add(meeting=found, actor=actor, **data)
    elif action == "attachment":
        services.attachment_add(meeting=found, actor=actor, upload=data["file"])
    return True


@access(LOGGED_IN)
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """One meeting: time and place, participants, agenda, minutes, decisions, actions and
    attachments. Each form posts here with an ``action`` naming it (organisers only)."""
    found = get_meeting_for_user(request.user, meeting_id, write=request.method == "POST")
    action = request.POST.get("action", "") if request.method == "POST" else ""

    def bound(name: str) -> Any:
        return request.POST if action == name else None

    # Several forms share field names (text, owner, due, role): each gets ids of its own.
    forms: dict[str, Any] = {
        "schedule": ScheduleForm(bound("schedule"), instance=found, auto_id="id_schedule_%s"),
        "participant": ParticipantForm(bound("participant"), auto_id="id_participant_%s"),
        "role": RoleParticipantsForm(bound("role"), auto_id="id_role_%s"),
        "minutes": MinutesForm(
            bound("minutes"),
            meeting=found,
            initial={
                "minutes": found.minutes,
                "attended": [str(p.pk) for p in found.participants.all() if p.attended],
            },
            auto_id="id_minutes_%s",
        ),
        "decision": DecisionForm(bound("decision"), auto_id="id_decision_%s"),
        "action": ActionForm(bound("action"), auto_id="id_action_%s"),
        "attachment": AttachmentForm(
            bound("attachment"),
            request.FILES if action == "attachment" else None,
            auto_id="id_attachment_%s",
        ),
    }
    if action:
        try:
            if _post(request, found, forms, action):
                return redirect("governance:meeting", meeting_id=found.pk)
        except ValidationError as exc:
            _form_errors(forms.get(action) or forms["schedule"], exc)
        found.refresh_from_db()
    context = {
        "meeting": found,
        "warnings": found.warnings(),
        "can_organise": can_organise(request.user),
        "participants": found.participants.all(),
        "decisions": found.decisions.all(),
        "actions": found.actions.select_related("owner"),
        "attachments": found.attachments.defer("content"),
        "history": selectors.meeting_history(found)[:50] if can_organise(request.user) else [],
        **{f"{name}_form": form for name, form in forms.items()},
    }
    return render(request, "governance/meeting.html", context)


def _report(request: HttpRequest, result: services.Sent) -> None:
    if result.sent:
        messages.success(request, _("Sent to %(n)s participants.") % {"n": result.sent})
    if result.failed:
        messages.error(request, _("%(n)s e-mails failed; see the mail log.") % {"n": result.failed})
    if result.without_email:
        messages.warning(
            request,
            _("Nothing was sent to %(names)s: no e-mail address.")
            % {"names": ", ".join(result.without_email)},
        )


@access(ORGANISERS)
@require_POST
def meeting_send(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Send the invitation (or the update, when it went out before)."""
    found = get_meeting_for_user(request.user, meeting_id, write=True)
    if found.scheduled_at is None:
        messages.error(request, _("Set the meeting's time before inviting."))
    elif not found.participants.exists():
        messages.error(request, _("Add participants before inviting."))
    else:
        _report(
            request,
            services.meeting_invitations_send(meeting=found, actor=request_user(request)),
        )
    return redirect("governance:meeting", meeting_id=found.pk)


@access(ORGANISERS)
@require_POST
def meeting_cancel(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Cancel the meeting and send the cancellation to those invited."""
    found = get_meeting_for_user(request.user, meeting_id, write=True)
    actor = request_user(request)
    try:
        services.meeting_cancel(meeting=found, actor=actor)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The meeting is cancelled."))
        if found.invited_at is not None:
            _report(request, services.meeting_invitations_send(meeting=found, actor=actor))
    return redirect("governance:meeting", meeting_id=found.pk)


@access(LOGGED_IN)
def meeting_invitation(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = get_meeting_for_user(request.user, meeting_id)
    ics = meeting_ics(found, services.meeting_url(found))
    name = "oppstartsmote" if found.agreement_id else "mote"
    return file_response(ics, filename=f"{name}-{found.pk}", fmt="ics")


@access(LOGGED_IN)
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    found = get_attachment_for_user(request.user, attachment_id)
    # Any file type: handed out as a download only, never shown in the browser.
    response = HttpResponse(bytes(found.content), content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition(found.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@access(LOGGED_IN)
def my_actions(request: HttpRequest) -> HttpResponse:
    """The actions the user is responsible for: open ones first, then the last closed."""
    user = request_user(request)
    closed = user.meeting_actions.filter(status="done").select_related("meeting")
    return render(
        request,
        "governance/my_actions.html",
        {
            "actions": selectors.open_actions(user),
            "closed": closed.order_by("-closed_at")[:20],
            "today": timezone.localdate(),
        },
    )


@access(LOGGED_IN)
@require_POST
def action_done(request: HttpRequest, action_id: int) -> HttpResponse:
    found = get_action_for_user(request.user, action_id, write=True)
    services.action_close(action=found, actor=request_user(request))
    messages.success(request, _("The action is marked as done."))
    if request.POST.get("next") == "meeting":
        return redirect("governance:meeting", meeting_id=found.meeting_id)
    return redirect("governance:my_actions")
