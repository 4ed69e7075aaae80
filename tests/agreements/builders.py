"""What the agreement service tests build on: a catalogue, CSV files of products, the
people a notice must (and must not) reach, and checks for leaked prices."""

from __future__ import annotations

import datetime as dt
import socket
import zoneinfo
from decimal import Decimal

from legemiddel.accounts.models import User
from legemiddel.agreements import services
from legemiddel.agreements.models import (
    Agreement,
    AgreementChange,
    AgreementLine,
    AgreementVersion,
    Delivery,
    Notice,
    PriceAccessGrant,
    TherapeuticArea,
)
from legemiddel.catalogue.models import Package, Price
from legemiddel.core.models import AuditEvent, MailDelivery
from legemiddel.governance.models import Meeting, MeetingParticipant

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
START = dt.date(2026, 3, 1)
END = dt.date(2028, 2, 29)
HEADER = (
    "indikasjonsgruppe;pasientgruppe;rang;varenr;lis-pris;gyldig fra;gyldig til;"
    "kostnad per;pakninger per periode"
)
GOOD_ROWS = (
    "Revmatoid artritt;alle;1;012345;4 321,17 kr;;;ddd;",
    "Revmatoid artritt;alle;2;023456;3 987,65 kr;;;år;26",
    "Psoriasis;nye;1;045678;2 754,39 kr;;;ddd;",
)
# The confidential prices in GOOD_ROWS, written every way a page, JSON or e-mail could.
SECRETS = (
    "4321.17",
    "4321,17",
    "4 321,17",
    "4\u00a0321,17",
    "3987.65",
    "3987,65",
    "3 987,65",
    "3\u00a0987,65",
    "2754.39",
    "2754,39",
    "2 754,39",
    "2\u00a0754,39",
)


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join((HEADER, *rows)) + "\n").encode()


def no_secret_in(text: str) -> bool:
    return not [secret for secret in SECRETS if secret in text]


def counts() -> dict[str, int]:
    models = (
        Agreement,
        AgreementLine,
        AgreementChange,
        AgreementVersion,
        Meeting,
        MeetingParticipant,
        Notice,
        Delivery,
        PriceAccessGrant,
        AuditEvent,
        MailDelivery,
    )
    return {model.__name__: model.objects.count() for model in models}


def lines_of(agreement: Agreement) -> list[tuple]:
    return list(
        agreement.lines.order_by("indication_group", "patient_group", "rank").values_list(
            "indication_group",
            "patient_group",
            "rank",
            "package_id",
            "lis_price",
            "valid_from",
            "valid_to",
            "cost_basis",
            "packs_per_period",
        )
    )


def add_package(
    varenr: str, name: str, ddd_per_pack: str | None = None, aip: str | None = None
) -> Package:
    package = Package.objects.create(
        varenr=varenr,
        fest_id=f"ID_{varenr}",
        name_form_strength=name,
        content_hash="0" * 32,
        ddd_per_pack=Decimal(ddd_per_pack) if ddd_per_pack else None,
    )
    if aip:
        Price.objects.create(
            package=package,
            type=Price.Type.AIP,
            amount=Decimal(aip),
            valid_from=dt.date(2020, 1, 1),
        )
        Price.objects.create(
            package=package,
            type=Price.Type.AUP,
            amount=Decimal(aip) * Decimal("1.08"),
            valid_from=dt.date(2020, 1, 1),
        )
    return package


def make_agreement(
    area: TherapeuticArea,
    actor: User,
    title: str = "TNF BIO 2026",
    region: str = "Helse Vest",
    start: dt.date = START,
    end: dt.date = END,
) -> Agreement:
    return services.agreement_create(
        actor=actor,
        area=area,
        title=title,
        reference="LIS 2405",
        region=region,
        start=start,
        end=end,
    )


EXPECTED_RECIPIENTS = {
    (
        "Kari Leder",
        "kari.leder@helse-bergen.no",
        "enhetsleder, Revmatologisk avdeling; forskriver, Revmatologisk poliklinikk",
    ),
    ("Unit Leader", "", "enhetsleder, Revmatologisk avdeling"),
    (
        "Torbjørn Rønning",
        "torbjorn.ronning@helse-bergen.no",
        "forskriver, Revmatologisk poliklinikk",
    ),
    ("Synnøve Aasen", "synnove.aasen@helse-bergen.no", "forskriver, Revmatologisk poliklinikk"),
    ("Nils Utenpost", "", "forskriver, Revmatologisk poliklinikk"),
    ("Berit Spesialist", "berit@revmatolog.no", "avtalespesialist"),
    ("Pharmacy", "", "sykehusapoteket"),
    ("Apotek Vakt", "apotek@sykehusapoteket.no", "sykehusapoteket"),
}
ADDRESSES = {email for _, email, _ in EXPECTED_RECIPIENTS if email}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
