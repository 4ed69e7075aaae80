"""The demo catalogue, built from ``demo/data/legemidler.csv``: real ATC codes and substance
names, fictional item numbers and prices."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

from legemiddel.demo import DATA_DIR
from legemiddel.demo.festgen.atc_names import ATC_NAMES
from legemiddel.demo.festgen.specs import (
    BLUE_BASIS,
    DEMO_RETRIEVED,
    H_RESEPT_BASIS,
    BrandSpec,
    Catalogue,
    ExchangeGroupSpec,
    PackageSpec,
    PriceSpec,
    RefundGroupSpec,
    SubstanceSpec,
    abbreviate,
    ean13,
    fest_id,
    money,
    price_history,
)

DEMO_CSV = DATA_DIR / "legemidler.csv"
# The demo catalogue as written by ``legemiddel festgen --demo``; the demo and the tests load it.
DEMO_FEST = DATA_DIR / "fest-demo.xml"


def demo_catalogue(csv_path: Path = DEMO_CSV) -> Catalogue:
    """The demo catalogue from ``legemidler.csv``: one brand per brand, form and strength."""
    catalogue = Catalogue(retrieved_at=DEMO_RETRIEVED)
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    for row in rows:
        substance_key = row["substance"]
        substance = catalogue.substances.setdefault(
            substance_key,
            SubstanceSpec(
                fest_id=fest_id("virkestoff:" + substance_key),
                name=row["substance"],
                name_en=row["substance_en"],
                strength_id=fest_id("virkestoff-med-styrke:" + substance_key),
            ),
        )
        name = f"{row['brand']} {abbreviate(row['form'])} {row['strength']}"
        brand_key = f"{row['brand']}|{row['form']}|{row['strength']}"
        brand = catalogue.brands.setdefault(
            brand_key,
            BrandSpec(
                fest_id=fest_id("merkevare:" + brand_key),
                trade_name=row["brand"],
                name_form_strength=name,
                atc=row["atc"],
                atc_name=row["atc_name"],
                form=row["form"],
                form_long=row["form_long"],
                prescription_group=row["prescription_group"],
                manufacturer=row["manufacturer"],
                strength_ids=[substance.strength_id],
            ),
        )
        h_resept = row["h_resept"] == "1"
        basis = H_RESEPT_BASIS if h_resept else BLUE_BASIS
        group_key = f"{basis[0]}:{row['atc']}"
        group = catalogue.refund_groups.setdefault(
            group_key,
            RefundGroupSpec(
                fest_id=fest_id("refusjonsgruppe:" + group_key),
                group_no=f"{'H' if h_resept else ''}{row['atc']}",
                basis=basis,
                atc=row["atc"],
                codes=[] if h_resept else _BLUE_CODES.get(row["atc"][:5], []),
            ),
        )
        exchange_id = ""
        if row["exchange_group"]:
            exchange = catalogue.exchange_groups.setdefault(
                row["exchange_group"],
                ExchangeGroupSpec(
                    fest_id=fest_id("byttegruppe:" + row["exchange_group"]),
                    code=row["exchange_group"],
                    valid_from=dt.date(2020, 1, 1),
                    description=f"{row['substance'].upper()} {abbreviate(row['form']).upper()} "
                    f"{row['strength'].upper()}",
                ),
            )
            exchange_id = exchange.fest_id
        amount, ddd = Decimal(row["amount"]), Decimal(row["ddd"])
        aip, aup = money(row["aip"]), money(row["aup"])
        catalogue.packages.append(
            PackageSpec(
                varenr=row["varenr"],
                name_form_strength=name,
                atc=row["atc"],
                atc_name=row["atc_name"],
                brand_id=brand.fest_id,
                form=row["form"],
                prescription_group=row["prescription_group"],
                pack_size=row["pack_size"],
                pack_unit=row["pack_unit"],
                ddd=row["ddd"],
                ddd_unit=row["ddd_unit"],
                ddd_per_pack=str((amount / ddd).quantize(Decimal("0.0001")).normalize()),
                ean=ean13(row["varenr"]),
                marketed_from=dt.date(2015, 1, 1),
                prices=price_history(aip, aup, row["varenr"]),
                refund_group_id=group.fest_id,
                exchange_group_id=exchange_id,
            )
        )
        package = catalogue.packages[-1]
        if exchange_id:
            # Generics in an exchange group get a step price (trinnpris) and, on blue
            # prescription, a refund price: the cheapest AUP in the group.
            group_aups = [
                money(r["aup"]) for r in rows if r["exchange_group"] == row["exchange_group"]
            ]
            package.prices.append(PriceSpec("Trinnpris", min(group_aups), dt.date(2026, 3, 1)))
        if not h_resept:
            package.prices.append(
                PriceSpec("Refusjonspris", aup, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
            )
        for code in (row["atc"][:1], row["atc"][:3], row["atc"][:4], row["atc"][:5]):
            if code in ATC_NAMES:
                catalogue.atc_names[code] = ATC_NAMES[code]
        catalogue.atc_names[row["atc"]] = row["atc_name"]
    _add_withdrawn_package(catalogue)
    return catalogue


def _add_withdrawn_package(catalogue: Catalogue) -> None:
    """A pack size FEST has withdrawn (status other than active), so the file shows one."""
    first = catalogue.packages[0]
    varenr = f"{int(catalogue.packages[-1].varenr) + 1:06d}"
    catalogue.packages.append(
        PackageSpec(
            varenr=varenr,
            name_form_strength=first.name_form_strength,
            atc=first.atc,
            atc_name=first.atc_name,
            brand_id=first.brand_id,
            form=first.form,
            prescription_group=first.prescription_group,
            pack_size="6",
            pack_unit=first.pack_unit,
            ddd=first.ddd,
            ddd_unit=first.ddd_unit,
            ddd_per_pack=str((Decimal(first.ddd_per_pack) * 3).normalize()),
            ean=ean13(varenr),
            marketed_from=dt.date(2012, 1, 1),
            prices=[
                PriceSpec("AIP", first.prices[0].amount * 3, dt.date(2024, 1, 1)),
                PriceSpec("AUP", first.prices[1].amount * 3, dt.date(2024, 1, 1)),
            ],
            refund_group_id=first.refund_group_id,
            status="U",
        )
    )


# Blue-prescription refund codes for the few non-hospital areas in the demo (ICD-10 = 7110).
_BLUE_CODES: dict[str, list[tuple[str, ...]]] = {
    "B01AF": [
        ("I48", "7110", "Atrieflimmer og atrieflutter"),
        ("I26", "7110", "Lungeemboli"),
        ("I80", "7110", "Flebitt og tromboflebitt"),
    ],
    "B01AE": [
        ("I48", "7110", "Atrieflimmer og atrieflutter"),
        ("I26", "7110", "Lungeemboli", "2025-12-31"),
    ],
    "C10AA": [("E78", "7110", "Forstyrrelser i lipoproteinmetabolismen")],
    "A10BA": [("E11", "7110", "Diabetes mellitus type 2")],
}
