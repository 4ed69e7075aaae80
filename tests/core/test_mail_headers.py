"""The mail service is the last line of defence against header injection: whatever a caller
passes, a subject goes out as one line and the log keeps it as one line."""

from __future__ import annotations

import pytest
from django.core import mail

from legemiddel.core.mail import Outgoing, mail_send, mail_send_many
from legemiddel.core.models import MailDelivery

pytestmark = pytest.mark.django_db

MESSAGE = "core/email/message"


@pytest.mark.parametrize(
    ("subject", "sent_as"),
    [
        ("Ny anbefaling\r\nBcc: alle@example.com", "Ny anbefaling Bcc: alle@example.com"),
        ("Ny\nanbefaling", "Ny anbefaling"),
        ("Ny\ranbefaling", "Ny anbefaling"),
        ("Ny \r\n\r\n anbefaling", "Ny anbefaling"),
        ("Ny\x00\x1b[31manbefaling", "Ny [31manbefaling"),
        ("Ny\u2028anbefaling\x85", "Ny anbefaling"),
        ("Ny\tanbefaling", "Ny anbefaling"),
    ],
)
def test_a_subject_with_control_characters_is_sent_and_logged_as_one_line(subject, sent_as):
    entry = mail_send(
        to="kari@helse-bergen.no",
        subject=subject,
        template=MESSAGE,
        context={"text": "Hei."},
        kind="test",
        name="Kari\r\nBcc: alle@example.com",
    )

    assert entry.status == MailDelivery.Status.SENT
    [message] = mail.outbox
    assert message.subject == sent_as
    headers = message.message().as_bytes().decode()
    assert "\nBcc:" not in headers
    entry.refresh_from_db()
    assert (entry.subject, entry.name) == (sent_as, "Kari Bcc: alle@example.com")


def test_an_address_with_a_line_break_fails_alone_and_the_others_are_sent():
    entries = mail_send_many(
        messages=[
            Outgoing(
                to=to,
                subject="Til deg",
                template=MESSAGE,
                context={"text": "Hei."},
                kind="test",
            )
            for to in ("ola@example.no\r\nBcc: alle@example.com", "kari@example.no")
        ]
    )

    assert [e.status for e in entries] == [MailDelivery.Status.FAILED, MailDelivery.Status.SENT]
    assert entries[0].attempts == 1  # not a failure that trying again would mend
    assert [m.to for m in mail.outbox] == [["kari@example.no"]]
