"""Every e-mail goes through one service: one log row per recipient, retries of temporary
failures, plain text and HTML in Norwegian, links to the configured address."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import smtplib
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from legemiddel.accounts.roles import Role
from legemiddel.agreements import services
from legemiddel.agreements.models import TherapeuticArea
from legemiddel.analytics.alerts import alerts_send
from legemiddel.analytics.models import AlertDelivery
from legemiddel.core.mail import Outgoing, absolute_url, mail_render, mail_send, mail_send_many
from legemiddel.core.models import MailDelivery
from legemiddel.organisation.models import HealthPersonnel
from legemiddel.organisation.services import personnel_save
from tests.agreements.builders import GOOD_ROWS, add_package, csv_bytes, make_agreement

MESSAGE = "core/email/message"


def outgoing(to: str, text: str = "Hei.", **extra) -> Outgoing:
    fields = {"subject": "Til deg", "kind": "test", "ref": "test:1", "name": to.split("@")[0]}
    return Outgoing(to=to, template=MESSAGE, context={"text": text}, **(fields | extra))


class Server:
    """An SMTP server that refuses the addresses in ``refuse`` (550) and answers the first
    ``busy`` messages with 451 (try again later)."""

    def __init__(self, refuse: frozenset[str] = frozenset(), busy: int = 0) -> None:
        self.refuse, self.busy = refuse, busy
        self.received: list = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.busy:
            self.busy -= 1
            return "451 4.3.0 Try again later"
        self.received.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp(handler: Server) -> Iterator[None]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_TIMEOUT=5,
        ):
            yield
    finally:
        controller.stop()


class FlakyBackend(EmailBackend):
    """The test backend, failing with the exceptions in ``script`` first (one per try)."""

    script: list[Exception] = []
    tries = 0

    def send_messages(self, messages):
        FlakyBackend.tries += 1
        if FlakyBackend.script:
            raise FlakyBackend.script.pop(0)
        return super().send_messages(messages)


@pytest.fixture
def flaky():
    FlakyBackend.script, FlakyBackend.tries = [], 0
    with override_settings(EMAIL_BACKEND=f"{__name__}.FlakyBackend"):
        yield FlakyBackend


# --- the log ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_writes_one_log_row_per_recipient():
    entries = mail_send_many(
        messages=[outgoing("a@example.org"), outgoing("b@example.org", ref="test:2")]
    )

    assert [m.to for m in mail.outbox] == [["a@example.org"], ["b@example.org"]]
    assert list(
        MailDelivery.objects.order_by("id").values_list(
            "kind", "ref", "email", "name", "subject", "status", "attempts", "error"
        )
    ) == [
        ("test", "test:1", "a@example.org", "a", "Til deg", "sent", 1, ""),
        ("test", "test:2", "b@example.org", "b", "Til deg", "sent", 1, ""),
    ]
    assert [e.pk for e in entries] == list(
        MailDelivery.objects.order_by("id").values_list("pk", flat=True)
    )
    assert all(e.sent_at is not None for e in entries)


@pytest.mark.django_db
def test_the_log_keeps_neither_the_text_nor_a_fodselsnummer():
    entry = mail_send(
        to="a@example.org",
        subject="Gjelder 010190 12345",
        template=MESSAGE,
        context={"text": "LIS-pris 4 321,17 kr for pasient 01019012345"},
        kind="test",
    )

    row = MailDelivery.objects.filter(pk=entry.pk).values().get()
    assert row["subject"] == "Gjelder ***********"
    assert not [v for v in row.values() if isinstance(v, str) and ("4 321" in v or "12345" in v)]
    assert "4 321,17 kr" in mail.outbox[0].body  # the message itself is unchanged


# --- temporary and permanent failures ----------------------------------------------------------


@pytest.mark.django_db
def test_a_temporary_failure_is_tried_again_and_sent_after_two_attempts():
    server = Server(busy=1)
    with smtp(server):
        entry = mail_send(
            to="a@example.org", subject="Hei", template=MESSAGE, context={"text": "x"}, kind="test"
        )

    entry.refresh_from_db()
    assert (entry.status, entry.attempts, entry.error) == (MailDelivery.Status.SENT, 2, "")
    assert [e.rcpt_tos for e in server.received] == [["a@example.org"]]


@pytest.mark.django_db
def test_a_permanent_failure_fails_at_once_and_the_others_are_still_sent():
    server = Server(refuse=frozenset({"borte@example.org"}))
    with smtp(server):
        entries = mail_send_many(
            messages=[outgoing(a) for a in ("a@example.org", "borte@example.org", "c@example.org")]
        )

    first, refused, last = (MailDelivery.objects.get(pk=e.pk) for e in entries)
    assert (refused.status, refused.attempts, refused.sent_at) == ("failed", 1, None)
    assert refused.error.startswith("SMTPRecipientsRefused")
    assert "No such user" in refused.error
    assert [(e.status, e.attempts) for e in (first, last)] == [("sent", 1), ("sent", 1)]
    assert sorted(e.rcpt_tos[0] for e in server.received) == ["a@example.org", "c@example.org"]


@pytest.mark.parametrize(
    "failure",
    [
        smtplib.SMTPResponseException(421, b"Service not available"),
        smtplib.SMTPDataError(451, b"Local error"),
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        ConnectionResetError(104, "Connection reset by peer"),
        TimeoutError("timed out"),
    ],
)
@pytest.mark.django_db
def test_it_tries_again_after_a_temporary_failure(flaky, failure):
    flaky.script = [failure]

    entry = mail_send(
        to="a@example.org", subject="Hei", template=MESSAGE, context={"text": "x"}, kind="test"
    )

    assert (entry.status, entry.attempts, entry.error) == ("sent", 2, "")
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "failure",
    [
        smtplib.SMTPResponseException(554, b"Transaction failed"),
        smtplib.SMTPDataError(552, b"Message too big"),
        smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No such user")}),
        ValueError("bad header"),
    ],
)
@pytest.mark.django_db
def test_it_does_not_try_again_after_a_permanent_failure(flaky, failure):
    flaky.script = [failure]

    entry = mail_send(
        to="a@example.org", subject="Hei", template=MESSAGE, context={"text": "x"}, kind="test"
    )

    assert (entry.status, entry.attempts, entry.sent_at) == ("failed", 1, None)
    assert entry.error.startswith(type(failure).__name__ + ": ")
    assert (flaky.tries, mail.outbox) == (1, [])


@pytest.mark.django_db
def test_when_every_attempt_fails_the_rest_of_the_batch_fails_without_waiting_again(flaky):
    flaky.script = [smtplib.SMTPServerDisconnected("gone")] * settings.MAIL_ATTEMPTS

    entries = mail_send_many(messages=[outgoing(f"{n}@example.org") for n in "abc"])

    assert [(e.status, e.attempts, e.error) for e in entries] == [
        ("failed", settings.MAIL_ATTEMPTS, "SMTPServerDisconnected: gone")
    ] * 3
    assert flaky.tries == settings.MAIL_ATTEMPTS
    assert mail.outbox == []


@pytest.mark.django_db
@override_settings(MAIL_ATTEMPTS=2)
def test_the_number_of_attempts_is_a_setting(flaky):
    flaky.script = [TimeoutError("timed out")] * 5

    entry = mail_send(
        to="a@example.org", subject="Hei", template=MESSAGE, context={"text": "x"}, kind="test"
    )

    assert (entry.status, entry.attempts, flaky.tries) == ("failed", 2, 2)


@pytest.mark.django_db
def test_sending_again_adds_to_the_same_log_row(flaky):
    flaky.script = [smtplib.SMTPResponseException(554, b"No")]
    first = mail_send(
        to="a@example.org", subject="Hei", template=MESSAGE, context={"text": "x"}, kind="test"
    )
    assert first.status == "failed"

    again = mail_send(
        to="a@example.org",
        subject="Hei",
        template=MESSAGE,
        context={"text": "x"},
        kind="test",
        entry=first,
    )

    assert again.pk == first.pk
    assert (again.status, again.attempts, again.error) == ("sent", 2, "")
    assert MailDelivery.objects.count() == 1


# --- what a message looks like -----------------------------------------------------------------


@pytest.mark.django_db
def test_every_message_has_a_plain_text_and_an_html_part():
    mail_send(
        to="a@example.org",
        subject="Tom & Jerry",
        template=MESSAGE,
        context={"text": "Tom & Jerry <nå>\nSe https://legemiddel.example.no/portal/"},
        kind="test",
    )

    (message,) = mail.outbox
    assert message.body == "Tom & Jerry <nå>\nSe https://legemiddel.example.no/portal/"
    ((html, kind),) = message.alternatives
    assert kind == "text/html"
    assert '<html lang="nb">' in html
    assert "<title>Tom &amp; Jerry</title>" in html
    assert "Tom &amp; Jerry &lt;nå&gt;<br>" in html
    assert '<a href="https://legemiddel.example.no/portal/"' in html
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative"


def test_it_renders_in_norwegian_whatever_the_ui_language(tmp_path):
    (tmp_path / "hello.txt").write_text(
        '{% load i18n %}{% get_current_language as lang %}{{ lang }}: {% translate "Sent" %}'
    )
    (tmp_path / "hello.html").write_text("{% load i18n %}<p>{% translate 'Failed' %}</p>")
    templates = [settings.TEMPLATES[0] | {"DIRS": [tmp_path]}]
    with override_settings(TEMPLATES=templates), translation.override("en"):
        text, html = mail_render("hello", {})

        assert (text, html) == ("nb: Sendt", "<p>Feilet</p>")
        assert translation.get_language() == "en"


@override_settings(SITE_URL="https://legemiddel.helse-bergen.no/")
def test_links_are_built_from_the_configured_site_url():
    assert absolute_url("/analyse/") == "https://legemiddel.helse-bergen.no/analyse/"


# --- notices and alerts share the log ----------------------------------------------------------


@pytest.mark.django_db
@override_settings(SITE_URL="https://legemiddel.helse-bergen.no")
def test_notices_and_alerts_both_write_to_the_one_log(org, users):
    adviser = users[Role.PROCUREMENT_ADVISER]
    add_package("012345", "Hyrimoz inj 40 mg")
    add_package("023456", "Amgevita inj 40 mg")
    add_package("045678", "Benepali inj 50 mg")
    area = TherapeuticArea.objects.create(code="TNF-BIO", name="TNF BIO")
    area.specialists.add(
        personnel_save(
            person=HealthPersonnel(
                hpr_number="9200001",
                name="Berit Spesialist",
                email="berit@revmatolog.no",
                category=HealthPersonnel.Category.CONTRACT_SPECIALIST,
            )
        )
    )
    agreement = make_agreement(area, adviser)
    services.agreement_import_lines(
        agreement=agreement, data=csv_bytes(*GOOD_ROWS), file_name="tnf.csv", actor=adviser
    )
    notice = services.agreement_publish(agreement=agreement, actor=adviser)
    leader = users[Role.UNIT_LEADER]
    leader.email = "leder@example.org"
    leader.save()

    assert services.notice_send(notice=notice, actor=adviser) == (1, 0)
    assert alerts_send(dt.date(2026, 2, 1)) == (1, 0)

    delivery = notice.deliveries.get(email="berit@revmatolog.no")
    alert = AlertDelivery.objects.get(user=leader)
    assert list(
        MailDelivery.objects.order_by("id").values_list("pk", "kind", "ref", "email", "status")
    ) == [
        (delivery.mail_id, "notice", f"notice:{notice.pk}", "berit@revmatolog.no", "sent"),
        (alert.mail_id, "alert", "alert:2026-02", "leder@example.org", "sent"),
    ]
    notice_message, alert_message = mail.outbox
    site = "https://legemiddel.helse-bergen.no"
    assert site + reverse("agreements:portal_area", args=["TNF-BIO"]) in notice_message.body
    assert site + reverse("analytics:index") in alert_message.body
    for message in mail.outbox:
        html = message.alternatives[0][0]
        assert "https://legemiddel.helse-bergen.no/" in html
        assert "127.0.0.1" not in message.body + html


@pytest.mark.django_db
def test_a_failed_monthly_email_is_sent_on_the_next_run_in_the_same_log_row(flaky, users):
    leader = users[Role.UNIT_LEADER]
    leader.email = "leder@example.org"
    leader.save()
    flaky.script = [smtplib.SMTPResponseException(554, b"Rejected")]
    month = dt.date(2026, 2, 1)

    assert alerts_send(month) == (0, 1)
    alert = AlertDelivery.objects.select_related("mail").get()
    assert (alert.user, alert.month, alert.mail.status, alert.mail.attempts) == (
        leader,
        month,
        "failed",
        1,
    )

    assert alerts_send(month) == (1, 0)
    assert alerts_send(month) == (0, 0)
    alert.mail.refresh_from_db()
    assert (alert.mail.status, alert.mail.attempts, alert.mail.error) == ("sent", 2, "")
    assert (AlertDelivery.objects.count(), MailDelivery.objects.count()) == (1, 1)
    assert [m.to for m in mail.outbox] == [["leder@example.org"]]
