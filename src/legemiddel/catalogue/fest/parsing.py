"""Turning one ``Oppf*`` element into typed entries (or a :class:`RowError`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from legemiddel.catalogue.fest.entries import (
    ACTIVE,
    ParsedBrand,
    ParsedCode,
    ParsedEntry,
    ParsedExchangeGroup,
    ParsedPackage,
    ParsedPrice,
    ParsedRefundCode,
    ParsedRefundGroup,
    ParsedSubstance,
    ParsedSubstanceStrength,
)
from legemiddel.catalogue.fest.values import (
    EntryProblem,
    child_attr,
    child_text,
    children,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_whole,
    required,
)
from legemiddel.lib.tabular import RowError

# The largest number each field takes (docs/formats/fest.md); the database holds a little more.
MAX_PACK_SIZE = Decimal(1_000_000_000)
MAX_DDD = Decimal(1_000_000_000)
MAX_PRICE = Decimal(10_000_000_000)

ENTRY_TAGS = frozenset(
    {
        "OppfLegemiddelpakning",
        "OppfLegemiddelMerkevare",
        "OppfVirkestoff",
        "OppfByttegruppe",
        "OppfRefusjon",
        "OppfKodeverk",
    }
)


def parse_entry(name: str, elem: Any) -> Iterator[ParsedEntry | RowError]:
    line = elem.sourceline or 0
    oppf = children(elem)
    try:
        if name == "OppfKodeverk":
            yield from _code_list(oppf)
            return
        entry_id = required(oppf, "Id", name)
        status = child_attr(oppf, "Status") or ACTIVE
        timestamp = parse_datetime(child_text(oppf, "Tidspunkt"))
        body_names = _BODIES[name]
        found = [(body, oppf[body][0]) for body in body_names if oppf.get(body)]
        if not found:
            raise EntryProblem(
                body_names[0], "", f"{name} med Id {entry_id} mangler {' eller '.join(body_names)}."
            )
        body_name, body = found[0]
        kids = children(body)
        if body_name == "Refusjonshjemmel":
            yield from _refund(entry_id, status, timestamp, line, kids)
            return
        # Other entries point at the body's own Id, which FEST keeps stable across versions;
        # the Oppf Id identifies this version of the entry.
        base = {
            "fest_id": child_text(kids, "Id") or entry_id,
            "timestamp": timestamp,
            "status": status,
            "line": line,
        }
        yield _PARSERS[body_name](base, kids)
    except EntryProblem as problem:
        yield RowError(line, problem.column, problem.value, problem.message)


def _package(base: dict[str, Any], k: dict[str, list[Any]]) -> ParsedPackage:
    varenr = required(k, "Varenr", "Legemiddelpakning")
    if not (len(varenr) == 6 and varenr.isdigit()):
        raise EntryProblem("Varenr", varenr, "Varenr skal være seks sifre (med ledende nuller).")
    name = required(k, "NavnFormStyrke", f"Legemiddelpakning {varenr}")
    info = children(k["Pakningsinfo"][0]) if k.get("Pakningsinfo") else {}
    byttegruppe = children(k["PakningByttegruppe"][0]) if k.get("PakningByttegruppe") else {}
    market = children(k["Markedsforingsinfo"][0]) if k.get("Markedsforingsinfo") else {}
    what = f"Pakning {varenr}"
    package = ParsedPackage(
        **base,
        varenr=varenr,
        ean=child_text(k, "Ean"),
        name_form_strength=name,
        atc=child_attr(k, "Atc"),
        atc_name=child_attr(k, "Atc", "DN"),
        brand_id=child_text(info, "RefLegemiddelMerkevare"),
        exchange_group_id=child_text(byttegruppe, "RefByttegruppe"),
        form=child_attr(k, "LegemiddelformKort", "DN"),
        prescription_group=child_attr(k, "Reseptgruppe"),
        pack_size=parse_decimal(
            child_text(info, "Pakningsstr"),
            column="Pakningsstr",
            what=what,
            high=MAX_PACK_SIZE,
            noun="en pakningsstørrelse",
        ),
        pack_unit=child_attr(info, "EnhetPakning", "DN") or child_attr(info, "EnhetPakning"),
        pack_type=child_attr(info, "Pakningstype", "DN"),
        ddd=parse_decimal(
            child_attr(info, "DDD"), column="DDD", what=what, high=MAX_DDD, noun="en DDD"
        ),
        ddd_unit=child_attr(info, "DDD", "U"),
        ddd_per_pack=parse_decimal(
            child_text(info, "Statistikkfaktor"),
            column="Statistikkfaktor",
            what=what,
            high=MAX_DDD,
            noun="en statistikkfaktor",
        ),
        marketed_from=parse_date(child_text(market, "Markedsforingsdato")),
    )
    for refusjon in k.get("Refusjon", []):
        r = children(refusjon)
        group = child_text(r, "RefRefusjonsgruppe")
        if group:
            package.refunds.append(
                (
                    group,
                    parse_date(child_text(r, "GyldigFraDato")),
                    parse_date(child_text(r, "GyldigTilDato")),
                )
            )
    for pris in k.get("PrisVare", []):
        package.prices.append(_price(children(pris), varenr))
    return package


# Price types (code list 7453) by the label FEST shows. The label wins over the code because files
# have been seen with the AIP and AUP codes swapped relative to the specification.
_PRICE_LABELS = (
    ("trinn", "TRINN"),
    ("refusjon", "REFUSJON"),
    ("aip", "AIP"),
    ("apotekets innkj", "AIP"),
    ("aup", "AUP"),
    ("apotekets utsalg", "AUP"),
)
# Fallback by code value per the specification, used only when the label says nothing.
PRICE_CODES = {"1": "AUP", "2": "REFUSJON", "3": "AIP", "4": "AUP", "5": "TRINN"}


def price_type(code: str, label: str) -> str:
    """Our price type for a FEST ``Type`` element: by its ``DN`` label, else by its code."""
    folded = label.casefold()
    for needle, kind in _PRICE_LABELS:
        if needle in folded:
            return kind
    return PRICE_CODES.get(code, "ANNEN")


def _price(k: dict[str, list[Any]], varenr: str) -> ParsedPrice:
    code = child_attr(k, "Type")
    label = child_attr(k, "Type", "DN")
    raw_amount = child_attr(k, "Pris")
    amount = parse_decimal(
        raw_amount, column="PrisVare/Pris", what=f"Pakning {varenr}", high=MAX_PRICE, noun="en pris"
    )
    if amount is None:
        raise EntryProblem(
            "PrisVare/Pris", raw_amount, f"Pakning {varenr} har en pris som ikke er et tall."
        )
    valid_from = parse_date(child_text(k, "GyldigFraDato"))
    if valid_from is None:
        raise EntryProblem(
            "PrisVare/GyldigFraDato",
            child_text(k, "GyldigFraDato"),
            f"Pakning {varenr} har en pris ({label or code}) uten gyldig fra-dato.",
        )
    return ParsedPrice(
        type=price_type(code, label),
        type_code=code,
        type_label=label,
        amount=amount.quantize(Decimal("0.01")),
        currency=child_attr(k, "Pris", "U") or "NOK",
        valid_from=valid_from,
        valid_to=parse_date(child_text(k, "GyldigTilDato")),
    )


def _brand(base: dict[str, Any], k: dict[str, list[Any]]) -> ParsedBrand:
    name = required(k, "NavnFormStyrke", "LegemiddelMerkevare")
    produkt = children(k["ProduktInfo"][0]) if k.get("ProduktInfo") else {}
    refs = []
    for sorted_ref in k.get("SortertVirkestoffMedStyrke", []):
        s = children(sorted_ref)
        ref = child_text(s, "RefVirkestoffMedStyrke")
        if ref:
            order = parse_whole(child_text(s, "Sortering"), column="Sortering", what=name)
            refs.append((order, ref))
    return ParsedBrand(
        **base,
        trade_name=child_text(k, "Varenavn") or name,
        name_form_strength=name,
        form=child_text(k, "LegemiddelformLang") or child_attr(k, "LegemiddelformKort", "DN"),
        atc=child_attr(k, "Atc"),
        atc_name=child_attr(k, "Atc", "DN"),
        prescription_group=child_attr(k, "Reseptgruppe"),
        manufacturer=child_text(produkt, "Produsent"),
        substance_refs=[ref for _, ref in sorted(refs)],
    )


def _substance(base: dict[str, Any], k: dict[str, list[Any]]) -> ParsedSubstance:
    return ParsedSubstance(
        **base, name=required(k, "Navn", "Virkestoff"), name_en=child_text(k, "NavnEngelsk")
    )


def _substance_strength(base: dict[str, Any], k: dict[str, list[Any]]) -> ParsedSubstanceStrength:
    return ParsedSubstanceStrength(
        **base, substance_id=required(k, "RefVirkestoff", "VirkestoffMedStyrke")
    )


def _exchange_group(base: dict[str, Any], k: dict[str, list[Any]]) -> ParsedExchangeGroup:
    return ParsedExchangeGroup(
        **base,
        code=child_attr(k, "Kode") or child_text(k, "Kode"),
        valid_from=parse_date(child_text(k, "GyldigFraDato")),
        description=child_text(k, "BeskrivelseByttbarhet") or child_attr(k, "Kode", "DN"),
    )


# The refund basis (code list 7427) under which the hospitals, not Helfo, pay: H-resept.
H_RESEPT_BASIS_CODES = frozenset({"950"})


def _refund(
    entry_id: str, status: str, timestamp: dt.datetime | None, line: int, k: dict[str, list[Any]]
) -> Iterator[ParsedRefundGroup]:
    basis_code = child_attr(k, "Refusjonshjemmel")
    basis = child_attr(k, "Refusjonshjemmel", "DN")
    is_h = basis_code in H_RESEPT_BASIS_CODES or "h-resept" in basis.casefold()
    groups = k.get("Refusjonsgruppe", [])
    if not groups:
        raise EntryProblem(
            "Refusjonsgruppe", "", f"Refusjonshjemmel {basis_code} mangler Refusjonsgruppe."
        )
    for group in groups:
        g = children(group)
        codes = []
        for wrapper in g.get("Refusjonskode", []):
            c = children(wrapper)
            system_oid = child_attr(c, "Refusjonskode", "S")
            codes.append(
                ParsedRefundCode(
                    code=child_attr(c, "Refusjonskode"),
                    system=_CODE_SYSTEMS.get(system_oid.rpartition(".")[2], system_oid),
                    term=child_attr(c, "Refusjonskode", "DN"),
                    valid_from=parse_date(child_text(c, "GyldigFraDato")),
                    valid_to=parse_date(child_text(c, "UtleveresTilDato"))
                    or parse_date(child_text(c, "ForskrivesTilDato")),
                )
            )
        yield ParsedRefundGroup(
            fest_id=required(g, "Id", "Refusjonsgruppe"),
            timestamp=timestamp,
            status=status,
            line=group.sourceline or line,
            group_no=child_attr(g, "GruppeNr") or child_text(g, "GruppeNr"),
            basis_code=basis_code,
            basis=basis,
            atc=child_attr(g, "Atc"),
            is_h_resept=is_h,
            codes=[c for c in codes if c.code],
        )


_CODE_SYSTEMS = {"7110": "ICD-10", "7170": "ICPC-2"}


def _code_list(oppf: dict[str, list[Any]]) -> Iterator[ParsedCode]:
    info = children(oppf["Info"][0]) if oppf.get("Info") else {}
    code_list = child_text(info, "Id").rpartition(".")[2]
    if code_list != "7180":
        return  # only ATC names are used
    for element in oppf.get("Element", []):
        e = children(element)
        terms = e.get("Term", [])
        name = child_text(children(terms[0]), "Term") if terms else ""
        code = child_text(e, "Kode")
        if code:
            yield ParsedCode(code_list=code_list, code=code, name=name)


_PARSERS: dict[str, Callable[[dict[str, Any], dict[str, list[Any]]], ParsedEntry]] = {
    "Legemiddelpakning": _package,
    "LegemiddelMerkevare": _brand,
    "Virkestoff": _substance,
    "VirkestoffMedStyrke": _substance_strength,
    "Byttegruppe": _exchange_group,
}
# The body element(s) each entry wraps; an OppfVirkestoff holds one or the other.
_BODIES: dict[str, tuple[str, ...]] = {
    "OppfLegemiddelpakning": ("Legemiddelpakning",),
    "OppfLegemiddelMerkevare": ("LegemiddelMerkevare",),
    "OppfVirkestoff": ("Virkestoff", "VirkestoffMedStyrke"),
    "OppfByttegruppe": ("Byttegruppe",),
    "OppfRefusjon": ("Refusjonshjemmel",),
}
