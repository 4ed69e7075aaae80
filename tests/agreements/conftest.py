"""Fixtures of the agreement tests: a catalogue, a therapeutic area, a registered agreement
with its products, the people the area's notices concern, and a drafted notice."""

from __future__ import annotations

import datetime as dt

import pytest

from legemiddel.accounts.models import User
from legemiddel.accounts.roles import Role
from legemiddel.accounts.services import user_create
from legemiddel.agreements import services
from legemiddel.agreements.models import Agreement, Notice, TherapeuticArea
from legemiddel.catalogue.models import Package
from legemiddel.organisation.models import Affiliation, HealthPersonnel, UnitMembership
from legemiddel.organisation.services import membership_add, personnel_save
from tests.agreements.builders import GOOD_ROWS, add_package, csv_bytes, make_agreement


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


@pytest.fixture
def notice(imported, adviser, community) -> Notice:
    return services.agreement_publish(agreement=imported, actor=adviser)
