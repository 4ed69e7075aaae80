"""Hand-made data for the compliance and budget tests: methods with decisions, packages with
ATC codes, H-prescription dispensings and DIPS administrations in the shared ``org`` units.

Usage data starts on 1 January 2020 (the import batches' period), so with the default
look-back of 365 days a first event from 2021 on is a treatment start.
"""

from __future__ import annotations

import datetime as dt

import pytest

from legemiddel.catalogue.models import AtcCode, Package
from legemiddel.methods.ids import indication_key
from legemiddel.methods.models import DecisionStatus, Method, MethodType
from legemiddel.organisation.models import HealthPersonnel
from legemiddel.usage.models import Administration, Dispensing, ImportBatch

DATA_FROM = dt.date(2020, 1, 1)
DECIDED = dt.date(2024, 1, 15)

NOT_INTRODUCED = DecisionStatus.NOT_INTRODUCED
ASSESSMENT = DecisionStatus.ASSESSMENT
INTRODUCED = DecisionStatus.INTRODUCED
CONDITIONS = DecisionStatus.CONDITIONS

HPR = "6360060"


class Data:
    def __init__(self, org):
        self.org = org
        self.batches = {
            source: ImportBatch.objects.create(
                source=source,
                file_name=f"{source}.csv",
                sha256=source,
                period_start=DATA_FROM,
                period_end=dt.date(2026, 12, 31),
            )
            for source in ("hresept", "dips", "sls")
        }
        self.packages: dict[str, Package] = {}

    def package(self, varenr: str, atc: str) -> Package:
        for level, length in ((1, 1), (2, 3), (3, 4), (4, 5), (5, 7)):
            AtcCode.objects.get_or_create(code=atc[:length], defaults={"level": level})
        package, _ = Package.objects.get_or_create(
            varenr=varenr,
            defaults={
                "fest_id": f"ID_{varenr}",
                "name_form_strength": f"Pakning {varenr}",
                "content_hash": "0" * 32,
                "atc_id": atc,
            },
        )
        self.packages[varenr] = package
        return package

    def method(
        self,
        method_id: str,
        indication: str,
        *,
        atc: str,
        status: str = NOT_INTRODUCED,
        confirmed: str = "",
        decided: dt.date | None = DECIDED,
        icd10: str = "",
        effective_from: dt.date | None = None,
        substance: str = "",
    ) -> Method:
        return Method.objects.create(
            method_id=method_id,
            indication=indication,
            indication_key=indication_key(indication),
            substance_text=substance or atc,
            method_type=MethodType.DRUG,
            decision_date=decided,
            decision_short=f"{substance or atc}: beslutning for {indication}",
            suggested_status=status,
            status=confirmed,
            atc_codes=atc,
            icd10=icd10,
            effective_from=effective_from,
        )

    def adm(self, day: dt.date, patient: str, unit: str, atc: str, codes: str = "", episode=""):
        org_unit = self.org[unit]
        return Administration.objects.create(
            batch=self.batches["dips"],
            administered_on=day,
            month=day.replace(day=1),
            patient=patient,
            unit_code=org_unit.code,
            org_unit=org_unit,
            atc=atc,
            episode=episode or f"EP-{patient}-{day:%Y%m%d}",
            diagnosis_codes=codes,
        )

    def disp(
        self,
        day: dt.date,
        patient: str,
        varenr: str,
        unit: str,
        refund: str = "",
        hpr: str = HPR,
        quantity: float = 1.0,
        amount: float = 1000.0,
    ):
        return Dispensing.objects.create(
            batch=self.batches["hresept"],
            dispensed_on=day,
            month=day.replace(day=1),
            patient=patient,
            package=self.packages[varenr],
            quantity=quantity,
            amount=amount,
            refund_code=refund,
            prescriber_hpr=hpr,
            org_unit=self.org[unit],
        )

    def prescriber(self, hpr: str = HPR, name: str = "Silje Bakke") -> HealthPersonnel:
        return HealthPersonnel.objects.create(
            hpr_number=hpr, name=name, category=HealthPersonnel.Category.HOSPITAL_DOCTOR
        )


@pytest.fixture
def data(org):
    return Data(org)
