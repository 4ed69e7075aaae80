"""Reading a FEST (M30) file as a stream of typed entries, without touching the database.

The national file is ~118 MB of XML (14 MB zipped), most of it interactions and texts we do not
keep. We feed it in 1 MB chunks to lxml's pull parser, look only at the ``Oppf*`` entries we use,
and drop every element as soon as it has been read, so memory stays flat whatever the file size.

Whole-file problems raise :class:`FestFileError`; problems in one entry are reported as
:class:`~legemiddel.lib.tabular.RowError` with the XML line number so the caller can collect them
and refuse the file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from lxml import etree

from legemiddel.lib.tabular import RowError

M30_NS = "http://www.kith.no/xmlstds/eresept/m30/2014-12-01"
CHUNK = 1024 * 1024
# A zip member may not unpack to more than this, nor compress better than the ratio: the real
# file is ~118 MB at a ratio of ~8, so these only stop zip bombs.
MAX_XML_BYTES = 2 * 1024**3
MAX_ZIP_RATIO = 100
ACTIVE = "A"

Progress = Callable[[int, int], None]


class FestFileError(Exception):
    """The file as a whole is not a FEST file we can read; nothing was imported."""


# --- Parsed entries ---------------------------------------------------------------------------


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


# --- Opening the file -------------------------------------------------------------------------


class _CountingReader:
    """Reads a binary stream, counting bytes for progress and refusing to pass ``limit``."""

    def __init__(self, raw: IO[bytes], total: int, limit: int) -> None:
        self.raw = raw
        self.total = total
        self.limit = limit
        self.done = 0

    def read(self, size: int) -> bytes:
        data = self.raw.read(size)
        self.done += len(data)
        if self.done > self.limit:
            raise FestFileError(
                "Zip-filen pakker ut til mer enn den oppgir (mulig zip-bombe); den er avvist."
            )
        return data


@contextlib.contextmanager
def open_fest(path: Path) -> Iterator[_CountingReader]:
    """Open a FEST ``.xml`` or a ``.zip`` holding exactly one ``.xml``, as a counted stream."""
    if zipfile.is_zipfile(path):
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise FestFileError(f"Zip-filen kan ikke åpnes: {exc}.") from exc
        with archive:
            members = [
                m
                for m in archive.infolist()
                if not m.is_dir() and m.filename.lower().endswith(".xml")
            ]
            if not members:
                raise FestFileError("Zip-filen inneholder ingen XML-fil.")
            if len(members) > 1:
                names = ", ".join(m.filename for m in members[:5])
                raise FestFileError(
                    f"Zip-filen inneholder {len(members)} XML-filer ({names}); "
                    "last opp én FEST-fil om gangen."
                )
            member = members[0]
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > MAX_XML_BYTES or ratio > MAX_ZIP_RATIO:
                raise FestFileError(
                    f"{member.filename} pakker ut til {member.file_size:,} byte "
                    f"(forhold {ratio:.0f}:1); det er ikke en FEST-fil, men ser ut som en "
                    "zip-bombe. Den er avvist.".replace(",", " ")
                )
            try:
                with archive.open(member) as raw:
                    yield _CountingReader(raw, member.file_size, member.file_size)
            except zipfile.BadZipFile as exc:
                raise FestFileError(f"Zip-filen er skadet: {exc}.") from exc
        return
    size = path.stat().st_size
    with path.open("rb") as raw:
        if raw.read(4) == b"PK\x03\x04":
            # Starts as a zip but has no directory at the end: a download that was cut off.
            raise FestFileError(
                "Zip-filen er skadet eller avkortet (mangler innholdsfortegnelsen). "
                "Last ned FEST-filen på nytt."
            )
        raw.seek(0)
        yield _CountingReader(raw, size, MAX_XML_BYTES)


# --- Reading entries --------------------------------------------------------------------------

_ENTRY_TAGS = frozenset(
    {
        "OppfLegemiddelpakning",
        "OppfLegemiddelMerkevare",
        "OppfVirkestoff",
        "OppfByttegruppe",
        "OppfRefusjon",
        "OppfKodeverk",
    }
)


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


@dataclass
class Header:
    retrieved_at: dt.datetime


@dataclass
class Catalogue:
    """The end of a ``Kat*`` catalogue: every entry of it has been yielded."""

    name: str


def read_fest(
    stream: _CountingReader, *, progress: Progress | None = None
) -> Iterator[Header | Catalogue | ParsedEntry | RowError]:
    """Yield the file's :class:`Header` first, then every entry we use, and a
    :class:`Catalogue` marker as each ``Kat*`` ends.

    Entries with a problem are yielded as :class:`RowError` instead, so the caller sees all
    problems in one pass. Whole-file problems raise :class:`FestFileError`.
    """
    first = stream.read(CHUNK)
    if not first.strip():
        raise FestFileError("Filen er tom.")
    _check_root(first)
    # Every element in the M30 namespace: FEST, HentetDato, the Kat* catalogues, their Oppf*
    # entries and the entries' Id/Tidspunkt/Status. Entry bodies live in another namespace and
    # are read from their Oppf* parent. Entries of catalogues we do not use are dropped unread.
    parser = etree.XMLPullParser(
        events=("end",),
        tag=f"{{{M30_NS}}}*",
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
    )
    header_seen = False
    chunk = first
    while True:
        try:
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
        except etree.XMLSyntaxError as exc:
            raise FestFileError(_syntax_message(exc, truncated=not chunk)) from exc
        for _event, elem in parser.read_events():
            name = _local(elem.tag)
            if name == "HentetDato":
                retrieved = _datetime(elem.text)
                if retrieved is None:
                    raise FestFileError(
                        f"HentetDato på linje {elem.sourceline} er ikke et tidspunkt "
                        f"(«{(elem.text or '').strip()}»)."
                    )
                header_seen = True
                yield Header(retrieved)
                continue
            if not header_seen:
                raise FestFileError(
                    "Filen mangler HentetDato før katalogene; den er ikke en FEST M30-fil."
                )
            if name.startswith("Kat"):
                yield Catalogue(name)
                elem.clear()
                continue
            if not name.startswith("Oppf"):
                continue
            if name in _ENTRY_TAGS:
                yield from _parse_entry(name, elem)
            # Drop what has been read: the element, and its earlier siblings.
            elem.clear()
            parent = elem.getparent()
            if parent is not None:
                while elem.getprevious() is not None:
                    del parent[0]
        if progress is not None:
            progress(stream.done, stream.total)
        if not chunk:
            break
        chunk = stream.read(CHUNK)
    if not header_seen:
        raise FestFileError("Filen mangler HentetDato; den er ikke en FEST M30-fil.")


def _check_root(first: bytes) -> None:
    probe = etree.XMLPullParser(events=("start",), resolve_entities=False, no_network=True)
    error: etree.XMLSyntaxError | None = None
    try:
        probe.feed(first)
    except etree.XMLSyntaxError as exc:
        error = exc  # after the root element, a syntax error is reported by read_fest
    event = next(iter(probe.read_events()), None)
    if event is None and error is not None:
        raise FestFileError(f"Filen er ikke XML: {error.msg} (linje {error.lineno}).") from error
    if event is None:
        raise FestFileError("Filen er ikke XML: fant ikke noe rotelement.")
    root = etree.QName(event[1])
    if root.localname != "FEST":
        raise FestFileError(
            f"Rotelementet er «{root.localname}», ikke «FEST»; dette er ikke en FEST-fil."
        )
    if root.namespace != M30_NS:
        raise FestFileError(
            f"FEST-filen har navnerommet «{root.namespace or 'ingen'}»; vi leser M30 ({M30_NS})."
        )


def _syntax_message(exc: etree.XMLSyntaxError, *, truncated: bool) -> str:
    if truncated or "end of data" in str(exc.msg) or "Premature end" in str(exc.msg):
        return (
            f"Filen slutter midt i XML-en (linje {exc.lineno}); den er trolig avkortet. "
            "Last ned FEST-filen på nytt."
        )
    return f"Feil i XML på linje {exc.lineno}: {exc.msg}."


# --- Element helpers --------------------------------------------------------------------------


def _kids(elem: Any) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for child in elem:
        out.setdefault(_local(child.tag), []).append(child)
    return out


def _text(kids: dict[str, list[Any]], name: str) -> str:
    found = kids.get(name)
    if not found:
        return ""
    return (found[0].text or "").strip()


def _attr(kids: dict[str, list[Any]], name: str, attr: str = "V") -> str:
    found = kids.get(name)
    if not found:
        return ""
    return (found[0].get(attr) or "").strip()


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _datetime(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed


def _decimal(value: str) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class _EntryProblem(Exception):
    def __init__(self, column: str, value: str, message: str) -> None:
        self.column = column
        self.value = value
        self.message = message


def _required(kids: dict[str, list[Any]], name: str, what: str) -> str:
    value = _text(kids, name)
    if not value:
        raise _EntryProblem(name, "", f"{what} mangler {name}, som er påkrevd.")
    return value


def _parse_entry(name: str, elem: Any) -> Iterator[ParsedEntry | RowError]:
    line = elem.sourceline or 0
    oppf = _kids(elem)
    try:
        if name == "OppfKodeverk":
            yield from _code_list(oppf)
            return
        entry_id = _required(oppf, "Id", name)
        status = _attr(oppf, "Status") or ACTIVE
        timestamp = _datetime(_text(oppf, "Tidspunkt"))
        body_names = _BODIES[name]
        found = [(body, oppf[body][0]) for body in body_names if oppf.get(body)]
        if not found:
            raise _EntryProblem(
                body_names[0], "", f"{name} med Id {entry_id} mangler {' eller '.join(body_names)}."
            )
        body_name, body = found[0]
        kids = _kids(body)
        if body_name == "Refusjonshjemmel":
            yield from _refund(entry_id, status, timestamp, line, kids)
            return
        # Other entries point at the body's own Id, which FEST keeps stable across versions;
        # the Oppf Id identifies this version of the entry.
        base = {
            "fest_id": _text(kids, "Id") or entry_id,
            "timestamp": timestamp,
            "status": status,
            "line": line,
        }
        yield _PARSERS[body_name](base, kids)
    except _EntryProblem as problem:
        yield RowError(line, problem.column, problem.value, problem.message)


def _package(base: dict[str, Any], k: dict[str, list[Any]]) -> ParsedPackage:
    varenr = _required(k, "Varenr", "Legemiddelpakning")
    if not (len(varenr) == 6 and varenr.isdigit()):
        raise _EntryProblem("Varenr", varenr, "Varenr skal være seks sifre (med ledende nuller).")
    name = _required(k, "NavnFormStyrke", f"Legemiddelpakning {varenr}")
    info = _kids(k["Pakningsinfo"][0]) if k.get("Pakningsinfo") else {}
    byttegruppe = _kids(k["PakningByttegruppe"][0]) if k.get("PakningByttegruppe") else {}
    market = _kids(k["Markedsforingsinfo"][0]) if k.get("Markedsforingsinfo") else {}
    package = ParsedPackage(
        **base,
        varenr=varenr,
        ean=_text(k, "Ean"),
        name_form_strength=name,
        atc=_attr(k, "Atc"),
        atc_name=_attr(k, "Atc", "DN"),
        brand_id=_text(info, "RefLegemiddelMerkevare"),
        exchange_group_id=_text(byttegruppe, "RefByttegruppe"),
        form=_attr(k, "LegemiddelformKort", "DN"),
        prescription_group=_attr(k, "Reseptgruppe"),
        pack_size=_decimal(_text(info, "Pakningsstr")),
        pack_unit=_attr(info, "EnhetPakning", "DN") or _attr(info, "EnhetPakning"),
        pack_type=_attr(info, "Pakningstype", "DN"),
        ddd=_decimal(_attr(info, "DDD")),
        ddd_unit=_attr(info, "DDD", "U"),
        ddd_per_pack=_decimal(_text(info, "Statistikkfaktor")),
        marketed_from=_date(_text(market, "Markedsforingsdato")),
    )
    for refusjon in k.get("Refusjon", []):
        r = _kids(refusjon)
        group = _text(r, "RefRefusjonsgruppe")
        if group:
            package.refunds.append(
                (group, _date(_text(r, "GyldigFraDato")), _date(_text(r, "GyldigTilDato")))
            )
    for pris in k.get("PrisVare", []):
        package.prices.append(_price(_kids(pris), varenr))
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
_PRICE_CODES = {"1": "AUP", "2": "REFUSJON", "3": "AIP", "4": "AUP", "5": "TRINN"}


def price_type(code: str, label: str) -> str:
    """Our price type for a FEST ``Type`` element: by its ``DN`` label, else by its code."""
    folded = label.casefold()
    for needle, kind in _PRICE_LABELS:
        if needle in folded:
            return kind
    return _PRICE_CODES.get(code, "ANNEN")


def _price(k: dict[str, list[Any]], varenr: str) -> ParsedPrice:
    code = _attr(k, "Type")
    label = _attr(k, "Type", "DN")
    raw_amount = _attr(k, "Pris")
    amount = _decimal(raw_amount)
    if amount is None:
        raise _EntryProblem(
            "PrisVare/Pris", raw_amount, f"Pakning {varenr} har en pris som ikke er et tall."
        )
    if amount < 0:
        raise _EntryProblem("PrisVare/Pris", raw_amount, f"Pakning {varenr} har en negativ pris.")
    valid_from = _date(_text(k, "GyldigFraDato"))
    if valid_from is None:
        raise _EntryProblem(
            "PrisVare/GyldigFraDato",
            _text(k, "GyldigFraDato"),
            f"Pakning {varenr} har en pris ({label or code}) uten gyldig fra-dato.",
        )
    return ParsedPrice(
        type=price_type(code, label),
        type_code=code,
        type_label=label,
        amount=amount.quantize(Decimal("0.01")),
        currency=_attr(k, "Pris", "U") or "NOK",
        valid_from=valid_from,
        valid_to=_date(_text(k, "GyldigTilDato")),
    )


def _brand(base: dict[str, Any], k: dict[str, list[Any]]) -> ParsedBrand:
    name = _required(k, "NavnFormStyrke", "LegemiddelMerkevare")
    produkt = _kids(k["ProduktInfo"][0]) if k.get("ProduktInfo") else {}
    refs = []
    for sorted_ref in k.get("SortertVirkestoffMedStyrke", []):
        s = _kids(sorted_ref)
        ref = _text(s, "RefVirkestoffMedStyrke")
        if ref:
            refs.append((int(_text(s, "Sortering") or 0), ref))
    return ParsedBrand(
        **base,
        trade_name=_text(k, "Varenavn") or name,
        name_form_strength=name,
        form=_text(k, "LegemiddelformLang") or _attr(k, "LegemiddelformKort", "DN"),
        atc=_attr(k, "Atc"),
        atc_name=_attr(k, "Atc", "DN"),
        prescription_group=_attr(k, "Reseptgruppe"),
        manufacturer=_text(produkt, "Produsent"),
        substance_refs=[ref for _, ref in sorted(refs)],
    )


def _substance(base: dict[str, Any], k: dict[str, list[Any]]) -> ParsedSubstance:
    return ParsedSubstance(
        **base, name=_required(k, "Navn", "Virkestoff"), name_en=_text(k, "NavnEngelsk")
    )


def _substance_strength(base: dict[str, Any], k: dict[str, list[Any]]) -> ParsedSubstanceStrength:
    return ParsedSubstanceStrength(
        **base, substance_id=_required(k, "RefVirkestoff", "VirkestoffMedStyrke")
    )


def _exchange_group(base: dict[str, Any], k: dict[str, list[Any]]) -> ParsedExchangeGroup:
    return ParsedExchangeGroup(
        **base,
        code=_attr(k, "Kode") or _text(k, "Kode"),
        valid_from=_date(_text(k, "GyldigFraDato")),
        description=_text(k, "BeskrivelseByttbarhet") or _attr(k, "Kode", "DN"),
    )


# The refund basis (code list 7427) under which the hospitals, not Helfo, pay: H-resept.
H_RESEPT_BASIS_CODES = frozenset({"950"})


def _refund(
    entry_id: str, status: str, timestamp: dt.datetime | None, line: int, k: dict[str, list[Any]]
) -> Iterator[ParsedRefundGroup]:
    basis_code = _attr(k, "Refusjonshjemmel")
    basis = _attr(k, "Refusjonshjemmel", "DN")
    is_h = basis_code in H_RESEPT_BASIS_CODES or "h-resept" in basis.casefold()
    groups = k.get("Refusjonsgruppe", [])
    if not groups:
        raise _EntryProblem(
            "Refusjonsgruppe", "", f"Refusjonshjemmel {basis_code} mangler Refusjonsgruppe."
        )
    for group in groups:
        g = _kids(group)
        codes = []
        for wrapper in g.get("Refusjonskode", []):
            c = _kids(wrapper)
            system_oid = _attr(c, "Refusjonskode", "S")
            codes.append(
                ParsedRefundCode(
                    code=_attr(c, "Refusjonskode"),
                    system=_CODE_SYSTEMS.get(system_oid.rpartition(".")[2], system_oid),
                    term=_attr(c, "Refusjonskode", "DN"),
                    valid_from=_date(_text(c, "GyldigFraDato")),
                    valid_to=_date(_text(c, "UtleveresTilDato"))
                    or _date(_text(c, "ForskrivesTilDato")),
                )
            )
        yield ParsedRefundGroup(
            fest_id=_required(g, "Id", "Refusjonsgruppe"),
            timestamp=timestamp,
            status=status,
            line=group.sourceline or line,
            group_no=_attr(g, "GruppeNr") or _text(g, "GruppeNr"),
            basis_code=basis_code,
            basis=basis,
            atc=_attr(g, "Atc"),
            is_h_resept=is_h,
            codes=[c for c in codes if c.code],
        )


_CODE_SYSTEMS = {"7110": "ICD-10", "7170": "ICPC-2"}


def _code_list(oppf: dict[str, list[Any]]) -> Iterator[ParsedCode]:
    info = _kids(oppf["Info"][0]) if oppf.get("Info") else {}
    code_list = _text(info, "Id").rpartition(".")[2]
    if code_list != "7180":
        return  # only ATC names are used
    for element in oppf.get("Element", []):
        e = _kids(element)
        terms = e.get("Term", [])
        name = _text(_kids(terms[0]), "Term") if terms else ""
        code = _text(e, "Kode")
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
