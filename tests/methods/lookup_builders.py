"""What the look-up tests build on: methods as the import would leave them, a small FEST
catalogue with brands and substances, and a published LIS agreement (set up directly, so the
tests do not depend on the importer or the register)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from legemiddel.agreements.models import Agreement, AgreementLine, TherapeuticArea
from legemiddel.catalogue.models import AtcCode, Brand, BrandSubstance, Package, Substance
from legemiddel.lib.text import fold
from legemiddel.methods.ids import indication_key
from legemiddel.methods.models import DecisionStatus, Method, MethodSubstance, MethodType


def make_method(
    method_id: str = "ID2019_073",
    indication: str = "Revmatoid artritt",
    *,
    substance: str = "Adalimumab",
    trade: str = "Humira",
    status: str = DecisionStatus.INTRODUCED,
    suggested: str = "",
    method_type: str = MethodType.DRUG,
    decision_short: str = "",
    **fields: Any,
) -> Method:
    return Method.objects.create(
        method_id=method_id,
        indication=indication,
        indication_key=indication_key(indication),
        substance_text=substance,
        trade_names=trade,
        method_type=method_type,
        status=status,
        suggested_status=suggested or status,
        decision_short=decision_short
        or f"{substance} kan innføres til behandling av {indication}.",
        **fields,
    )


def add_substance(fest_id: str, name: str) -> Substance:
    return Substance.objects.create(
        fest_id=fest_id, name=name, search_key=fold(name), content_hash="0" * 32
    )


def add_product(
    varenr: str, trade_name: str, substance: Substance | None, atc: str = ""
) -> Package:
    if atc:
        AtcCode.objects.get_or_create(code=atc, defaults={"level": 5})
    brand = Brand.objects.create(
        fest_id=f"B_{varenr}",
        trade_name=trade_name,
        name_form_strength=f"{trade_name} inj 40 mg",
        content_hash="0" * 32,
        atc_id=atc or None,
    )
    if substance is not None:
        BrandSubstance.objects.create(brand=brand, substance=substance)
    return Package.objects.create(
        varenr=varenr,
        fest_id=f"P_{varenr}",
        name_form_strength=f"{trade_name} inj 40 mg",
        content_hash="0" * 32,
        brand=brand,
        atc_id=atc or None,
    )


def link(method: Method, substance: Substance) -> None:
    MethodSubstance.objects.create(method=method, substance=substance)


def publish(
    area: TherapeuticArea,
    ranks: list[tuple[str, int, Package]],
    *,
    title: str = "TNF BIO 2026",
    start: dt.date | None = None,
) -> Agreement:
    """A published agreement in force today with the given (group, rank, package) lines."""
    today = dt.date.today()
    agreement = Agreement.objects.create(
        area=area,
        title=title,
        region="Helse Vest",
        start=start or today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=300),
        status=Agreement.Status.PUBLISHED,
        version=1,
    )
    for group, rank, package in ranks:
        AgreementLine.objects.create(
            agreement=agreement,
            package=package,
            indication_group=group,
            patient_group="all",
            rank=rank,
            lis_price=Decimal("4321.17"),
        )
    return agreement
