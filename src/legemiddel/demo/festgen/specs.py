"""The catalogue a synthetic FEST file is written from, and the values both generators share."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

DEMO_RETRIEVED = dt.datetime(2026, 11, 9, 3, 11, 43)
H_RESEPT_BASIS = ("950", "H-resept")
BLUE_BASIS = ("200", "§ 2")


def fest_id(seed: str) -> str:
    """A stable FEST-style id (``ID_`` + upper-case UUID) from a seed string."""
    return "ID_" + str(uuid.uuid5(uuid.NAMESPACE_URL, "legemiddel:" + seed)).upper()


@dataclass
class PriceSpec:
    label: str  # AIP, AUP, Refusjonspris, Trinnpris
    amount: Decimal
    valid_from: dt.date
    valid_to: dt.date | None = None


@dataclass
class PackageSpec:
    varenr: str
    name_form_strength: str
    atc: str
    atc_name: str
    brand_id: str
    form: str
    prescription_group: str
    pack_size: str
    pack_unit: str
    ddd: str
    ddd_unit: str
    ddd_per_pack: str
    ean: str
    marketed_from: dt.date
    prices: list[PriceSpec] = field(default_factory=list)
    refund_group_id: str = ""
    exchange_group_id: str = ""
    status: str = "A"


@dataclass
class BrandSpec:
    fest_id: str
    trade_name: str
    name_form_strength: str
    atc: str
    atc_name: str
    form: str
    form_long: str
    prescription_group: str
    manufacturer: str
    strength_ids: list[str] = field(default_factory=list)


@dataclass
class SubstanceSpec:
    fest_id: str
    name: str
    name_en: str
    strength_id: str  # one VirkestoffMedStyrke per substance is enough for our purposes


@dataclass
class RefundGroupSpec:
    fest_id: str
    group_no: str
    basis: tuple[str, str]
    atc: str
    # (code, system OID suffix, term[, last day it may be dispensed])
    codes: list[tuple[str, ...]]


@dataclass
class ExchangeGroupSpec:
    fest_id: str
    code: str
    valid_from: dt.date
    description: str


@dataclass
class Catalogue:
    retrieved_at: dt.datetime
    packages: list[PackageSpec] = field(default_factory=list)
    brands: dict[str, BrandSpec] = field(default_factory=dict)
    substances: dict[str, SubstanceSpec] = field(default_factory=dict)
    refund_groups: dict[str, RefundGroupSpec] = field(default_factory=dict)
    exchange_groups: dict[str, ExchangeGroupSpec] = field(default_factory=dict)
    atc_names: dict[str, str] = field(default_factory=dict)
    interactions: int = 0
    interaction_text: int = 0  # characters of text per interaction (bulk, not imported)
    # When the entries last changed in FEST (their Tidspunkt), unlike when the file was made.
    entries_changed_at: dt.datetime = dt.datetime(2026, 1, 5, 3, 0, 0)


_FORM_ABBREVIATIONS = {
    "injeksjonsvæske, oppløsning i ferdigfylt penn": "inj penn",
    "injeksjonsvæske, oppløsning i ferdigfylt sprøyte": "inj sprøyte",
    "injeksjonsvæske, oppløsning": "inj",
    "pulver til konsentrat til infusjonsvæske, oppløsning": "pulv til konsentrat til inf",
    "konsentrat til infusjonsvæske, oppløsning": "konsentrat til inf",
    "tablett": "tab",
    "tablett, filmdrasjert": "tab",
    "filmdrasjert tablett": "tab",
    "depottablett": "depottab",
    "enterotablett": "enterotab",
    "kapsel, hard": "kaps",
    "enterokapsel, hard": "enterokaps",
    "kapsel, hard, enterotablett": "kaps",
}


def abbreviate(form: str) -> str:
    """The short form FEST uses in a name (``tab``, ``inj penn``), else the form in lower case."""
    return _FORM_ABBREVIATIONS.get(form.casefold(), form.casefold())


def ean13(varenr: str) -> str:
    """A well-formed EAN-13 for a made-up item (prefix 70 = Norway)."""
    digits = "70418" + varenr.zfill(7)[-7:]
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def money(value: str | float | Decimal) -> Decimal:
    """An amount in kroner and øre."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def price_history(aip: Decimal, aup: Decimal, seed: str) -> list[PriceSpec]:
    """A year-old price period, then the current one (prices fell 0-8 %)."""
    rng = random.Random(seed)
    rise = Decimal(1) + Decimal(rng.randint(0, 8)) / 100
    old_from, new_from = dt.date(2025, 1, 1), dt.date(2026, 1, 1)
    old_to = new_from - dt.timedelta(days=1)
    return [
        PriceSpec("AIP", money(aip * rise), old_from, old_to),
        PriceSpec("AUP", money(aup * rise), old_from, old_to),
        PriceSpec("AIP", aip, new_from),
        PriceSpec("AUP", aup, new_from),
    ]
