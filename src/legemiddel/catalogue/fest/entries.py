"""The entries a FEST file yields, as typed records (no XML, no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

ACTIVE = "A"


class FestFileError(Exception):
    """The file as a whole is not a FEST file we can read; nothing was imported."""


@dataclass
class Entry:
    fest_id: str
    timestamp: dt.datetime | None
    status: str
    line: int

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


@dataclass
class ParsedPrice:
    type: str  # one of Price.Type values
    type_code: str
    type_label: str
    amount: Decimal
    currency: str
    valid_from: dt.date
    valid_to: dt.date | None


@dataclass
class ParsedPackage(Entry):
    varenr: str
    ean: str
    name_form_strength: str
    atc: str
    atc_name: str
    brand_id: str
    exchange_group_id: str
    form: str
    prescription_group: str
    pack_size: Decimal | None
    pack_unit: str
    pack_type: str
    ddd: Decimal | None
    ddd_unit: str
    ddd_per_pack: Decimal | None
    marketed_from: dt.date | None
    refunds: list[tuple[str, dt.date | None, dt.date | None]] = field(default_factory=list)
    prices: list[ParsedPrice] = field(default_factory=list)


@dataclass
class ParsedBrand(Entry):
    trade_name: str
    name_form_strength: str
    form: str
    atc: str
    atc_name: str
    prescription_group: str
    manufacturer: str
    substance_refs: list[str] = field(default_factory=list)  # VirkestoffMedStyrke ids, in order


@dataclass
class ParsedSubstance(Entry):
    name: str
    name_en: str


@dataclass
class ParsedSubstanceStrength(Entry):
    """A substance at a strength (virkestoff med styrke): only the link to the substance is kept."""

    substance_id: str


@dataclass
class ParsedExchangeGroup(Entry):
    code: str
    valid_from: dt.date | None
    description: str


@dataclass
class ParsedRefundCode:
    code: str
    system: str
    term: str
    valid_from: dt.date | None
    valid_to: dt.date | None


@dataclass
class ParsedRefundGroup(Entry):
    group_no: str
    basis_code: str
    basis: str
    atc: str
    is_h_resept: bool
    codes: list[ParsedRefundCode] = field(default_factory=list)


@dataclass
class ParsedCode:
    """One element of a FEST code list (kodeverk); only ATC names (list 7180) are used."""

    code_list: str
    code: str
    name: str


ParsedEntry = (
    ParsedPackage
    | ParsedBrand
    | ParsedSubstance
    | ParsedSubstanceStrength
    | ParsedExchangeGroup
    | ParsedRefundGroup
    | ParsedCode
)


@dataclass
class Header:
    retrieved_at: dt.datetime


@dataclass
class Catalogue:
    """The end of a ``Kat*`` catalogue: every entry of it has been yielded."""

    name: str
