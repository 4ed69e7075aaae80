"""Line breaks typed into one-line fields never add header lines to the notice's e-mail (its
subject; the calendar invitation's are in tests/governance). The forms
refuse them with a message; what gets past a form is folded or escaped where it is written."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from legemiddel.agreements import services
from legemiddel.agreements.models import Notice
from legemiddel.core.models import MailDelivery
from tests.agreements.builders import ADDRESSES, closed_port

URL = "https://legemiddel.example.no/avtaler/1/oppstartsmote/"
INJECTED = "Ola Nordmann\r\nATTENDEE;CN=Evil:mailto:evil@example.com\r\nX-EVIL:1"
REFUSED = "Skriv det på én linje: linjeskift, tabulatorer og andre kontrolltegn er ikke tillatt."


def unfolded(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").removesuffix("\r\n").split("\r\n")


def names(ics: str) -> list[str]:
    return [re.split("[;:]", line, maxsplit=1)[0] for line in unfolded(ics)]


def test_the_notice_form_refuses_a_subject_with_a_line_break_and_sends_nothing(
    notice, adviser, client
):
    client.force_login(adviser)
    original = notice.subject

    response = client.post(
        reverse("agreements:notice_send", args=[notice.pk]),
        {"subject": "Ny anbefaling\r\nBcc: alle@example.com", "body": notice.body},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert REFUSED in page
    # What was typed is kept in the form, for the approver to correct.
    assert "Bcc: alle@example.com" in page
    assert mail.outbox == []
    notice.refresh_from_db()
    assert (notice.status, notice.subject) == (Notice.Status.DRAFT, original)
    assert not MailDelivery.objects.exists()


@pytest.mark.parametrize("subject", ["A\nB", "A\rB", "A\x00B", "A\tB", "A\u2028B"])
def test_the_service_refuses_a_subject_with_a_control_character(notice, adviser, subject):
    with pytest.raises(ValidationError) as caught:
        services.notice_send(notice=notice, actor=adviser, subject=subject)

    assert caught.value.messages == [
        "Emnet må stå på én linje, uten linjeskift eller kontrolltegn."
    ]
    assert mail.outbox == []
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT


def test_a_subject_drafted_from_a_title_with_a_line_break_goes_out_on_one_line(
    imported, adviser, community
):
    imported.title = "TNF BIO\r\nBcc: alle@example.com"
    imported.save(update_fields=["title"])

    notice = services.agreement_publish(agreement=imported, actor=adviser)
    sent, failed = services.notice_send(notice=notice, actor=adviser)

    assert notice.subject == "Ny LIS-anbefaling: TNF BIO Bcc: alle@example.com"
    assert (sent, failed) == (len(ADDRESSES), 0)
    assert {m.subject for m in mail.outbox} == {notice.subject}


def _send_to_a_server_that_is_down(notice, adviser):
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=closed_port(),
        EMAIL_TIMEOUT=2,
        MAIL_ATTEMPTS=1,
    ):
        return services.notice_send(notice=notice, actor=adviser)


def test_a_notice_whose_deliveries_all_failed_says_failed_not_sent(notice, adviser, client):
    assert _send_to_a_server_that_is_down(notice, adviser) == (0, len(ADDRESSES))
    client.force_login(adviser)

    page = client.get(reverse("agreements:notice", args=[notice.pk])).content.decode()
    heading = re.search(r"<h1>.*?</h1>", page, re.S).group(0)
    assert '<span class="status status-failed">Feilet</span>' in heading
    assert "Sendt" not in heading
    assert "0 av 8 sendt" in page
    assert '<span class="field-error">5 feilet</span>' in page
    assert "3 uten e-postadresse" in page

    listing = client.get(reverse("agreements:notices")).content.decode()
    row = re.search(rf'<tr><td><a href="/[^"]*/{notice.pk}/">.*?</tr>', listing, re.S).group(0)
    assert "status-failed" in row
    assert "Feilet" in row


def test_a_notice_with_some_failed_deliveries_says_partly_failed(notice, adviser, client):
    _send_to_a_server_that_is_down(notice, adviser)
    failed = notice.deliveries.filter(mail__status=MailDelivery.Status.FAILED).first()
    assert services.delivery_resend(delivery=failed, actor=adviser) is True
    client.force_login(adviser)

    page = client.get(reverse("agreements:notice", args=[notice.pk])).content.decode()

    assert '<span class="status status-failed">Delvis feilet</span>' in page
    assert "1 av 8 sendt" in page
    assert '<span class="field-error">4 feilet</span>' in page


def test_the_send_view_says_how_many_failed_as_an_error(notice, adviser, client):
    client.force_login(adviser)
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=closed_port(),
        EMAIL_TIMEOUT=2,
        MAIL_ATTEMPTS=1,
    ):
        response = client.post(
            reverse("agreements:notice_send", args=[notice.pk]),
            {"subject": notice.subject, "body": notice.body},
            follow=True,
        )

    assert '<p class="message message-error">0 sendt, 5 feilet.' in response.content.decode()


def test_a_fully_sent_notice_says_sent(notice, adviser, client):
    services.notice_send(notice=notice, actor=adviser)
    client.force_login(adviser)

    page = client.get(reverse("agreements:notice", args=[notice.pk])).content.decode()

    assert '<span class="status status-succeeded">Sendt</span>' in page
    assert "5 av 8 sendt" in page
    assert "0 feilet" in page
