"""The audit trail: one append-only record of security-relevant events for every app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from legemiddel.core.models import AuditEvent


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    request: HttpRequest | None = None,
    user: Any = None,
    username: str = "",
    detail: str = "",
    target: str = "",
) -> AuditEvent:
    """Append one event to the audit trail.

    ``user`` defaults to the request's user; with neither user, request nor user name the
    event is recorded as done by "system". ``detail`` must never contain a clear
    fødselsnummer or a confidential price; pass pseudonyms and identifiers instead.
    """
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    if user is not None and not getattr(user, "pk", None):
        user = None
    if user is None and request is None and not username:
        # No person and no request: the system itself (demo loader, scheduled job).
        username = "system"
    return AuditEvent.objects.create(
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        action=action,
        path=(request.get_full_path() if request is not None else "")[:500],
        ip_address=_client_ip(request),
        detail=detail[:1000],
        target=target[:200],
    )


def audit_read(
    *, request: HttpRequest | None, what: str, detail: str = "", user: Any = None
) -> AuditEvent:
    """Record that personal data was shown or handed out: call it once for every page or file
    that shows figures per named person (a prescriber's figures) or anything patient-level.

    ``what`` names the object read as the auditor filters on it: ``kind:identifier``, several
    separated by spaces (``"enhet:12 forskriver:9100001"``). ``detail`` says what was shown in
    words (the page, the measure, how many persons). Pass pseudonyms, HPR numbers and ids, never
    a clear fødselsnummer.
    """
    return audit_record(
        action=AuditEvent.Action.PERSONAL_DATA_VIEW,
        request=request,
        user=user,
        detail=detail,
        target=what,
    )


def audit_events(
    *,
    action: str = "",
    username: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
    target: str = "",
) -> QuerySet[AuditEvent]:
    """The audit trail, newest first, filtered: event type, user name (part of it), period
    (whole local days, both ends included) and object (part of the reference or the detail,
    so an HPR number finds both a prescriber's page and the unit lists that showed them)."""
    events = AuditEvent.objects.all()
    if action:
        events = events.filter(action=action)
    if username:
        events = events.filter(username__icontains=username)
    if start:
        events = events.filter(at__date__gte=start)
    if end:
        events = events.filter(at__date__lte=end)
    if target:
        events = events.filter(Q(target__icontains=target) | Q(detail__icontains=target))
    return events
