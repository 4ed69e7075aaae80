"""Absolute links to our pages, for what leaves the site: notices, e-mails, calendar invitations."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from legemiddel.agreements.models import StartupMeeting, TherapeuticArea


def site_url(path: str) -> str:
    """``path`` (from ``reverse``) as an absolute link on the configured site."""
    return settings.SITE_URL.rstrip("/") + path


def portal_area_url(area: TherapeuticArea) -> str:
    return site_url(reverse("agreements:portal_area", args=[area.code]))


def meeting_url(meeting: StartupMeeting) -> str:
    return site_url(reverse("agreements:meeting", args=[meeting.pk]))
