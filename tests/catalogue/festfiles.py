"""Small hand-built FEST catalogues and "the catalogue is exactly as before" for the FEST tests."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from legemiddel.catalogue.models import (
    AtcCode,
    Brand,
    BrandSubstance,
    ExchangeGroup,
    FestLoad,
    Package,
    PackageRefund,
    Price,
    RefundCode,
    RefundGroup,
    Substance,
)
from legemiddel.catalogue.services import FestImportResult, fest_import
from legemiddel.core.models import AuditEvent
from legemiddel.demo import festgen
from legemiddel.demo.festgen import (
    BrandSpec,
    ExchangeGroupSpec,
    PackageSpec,
    PriceSpec,
    RefundGroupSpec,
    SubstanceSpec,
    fest_id,
)

RETRIEVED = dt.datetime(2026, 3, 2, 3, 11, 43)
LATER = dt.datetime(2026, 3, 16, 3, 12, 5)
LATEST = dt.datetime(2026, 3, 30, 3, 9, 51)
EARLIER = dt.datetime(2026, 2, 16, 3, 10, 0)

HUMIRA = "012345"  # H-resept, leading zero
METFORMIN = "054321"  # blue prescription, in an exchange group
# Filler packages of the metformin brand, so that one missing package is under a fifth.
FILLERS = ("100001", "100002", "100003", "100004")

ADALIMUMAB = fest_id("test-virkestoff:adalimumab")
METFORMIN_SUBSTANCE = fest_id("test-virkestoff:metformin")
HUMIRA_BRAND = fest_id("test-merkevare:humira")
METFORMIN_BRAND = fest_id("test-merkevare:metformin")
H_GROUP = fest_id("test-refusjonsgruppe:h-resept")
BLUE_GROUP = fest_id("test-refusjonsgruppe:blaa")
EXCHANGE_GROUP = fest_id("test-byttegruppe:metformin-500")

OLD_FROM, OLD_TO, NEW_FROM = dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2026, 1, 1)

ATC_NAMES = {
    "L": "Antineoplastiske og immunmodulerende midler",
    "L04": "Immunsuppressiver",
    "L04A": "Immunsuppressiver",
    "L04AB": "Tumornekrosefaktor alfa (TNF-α)-hemmere",
    "L04AB04": "Adalimumab",
    "A": "Fordøyelsesorganer og stoffskifte",
    "A10": "Antidiabetika",
    "A10B": "Blodsukkersenkende midler, ekskl. insuliner",
    "A10BA": "Biguanider",
    "A10BA02": "Metformin",
}


def money(value: str) -> Decimal:
    return Decimal(value)


def _package(varenr: str, **changes: Any) -> PackageSpec:
    spec = PackageSpec(
        varenr=varenr,
        name_form_strength=f"Metformin Teva tab 500 mg ({varenr})",
        atc="A10BA02",
        atc_name="Metformin",
        brand_id=METFORMIN_BRAND,
        form="Tablett, filmdrasjert",
        prescription_group="C",
        pack_size="100",
        pack_unit="stk",
        ddd="2",
        ddd_unit="g",
        ddd_per_pack="25",
        ean=festgen.ean13(varenr),
        marketed_from=dt.date(2015, 1, 1),
        prices=[
            PriceSpec("AIP", money("80.00"), OLD_FROM, OLD_TO),
            PriceSpec("AUP", money("130.00"), OLD_FROM, OLD_TO),
            PriceSpec("AIP", money("75.50"), NEW_FROM),
            PriceSpec("AUP", money("124.90"), NEW_FROM),
        ],
        refund_group_id=BLUE_GROUP,
        exchange_group_id=EXCHANGE_GROUP,
    )
    for name, value in changes.items():
        setattr(spec, name, value)
    return spec


def catalogue(retrieved_at: dt.datetime = RETRIEVED) -> festgen.Catalogue:
    """Two named packages (Humira on H-resept, Metformin in an exchange group) and four fillers,
    with two brands, two substances, two refund groups, one exchange group and ATC names."""
    cat = festgen.Catalogue(retrieved_at=retrieved_at)
    for key, substance_id, name, name_en in (
        ("adalimumab", ADALIMUMAB, "Adalimumab", "Adalimumab"),
        ("metformin", METFORMIN_SUBSTANCE, "Metforminhydroklorid", "Metformin hydrochloride"),
    ):
        cat.substances[substance_id] = SubstanceSpec(
            fest_id=substance_id,
            name=name,
            name_en=name_en,
            strength_id=fest_id("test-virkestoff-med-styrke:" + key),
        )
    cat.brands[HUMIRA_BRAND] = BrandSpec(
        fest_id=HUMIRA_BRAND,
        trade_name="Humira",
        name_form_strength="Humira inj 40 mg",
        atc="L04AB04",
        atc_name="Adalimumab",
        form="Injeksjonsvæske, oppløsning i ferdigfylt penn",
        form_long="Injeksjonsvæske, oppløsning i ferdigfylt penn",
        prescription_group="C",
        manufacturer="AbbVie",
        strength_ids=[fest_id("test-virkestoff-med-styrke:adalimumab")],
    )
    cat.brands[METFORMIN_BRAND] = BrandSpec(
        fest_id=METFORMIN_BRAND,
        trade_name="Metformin Teva",
        name_form_strength="Metformin Teva tab 500 mg",
        atc="A10BA02",
        atc_name="Metformin",
        form="Tablett, filmdrasjert",
        form_long="Tablett, filmdrasjert",
        prescription_group="C",
        manufacturer="Teva",
        strength_ids=[fest_id("test-virkestoff-med-styrke:metformin")],
    )
    cat.refund_groups[H_GROUP] = RefundGroupSpec(
        fest_id=H_GROUP,
        group_no="HL04AB04",
        basis=festgen.H_RESEPT_BASIS,
        atc="L04AB04",
        codes=[],
    )
    cat.refund_groups[BLUE_GROUP] = RefundGroupSpec(
        fest_id=BLUE_GROUP,
        group_no="A10BA02",
        basis=festgen.BLUE_BASIS,
        atc="A10BA02",
        codes=[("E11", "7110", "Diabetes mellitus type 2")],
    )
    cat.exchange_groups[EXCHANGE_GROUP] = ExchangeGroupSpec(
        fest_id=EXCHANGE_GROUP,
        code="A10BA02-500",
        valid_from=dt.date(2020, 1, 1),
        description="METFORMIN TAB 500 MG",
    )
    cat.atc_names = dict(ATC_NAMES)
    cat.packages = [
        _package(
            HUMIRA,
            name_form_strength="Humira inj 40 mg 2 stk",
            atc="L04AB04",
            atc_name="Adalimumab",
            brand_id=HUMIRA_BRAND,
            form="Injeksjonsvæske, oppløsning i ferdigfylt penn",
            pack_size="2",
            ddd="2.9",
            ddd_unit="mg",
            ddd_per_pack="27.5862",
            prices=[
                PriceSpec("AIP", money("10150.00"), OLD_FROM, OLD_TO),
                PriceSpec("AUP", money("10654.30"), OLD_FROM, OLD_TO),
                PriceSpec("AIP", money("9870.25"), NEW_FROM),
                PriceSpec("AUP", money("10366.80"), NEW_FROM),
            ],
            refund_group_id=H_GROUP,
            exchange_group_id="",
        ),
        _package(METFORMIN, name_form_strength="Metformin Teva tab 500 mg 100 stk"),
        *(_package(varenr) for varenr in FILLERS),
    ]
    return cat


def package_spec(cat: festgen.Catalogue, varenr: str) -> PackageSpec:
    return next(p for p in cat.packages if p.varenr == varenr)


def write(cat: festgen.Catalogue, path: Path) -> Path:
    festgen.write_file(cat, path)
    return path


def xml_text(cat: festgen.Catalogue) -> str:
    out = io.StringIO()
    festgen.write_fest(cat, out)
    return out.getvalue()


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def load(path: Path, **options: Any) -> FestImportResult:
    return fest_import(path=path, **options)


def line_of(text: str, needle: str) -> int:
    """The 1-based line of ``text`` on which ``needle`` first occurs."""
    index = text.index(needle)
    return text.count("\n", 0, index) + 1


def snapshot() -> dict[str, Any]:
    """Counts and every value the FEST import writes, in a comparable form."""
    models = (
        Package,
        Price,
        Brand,
        BrandSubstance,
        Substance,
        AtcCode,
        RefundGroup,
        RefundCode,
        PackageRefund,
        ExchangeGroup,
        FestLoad,
    )
    entry = ("fest_id", "fest_timestamp", "active", "retired_at", "content_hash")
    return {
        "counts": {model.__name__: model.objects.count() for model in models},
        "packages": sorted(
            Package.objects.values_list(
                "varenr",
                *entry,
                "ean",
                "name_form_strength",
                "atc",
                "brand",
                "exchange_group",
                "pack_size",
                "ddd",
                "ddd_per_pack",
                "is_h_resept",
                "search_key",
            )
        ),
        "prices": sorted(
            Price.objects.values_list(
                "id",
                "package",
                "type",
                "type_code",
                "type_label",
                "amount",
                "valid_from",
                "valid_to",
                "first_load",
            )
        ),
        "brands": sorted(Brand.objects.values_list(*entry, "name_form_strength", "atc")),
        "brand_substances": sorted(
            BrandSubstance.objects.values_list("brand", "substance", "sort_order")
        ),
        "substances": sorted(Substance.objects.values_list(*entry, "name", "name_en")),
        "atc": sorted(
            AtcCode.objects.values_list("code", "level", "name", "name_source", "parent")
        ),
        "refund_groups": sorted(
            RefundGroup.objects.values_list(*entry, "group_no", "basis_code", "is_h_resept")
        ),
        "refund_codes": sorted(RefundCode.objects.values_list("group", "code", "system")),
        "package_refunds": sorted(
            PackageRefund.objects.values_list("package", "group", "valid_from")
        ),
        "exchange_groups": sorted(ExchangeGroup.objects.values_list(*entry, "code")),
        "loads": sorted(
            FestLoad.objects.values_list("id", "retrieved_at", "sha256", "forced", "counts")
        ),
        "audit_events": AuditEvent.objects.count(),
    }


def prices_of(varenr: str) -> list[tuple[str, Decimal, dt.date, dt.date | None]]:
    return list(
        Price.objects.filter(package_id=varenr)
        .order_by("type", "valid_from")
        .values_list("type", "amount", "valid_from", "valid_to")
    )
