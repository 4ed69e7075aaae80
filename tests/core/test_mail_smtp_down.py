"""Faults survived: with the SMTP server down, mail waits and is tried again; nothing is
recorded as sent that was not, and a retry never sends a second copy."""

from __future__ import annotations

import socket
import time
import types

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from legemiddel.core import mail as mail_module
from legemiddel.core.mail import Outgoing, mail_send_many
from legemiddel.core.models import MailDelivery

pytestmark = [pytest.mark.fault, pytest.mark.django_db]


class Collector:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _smtp(port: int, **extra):
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_TIMEOUT=5,
        **extra,
    )


def _message(to: str) -> Outgoing:
    return Outgoing(
        to=to,
        subject="Månedsrapport",
        template="core/email/message",
        context={"text": "Hei"},
        kind="test",
        ref="test:1",
    )


def test_a_server_that_comes_up_during_the_wait_gets_the_message_once(monkeypatch):
    port = _free_port()  # nothing listens: connections are refused
    collector = Collector()
    server = Controller(collector, hostname="127.0.0.1", port=port)
    waits: list[float] = []

    def wait_while_the_server_starts(seconds: float) -> None:
        # The first attempt was refused; the server comes up while the sender waits.
        waits.append(seconds)
        if len(waits) == 1:
            server.start()
        time.sleep(seconds)

    monkeypatch.setattr(
        mail_module, "time", types.SimpleNamespace(sleep=wait_while_the_server_starts)
    )
    try:
        with _smtp(port, MAIL_ATTEMPTS=3, MAIL_RETRY_SECONDS=1):
            [entry] = mail_send_many(messages=[_message("a@helse-bergen.no")])
    finally:
        server.stop()
    assert waits == [1]
    entry.refresh_from_db()
    assert (entry.status, entry.attempts, entry.error) == (MailDelivery.Status.SENT, 2, "")
    assert [e.rcpt_tos for e in collector.envelopes] == [["a@helse-bergen.no"]]


def test_mail_to_a_closed_port_stays_failed_then_the_retry_sends_each_once():
    port = _free_port()
    with _smtp(port, MAIL_ATTEMPTS=2, MAIL_RETRY_SECONDS=0):
        entries = mail_send_many(
            messages=[_message("a@helse-bergen.no"), _message("b@helse-bergen.no")]
        )
    for entry in entries:
        entry.refresh_from_db()
        assert entry.status == MailDelivery.Status.FAILED  # never "sent" when it was not
        assert entry.sent_at is None
        assert entry.attempts == 2
        assert "ConnectionRefusedError" in entry.error

    collector = Collector()
    server = Controller(collector, hostname="127.0.0.1", port=port)
    server.start()
    try:
        with _smtp(port, MAIL_ATTEMPTS=2, MAIL_RETRY_SECONDS=0):
            retried = [Outgoing(**{**_message(e.email).__dict__, "entry": e}) for e in entries]
            mail_send_many(messages=retried)
            # A second retry of the same rows sends nothing more.
            mail_send_many(messages=retried)
    finally:
        server.stop()
    assert sorted(e.rcpt_tos[0] for e in collector.envelopes) == [
        "a@helse-bergen.no",
        "b@helse-bergen.no",
    ]
    for entry in entries:
        entry.refresh_from_db()
        assert (entry.status, entry.attempts, entry.error) == (MailDelivery.Status.SENT, 3, "")
    assert MailDelivery.objects.count() == 2


def test_a_message_the_backend_did_not_send_is_not_recorded_as_sent():
    port = _free_port()
    collector = Collector()
    server = Controller(collector, hostname="127.0.0.1", port=port)
    server.start()
    try:
        with _smtp(port):
            [entry] = mail_send_many(messages=[_message("")])  # no address: nothing to send to
    finally:
        server.stop()
    entry.refresh_from_db()
    assert collector.envelopes == []
    assert entry.status == MailDelivery.Status.FAILED
    assert entry.sent_at is None
    assert "not accepted" in entry.error


def test_a_batch_reports_failed_deliveries_as_failed_while_the_server_is_down():
    port = _free_port()
    started = time.monotonic()
    with _smtp(port, MAIL_ATTEMPTS=3, MAIL_RETRY_SECONDS=0):
        entries = mail_send_many(messages=[_message(f"p{i}@helse-bergen.no") for i in range(5)])
    # The server is taken to be down after the first message; the rest fail without waiting.
    assert time.monotonic() - started < 10
    assert [e.status for e in entries] == [MailDelivery.Status.FAILED] * 5
    assert not MailDelivery.objects.filter(status=MailDelivery.Status.SENT).exists()
