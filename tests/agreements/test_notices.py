"""Sending a notice: approval, one message per address, failures and resending."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from legemiddel.accounts.roles import Role
from legemiddel.agreements import services
from legemiddel.agreements.models import Delivery, Notice
from legemiddel.core.models import AuditEvent, MailDelivery
from tests.agreements.builders import ADDRESSES, closed_port, counts, no_secret_in


def test_it_sends_one_message_per_address_and_records_each_delivery(notice, users):
    approver = users[Role.PROCUREMENT_ADVISER]

    sent, failed = services.notice_send(notice=notice, actor=approver)

    assert (sent, failed) == (len(ADDRESSES), 0)
    assert sorted(tuple(m.to) for m in mail.outbox) == sorted((a,) for a in ADDRESSES)
    for message in mail.outbox:
        assert message.subject == "Ny LIS-anbefaling: TNF BIO 2026"
        assert message.body == notice.body
        assert no_secret_in(message.subject + message.body)
    notice.refresh_from_db()
    assert (notice.status, notice.approved_by) == (Notice.Status.SENT, approver)
    assert notice.approved_at is not None
    deliveries = {d.email or d.name: d for d in notice.deliveries.all()}
    for address in ADDRESSES:
        assert deliveries[address].status == Delivery.Status.SENT
        assert deliveries[address].mail.attempts == 1
        assert deliveries[address].mail.sent_at is not None
    for name in ("Unit Leader", "Nils Utenpost", "Pharmacy"):
        assert deliveries[name].status == Delivery.Status.NO_ADDRESS
        assert deliveries[name].mail is None  # never tried
    assert list(
        AuditEvent.objects.filter(action=AuditEvent.Action.NOTICE).values_list("user", "detail")
    ) == [(approver.pk, f"varsel {notice.pk} «Ny LIS-anbefaling: TNF BIO 2026»: 5 sendt, 0 feilet")]


def test_it_refuses_to_send_a_notice_twice(notice, adviser):
    services.notice_send(notice=notice, actor=adviser)
    mail.outbox.clear()
    before = counts()

    with pytest.raises(ValidationError) as caught:
        services.notice_send(notice=notice, actor=adviser)

    assert caught.value.messages == ["Varselet er allerede behandlet."]
    assert mail.outbox == []
    assert counts() == before


def test_it_sends_the_text_as_the_approver_edited_it(notice, adviser):
    services.notice_send(
        notice=notice, actor=adviser, subject="  Ny TNF-anbefaling  ", body="Se portalen.\n"
    )

    assert {(m.subject, m.body) for m in mail.outbox} == {("Ny TNF-anbefaling", "Se portalen.")}
    notice.refresh_from_db()
    assert (notice.subject, notice.body) == ("Ny TNF-anbefaling", "Se portalen.")


@pytest.mark.parametrize(("subject", "body"), [("   ", None), (None, " \n ")])
def test_it_refuses_an_empty_subject_or_text_and_sends_nothing(notice, adviser, subject, body):
    original = (notice.subject, notice.body)

    with pytest.raises(ValidationError) as caught:
        services.notice_send(notice=notice, actor=adviser, subject=subject, body=body)

    assert caught.value.messages == ["Emne og tekst kan ikke være tomme."]
    assert mail.outbox == []
    notice.refresh_from_db()
    assert (notice.subject, notice.body, notice.status) == (*original, Notice.Status.DRAFT)
    assert not notice.deliveries.filter(mail__isnull=False).exists()


def test_it_refuses_to_send_a_discarded_notice(notice, adviser):
    services.notice_discard(notice=notice, actor=adviser)

    with pytest.raises(ValidationError):
        services.notice_send(notice=notice, actor=adviser)

    assert mail.outbox == []
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DISCARDED


def test_it_marks_deliveries_failed_when_the_mail_server_is_down_and_resends_later(notice, adviser):
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=closed_port(),
        EMAIL_TIMEOUT=2,
    ):
        sent, failed = services.notice_send(notice=notice, actor=adviser)

    assert (sent, failed) == (0, len(ADDRESSES))
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT
    failures = list(
        notice.deliveries.filter(mail__status=MailDelivery.Status.FAILED).select_related("mail")
    )
    assert {d.email for d in failures} == ADDRESSES
    for delivery in failures:
        assert delivery.status == Delivery.Status.FAILED
        assert "Connection refused" in delivery.mail.error
        # A refused connection is temporary: tried MAIL_ATTEMPTS times before giving up.
        assert (delivery.mail.attempts, delivery.mail.sent_at) == (settings.MAIL_ATTEMPTS, None)
    assert notice.deliveries.filter(email="").count() == 3
    assert AuditEvent.objects.filter(detail__endswith="0 sendt, 5 feilet").exists()

    delivery = failures[0]
    assert services.delivery_resend(delivery=delivery, actor=adviser) is True

    delivery.refresh_from_db()
    assert (delivery.status, delivery.mail.attempts, delivery.mail.error) == (
        Delivery.Status.SENT,
        settings.MAIL_ATTEMPTS + 1,
        "",
    )
    assert delivery.mail.sent_at is not None
    assert [m.to for m in mail.outbox] == [[delivery.email]]
    assert notice.deliveries.filter(mail__status=MailDelivery.Status.FAILED).count() == (
        len(ADDRESSES) - 1
    )
    assert AuditEvent.objects.filter(
        detail=f"varsel {notice.pk} sendt på nytt til levering {delivery.pk}: sendt"
    ).exists()


def test_it_resends_only_approved_notices_to_recipients_with_an_address(notice, adviser):
    pending = notice.deliveries.exclude(email="").first()
    assert pending is not None
    assert pending.status == Delivery.Status.PENDING
    with pytest.raises(ValidationError) as caught:
        services.delivery_resend(delivery=pending, actor=adviser)
    assert caught.value.messages == ["Varselet er ikke godkjent og sendt."]

    services.notice_send(notice=notice, actor=adviser)
    mail.outbox.clear()
    nobody = notice.deliveries.get(name="Nils Utenpost")
    with pytest.raises(ValidationError) as caught:
        services.delivery_resend(delivery=nobody, actor=adviser)
    assert caught.value.messages == ["Mottakeren har ingen e-postadresse."]

    assert mail.outbox == []
    nobody.refresh_from_db()
    assert (nobody.status, nobody.mail) == (Delivery.Status.NO_ADDRESS, None)


def test_the_notice_pages_show_each_recipients_status_attempts_and_error(notice, adviser, client):
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=closed_port(),
        EMAIL_TIMEOUT=2,
    ):
        services.notice_send(notice=notice, actor=adviser)
    client.force_login(adviser)
    listing = reverse("agreements:notices")
    detail = reverse("agreements:notice", args=[notice.pk])
    counts_of = '<td class="num">{} / 8</td><td class="num">{}</td><td class="num">3</td>'

    assert counts_of.format(0, 5) in client.get(listing).content.decode()
    page = client.get(detail).content.decode()
    assert page.count("ConnectionRefusedError") == 5
    assert page.count(f"({settings.MAIL_ATTEMPTS} forsøk)") == 5
    assert page.count("Ingen e-postadresse") == 3

    resent = notice.deliveries.get(email="berit@revmatolog.no")
    response = client.post(reverse("agreements:resend", args=[resent.pk]))

    assert response.status_code == 302
    assert counts_of.format(1, 4) in client.get(listing).content.decode()
    page = client.get(detail).content.decode()
    assert page.count("ConnectionRefusedError") == 4
    assert [m.to for m in mail.outbox] == [["berit@revmatolog.no"]]


def test_resend_is_offered_only_for_failed_deliveries_and_never_twice_to_a_recipient(
    notice, adviser, client
):
    """One recipient's delivery failed; the others got the notice and are not offered it again."""
    from unittest import mock

    from legemiddel.core import mail as core_mail

    real = core_mail._deliver

    def fail_berit(connection, outgoing, entry):
        if outgoing.to == "berit@revmatolog.no":
            core_mail._record_failure(entry, "SMTPRecipientsRefused: 550", 1)
            return None
        return real(connection, outgoing, entry)

    with mock.patch.object(core_mail, "_deliver", side_effect=fail_berit):
        assert services.notice_send(notice=notice, actor=adviser) == (len(ADDRESSES) - 1, 1)
    failed = notice.deliveries.get(email="berit@revmatolog.no")
    received = notice.deliveries.exclude(email="").exclude(pk=failed.pk)
    client.force_login(adviser)

    page = client.get(reverse("agreements:notice", args=[notice.pk])).content.decode()

    assert page.count('action="/avtaler/utsendelser/mottaker/') == 1
    assert reverse("agreements:resend", args=[failed.pk]) in page
    for delivery in received:
        assert reverse("agreements:resend", args=[delivery.pk]) not in page
    # Posting anyway sends nothing to someone who already has it.
    mail.outbox.clear()
    one = received.first()
    with pytest.raises(ValidationError) as caught:
        services.delivery_resend(delivery=one, actor=adviser)
    assert caught.value.messages == ["Mottakeren har allerede fått varselet."]
    client.post(reverse("agreements:resend", args=[one.pk]))
    assert mail.outbox == []
    one.refresh_from_db()
    assert one.mail.attempts == 1


def test_the_notice_editor_has_a_wide_subject_and_text(notice, adviser, client):
    client.force_login(adviser)
    page = client.get(reverse("agreements:notice", args=[notice.pk])).content.decode()
    assert re.search(r'<input type="text" name="subject"[^>]*class="input-wide"', page)
    assert re.search(r'<textarea name="body"[^>]*class="input-wide"', page)
