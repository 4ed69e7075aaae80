"""Forms of the meeting pages. The services check again; the forms give the messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from legemiddel.accounts.models import User
from legemiddel.accounts.roles import Role
from legemiddel.governance.models import Forum, Meeting, MeetingDecision, MeetingParticipant
from legemiddel.lib.validators import refuse_control_characters
from legemiddel.organisation.models import HealthPersonnel

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ForumForm(forms.Form):
    name = forms.CharField(label=_("Name of the forum"), max_length=200)
    description = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].validators.append(refuse_control_characters)


class MeetingForm(forms.ModelForm):
    """Plan a new meeting: the forum and the time are required."""

    class Meta:
        model = Meeting
        fields = ["forum", "title", "scheduled_at", "duration_minutes", "location", "agenda"]
        widgets = {"scheduled_at": DATETIME, "agenda": forms.Textarea(attrs={"rows": 6})}
        error_messages = {
            "forum": {"required": _("Choose the forum the meeting belongs to.")},
            "title": {"required": _("Give the meeting a title.")},
            "scheduled_at": {"required": _("Give the meeting's date and time.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheduled_at"].required = True
        forum = self.fields["forum"]
        assert isinstance(forum, forms.ModelChoiceField)
        # Start-up meetings come with their agreement; they are not planned by hand.
        forum.queryset = Forum.objects.exclude(kind=Forum.Kind.STARTUP)
        self.fields["title"].validators.append(refuse_control_characters)
        self.fields["location"].validators.append(refuse_control_characters)


class ScheduleForm(forms.ModelForm):
    """Move the meeting, or change its title, place or agenda."""

    class Meta:
        model = Meeting
        fields = ["title", "scheduled_at", "duration_minutes", "location", "agenda"]
        widgets = {"scheduled_at": DATETIME, "agenda": forms.Textarea(attrs={"rows": 6})}
        error_messages = {"scheduled_at": {"required": _("Give the meeting's date and time.")}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheduled_at"].required = True
        # Left empty, the title stays as it is.
        self.fields["title"].required = False
        self.fields["title"].validators.append(refuse_control_characters)
        self.fields["location"].validators.append(refuse_control_characters)

    def clean_title(self) -> str:
        title = (self.cleaned_data.get("title") or "").strip()
        return title or self.instance.title


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 8}))
    attended = forms.MultipleChoiceField(
        label=_("Attended"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        attended = self.fields["attended"]
        assert isinstance(attended, forms.MultipleChoiceField)
        attended.choices = [
            (str(p.pk), f"{p.name} ({p.get_role_display()})") for p in meeting.participants.all()
        ]


class ParticipantForm(forms.ModelForm):
    """A person by name and address, or a health professional by HPR number (the name and
    address then come from the register)."""

    hpr = forms.CharField(
        label=_("HPR number"),
        required=False,
        max_length=9,
        help_text=_("For a health professional in the register: name and e-mail come from there."),
    )

    class Meta:
        model = MeetingParticipant
        fields = ["role", "name", "email"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        # The name goes into the calendar invitation as the attendee's display name.
        self.fields["name"].validators.append(refuse_control_characters)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hpr = (data.get("hpr") or "").strip()
        data["personnel"] = None
        if hpr:
            person = HealthPersonnel.objects.filter(hpr_number=hpr).select_related("user").first()
            if person is None:
                self.add_error("hpr", _("No health professional has this HPR number."))
            else:
                data["name"] = (data.get("name") or "").strip() or person.name
                data["email"] = (
                    data.get("email") or person.email or (person.user.email if person.user else "")
                )
            data["personnel"] = person
        elif not (data.get("name") or "").strip() and "name" not in self.errors:
            self.add_error("name", _("Give the participant's name or HPR number."))
        data.pop("hpr", None)
        return data


class RoleParticipantsForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Everyone with the role"), choices=[(r.value, r.label) for r in Role]
    )


class DecisionForm(forms.ModelForm):
    class Meta:
        model = MeetingDecision
        fields = ["kind", "text", "owner", "due"]
        widgets = {"due": DATE, "text": forms.Textarea(attrs={"rows": 2})}


class ActionForm(forms.Form):
    text = forms.CharField(label=_("Action to take"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(
        label=_("Responsible"),
        queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name"),
        error_messages={"required": _("An action needs someone responsible for it.")},
    )
    due = forms.DateField(label=_("Deadline"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.label_from_instance = lambda u: f"{u.display_name} ({u.username})"  # type: ignore[method-assign,assignment]


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "Presentations, tables and documents for the meeting. Never patient data: no "
            "names, national identity numbers or other information about patients."
        ),
    )
