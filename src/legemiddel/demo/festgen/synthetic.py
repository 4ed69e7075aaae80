"""Full-size synthetic catalogues: thousands of made-up packages and the bulky parts we do not
import (interactions), so the file reaches the national file's size (for benchmarks)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from legemiddel.catalogue.atc import atc_ancestors
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

_SYLLABLES = (
    "ra",
    "to",
    "mi",
    "xa",
    "vel",
    "ben",
    "dor",
    "lis",
    "tra",
    "fen",
    "zo",
    "pra",
    "ni",
    "kor",
)
_FORMS = ("Tablett", "Kapsel, hard", "Injeksjonsvæske, oppløsning", "Mikstur, oppløsning")
_UNITS = ("mg", "g", "mg", "µg")


def synthetic_catalogue(
    *,
    packages: int = 11_500,
    seed: int = 1,
    interactions: int = 11_000,
    interaction_text: int = 4_000,
    retrieved_at: dt.datetime = DEMO_RETRIEVED,
) -> Catalogue:
    """A made-up catalogue shaped like the national one: ~1.3 packages per brand, three price
    periods per package, and interaction texts that make up most of the bytes."""
    rng = random.Random(seed)
    catalogue = Catalogue(
        retrieved_at=retrieved_at, interactions=interactions, interaction_text=interaction_text
    )
    n_substances = max(1, packages // 4)
    substances = []
    for i in range(n_substances):
        name = "".join(rng.choice(_SYLLABLES) for _ in range(3)).capitalize() + "in"
        spec = SubstanceSpec(
            fest_id=fest_id(f"syn-virkestoff:{seed}:{i}"),
            name=f"{name} {i}",
            name_en=f"{name}ine {i}",
            strength_id=fest_id(f"syn-vms:{seed}:{i}"),
        )
        catalogue.substances[spec.fest_id] = spec
        atc = f"{rng.choice('ABCDGHJLMNPRSV')}{rng.randint(1, 16):02d}{rng.choice('ABCDEFGHX')}"
        atc += f"{rng.choice('ABCDEFGHX')}{rng.randint(1, 99):02d}"
        substances.append((spec, atc))
    varenr = 100_000
    brand: BrandSpec | None = None
    for i in range(packages):
        if brand is None or rng.random() < 0.75:
            substance, atc = rng.choice(substances)
            form = rng.choice(_FORMS)
            strength = (
                f"{rng.choice((1, 2.5, 5, 10, 20, 40, 80, 100, 250, 500))} {rng.choice(_UNITS)}"
            )
            trade = substance.name.split()[0][:8] + rng.choice(("", " Teva", " Sandoz", " Mylan"))
            brand = BrandSpec(
                fest_id=fest_id(f"syn-merkevare:{seed}:{i}"),
                trade_name=trade,
                name_form_strength=f"{trade} {abbreviate(form)} {strength}",
                atc=atc,
                atc_name=substance.name,
                form=form,
                form_long=form,
                prescription_group=rng.choice("ABCCCF"),
                manufacturer=rng.choice(
                    ("Pfizer", "Novartis", "Teva", "Sandoz", "Orion", "Takeda")
                ),
                strength_ids=[substance.strength_id],
            )
            catalogue.brands[brand.fest_id] = brand
        varenr += rng.randint(1, 60)
        number = f"{varenr % 1_000_000:06d}"
        aip = money(rng.uniform(20, 20_000))
        aup = money(aip * Decimal("1.25") + 30)
        prices = price_history(aip, aup, number)
        prices.insert(
            0, PriceSpec("Refusjonspris", aup, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
        )
        size = rng.choice((1, 5, 10, 28, 30, 56, 98, 100))
        ddd = rng.choice((1, 2, 5, 10, 20))
        group = catalogue.refund_groups.setdefault(
            brand.atc[:5],
            RefundGroupSpec(
                fest_id=fest_id(f"syn-refusjon:{seed}:{brand.atc[:5]}"),
                group_no=brand.atc[:5],
                basis=H_RESEPT_BASIS if brand.atc.startswith("L04") else BLUE_BASIS,
                atc=brand.atc[:5],
                codes=[(f"{rng.choice('EFGIJK')}{rng.randint(10, 99)}", "7110", "Diagnose")],
            ),
        )
        exchange_id = ""
        if rng.random() < 0.3:
            key = f"{brand.atc}-{size}"
            exchange_id = catalogue.exchange_groups.setdefault(
                key,
                ExchangeGroupSpec(
                    fest_id=fest_id(f"syn-bytte:{seed}:{key}"),
                    code=key,
                    valid_from=dt.date(2020, 1, 1),
                    description=f"{brand.atc_name.upper()} {size} STK",
                ),
            ).fest_id
        for code in atc_ancestors(brand.atc):
            catalogue.atc_names.setdefault(
                code, brand.atc_name if len(code) == 7 else f"Gruppe {code}"
            )
        catalogue.packages.append(
            PackageSpec(
                varenr=number,
                name_form_strength=brand.name_form_strength,
                atc=brand.atc,
                atc_name=brand.atc_name,
                brand_id=brand.fest_id,
                form=brand.form,
                prescription_group=brand.prescription_group,
                pack_size=str(size),
                pack_unit="stk",
                ddd=str(ddd),
                ddd_unit="mg",
                ddd_per_pack=str(Decimal(size * 10) / ddd),
                ean=ean13(number),
                marketed_from=dt.date(2000 + rng.randint(0, 25), rng.randint(1, 12), 1),
                prices=prices,
                refund_group_id=group.fest_id,
                exchange_group_id=exchange_id,
            )
        )
    return catalogue
