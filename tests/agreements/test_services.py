"""The LIS agreement register: writes, publication, notices, price access and meetings.

Each test builds a small catalogue and therapeutic area itself on the shared ``org`` and
``users`` fixtures, and checks both what a service returns and what it left in the database.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import zoneinfo
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from legemiddel.accounts.models import User
from legemiddel.accounts.roles import Role
from legemiddel.accounts.services import user_create
from legemiddel.agreements import pricing, selectors, services
from legemiddel.agreements.models import (
    Agreement,
    AgreementChange,
    AgreementLine,
    AgreementVersion,
    Delivery,
    Notice,
    Participant,
    PriceAccessGrant,
    StartupMeeting,
    TherapeuticArea,
)
from legemiddel.catalogue.models import Package, Price
from legemiddel.catalogue.selectors import current_public_prices
from legemiddel.core.models import AuditEvent
from legemiddel.lib.tabular import ImportRejected, RowError
from legemiddel.organisation.models import Affiliation, HealthPersonnel, UnitMembership
from legemiddel.organisation.services import membership_add, personnel_save

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
        StartupMeeting,
        Participant,
        Notice,
        Delivery,
        PriceAccessGrant,
        AuditEvent,
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


@pytest.fixture
def catalogue(db) -> dict[str, Package]:
    return {
        p.varenr: p
        for p in (
            add_package("012345", "Hyrimoz inj 40 mg", ddd_per_pack="14", aip="4500.00"),
            add_package("023456", "Amgevita inj 40 mg", ddd_per_pack="14", aip="4600.00"),
            add_package("034567", "Imraldi inj 40 mg"),
            add_package("045678", "Benepali inj 50 mg", ddd_per_pack="28", aip="3100.00"),
        )
    }


@pytest.fixture
def area(org) -> TherapeuticArea:
    area = TherapeuticArea.objects.create(code="TNF-BIO", name="TNF BIO")
    area.units.set([org["MED-REV-POL"]])
    return area


@pytest.fixture
def adviser(users) -> User:
    return users[Role.PROCUREMENT_ADVISER]


@pytest.fixture
def agreement(area, adviser, catalogue) -> Agreement:
    return make_agreement(area, adviser)


@pytest.fixture
def imported(agreement, adviser) -> Agreement:
    services.agreement_import_lines(
        agreement=agreement, data=csv_bytes(*GOOD_ROWS), file_name="tnf.csv", actor=adviser
    )
    return agreement


@pytest.fixture
def community(org, area, users) -> None:
    """Who the area's notices concern, and people they must not reach."""

    def doctor(hpr: str, name: str, email: str = "", unit: str = "MED-REV-POL", **extra):
        person = personnel_save(
            person=HealthPersonnel(
                hpr_number=hpr,
                name=name,
                category=extra.pop("category", HealthPersonnel.Category.HOSPITAL_DOCTOR),
                email=email,
                user=extra.pop("user", None),
            )
        )
        Affiliation.objects.create(person=person, org_unit=org[unit], **extra)
        return person

    kari = user_create(
        username="kari",
        password=None,
        first_name="Kari",
        last_name="Leder",
        email="kari.leder@helse-bergen.no",
        roles=[Role.UNIT_LEADER],
    )
    membership_add(user=kari, org_unit=org["MED-REV"], role=Role.UNIT_LEADER)
    ola = user_create(
        username="ola",
        password=None,
        first_name="Ola",
        last_name="Nevro",
        email="ola.nevro@helse-bergen.no",
        roles=[Role.UNIT_LEADER],
    )
    membership_add(user=ola, org_unit=org["NEVRO-MS"], role=Role.UNIT_LEADER)
    former = user_create(
        username="former",
        password=None,
        first_name="Fredrik",
        last_name="Tidligere",
        email="fredrik@helse-bergen.no",
        roles=[Role.UNIT_LEADER],
    )
    membership_add(user=former, org_unit=org["MED-REV-POL"], role=Role.UNIT_LEADER)
    UnitMembership.objects.filter(user=former).update(valid_to=dt.date(2020, 12, 31))
    user_create(
        username="apotek",
        password=None,
        first_name="Apotek",
        last_name="Vakt",
        email="apotek@sykehusapoteket.no",
        roles=[Role.PHARMACY],
    )
    synnove = user_create(
        username="synnove",
        password=None,
        first_name="Synnøve",
        last_name="Aasen",
        email="synnove.aasen@helse-bergen.no",
        roles=[Role.PRESCRIBER],
    )
    doctor("7188185", "Torbjørn Rønning", "torbjorn.ronning@helse-bergen.no")
    doctor("9238128", "Synnøve Aasen", user=synnove)
    doctor("9144900", "Nils Utenpost")
    # The unit leader is also a doctor there; her address is written in other letters.
    doctor("9100001", "Kari Leder", "Kari.Leder@Helse-Bergen.no")
    doctor("9100002", "Nina Nevrolog", "nina@helse-bergen.no", unit="NEVRO-MS")
    doctor("9100003", "Finn Fastlege", "finn@legesenter.no", category=HealthPersonnel.Category.GP)
    doctor("9100004", "Sluttet Lege", "sluttet@helse-bergen.no", valid_to=dt.date(2021, 1, 1))
    berit = personnel_save(
        person=HealthPersonnel(
            hpr_number="9200001",
            name="Berit Spesialist",
            category=HealthPersonnel.Category.CONTRACT_SPECIALIST,
            email="berit@revmatolog.no",
        )
    )
    personnel_save(
        person=HealthPersonnel(
            hpr_number="9200002",
            name="Annen Spesialist",
            category=HealthPersonnel.Category.CONTRACT_SPECIALIST,
            email="annen@hudlege.no",
        )
    )
    area.specialists.set([berit])


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


@pytest.fixture
def notice(imported, adviser, community) -> Notice:
    return services.agreement_publish(agreement=imported, actor=adviser)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- registering an agreement ---------------------------------------------------------------


def test_it_registers_a_draft_with_a_startup_meeting_due_before_the_start(area, adviser, users):
    agreement = make_agreement(area, adviser)

    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.DRAFT
    assert agreement.version == 0
    assert agreement.has_unpublished_changes is True
    assert agreement.created_by == adviser
    meeting = agreement.startup_meeting
    assert settings.STARTUP_MEETING_DAYS_BEFORE == 14
    assert meeting.due_by == dt.date(2026, 2, 15)
    assert meeting.scheduled_at is None
    assert meeting.agenda.startswith("1. Hva er nytt i avtalen")
    assert set(meeting.participants.values_list("role", "name")) == {
        (Participant.Role.UNIT_LEADER, "Unit Leader"),
        (Participant.Role.CONTROLLER, "Controller"),
        (Participant.Role.PHARMACY, "Pharmacy"),
        (Participant.Role.CORE_GROUP, "Core Group"),
        (Participant.Role.CORE_GROUP, "Procurement Adviser"),
    }
    assert list(agreement.changes.values_list("summary", "changes", "by")) == [
        ("registrert", [], adviser.pk)
    ]
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.AGREEMENT, user=adviser, detail__contains="TNF BIO 2026"
    ).exists()


def test_it_invites_each_address_once(area, adviser, users):
    users[Role.CORE_GROUP].email = "felles@helse-bergen.no"
    users[Role.CORE_GROUP].save()
    users[Role.PROCUREMENT_ADVISER].email = "felles@helse-bergen.no"
    users[Role.PROCUREMENT_ADVISER].save()

    agreement = make_agreement(area, adviser)

    meeting = agreement.startup_meeting
    assert list(
        meeting.participants.filter(email="felles@helse-bergen.no").values_list("name")
    ) == [("Core Group",)]
    assert meeting.participants.count() == 4

    assert services.meeting_suggest_participants(meeting=meeting) == 0
    assert meeting.participants.count() == 4

    advisory = users[Role.ADVISORY_PHARMACIST]
    membership_add(user=advisory, org_unit=area.units.get(), role=Role.ADVISORY_PHARMACIST)
    assert services.meeting_suggest_participants(meeting=meeting) == 1
    assert set(meeting.participants.values_list("role", "name")) == {
        (Participant.Role.UNIT_LEADER, "Unit Leader"),
        (Participant.Role.CONTROLLER, "Controller"),
        (Participant.Role.ADVISORY_PHARMACIST, "Advisory Pharmacist"),
        (Participant.Role.PHARMACY, "Pharmacy"),
        (Participant.Role.CORE_GROUP, "Core Group"),
    }


@pytest.mark.parametrize(
    ("region", "start", "end"),
    [
        ("Helse Vest", START, END),
        ("  helse   VEST ", dt.date(2027, 1, 1), dt.date(2029, 1, 1)),
        ("HELSE VEST", dt.date(2025, 1, 1), START),
        ("Helse vest", END, dt.date(2030, 1, 1)),
    ],
)
def test_it_refuses_an_overlapping_period_for_the_same_area_and_region(
    agreement, area, adviser, region, start, end
):
    before = counts()

    with pytest.raises(ValidationError) as caught:
        make_agreement(area, adviser, title="Ny TNF", region=region, start=start, end=end)

    assert caught.value.message_dict == {
        "start": [
            "Perioden overlapper «TNF BIO 2026» (01.03.2026–29.02.2028) for samme område og region."
        ]
    }
    assert counts() == before


def test_it_allows_the_same_period_in_another_region_or_area_and_next_to_the_last(
    agreement, area, adviser, org
):
    other_area = TherapeuticArea.objects.create(code="MS", name="MS")

    make_agreement(area, adviser, title="TNF Midt", region="Helse Midt-Norge")
    make_agreement(other_area, adviser, title="MS 2026")
    make_agreement(
        area, adviser, title="TNF 2028", start=dt.date(2028, 3, 1), end=dt.date(2030, 2, 28)
    )

    assert set(Agreement.objects.values_list("title", flat=True)) == {
        "TNF BIO 2026",
        "TNF Midt",
        "MS 2026",
        "TNF 2028",
    }
    assert StartupMeeting.objects.count() == 4


def test_it_ignores_withdrawn_agreements_when_checking_overlap(agreement, area, adviser):
    Agreement.objects.filter(pk=agreement.pk).update(status=Agreement.Status.WITHDRAWN)

    replacement = make_agreement(area, adviser, title="TNF BIO 2026 (ny)")

    assert replacement.pk is not None
    assert Agreement.objects.count() == 2


def test_it_refuses_an_end_before_the_start_and_writes_nothing(area, adviser, catalogue):
    before = counts()

    with pytest.raises(ValidationError) as caught:
        make_agreement(area, adviser, start=dt.date(2026, 3, 1), end=dt.date(2026, 2, 28))

    assert "end" in caught.value.message_dict
    assert counts() == before


# --- changing an agreement ------------------------------------------------------------------


def test_it_records_what_changed_and_moves_the_meeting_with_the_start(agreement, adviser, users):
    services.agreement_update(
        agreement=agreement,
        actor=users[Role.CORE_GROUP],
        title="TNF BIO 2026–2028",
        start=dt.date(2026, 4, 1),
        region="Helse Vest",
    )

    agreement.refresh_from_db()
    assert (agreement.title, agreement.start) == ("TNF BIO 2026–2028", dt.date(2026, 4, 1))
    assert StartupMeeting.objects.get(agreement=agreement).due_by == dt.date(2026, 3, 18)
    change = agreement.changes.first()
    assert change is not None
    assert change.by == users[Role.CORE_GROUP]
    assert change.summary == "endret tittel, start"
    assert change.changes == [
        {
            "field": "title",
            "label": "tittel",
            "old": "TNF BIO 2026",
            "new": "TNF BIO 2026–2028",
            "price": False,
        },
        {
            "field": "start",
            "label": "start",
            "old": "01.03.2026",
            "new": "01.04.2026",
            "price": False,
        },
    ]


def test_it_records_nothing_when_nothing_changed(agreement, adviser):
    before = counts()

    services.agreement_update(agreement=agreement, actor=adviser, title="TNF BIO 2026", end=END)

    assert counts() == before


def test_it_leaves_the_meeting_alone_when_the_start_stays(agreement, adviser):
    services.agreement_update(agreement=agreement, actor=adviser, end=dt.date(2028, 1, 31))

    assert StartupMeeting.objects.get(agreement=agreement).due_by == dt.date(2026, 2, 15)


def test_it_refuses_a_change_into_another_agreements_period(agreement, area, adviser):
    make_agreement(
        area, adviser, title="TNF 2028", start=dt.date(2028, 3, 1), end=dt.date(2030, 1, 1)
    )
    before = counts()

    with pytest.raises(ValidationError) as caught:
        services.agreement_update(
            agreement=agreement, actor=adviser, extended_to=dt.date(2028, 6, 30)
        )

    assert "TNF 2028" in caught.value.message_dict["start"][0]
    agreement.refresh_from_db()
    assert agreement.extended_to is None
    assert counts() == before


def test_it_refuses_an_extension_that_does_not_go_beyond_the_end(agreement, adviser):
    with pytest.raises(ValidationError) as caught:
        services.agreement_update(agreement=agreement, actor=adviser, extended_to=END)

    assert "extended_to" in caught.value.message_dict
    agreement.refresh_from_db()
    assert agreement.extended_to is None


# --- importing products ---------------------------------------------------------------------


def test_it_imports_the_products_and_records_their_prices_as_confidential(agreement, adviser):
    result = services.agreement_import_lines(
        agreement=agreement, data=csv_bytes(*GOOD_ROWS), file_name="tnf.csv", actor=adviser
    )

    assert result.as_text() == "3 produkter i 2 indikasjonsgrupper importert."
    assert lines_of(agreement) == [
        ("Psoriasis", "new", 1, "045678", Decimal("2754.39"), None, None, "ddd", None),
        ("Revmatoid artritt", "all", 1, "012345", Decimal("4321.17"), None, None, "ddd", None),
        ("Revmatoid artritt", "all", 2, "023456", Decimal("3987.65"), None, None, "year", 26),
    ]
    change = agreement.changes.first()
    assert change is not None
    assert change.by == adviser
    assert change.summary == (
        "produkter importert fra tnf.csv: 3 produkter i 2 indikasjonsgrupper importert."
    )
    price_entries = [c for c in change.changes if c["price"]]
    assert price_entries == [
        {
            "field": "lis_price",
            "label": "LIS-pris 012345",
            "old": "",
            "new": "4\u00a0321,17",
            "price": True,
        },
        {
            "field": "lis_price",
            "label": "LIS-pris 023456",
            "old": "",
            "new": "3\u00a0987,65",
            "price": True,
        },
        {
            "field": "lis_price",
            "label": "LIS-pris 045678",
            "old": "",
            "new": "2\u00a0754,39",
            "price": True,
        },
    ]
    public_entries = [c for c in change.changes if not c["price"]]
    assert [c["new"] for c in public_entries] == [
        "Revmatoid artritt · all · rang 1 · 012345",
        "Revmatoid artritt · all · rang 2 · 023456",
        "Psoriasis · new · rang 1 · 045678",
    ]
    assert no_secret_in(json.dumps(public_entries, ensure_ascii=False))
    assert no_secret_in(" ".join(AuditEvent.objects.values_list("detail", flat=True)))


def test_it_records_rank_price_and_removed_lines_when_a_file_replaces_the_products(
    imported, adviser
):
    services.agreement_import_lines(
        agreement=imported,
        data=csv_bytes(
            "Revmatoid artritt;alle;2;012345;4 100,00 kr;;;ddd;",
            "Revmatoid artritt;alle;1;023456;3 987,65 kr;;;år;26",
        ),
        file_name="tnf-2.csv",
        actor=adviser,
    )

    assert lines_of(imported) == [
        ("Revmatoid artritt", "all", 1, "023456", Decimal("3987.65"), None, None, "year", 26),
        ("Revmatoid artritt", "all", 2, "012345", Decimal("4100.00"), None, None, "ddd", None),
    ]
    change = imported.changes.first()
    assert change is not None
    assert change.changes == [
        {
            "field": "rank",
            "label": "rang 012345 i Revmatoid artritt",
            "old": "1",
            "new": "2",
            "price": False,
        },
        {
            "field": "lis_price",
            "label": "LIS-pris 012345",
            "old": "4\u00a0321,17",
            "new": "4\u00a0100,00",
            "price": True,
        },
        {
            "field": "rank",
            "label": "rang 023456 i Revmatoid artritt",
            "old": "2",
            "new": "1",
            "price": False,
        },
        {
            "field": "line",
            "label": "fjernet linje",
            "old": "Psoriasis · new · rang 1 · 045678",
            "new": "",
            "price": False,
        },
    ]


def rejected(agreement: Agreement, actor: User, *rows: str) -> list[RowError]:
    """Import ``rows``, expecting a refusal that leaves the register exactly as it was."""
    before, lines = counts(), lines_of(agreement)
    with pytest.raises(ImportRejected) as caught:
        services.agreement_import_lines(
            agreement=agreement, data=csv_bytes(*rows), file_name="feil.csv", actor=actor
        )
    assert counts() == before
    assert lines_of(agreement) == lines
    return caught.value.errors


def test_it_rejects_a_file_with_an_unknown_varenr_and_keeps_the_products(imported, adviser):
    errors = rejected(
        imported,
        adviser,
        "Revmatoid artritt;alle;1;012345;4 000,00;;;ddd;",
        "Revmatoid artritt;alle;2;099999;3 000,00;;;ddd;",
    )

    assert errors == [
        RowError(3, "varenr", "099999", "finnes ikke i legemiddelkatalogen (FEST)"),
    ]


def test_it_rejects_line_dates_outside_the_agreement_period(imported, adviser):
    errors = rejected(
        imported,
        adviser,
        "Revmatoid artritt;alle;1;012345;;28.02.2026;31.05.2026;ddd;",
        "Revmatoid artritt;alle;1;023456;;01.06.2026;01.03.2028;ddd;",
    )

    period = "ligger utenfor avtaleperioden 01.03.2026–29.02.2028"
    assert errors == [
        RowError(2, "gyldig fra", "28.02.2026", period),
        RowError(3, "gyldig til", "01.03.2028", period),
    ]


def test_it_accepts_line_dates_inside_an_extension(agreement, adviser):
    services.agreement_update(agreement=agreement, actor=adviser, extended_to=dt.date(2028, 8, 31))

    services.agreement_import_lines(
        agreement=agreement,
        data=csv_bytes("Revmatoid artritt;alle;1;012345;;01.03.2028;31.08.2028;ddd;"),
        file_name="forlenget.csv",
        actor=adviser,
    )

    assert [line[5:7] for line in lines_of(agreement)] == [
        (dt.date(2028, 3, 1), dt.date(2028, 8, 31))
    ]


def test_it_rejects_a_gap_in_the_ranks(imported, adviser):
    errors = rejected(
        imported,
        adviser,
        "Revmatoid artritt;alle;1;012345;;;;ddd;",
        "Revmatoid artritt;alle;3;023456;;;;ddd;",
    )

    assert errors == [
        RowError(
            2,
            "rang",
            "1, 3",
            "«Revmatoid artritt» mangler rang 2 fra 01.03.2026; rangene må gå 1, 2, 3 … uten hull",
        )
    ]


def test_it_reports_every_problem_of_a_file_at_once_in_row_order(imported, adviser):
    errors = rejected(
        imported,
        adviser,
        "Revmatoid artritt;alle;1;099999;;;;ddd;",
        "Revmatoid artritt;alle;0;012345;;;;ddd;",
        "Psoriasis;alle;1;023456;;01.01.2026;;ddd;",
    )

    assert [(e.row, e.column) for e in errors] == [(2, "varenr"), (3, "rang"), (4, "gyldig fra")]


def test_it_rejects_a_file_without_products(imported, adviser):
    assert rejected(imported, adviser) == [RowError(0, "", "", "Filen har ingen produktlinjer.")]


def test_it_rejects_a_file_without_the_required_columns(imported, adviser):
    before = lines_of(imported)

    with pytest.raises(ImportRejected) as caught:
        services.agreement_import_lines(
            agreement=imported, data=b"produkt;pris\nHumira;100\n", file_name="x.csv", actor=adviser
        )

    assert [e.row for e in caught.value.errors] == [0]
    assert caught.value.errors[0].message.startswith("Mangler kolonne(r): indikasjonsgruppe")
    assert lines_of(imported) == before


# --- one line at a time ---------------------------------------------------------------------


def test_it_keeps_the_stored_price_when_the_editor_cannot_see_prices(imported, users):
    line = imported.lines.get(package_id="045678")
    line.rank = 1
    line.dosing = "50 mg hver uke"

    services.line_save(
        line=line, actor=users[Role.CORE_GROUP], price_visible=False, lis_price=Decimal("1.00")
    )

    line.refresh_from_db()
    assert line.lis_price == Decimal("2754.39")
    assert line.dosing == "50 mg hver uke"
    change = imported.changes.first()
    assert change is not None
    assert change.summary == "endret linje Psoriasis rang 1 (045678)"
    assert change.changes == [
        {"field": "dosing", "label": "dosering", "old": "", "new": "50 mg hver uke", "price": False}
    ]


def test_it_changes_the_price_and_records_it_as_confidential_for_an_editor_who_sees_prices(
    imported, adviser
):
    line = imported.lines.get(package_id="045678")

    services.line_save(line=line, actor=adviser, price_visible=True, lis_price=Decimal("2600.50"))

    line.refresh_from_db()
    assert line.lis_price == Decimal("2600.50")
    change = imported.changes.first()
    assert change is not None
    assert change.changes == [
        {
            "field": "lis_price",
            "label": "LIS-pris 045678",
            "old": "2\u00a0754,39",
            "new": "2\u00a0600,50",
            "price": True,
        }
    ]


def test_it_records_nothing_when_a_line_is_saved_unchanged(imported, adviser):
    before = counts()
    line = imported.lines.get(package_id="045678")

    services.line_save(line=line, actor=adviser, price_visible=True, lis_price=line.lis_price)

    assert counts() == before


def test_it_adds_a_line_without_a_price_for_an_editor_who_cannot_see_prices(agreement, users):
    line = AgreementLine(
        agreement=agreement, package_id="034567", indication_group="Revmatoid artritt", rank=1
    )

    services.line_save(
        line=line, actor=users[Role.CORE_GROUP], price_visible=False, lis_price=Decimal("99.00")
    )

    assert lines_of(agreement) == [
        ("Revmatoid artritt", "all", 1, "034567", None, None, None, "ddd", None)
    ]
    change = agreement.changes.first()
    assert change is not None
    assert (change.summary, change.changes) == ("ny linje Revmatoid artritt rang 1 (034567)", [])


def test_it_refuses_a_line_outside_the_period_and_writes_nothing(agreement, adviser):
    before = counts()
    line = AgreementLine(
        agreement=agreement,
        package_id="034567",
        indication_group="Revmatoid artritt",
        rank=1,
        valid_from=dt.date(2026, 1, 1),
    )

    with pytest.raises(ValidationError) as caught:
        services.line_save(line=line, actor=adviser, price_visible=True, lis_price=None)

    assert caught.value.message_dict == {
        "valid_from": ["ligger utenfor avtaleperioden 01.03.2026–29.02.2028"]
    }
    assert counts() == before


# --- publication ----------------------------------------------------------------------------


def test_it_lists_what_stops_publication(agreement, adviser):
    assert services.agreement_problems(agreement) == ["Avtalen har ingen produkter."]

    for varenr, rank, basis in (("012345", 2, "ddd"), ("023456", 3, "year")):
        services.line_save(
            line=AgreementLine(
                agreement=agreement,
                package_id=varenr,
                indication_group="Revmatoid artritt",
                rank=rank,
                cost_basis=basis,
                valid_from=START if varenr == "012345" else None,
            ),
            actor=adviser,
            price_visible=True,
            lis_price=None,
        )
    # The period moves after the lines were entered.
    services.agreement_update(agreement=agreement, actor=adviser, start=dt.date(2026, 4, 1))

    assert services.agreement_problems(agreement) == [
        "«Revmatoid artritt» mangler rang 1 fra 01.03.2026; rangene må gå 1, 2, 3 … uten hull",
        "ligger utenfor avtaleperioden 01.04.2026–29.02.2028",
        "023456 i «Revmatoid artritt»: kostnad per år eller kur trenger pakninger per periode.",
    ]


def test_it_refuses_to_publish_an_agreement_with_problems(agreement, adviser):
    before = counts()

    with pytest.raises(ValidationError) as caught:
        services.agreement_publish(agreement=agreement, actor=adviser)

    assert caught.value.messages == ["Avtalen har ingen produkter."]
    agreement.refresh_from_db()
    assert (agreement.status, agreement.version) == (Agreement.Status.DRAFT, 0)
    assert counts() == before


def test_it_publishes_a_version_and_drafts_a_notice_without_prices(imported, adviser, community):
    notice = services.agreement_publish(agreement=imported, actor=adviser, note="Første versjon")

    imported.refresh_from_db()
    assert imported.status == Agreement.Status.PUBLISHED
    assert imported.version == 1
    assert imported.has_unpublished_changes is False
    version = AgreementVersion.objects.get(agreement=imported)
    assert (version.number, version.published_by, version.note) == (1, adviser, "Første versjon")
    assert version.snapshot == {
        "title": "TNF BIO 2026",
        "reference": "LIS 2405",
        "region": "Helse Vest",
        "start": "2026-03-01",
        "end": "2028-02-29",
        "extended_to": None,
        "conditions": "",
        "comment": "",
        "lines": [
            {
                "indication_group": "Psoriasis",
                "patient_group": "new",
                "rank": 1,
                "package_id": "045678",
                "valid_from": None,
                "valid_to": None,
                "dosing": "",
                "conditions": "",
                "comment": "",
                "name": "Benepali inj 50 mg",
            },
            {
                "indication_group": "Revmatoid artritt",
                "patient_group": "all",
                "rank": 1,
                "package_id": "012345",
                "valid_from": None,
                "valid_to": None,
                "dosing": "",
                "conditions": "",
                "comment": "",
                "name": "Hyrimoz inj 40 mg",
            },
            {
                "indication_group": "Revmatoid artritt",
                "patient_group": "all",
                "rank": 2,
                "package_id": "023456",
                "valid_from": None,
                "valid_to": None,
                "dosing": "",
                "conditions": "",
                "comment": "",
                "name": "Amgevita inj 40 mg",
            },
        ],
    }
    assert no_secret_in(json.dumps(version.snapshot, ensure_ascii=False))
    assert set(imported.changes.values_list("published_in", flat=True)) == {1}

    assert notice.version == version
    assert notice.status == Notice.Status.DRAFT
    assert notice.subject == "Ny LIS-anbefaling: TNF BIO 2026"
    assert "TNF BIO (Helse Vest), gjelder 01.03.2026–29.02.2028" in notice.body
    assert "Hva er endret:\nFørste versjon" in notice.body
    assert "Psoriasis – nye pasienter:\n  1. Benepali inj 50 mg\n" in notice.body
    assert (
        "Revmatoid artritt – alle pasienter:\n  1. Hyrimoz inj 40 mg\n  2. Amgevita inj 40 mg\n"
        in notice.body
    )
    assert reverse("agreements:portal_area", args=["TNF-BIO"]) in notice.body
    assert no_secret_in(notice.subject + notice.body)
    assert no_secret_in(" ".join(AuditEvent.objects.values_list("detail", flat=True)))

    assert {(d.name, d.email, d.reason, d.status) for d in notice.deliveries.all()} == {
        (name, email, reason, Delivery.Status.PENDING if email else Delivery.Status.NO_ADDRESS)
        for name, email, reason in EXPECTED_RECIPIENTS
    }
    assert AuditEvent.objects.filter(detail__endswith="publisert som versjon 1").count() == 1


def test_it_refuses_to_publish_again_when_nothing_changed(notice, adviser):
    agreement = notice.agreement
    before = counts()

    with pytest.raises(ValidationError) as caught:
        services.agreement_publish(agreement=agreement, actor=adviser)

    assert caught.value.messages == ["Ingenting er endret siden forrige publisering."]
    agreement.refresh_from_db()
    assert agreement.version == 1
    assert counts() == before


def test_it_publishes_a_change_as_the_next_version(notice, adviser):
    agreement = notice.agreement
    services.agreement_update(agreement=agreement, actor=adviser, conditions="Biotilsvarende først")
    agreement.refresh_from_db()
    assert agreement.has_unpublished_changes is True

    second = services.agreement_publish(agreement=agreement, actor=adviser, note="Nye vilkår")

    agreement.refresh_from_db()
    assert (agreement.version, agreement.has_unpublished_changes) == (2, False)
    assert list(agreement.versions.values_list("number", flat=True)) == [2, 1]
    assert second.subject == "Endret LIS-anbefaling: TNF BIO 2026"
    assert "Vilkår: Biotilsvarende først" in second.body
    assert sorted(agreement.changes.values_list("summary", "published_in")) == [
        ("endret vilkår", 2),
        ("produkter importert fra tnf.csv: 3 produkter i 2 indikasjonsgrupper importert.", 1),
        ("registrert", 1),
    ]
    assert Notice.objects.filter(agreement=agreement).count() == 2


# --- who a notice reaches -------------------------------------------------------------------


def test_it_sends_notices_to_the_areas_leaders_prescribers_specialists_and_pharmacy(
    area, community
):
    recipients = selectors.distribution_list(area)

    assert {(r.name, r.email, r.reason) for r in recipients} == EXPECTED_RECIPIENTS
    assert len(recipients) == len(EXPECTED_RECIPIENTS)


def test_it_reaches_nobody_through_an_area_without_units(area, community):
    area.units.clear()
    area.specialists.clear()

    recipients = selectors.distribution_list(area)

    assert {(r.name, r.reason) for r in recipients} == {
        ("Pharmacy", "sykehusapoteket"),
        ("Apotek Vakt", "sykehusapoteket"),
    }


# --- sending a notice -----------------------------------------------------------------------


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
        assert deliveries[address].attempts == 1
        assert deliveries[address].sent_at is not None
    for name in ("Unit Leader", "Nils Utenpost", "Pharmacy"):
        assert deliveries[name].status == Delivery.Status.NO_ADDRESS
        assert (deliveries[name].attempts, deliveries[name].sent_at) == (0, None)
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
    assert not notice.deliveries.filter(attempts__gt=0).exists()


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
    failures = list(notice.deliveries.filter(status=Delivery.Status.FAILED))
    assert {d.email for d in failures} == ADDRESSES
    for delivery in failures:
        assert "Connection refused" in delivery.error
        assert (delivery.attempts, delivery.sent_at) == (1, None)
    assert notice.deliveries.filter(status=Delivery.Status.NO_ADDRESS).count() == 3
    assert AuditEvent.objects.filter(detail__endswith="0 sendt, 5 feilet").exists()

    delivery = failures[0]
    assert services.delivery_resend(delivery=delivery, actor=adviser) is True

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == (Delivery.Status.SENT, 2, "")
    assert delivery.sent_at is not None
    assert [m.to for m in mail.outbox] == [[delivery.email]]
    assert notice.deliveries.filter(status=Delivery.Status.FAILED).count() == len(ADDRESSES) - 1
    assert AuditEvent.objects.filter(
        detail=f"varsel {notice.pk} sendt på nytt til levering {delivery.pk}: sendt"
    ).exists()


def test_it_resends_only_approved_notices_to_recipients_with_an_address(notice, adviser):
    pending = notice.deliveries.filter(status=Delivery.Status.PENDING).first()
    assert pending is not None
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
    assert (nobody.status, nobody.attempts) == (Delivery.Status.NO_ADDRESS, 0)


# --- price access ---------------------------------------------------------------------------


def test_it_grants_price_access_for_a_service_need_and_audits_it(users, adviser):
    controller = users[Role.CONTROLLER]
    expires = timezone.localdate() + dt.timedelta(days=90)
    assert pricing.has_price_access(controller) is False

    grant = services.price_access_grant(
        user=controller, reason="  Budsjett 2027  ", expires_on=expires, actor=adviser
    )

    assert pricing.has_price_access(controller) is True
    assert pricing.has_price_access(User.objects.get(pk=controller.pk)) is True
    assert PriceAccessGrant.objects.get() == grant
    assert (grant.user, grant.granted_by, grant.reason, grant.expires_on) == (
        controller,
        adviser,
        "Budsjett 2027",
        expires,
    )
    assert list(AuditEvent.objects.filter(action="price_access").values_list("user", "detail")) == [
        (
            adviser.pk,
            f"pristilgang gitt til controller til {expires:%d.%m.%Y}: Budsjett 2027",
        )
    ]


@pytest.mark.parametrize(
    ("whom", "reason", "days", "field"),
    [
        ("self", "Budsjett", 30, "user"),
        ("controller", "", 30, "reason"),
        ("controller", "   ", 30, "reason"),
        ("controller", "Budsjett", -1, "expires_on"),
        ("controller", "Budsjett", 367, "expires_on"),
        ("inactive", "Budsjett", 30, "user"),
    ],
)
def test_it_refuses_a_grant_that_breaks_the_rules(users, adviser, whom, reason, days, field):
    user = {"self": adviser, "controller": users[Role.CONTROLLER], "inactive": users[Role.AUDITOR]}[
        whom
    ]
    if whom == "inactive":
        user.is_active = False
        user.save()
    before = counts()

    with pytest.raises(ValidationError) as caught:
        services.price_access_grant(
            user=user,
            reason=reason,
            expires_on=timezone.localdate() + dt.timedelta(days=days),
            actor=adviser,
        )

    assert list(caught.value.message_dict) == [field]
    assert counts() == before
    assert pricing.has_price_access(User.objects.get(pk=user.pk)) is False


@pytest.mark.parametrize("days", [0, 366])
def test_it_grants_from_today_up_to_a_year_ahead(users, adviser, days):
    expires = timezone.localdate() + dt.timedelta(days=days)

    services.price_access_grant(
        user=users[Role.CONTROLLER], reason="Budsjett", expires_on=expires, actor=adviser
    )

    assert PriceAccessGrant.objects.get().expires_on == expires
    assert pricing.has_price_access(User.objects.get(pk=users[Role.CONTROLLER].pk)) is True


def test_it_revokes_price_access_once_and_audits_it(users, adviser):
    controller = users[Role.CONTROLLER]
    grant = services.price_access_grant(
        user=controller,
        reason="Budsjett",
        expires_on=timezone.localdate() + dt.timedelta(days=30),
        actor=adviser,
    )

    services.price_access_revoke(grant=grant, actor=adviser, reason="  Sluttet  ")
    services.price_access_revoke(grant=grant, actor=users[Role.CORE_GROUP], reason="Igjen")

    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert (grant.revoked_by, grant.revoke_reason) == (adviser, "Sluttet")
    assert grant.is_active() is False
    assert pricing.has_price_access(User.objects.get(pk=controller.pk)) is False
    assert list(
        AuditEvent.objects.filter(action="price_access").values_list("detail", flat=True)
    ) == [
        "pristilgang trukket tilbake for controller: Sluttet",
        f"pristilgang gitt til controller til {grant.expires_on:%d.%m.%Y}: Budsjett",
    ]


def test_it_gives_price_access_only_with_an_active_unrevoked_unexpired_grant(users, adviser):
    today = timezone.localdate()
    people = {
        name: user_create(username=name, password=None, roles=[Role.CONTROLLER])
        for name in ("none", "expired", "today", "revoked", "inactive", "active")
    }
    for name, expires in (
        ("expired", today - dt.timedelta(days=1)),
        ("today", today),
        ("revoked", today + dt.timedelta(days=30)),
        ("inactive", today + dt.timedelta(days=30)),
        ("active", today + dt.timedelta(days=30)),
    ):
        PriceAccessGrant.objects.create(
            user=people[name], reason="Budsjett", expires_on=expires, granted_by=adviser
        )
    PriceAccessGrant.objects.filter(user=people["revoked"]).update(revoked_at=timezone.now())
    User.objects.filter(pk=people["inactive"].pk).update(is_active=False)

    access = {
        name: pricing.has_price_access(User.objects.get(pk=user.pk))
        for name, user in people.items()
    }

    assert access == {
        "none": False,
        "expired": False,
        "today": True,
        "revoked": False,
        "inactive": False,
        "active": True,
    }


def test_it_gives_no_price_access_to_an_anonymous_visitor(db):
    assert pricing.has_price_access(AnonymousUser()) is False


# --- what a treatment period costs ----------------------------------------------------------


def line(basis: str, ddd_per_pack: str | None = "14", packs: str | None = None) -> AgreementLine:
    package = Package(varenr="012345", ddd_per_pack=Decimal(ddd_per_pack) if ddd_per_pack else None)
    return AgreementLine(
        package=package,
        cost_basis=basis,
        packs_per_period=Decimal(packs) if packs else None,
    )


@pytest.mark.parametrize(
    ("cost_line", "price", "cost"),
    [
        # 4 321,17 kr / 14 DDD = 308,655 kr, rounded half up to whole øre.
        (line("ddd", "14"), "4321.17", Decimal("308.66")),
        # 100 kr / 3 DDD = 33,333… kr.
        (line("ddd", "3"), "100", Decimal("33.33")),
        # 4 321,17 kr x 26 packs a year.
        (line("year", packs="26"), "4321.17", Decimal("112350.42")),
        # 4 321,17 kr x 2,5 packs a course = 10 802,925 kr.
        (line("course", packs="2.5"), "4321.17", Decimal("10802.93")),
        (line("ddd", None), "4321.17", None),
        (line("ddd", "0"), "4321.17", None),
        (line("year", packs=None), "4321.17", None),
        (line("course", packs=None), "4321.17", None),
        (line("ddd", "14"), None, None),
    ],
)
def test_it_works_out_what_a_ddd_a_year_or_a_course_costs(cost_line, price, cost):
    assert pricing.period_cost(cost_line, Decimal(price) if price else None) == cost


def test_it_compares_the_lis_price_with_todays_public_price(imported):
    Price.objects.create(
        package_id="012345",
        type=Price.Type.AIP,
        amount=Decimal("4700.00"),
        valid_from=timezone.localdate() + dt.timedelta(days=1),
    )
    lines = list(imported.lines.filter(package_id="012345").select_related("package"))

    [cost] = pricing.line_costs(lines, current_public_prices({"012345"}))

    assert (cost.lis_price, cost.aip, cost.aup) == (
        Decimal("4321.17"),
        Decimal("4500.00"),
        Decimal("4860.00"),
    )
    assert cost.cost == Decimal("308.66")
    # 4 500,00 kr / 14 DDD = 321,428… kr.
    assert cost.public_cost == Decimal("321.43")
    # 1 - 4 321,17 / 4 500 = 3,974 %.
    assert cost.discount_percent == Decimal("4.0")


# --- start-up meetings ----------------------------------------------------------------------

DUE = dt.date(2026, 2, 15)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO)


def days(n: int) -> dt.date:
    return DUE + dt.timedelta(days=n)


@pytest.mark.parametrize(
    ("scheduled", "recorded", "today", "warnings"),
    [
        (None, False, days(-15), []),
        (None, False, days(-14), ["unscheduled"]),
        (None, False, DUE, ["unscheduled"]),
        (None, False, days(1), ["overdue"]),
        (at(days(-5), 10), False, days(-6), []),
        (at(days(-5), 10), False, days(-5), []),
        (at(days(-5), 10), False, days(-4), ["minutes_missing"]),
        (at(days(-5), 10), True, days(30), []),
        (at(days(3), 10), False, days(1), ["late"]),
        (at(days(3), 10), False, days(4), ["late", "minutes_missing"]),
        (at(days(3), 10), True, days(4), []),
        # The local day counts: 00:30 in Oslo on the day after is still late …
        (at(days(1), 0, 30), False, days(1), ["late"]),
        # … and 23:30 in Oslo on the due date is in time.
        (at(DUE, 23, 30), False, days(1), ["minutes_missing"]),
    ],
)
def test_it_warns_about_a_meeting_the_core_group_must_act_on(scheduled, recorded, today, warnings):
    meeting = StartupMeeting(
        due_by=DUE,
        scheduled_at=scheduled,
        minutes_recorded_at=at(days(40), 12) if recorded else None,
    )

    assert meeting.warnings(today) == warnings


def test_it_lists_the_meetings_to_act_on_for_running_and_coming_agreements(
    area, adviser, catalogue
):
    overdue = make_agreement(area, adviser, title="Overdue", region="Helse Vest")
    make_agreement(area, adviser, title="Withdrawn", region="Helse Nord")
    make_agreement(
        area, adviser, title="Over", start=dt.date(2024, 1, 1), end=dt.date(2025, 12, 31)
    )
    minuted = make_agreement(area, adviser, title="Minuted", region="Helse Sør-Øst")
    make_agreement(
        area, adviser, title="Later", region="Helse Midt-Norge", start=dt.date(2027, 1, 1)
    )
    held = make_agreement(
        area, adviser, title="Held", region="Finnmark", start=dt.date(2026, 2, 25)
    )
    Agreement.objects.filter(title="Withdrawn").update(status=Agreement.Status.WITHDRAWN)
    StartupMeeting.objects.filter(agreement=minuted).update(
        scheduled_at=at(dt.date(2026, 2, 1), 10), minutes_recorded_at=at(dt.date(2026, 2, 2), 10)
    )
    StartupMeeting.objects.filter(agreement=held).update(scheduled_at=at(dt.date(2026, 2, 5), 10))

    found = selectors.meeting_warnings(dt.date(2026, 2, 20))

    assert [(w.meeting.agreement.title, w.kinds) for w in found] == [
        ("Held", ["minutes_missing"]),
        ("Overdue", ["overdue"]),
    ]
    assert overdue.startup_meeting.due_by == DUE


def test_it_records_the_minutes_and_who_attended(agreement, adviser):
    meeting = agreement.startup_meeting
    services.meeting_update(
        meeting=meeting, actor=adviser, scheduled_at=timezone.now() - dt.timedelta(hours=2)
    )
    present = list(meeting.participants.filter(role=Participant.Role.PHARMACY))

    services.meeting_record_minutes(
        meeting=meeting,
        actor=adviser,
        minutes="  Lager bygges opp før 01.03.  ",
        attended=[p.pk for p in present],
    )

    meeting.refresh_from_db()
    assert meeting.minutes == "Lager bygges opp før 01.03."
    assert meeting.minutes_recorded_by == adviser
    assert meeting.minutes_recorded_at is not None
    assert list(meeting.participants.filter(attended=True)) == present
    assert meeting.participants.filter(attended=False).count() == 4
    assert meeting.warnings(agreement.start) == []
    assert AuditEvent.objects.filter(
        detail=f"referat ført for oppstartsmøte, avtale {agreement.pk}"
    ).exists()


@pytest.mark.parametrize(
    ("hours_ago", "minutes", "message"),
    [
        (2, "   ", "Skriv referatet."),
        (-2, "Referat", "Møtet må være holdt før referatet føres."),
        (None, "Referat", "Møtet må være holdt før referatet føres."),
    ],
)
def test_it_refuses_empty_minutes_or_minutes_of_a_meeting_not_yet_held(
    agreement, adviser, hours_ago, minutes, message
):
    meeting = agreement.startup_meeting
    if hours_ago is not None:
        services.meeting_update(
            meeting=meeting,
            actor=adviser,
            scheduled_at=timezone.now() - dt.timedelta(hours=hours_ago),
        )
    participant = meeting.participants.first()
    assert participant is not None
    before = counts()

    with pytest.raises(ValidationError) as caught:
        services.meeting_record_minutes(
            meeting=meeting, actor=adviser, minutes=minutes, attended=[participant.pk]
        )

    assert caught.value.message_dict == {"minutes": [message]}
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.minutes_recorded_at) == ("", None)
    assert not meeting.participants.filter(attended=True).exists()
    assert counts() == before


# --- what the portal recommends -------------------------------------------------------------


def ranked(groups: list[selectors.RankGroup]) -> list[tuple[str, str, list[tuple[int, str]]]]:
    return [
        (g.indication_group, g.patient_group, [(line.rank, line.package_id) for line in g.lines])
        for g in groups
    ]


@pytest.fixture
def recommendations(area, adviser, catalogue, users) -> dict[str, Agreement]:
    current = make_agreement(area, adviser, title="TNF BIO 2026")
    services.agreement_import_lines(
        agreement=current,
        data=csv_bytes(
            "Revmatoid artritt;alle;1;012345;4 321,17;;31.05.2026;ddd;",
            "Revmatoid artritt;alle;1;023456;3 987,65;01.06.2026;;ddd;",
            "Revmatoid artritt;alle;2;034567;;;;ddd;",
            "Psoriasis;nye;1;045678;2 754,39;;;ddd;",
        ),
        file_name="2026.csv",
        actor=adviser,
    )
    services.agreement_publish(agreement=current, actor=adviser)
    following = make_agreement(
        area, adviser, title="TNF BIO 2028", start=dt.date(2028, 3, 1), end=dt.date(2030, 2, 28)
    )
    services.agreement_import_lines(
        agreement=following,
        data=csv_bytes(
            "Revmatoid artritt;alle;1;034567;;;;ddd;",
            "Revmatoid artritt;alle;2;012345;;;;ddd;",
        ),
        file_name="2028.csv",
        actor=adviser,
    )
    services.agreement_publish(agreement=following, actor=adviser)
    draft = make_agreement(
        area, adviser, title="Utkast Nord", region="Helse Nord", start=dt.date(2026, 4, 1)
    )
    services.agreement_import_lines(
        agreement=draft,
        data=csv_bytes("Revmatoid artritt;alle;1;045678;;;;ddd;"),
        file_name="nord.csv",
        actor=adviser,
    )
    return {"current": current, "following": following}


def test_it_recommends_todays_ranking_with_the_coming_change_and_the_next_agreement(
    area, recommendations
):
    found = selectors.area_recommendation(area, dt.date(2026, 4, 15))

    assert found.current == recommendations["current"]
    assert ranked(found.groups) == [
        ("Psoriasis", "new", [(1, "045678")]),
        ("Revmatoid artritt", "all", [(1, "012345"), (2, "034567")]),
    ]
    assert [(line.rank, line.package_id, line.starts) for line in found.upcoming_lines] == [
        (1, "023456", dt.date(2026, 6, 1))
    ]
    assert found.next_agreement == recommendations["following"]
    assert ranked(found.next_groups) == [
        ("Revmatoid artritt", "all", [(1, "034567"), (2, "012345")])
    ]
    shown = [line for group in found.groups for line in group.lines] + found.upcoming_lines
    assert all("lis_price" in line.get_deferred_fields() for line in shown)


def test_it_recommends_the_new_first_choice_from_the_day_it_starts(area, recommendations):
    found = selectors.area_recommendation(area, dt.date(2026, 6, 1))

    assert ranked(found.groups) == [
        ("Psoriasis", "new", [(1, "045678")]),
        ("Revmatoid artritt", "all", [(1, "023456"), (2, "034567")]),
    ]
    assert found.upcoming_lines == []


def test_it_recommends_the_next_agreement_once_it_has_started(area, recommendations):
    found = selectors.area_recommendation(area, dt.date(2028, 3, 1))

    assert found.current == recommendations["following"]
    assert ranked(found.groups) == [("Revmatoid artritt", "all", [(1, "034567"), (2, "012345")])]
    assert (found.next_agreement, found.next_groups) == (None, [])


def test_it_announces_an_agreement_before_it_starts(area, recommendations):
    found = selectors.area_recommendation(area, dt.date(2026, 1, 1))

    assert (found.current, found.groups, found.upcoming_lines) == (None, [], [])
    assert found.next_agreement == recommendations["current"]
    assert ranked(found.next_groups) == [
        ("Psoriasis", "new", [(1, "045678")]),
        ("Revmatoid artritt", "all", [(1, "012345"), (2, "034567")]),
    ]
