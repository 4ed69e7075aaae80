"""Publication: what stops it, the version it makes, and who the drafted notice reaches."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from legemiddel.agreements import selectors, services
from legemiddel.agreements.models import (
    Agreement,
    AgreementLine,
    AgreementVersion,
    Delivery,
    Notice,
)
from legemiddel.core.models import AuditEvent
from tests.agreements.builders import EXPECTED_RECIPIENTS, START, counts, no_secret_in

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
