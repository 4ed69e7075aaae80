"""Writing a :class:`~.specs.Catalogue` as a FEST M30 document (``.xml`` or zipped)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr

from legemiddel.catalogue.fest import M30_NS
from legemiddel.demo.festgen.specs import (
    BrandSpec,
    Catalogue,
    PackageSpec,
    RefundGroupSpec,
    fest_id,
)

FORSKRIVNING_NS = "http://www.kith.no/xmlstds/eresept/forskrivning/2014-12-01"
# The OIDs FEST puts in the S attribute of coded values.
OID = "2.16.578.1.12.4.1.1."
ATC_OID = OID + "7180"
PRICE_OID = OID + "7453"
# Price type codes as real files carry them (AIP 3, AUP 4): the label decides, see fest.price_type.
PRICE_CODES = {"AIP": "3", "AUP": "4", "Refusjonspris": "2", "Trinnpris": "5"}


def _e(text: object) -> str:
    return _escape(str(text))


def _a(text: object) -> str:
    return quoteattr(str(text))


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


def write_file(catalogue: Catalogue, path: Path) -> int:
    """Write a catalogue to ``path`` (``.xml``, or ``.zip`` holding one ``.xml``); return bytes."""
    if path.suffix.lower() == ".zip":
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
