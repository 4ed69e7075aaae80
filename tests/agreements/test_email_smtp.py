"""A published notice goes out through a real SMTP server, one message per address."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from decimal import Decimal

from aiosmtpd.controller import Controller
from django.conf import settings
from django.test import override_settings

from legemiddel.accounts.roles import Role
from legemiddel.accounts.services import user_create
from legemiddel.agreements import services
from legemiddel.agreements.models import Delivery, TherapeuticArea
from legemiddel.catalogue.models import Package
from legemiddel.organisation.models import Affiliation, HealthPersonnel
from legemiddel.organisation.services import personnel_save


class Collector:
    """An SMTP handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_sends_a_published_notice_through_an_smtp_server_one_message_per_address(org):
    adviser = user_create(
        username="innkjop", password=None, first_name="Ine", roles=[Role.PROCUREMENT_ADVISER]
    )
    Package.objects.create(
        varenr="012345",
        fest_id="ID_012345",
        name_form_strength="Hyrimoz inj 40 mg",
        content_hash="0",
    )
    area = TherapeuticArea.objects.create(code="TNF-BIO", name="TNF BIO")
    area.units.set([org["MED-REV-POL"]])
    for hpr, name, address, category in (
        ("7188185", "Torbjørn Rønning", "torbjorn@helse-bergen.no", "hospital_doctor"),
        ("9238128", "Synnøve Aasen", "synnove@helse-bergen.no", "hospital_doctor"),
        ("9144900", "Nils Utenpost", "", "hospital_doctor"),
        ("9200001", "Berit Spesialist", "berit@revmatolog.no", "contract_specialist"),
    ):
        person = personnel_save(
            person=HealthPersonnel(hpr_number=hpr, name=name, email=address, category=category)
        )
        if category == "hospital_doctor":
            Affiliation.objects.create(person=person, org_unit=org["MED-REV-POL"])
        else:
            area.specialists.add(person)
    agreement = services.agreement_create(
        actor=adviser,
        area=area,
        title="TNF BIO 2026",
        region="Helse Vest",
        start=dt.date(2026, 3, 1),
        end=dt.date(2028, 2, 29),
    )
    services.agreement_import_lines(
        agreement=agreement,
        data=b"indikasjonsgruppe;rang;varenr;lis-pris\nRevmatoid artritt;1;012345;4 321,17\n",
        file_name="tnf.csv",
        actor=adviser,
    )
    assert agreement.lines.get().lis_price == Decimal("4321.17")
    notice = services.agreement_publish(agreement=agreement, actor=adviser)
    addresses = {"torbjorn@helse-bergen.no", "synnove@helse-bergen.no", "berit@revmatolog.no"}

    collector = Collector()
    port = free_port()
    server = Controller(collector, hostname="127.0.0.1", port=port)
    server.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_TIMEOUT=5,
        ):
            sent, failed = services.notice_send(notice=notice, actor=adviser)
    finally:
        server.stop()

    assert (sent, failed) == (3, 0)
    assert sorted(tuple(e.rcpt_tos) for e in collector.envelopes) == sorted((a,) for a in addresses)
    for envelope in collector.envelopes:
        assert envelope.mail_from == settings.DEFAULT_FROM_EMAIL
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert message["Subject"] == "Ny LIS-anbefaling: TNF BIO 2026"
        assert message["To"] == envelope.rcpt_tos[0]
        body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        html = message.get_body(("html",)).get_content()
        assert "Hyrimoz inj 40 mg" in html
        assert "Revmatoid artritt – alle pasienter:\n  1. Hyrimoz inj 40 mg\n" in body
        assert "står ikke i denne e-posten" in body
        for price in ("4321.17", "4321,17", "4 321,17", "4\u00a0321,17"):
            assert price not in body
            assert price not in html
    deliveries = notice.deliveries.select_related("mail")
    assert {(d.email, d.status, d.mail.attempts if d.mail else 0) for d in deliveries} == {
        ("torbjorn@helse-bergen.no", Delivery.Status.SENT, 1),
        ("synnove@helse-bergen.no", Delivery.Status.SENT, 1),
        ("berit@revmatolog.no", Delivery.Status.SENT, 1),
        ("", Delivery.Status.NO_ADDRESS, 0),
    }
