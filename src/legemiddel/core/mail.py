"""The one way the product sends e-mail.

Every message is rendered from a template pair (``<template>.txt`` and ``<template>.html``) in
Norwegian, whatever language the person who set it off reads the product in, and every
recipient gets one row in the log (:class:`~legemiddel.core.models.MailDelivery`). A batch goes
over one SMTP connection. Temporary failures (4xx replies, a dropped connection, a server that
cannot be reached) are tried again a few times with a short wait (``MAIL_ATTEMPTS``,
``MAIL_RETRY_SECONDS``); permanent ones (5xx replies, a refused address) fail at once. The
domain apps call this module; it knows nothing about them.
"""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import timezone, translation

from legemiddel.core.models import MailDelivery
from legemiddel.lib.text import one_line

log = logging.getLogger(__name__)

MAIL_LANGUAGE = "nb"
# Eleven digits, maybe split after the birth date: what a fødselsnummer looks like.
_FNR = re.compile(r"(?<!\d)\d{6}\s?\d{5}(?!\d)")


@dataclass
class Outgoing:
    """One message to one person, before it is sent.

    ``entry`` is the log row of an earlier try to send the same message (sending again); the
    row is reused so its attempts add up. Without it a new row is written. ``attachments`` are
    (file name, content, content type) triples, such as a calendar invitation.
    """

    to: str
    subject: str
    template: str
    context: dict[str, Any]
    kind: str
    name: str = ""
    ref: str = ""
    entry: MailDelivery | None = None
    attachments: Sequence[tuple[str, str | bytes, str]] = ()


def absolute_url(path: str) -> str:
    """The address of a page of the product as people outside it reach it (``SITE_URL``)."""
    return settings.SITE_URL.rstrip("/") + path


def mail_render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """The plain-text and HTML parts of a message, in Norwegian. When sending, the templates
    also get the message's ``subject``."""
    with translation.override(MAIL_LANGUAGE):
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    return text.strip(), html


def mail_send(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    kind: str,
    name: str = "",
    ref: str = "",
    entry: MailDelivery | None = None,
) -> MailDelivery:
    """Send one message and log it; returns its log row (sent or failed)."""
    outgoing = Outgoing(
        to=to,
        subject=subject,
        template=template,
        context=context,
        kind=kind,
        name=name,
        ref=ref,
        entry=entry,
    )
    return mail_send_many(messages=[outgoing])[0]


def mail_send_many(*, messages: Sequence[Outgoing]) -> list[MailDelivery]:
    """Send each message over one connection and log each; returns the log rows in order.

    When a message still fails temporarily after every attempt the server is taken to be
    unavailable: the rest of the batch is failed with the same error and the same attempts,
    without waiting again. They can be sent again later.
    """
    entries = [message.entry or mail_queue(message=message) for message in messages]
    connection = mail.get_connection()
    unavailable: tuple[str, int] | None = None
    try:
        for message, entry in zip(messages, entries, strict=True):
            if entry.status == MailDelivery.Status.SENT:
                continue  # sent already: a retry never sends a second copy
            if unavailable is None:
                unavailable = _deliver(connection, message, entry)
            else:
                _record_failure(entry, *unavailable)
    finally:
        _hang_up(connection)
    return entries


def mail_queue(*, message: Outgoing) -> MailDelivery:
    """Write a message's log row (queued) before it is sent, so that a domain row can point at
    it first; pass it back as ``entry`` to send. :func:`mail_send_many` does this itself for
    messages without one."""
    return MailDelivery.objects.create(
        kind=message.kind,
        ref=message.ref[:100],
        email=message.to,
        name=one_line(message.name)[:200],
        subject=_scrub(one_line(message.subject))[:200],
    )


def _deliver(
    connection: BaseEmailBackend, outgoing: Outgoing, entry: MailDelivery
) -> tuple[str, int] | None:
    """Try to hand one message to the server, as often as a temporary failure allows.

    Returns (error, attempts) when it still failed temporarily after the last attempt."""
    # The last line of defence: a line break in a subject would add header lines (and makes
    # Django refuse the message), so the subject goes out as one line whatever the caller gave.
    subject = one_line(outgoing.subject)
    text, html = mail_render(outgoing.template, {"subject": subject, **outgoing.context})
    message = mail.EmailMultiAlternatives(
        subject=subject, body=text, to=[outgoing.to.strip()], connection=connection
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in outgoing.attachments:
        message.attach(filename, content, mimetype)
    attempts = max(1, settings.MAIL_ATTEMPTS)
    attempt = 0
    while True:
        attempt += 1
        try:
            # Opening is part of the attempt: the server may be down, or have hung up on us.
            connection.open()
            if not connection.send_messages([message]):
                # The backend sent nothing without saying why (no usable address).
                raise ValueError("the message was not accepted for delivery")
        except Exception as exc:
            error = _scrub(f"{type(exc).__name__}: {exc}")[:500]
            temporary = _is_temporary(exc)
            if temporary and attempt < attempts:
                _hang_up(connection)
                time.sleep(settings.MAIL_RETRY_SECONDS * attempt)
                continue
            log.warning("Mail %s %s (log %s) failed: %s", entry.kind, entry.ref, entry.pk, error)
            _record_failure(entry, error, attempt)
            return (error, attempt) if temporary else None
        entry.status = MailDelivery.Status.SENT
        entry.attempts += attempt
        entry.error = ""
        entry.sent_at = timezone.now()
        entry.save(update_fields=["status", "attempts", "error", "sent_at"])
        return None


def _hang_up(connection: BaseEmailBackend) -> None:
    # A server that has just failed may fail the goodbye too; the connection is gone either way.
    with contextlib.suppress(Exception):
        connection.close()


def _record_failure(entry: MailDelivery, error: str, attempts: int) -> None:
    entry.status = MailDelivery.Status.FAILED
    entry.attempts += attempts
    entry.error = error
    entry.save(update_fields=["status", "attempts", "error"])


def _is_temporary(exc: Exception) -> bool:
    """Whether trying again may help: a 4xx reply, a dropped or refused connection, a timeout."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPException):  # refused recipients and the like
        return False
    # Refused, reset or timed-out connections and unreachable networks are all OSErrors.
    return isinstance(exc, OSError)


def _scrub(text: str) -> str:
    """The text without anything that looks like a fødselsnummer."""
    return _FNR.sub("*" * 11, text)
