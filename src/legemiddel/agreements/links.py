"""Absolute links to our pages, for what leaves the site: notices, e-mails, calendar invitations."""

from __future__ import annotations

from django.urls import reverse

from legemiddel.agreements.models import StartupMeeting, TherapeuticArea
from legemiddel.core.mail import absolute_url


def portal_area_url(area: TherapeuticArea) -> str:
    return absolute_url(reverse("agreements:portal_area", args=[area.code]))


def meeting_url(meeting: StartupMeeting) -> str:
    return absolute_url(reverse("agreements:meeting", args=[meeting.pk]))
