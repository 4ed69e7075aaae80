"""Absolute links to our pages, for what leaves the site: notices and e-mails."""

from __future__ import annotations

from django.urls import reverse

from legemiddel.agreements.models import TherapeuticArea
from legemiddel.core.mail import absolute_url


def portal_area_url(area: TherapeuticArea) -> str:
    return absolute_url(reverse("agreements:portal_area", args=[area.code]))
