"""Writing FEST (M30) files: the small demo catalogue and full-size synthetic ones.

The demo and the tests need a catalogue with the drugs the demo data uses, and the benchmark
needs a file as large as the national one. We write both ourselves rather than shipping the
national file: it changes every 14 days, and ours cover every element the importer reads.

The demo catalogue is built from ``demo/data/legemidler.csv`` (real ATC codes and substance
names, fictional item numbers and prices). The synthetic generator adds thousands of made-up
packages and the bulky parts we do not import (interactions), so the file reaches real size.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr

from legemiddel.catalogue.atc import atc_ancestors
from legemiddel.catalogue.fest import M30_NS

FORSKRIVNING_NS = "http://www.kith.no/xmlstds/eresept/forskrivning/2014-12-01"
DEMO_CSV = Path(__file__).resolve().parent.parent / "demo" / "data" / "legemidler.csv"
DEMO_FEST = Path(__file__).resolve().parent / "data" / "fest-demo.xml"
DEMO_RETRIEVED = dt.datetime(2026, 11, 9, 3, 11, 43)
# The OIDs FEST puts in the S attribute of coded values.
OID = "2.16.578.1.12.4.1.1."
ATC_OID = OID + "7180"
PRICE_OID = OID + "7453"
# Price type codes as real files carry them (AIP 3, AUP 4): the label decides, see fest.price_type.
PRICE_CODES = {"AIP": "3", "AUP": "4", "Refusjonspris": "2", "Trinnpris": "5"}
H_RESEPT_BASIS = ("950", "H-resept")
BLUE_BASIS = ("200", "§ 2")


def _e(text: object) -> str:
    return _escape(str(text))


def _a(text: object) -> str:
    return quoteattr(str(text))


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


# --- Writing ----------------------------------------------------------------------------------


def _oppf(kind: str, entry_id: str, status: str, body: str, when: str) -> str:
    status_dn = "Aktiv oppføring" if status == "A" else "Utgått"
    return (
        f"<Oppf{kind}><Id>{entry_id}</Id><Tidspunkt>{when}</Tidspunkt>"
        f"<Status V={_a(status)} DN={_a(status_dn)}/>{body}</Oppf{kind}>\n"
    )


def _package_xml(p: PackageSpec) -> str:
    parts = [
        f'<Legemiddelpakning xmlns="{FORSKRIVNING_NS}">',
        f"<Atc V={_a(p.atc)} S={_a(ATC_OID)} DN={_a(p.atc_name)}/>" if p.atc else "",
        f"<NavnFormStyrke>{_e(p.name_form_strength)}</NavnFormStyrke>",
        f"<Reseptgruppe V={_a(p.prescription_group)} DN={_a('Reseptgruppe ' + p.prescription_group)}/>",
        f"<LegemiddelformKort V='53' S={_a(OID + '7448')} DN={_a(p.form)}/>",
        "<Preparattype V='7' DN='Legemiddel'/>",
    ]
    if p.refund_group_id:
        parts.append(
            f"<Refusjon><RefRefusjonsgruppe>{p.refund_group_id}</RefRefusjonsgruppe>"
            f"<GyldigFraDato>{p.marketed_from.isoformat()}</GyldigFraDato></Refusjon>"
        )
    if p.exchange_group_id:
        parts.append(
            f"<PakningByttegruppe><RefByttegruppe>{p.exchange_group_id}</RefByttegruppe>"
            f"<GyldigFraDato>{p.marketed_from.isoformat()}</GyldigFraDato></PakningByttegruppe>"
        )
    parts += [
        f"<Id>{fest_id('pakning:' + p.varenr)}</Id>",
        f"<Varenr>{p.varenr}</Varenr>",
        f"<Ean>{p.ean}</Ean>" if p.ean else "",
        "<Oppbevaring V='K' DN='Kjøleskap (2-8 grader)'/>",
        "<Pakningsinfo>",
        f"<RefLegemiddelMerkevare>{p.brand_id}</RefLegemiddelMerkevare>" if p.brand_id else "",
        f"<Pakningsstr>{p.pack_size}</Pakningsstr>",
        f"<EnhetPakning V={_a(p.pack_unit)} S={_a(OID + '7452')} DN={_a(p.pack_unit)}/>",
        f"<Pakningstype V='9' S={_a(OID + '7449')} DN='Eske'/>",
        f"<Mengde>{p.pack_size}</Mengde>",
        f"<DDD V={_a(p.ddd)} U={_a(p.ddd_unit)}/>" if p.ddd else "",
        f"<Statistikkfaktor>{p.ddd_per_pack}</Statistikkfaktor>" if p.ddd_per_pack else "",
        "</Pakningsinfo>",
    ]
    for price in p.prices:
        parts.append(
            f"<PrisVare><Type V={_a(PRICE_CODES[price.label])} S={_a(PRICE_OID)} "
            f"DN={_a(price.label)}/><Pris V={_a(price.amount)} U='NOK'/>"
            f"<GyldigFraDato>{price.valid_from.isoformat()}</GyldigFraDato>"
            + (
                f"<GyldigTilDato>{price.valid_to.isoformat()}</GyldigTilDato>"
                if price.valid_to
                else ""
            )
            + "</PrisVare>"
        )
    parts.append(
        "<Markedsforingsinfo><Markedsforingsdato>"
        f"{p.marketed_from.isoformat()}</Markedsforingsdato></Markedsforingsinfo>"
        "</Legemiddelpakning>"
    )
    return "".join(parts)


def _brand_xml(b: BrandSpec) -> str:
    refs = "".join(
        f"<SortertVirkestoffMedStyrke><Sortering>{i}</Sortering>"
        f"<RefVirkestoffMedStyrke>{ref}</RefVirkestoffMedStyrke></SortertVirkestoffMedStyrke>"
        for i, ref in enumerate(b.strength_ids)
    )
    return (
        f'<LegemiddelMerkevare xmlns="{FORSKRIVNING_NS}">'
        f"<Atc V={_a(b.atc)} S={_a(ATC_OID)} DN={_a(b.atc_name)}/>"
        f"<NavnFormStyrke>{_e(b.name_form_strength)}</NavnFormStyrke>"
        f"<Reseptgruppe V={_a(b.prescription_group)} DN={_a('Reseptgruppe ' + b.prescription_group)}/>"
        f"<LegemiddelformKort V='53' S={_a(OID + '7448')} DN={_a(b.form)}/>"
        "<Preparattype V='7' DN='Legemiddel'/>"
        f"<Id>{b.fest_id}</Id>"
        f"<Varenavn>{_e(b.trade_name)}</Varenavn>"
        f"<LegemiddelformLang>{_e(b.form_long)}</LegemiddelformLang>"
        f"{refs}<ProduktInfo><Produsent>{_e(b.manufacturer)}</Produsent></ProduktInfo>"
        "</LegemiddelMerkevare>"
    )


def write_fest(catalogue: Catalogue, out: IO[str]) -> None:
    """Write a complete FEST M30 document, catalogues in the schema's order."""
    retrieved = catalogue.retrieved_at.isoformat(timespec="seconds")
    when = catalogue.entries_changed_at.isoformat(timespec="seconds")
    w = out.write
    w(
        "<?xml version='1.0' encoding='utf-8'?>\n"
        f'<FEST xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="{M30_NS}">\n'
        f"<HentetDato>{retrieved}</HentetDato>\n<KatLegemiddelMerkevare>\n"
    )
    for b in catalogue.brands.values():
        w(_oppf("LegemiddelMerkevare", fest_id("oppf:" + b.fest_id), "A", _brand_xml(b), when))
    w("</KatLegemiddelMerkevare>\n<KatLegemiddelpakning>\n")
    for p in catalogue.packages:
        w(_oppf("Legemiddelpakning", _pakning_id(p), p.status, _package_xml(p), when))
    w("</KatLegemiddelpakning>\n<KatVirkestoff>\n")
    for s in catalogue.substances.values():
        body = (
            f'<Virkestoff xmlns="{FORSKRIVNING_NS}"><Id>{s.fest_id}</Id>'
            f"<Navn>{_e(s.name)}</Navn><NavnEngelsk>{_e(s.name_en)}</NavnEngelsk></Virkestoff>"
        )
        w(_oppf("Virkestoff", fest_id("oppf:" + s.fest_id), "A", body, when))
        body = (
            f'<VirkestoffMedStyrke xmlns="{FORSKRIVNING_NS}"><Id>{s.strength_id}</Id>'
            "<Styrke V='1' U='mg'/>"
            f"<RefVirkestoff>{s.fest_id}</RefVirkestoff><Styrkeoperator V='L' DN='Lik'/>"
            "</VirkestoffMedStyrke>"
        )
        w(_oppf("Virkestoff", fest_id("oppf:" + s.strength_id), "A", body, when))
    w("</KatVirkestoff>\n<KatRefusjon>\n")
    for g in catalogue.refund_groups.values():
        w(_oppf("Refusjon", fest_id("oppf:" + g.fest_id), "A", _refund_xml(g), when))
    w("</KatRefusjon>\n<KatKodeverk>\n")
    if catalogue.atc_names:
        elements = "".join(
            f"<Element><Id>{fest_id('atc:' + code)}</Id><Kode>{code}</Kode>"
            f"<Term><Term>{_e(name)}</Term></Term></Element>"
            for code, name in sorted(catalogue.atc_names.items())
        )
        body = (
            f"<Info><Id>{ATC_OID}</Id><Betegnelse>ATC</Betegnelse><Kortnavn>ATC</Kortnavn>"
            f"<AnsvarligUtgiver>WHO/FHI</AnsvarligUtgiver></Info>{elements}"
        )
        w(_oppf("Kodeverk", fest_id("kodeverk:7180"), "A", body, when))
    w("</KatKodeverk>\n<KatByttegruppe>\n")
    for x in catalogue.exchange_groups.values():
        body = (
            f"<Byttegruppe><Id>{x.fest_id}</Id><Kode V={_a(x.code)} DN={_a(x.description)}/>"
            "<MerknadTilByttbarhet>false</MerknadTilByttbarhet>"
            f"<BeskrivelseByttbarhet>{_e(x.description)}</BeskrivelseByttbarhet>"
            f"<GyldigFraDato>{x.valid_from.isoformat()}</GyldigFraDato></Byttegruppe>"
        )
        w(_oppf("Byttegruppe", fest_id("oppf:" + x.fest_id), "A", body, when))
    w("</KatByttegruppe>\n<KatInteraksjon>\n")
    for i in range(catalogue.interactions):
        w(
            _oppf(
                "Interaksjon",
                fest_id(f"interaksjon:{i}"),
                "A",
                _interaction(i, catalogue.interaction_text),
                when,
            )
        )
    w("</KatInteraksjon>\n</FEST>\n")


def _pakning_id(p: PackageSpec) -> str:
    return fest_id("oppf-pakning:" + p.varenr)


def _refund_xml(g: RefundGroupSpec) -> str:
    codes = "".join(
        f"<Refusjonskode><Refusjonskode V={_a(c[0])} S={_a(OID + c[1])} DN={_a(c[2])}/>"
        "<GyldigFraDato>2020-01-01</GyldigFraDato>"
        + (f"<UtleveresTilDato>{c[3]}</UtleveresTilDato>" if len(c) > 3 else "")
        + "</Refusjonskode>"
        for c in g.codes
    )
    return (
        f"<Refusjonshjemmel><Refusjonshjemmel V={_a(g.basis[0])} S={_a(OID + '7427')} "
        f"DN={_a(g.basis[1])}/><KreverVarekobling>false</KreverVarekobling>"
        "<KreverVedtak>false</KreverVedtak>"
        f"<Refusjonsgruppe><Id>{g.fest_id}</Id><GruppeNr V={_a(g.group_no)} DN={_a(g.group_no)}/>"
        f"<Atc V={_a(g.atc)} S={_a(ATC_OID)} DN={_a(g.atc)}/>"
        f"<KreverRefusjonskode>{'true' if codes else 'false'}</KreverRefusjonskode>{codes}"
        "</Refusjonsgruppe></Refusjonshjemmel>"
    )


_INTERACTION_WORDS = (
    "Samtidig bruk kan gi økt serumkonsentrasjon og risiko for bivirkninger. "
    "Vurder dosejustering og følg pasienten klinisk. Mekanismen er hemming av CYP3A4. "
)


def _interaction(i: int, length: int) -> str:
    text = (_INTERACTION_WORDS * (length // len(_INTERACTION_WORDS) + 1))[:length]
    return (
        f"<Interaksjon><Id>{fest_id(f'interaksjon-body:{i}')}</Id>"
        "<Relevans V='1' DN='Bør unngås'/>"
        f"<KliniskKonsekvens>{_e(text)}</KliniskKonsekvens>"
        f"<Interaksjonsmekanisme>{_e(text[: length // 2])}</Interaksjonsmekanisme>"
        "</Interaksjon>"
    )


# --- The demo catalogue -----------------------------------------------------------------------

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


def _abbreviate(form: str) -> str:
    return _FORM_ABBREVIATIONS.get(form.casefold(), form.casefold())


def ean13(varenr: str) -> str:
    """A well-formed EAN-13 for a made-up item (prefix 70 = Norway)."""
    digits = "70418" + varenr.zfill(7)[-7:]
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def _money(value: str | float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _price_history(aip: Decimal, aup: Decimal, seed: str) -> list[PriceSpec]:
    """A year-old price period, then the current one (prices fell 0-8 %)."""
    rng = random.Random(seed)
    rise = Decimal(1) + Decimal(rng.randint(0, 8)) / 100
    old_from, new_from = dt.date(2025, 1, 1), dt.date(2026, 1, 1)
    old_to = new_from - dt.timedelta(days=1)
    return [
        PriceSpec("AIP", _money(aip * rise), old_from, old_to),
        PriceSpec("AUP", _money(aup * rise), old_from, old_to),
        PriceSpec("AIP", aip, new_from),
        PriceSpec("AUP", aup, new_from),
    ]


def demo_catalogue(csv_path: Path = DEMO_CSV) -> Catalogue:
    """The demo catalogue from ``legemidler.csv``: one brand per brand, form and strength."""
    from legemiddel.catalogue.atc_names import ATC_NAMES

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
        name = f"{row['brand']} {_abbreviate(row['form'])} {row['strength']}"
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
                    description=f"{row['substance'].upper()} {_abbreviate(row['form']).upper()} "
                    f"{row['strength'].upper()}",
                ),
            )
            exchange_id = exchange.fest_id
        amount, ddd = Decimal(row["amount"]), Decimal(row["ddd"])
        aip, aup = _money(row["aip"]), _money(row["aup"])
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
                prices=_price_history(aip, aup, row["varenr"]),
                refund_group_id=group.fest_id,
                exchange_group_id=exchange_id,
            )
        )
        package = catalogue.packages[-1]
        if exchange_id:
            # Generics in an exchange group get a step price (trinnpris) and, on blue
            # prescription, a refund price: the cheapest AUP in the group.
            group_aups = [
                _money(r["aup"]) for r in rows if r["exchange_group"] == row["exchange_group"]
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


# --- Full-size synthetic catalogues ------------------------------------------------------------

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
                name_form_strength=f"{trade} {_abbreviate(form)} {strength}",
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
        aip = _money(rng.uniform(20, 20_000))
        aup = _money(aip * Decimal("1.25") + 30)
        prices = _price_history(aip, aup, number)
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


def write_file(catalogue: Catalogue, path: Path) -> int:
    """Write a catalogue to ``path`` (``.xml``, or ``.zip`` holding one ``.xml``); return bytes."""
    if path.suffix.lower() == ".zip":
        import zipfile

        with (
            zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
            archive.open(path.with_suffix(".xml").name, "w") as raw,
        ):
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
            write_fest(catalogue, text)
            text.flush()
            text.detach()
    else:
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            write_fest(catalogue, handle)
    return path.stat().st_size
