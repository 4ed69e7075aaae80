"""Linking a method to the catalogue and the agreements: FEST substances by name (a person picks
when the name is ambiguous), ATC codes, the LIS area, and the indication's ICD-10 codes.

What :func:`link_method` does for a drug method (other method types get no links):

- **Substances.** ``Virkestoff`` may name several («nivolumab og ipilimumab», «A, B», «A + B»,
  «A i kombinasjon med B»). Each name is looked up among the active FEST substances, by the
  Norwegian or English name in any case, and else as the name with a salt or ester
  («tofacitinib» -> «Tofacitinibsitrat»). A name with exactly one match links it
  (``MethodSubstance.Source.NAME``); a name with several or none leaves it to a person
  (``substance_pick_needed``: the register shows «må velges»). Once a person has picked or
  removed a substance (``substances_by_hand``), the substances are theirs and never touched.
- **ATC codes** are those of the FEST brands (and their packages) made of the linked substances
  only; **the LIS area** is the therapeutic area whose agreements rank packages with those ATC
  codes (the one ranking most of them). Both are kept when a person set them
  (``links_by_hand``).
- **ICD-10 codes** come from the reviewed ``methods/indications.yaml`` (see
  :mod:`legemiddel.methods.icd10`), unless a person set them (``icd10_by_hand``).
- **Date of use.** When the decision ties the start to a LIS agreement (``effective_note``) and
  nobody has confirmed the method, ``effective_from`` becomes the start of the area's first
  published agreement starting on or after the decision date, else of the current one.

For the contradiction finder and other readers, the ICD-10 helpers are here too:
``icd10_matches(codes, code)`` says whether a code lies in a set, and ``icd10_prefixes(codes)``
expands a set to normalised prefixes for SQL (``REPLACE(UPPER(code), '.', '') LIKE 'C34%'``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from legemiddel.agreements.models import Agreement, AgreementLine, TherapeuticArea
from legemiddel.catalogue.models import Brand, BrandSubstance, Package, Substance
from legemiddel.lib.text import fold
from legemiddel.methods.decisions import tied_to_agreement
from legemiddel.methods.icd10 import (
    icd10_matches,
    icd10_prefixes,
    load_indications,
)
from legemiddel.methods.models import Method, MethodSubstance, MethodType

__all__ = [
    "NameMatch",
    "agreement_start_for",
    "icd10_matches",
    "icd10_prefixes",
    "link_method",
    "link_methods",
    "lis_rank",
    "substance_matches",
    "substance_names",
]

# Salts, esters and hydrates FEST adds to a substance's name («Tofacitinibsitrat»).
SALTS = (
    "hydroklorid", "hydrobromid", "dihydroklorid", "klorid", "bromid", "sitrat", "mesilat",
    "dimesilat", "besilat", "tosilat", "maleat", "fumarat", "hemifumarat", "tartrat", "succinat",
    "suksinat", "acetat", "sulfat", "hydrogensulfat", "fosfat", "dinatrium", "natrium", "kalium",
    "kalsium", "magnesium", "meglumin", "trometamol", "eteksilat", "monohydrat", "dihydrat",
    "trihydrat", "hemihydrat", "seskvihydrat", "laktat", "glukonat", "oksalat", "nitrat",
    "hydrat", "hyklat", "pamoat", "dipropionat", "propionat", "valerat", "palmitat",
    "hydrochloride", "citrate", "mesylate", "maleate", "sodium", "potassium", "sulfate",
    "phosphate", "acetate", "tartrate", "succinate", "fumarate", "besylate", "tosylate",
)  # fmt: skip
_SALT = re.compile(r"(?:[\s-]*(?:" + "|".join(sorted(SALTS, key=len, reverse=True)) + r"))+")
_SEPARATORS = re.compile(
    r"\s*(?:,|;|\+|/|&|\bog\b|\band\b|\bi\s+kombinasjon\s+med\b|\bkombinert\s+med\b"
    r"|\bmed\b|\bsammen\s+med\b)\s*",
    re.IGNORECASE,
)
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def substance_names(text: str) -> list[str]:
    """The substance names in the list's ``Virkestoff``: split at «og», «,», «+», «/» and
    «i kombinasjon med»; bracketed notes dropped; each name once, in order."""
    cleaned = _BRACKETS.sub(" ", text or "")
    names: dict[str, str] = {}
    for part in _SEPARATORS.split(cleaned):
        name = " ".join(part.split())
        if name and any(c.isalpha() for c in name):
            names.setdefault(fold(name), name)
    return list(names.values())


def _key(name: str) -> str:
    return re.sub(r"[\s-]+", "", fold(name))


@dataclass(frozen=True)
class NameMatch:
    name: str
    candidates: tuple[Substance, ...]

    @property
    def unambiguous(self) -> Substance | None:
        return self.candidates[0] if len(self.candidates) == 1 else None


class _SubstanceIndex:
    """Active FEST substances by the keys a name is compared on: the name (Norwegian or
    English) without spaces and hyphens, and that name with any salt or ester at its end cut
    off (so «tofacitinib» finds «Tofacitinibsitrat»)."""

    def __init__(self, substances: Iterable[Substance]) -> None:
        self.exact: dict[str, list[Substance]] = defaultdict(list)
        self.salted: dict[str, list[Substance]] = defaultdict(list)
        for substance in substances:
            keys = {_key(substance.name)}
            if substance.name_en:
                keys.add(_key(substance.name_en))
            for key in keys:
                self.exact[key].append(substance)
                for cut in range(3, len(key)):
                    if _SALT.fullmatch(key[cut:]):
                        self.salted[key[:cut]].append(substance)

    def match(self, name: str) -> tuple[Substance, ...]:
        wanted = _key(name)
        if len(wanted) < 3:
            return ()
        found = self.exact.get(wanted) or self.salted.get(wanted) or []
        unique = {s.pk: s for s in found}
        return tuple(sorted(unique.values(), key=lambda s: (s.name, s.pk)))


def _first_word(name: str) -> str:
    words = fold(name).split()
    return words[0][:40] if words else ""


def _substance_index(names: Iterable[str]) -> _SubstanceIndex:
    """The index over the substances these names could mean: for a few names only those whose
    search key holds a name's first word, for many (an import) every active substance."""
    words = sorted({w for w in (_first_word(n) for n in names) if w})
    if not words:
        return _SubstanceIndex([])
    pool = Substance.objects.filter(active=True)
    if len(words) <= 10:
        condition = Q()
        for word in words:
            condition |= Q(search_key__contains=word)
        pool = pool.filter(condition)
    return _SubstanceIndex(pool.only("pk", "name", "name_en"))


def substance_matches(name: str) -> tuple[Substance, ...]:
    """The active FEST substances a name means: same name (Norwegian or English) in any case,
    else the name with a salt or ester after it."""
    return _substance_index([name]).match(name)


class _AtcIndex:
    """What the ATC codes of many methods are read from, in four queries: the active brands
    containing the substances, what each is made of, their ATC codes and their packages'."""

    def __init__(self, substance_ids: set[str]) -> None:
        self.made_of: dict[str, set[str]] = defaultdict(set)
        self.brands_of: dict[str, set[str]] = defaultdict(set)
        self.codes_of: dict[str, set[str]] = defaultdict(set)
        if not substance_ids:
            return
        containing = BrandSubstance.objects.filter(substance_id__in=substance_ids).values(
            "brand_id"
        )
        for brand_id, substance_id in BrandSubstance.objects.filter(
            brand__active=True, brand_id__in=containing
        ).values_list("brand_id", "substance_id"):
            self.made_of[brand_id].add(substance_id)
            self.brands_of[substance_id].add(brand_id)
        brands = set(self.made_of)
        if not brands:
            return
        for brand_id, atc in (
            Brand.objects.filter(pk__in=brands).exclude(atc=None).values_list("pk", "atc_id")
        ):
            self.codes_of[brand_id].add(atc)
        for brand_id, atc in (
            Package.objects.filter(active=True, brand_id__in=brands)
            .exclude(atc=None)
            .values_list("brand_id", "atc_id")
        ):
            self.codes_of[brand_id].add(atc)

    def atc_codes(self, substance_ids: set[str]) -> list[str]:
        """The codes of the brands made only of these substances."""
        brands = {b for s in substance_ids for b in self.brands_of.get(s, ())}
        codes: set[str] = set()
        for brand in brands:
            if self.made_of[brand] <= substance_ids:
                codes |= self.codes_of[brand]
        return sorted(codes)


class _AreaIndex:
    """Which therapeutic areas' agreements rank packages with each ATC code (two queries)."""

    def __init__(self, codes: set[str]) -> None:
        self.counts: dict[str, Counter[int]] = defaultdict(Counter)
        self.areas: dict[int, TherapeuticArea] = {}
        if not codes:
            return
        for atc, area_id in (
            AgreementLine.objects.filter(package__atc_id__in=codes)
            .exclude(agreement__status=Agreement.Status.WITHDRAWN)
            .values_list("package__atc_id", "agreement__area_id")
        ):
            self.counts[atc][area_id] += 1
        found = {a for c in self.counts.values() for a in c}
        if found:
            self.areas = {a.pk: a for a in TherapeuticArea.objects.filter(pk__in=found)}

    def area(self, codes: list[str]) -> TherapeuticArea | None:
        """The area ranking most packages with these codes (then by name)."""
        counts: Counter[int] = Counter()
        for code in codes:
            counts.update(self.counts.get(code, Counter()))
        return min(
            (self.areas[a] for a in counts if a in self.areas),
            key=lambda a: (-counts[a.pk], a.name),
            default=None,
        )


def _atc_filter(codes: list[str]) -> Q:
    return Q(package__atc_id__in=codes)


def lis_rank(method: Method, on: dt.date | None = None) -> int | None:
    """The best rank of the method's ATC codes in the area's current published agreement
    (else the next one), for display beside the decision."""
    codes = (method.atc_codes or "").split()
    if not codes or method.area_id is None:
        return None
    day = on or timezone.localdate()
    agreements = Agreement.objects.filter(
        area_id=method.area_id, status=Agreement.Status.PUBLISHED
    ).order_by("start")
    current = [a for a in agreements if a.start <= day <= a.effective_end]
    coming = [a for a in agreements if a.start > day]
    for agreement in current[-1:] or coming[:1]:
        ranks = [
            line.rank
            for line in AgreementLine.objects.filter(
                _atc_filter(codes), agreement=agreement
            ).select_related("agreement")
            if line.valid_on(day) or agreement.start > day
        ]
        if ranks:
            return min(ranks)
    return None


def agreement_start_for(method: Method) -> dt.date | None:
    """The start of the area's first published agreement on or after the decision date, else
    of the one running on that date."""
    if method.area_id is None:
        return None
    day = method.decision_date or timezone.localdate()
    published = Agreement.objects.filter(area_id=method.area_id, status=Agreement.Status.PUBLISHED)
    nxt = published.filter(start__gte=day).order_by("start").first()
    if nxt is not None:
        return nxt.start
    running = published.filter(start__lte=day).order_by("-start").first()
    if running is not None and day <= running.effective_end:
        return running.start
    return None


LINK_FIELDS = ("substance_pick_needed", "atc_codes", "area", "icd10", "effective_from")


def link_method(method: Method) -> None:
    """Link one method (see :func:`link_methods`)."""
    link_methods([method])


def link_methods(methods: Iterable[Method]) -> None:
    """Link methods whose links were not set by hand (see the module docstring), in a bounded
    number of queries however many there are (an import links a whole list). Saves the
    methods' changed link fields; touches nothing a person set."""
    methods = [m for m in methods if m.pk is not None]
    if not methods:
        return
    drugs = [m for m in methods if m.method_type == MethodType.DRUG]
    existing: dict[int, dict[str, tuple[int, str]]] = defaultdict(dict)
    for pk, method_id, substance_id, source in MethodSubstance.objects.filter(
        method__in=[m.pk for m in drugs]
    ).values_list("pk", "method_id", "substance_id", "source"):
        existing[method_id][substance_id] = (pk, source)
    names = {m.pk: substance_names(m.substance_text) for m in drugs if not m.substances_by_hand}
    index = _substance_index(n for found in names.values() for n in found)
    stale: list[int] = []
    new: list[MethodSubstance] = []
    linked: dict[int, set[str]] = {}
    pick_needed: dict[int, bool] = {}
    for method in drugs:
        have = existing.get(method.pk, {})
        if method.pk in names:
            matches = [index.match(n) for n in names[method.pk]]
            wanted = {found[0].pk for found in matches if len(found) == 1}
            pick_needed[method.pk] = not matches or any(len(found) != 1 for found in matches)
            stale += [
                pk
                for sid, (pk, source) in have.items()
                if source == MethodSubstance.Source.NAME and sid not in wanted
            ]
            kept = {
                sid
                for sid, (_pk, source) in have.items()
                if source != MethodSubstance.Source.NAME or sid in wanted
            }
            new += [
                MethodSubstance(method=method, substance_id=sid, source=MethodSubstance.Source.NAME)
                for sid in sorted(wanted - set(have))
            ]
            linked[method.pk] = kept | wanted
        else:
            linked[method.pk] = set(have)
    if stale:
        MethodSubstance.objects.filter(pk__in=stale).delete()
    if new:
        MethodSubstance.objects.bulk_create(new)
    automatic = [m for m in drugs if not m.links_by_hand]
    atc = _AtcIndex({sid for m in automatic for sid in linked[m.pk]})
    codes = {m.pk: atc.atc_codes(linked[m.pk]) for m in automatic}
    areas = _AreaIndex({c for found in codes.values() for c in found})
    indications = load_indications()
    changed: list[Method] = []
    for method in methods:
        before = [getattr(method, f if f != "area" else "area_id") for f in LINK_FIELDS]
        if method.method_type != MethodType.DRUG:
            method.substance_pick_needed = False
        elif method.pk in pick_needed:
            method.substance_pick_needed = pick_needed[method.pk]
        if method.pk in codes:
            method.atc_codes = " ".join(codes[method.pk])[:300]
            area = areas.area(codes[method.pk])
            method.area_id = area.pk if area else None
        if not method.icd10_by_hand:
            method.icd10 = indications.codes_for(method.method_id, method.indication) or ""
        if (
            method.status_confirmed_at is None
            and method.effective_from is None
            and tied_to_agreement(method.effective_note)
        ):
            method.effective_from = agreement_start_for(method)
        after = [getattr(method, f if f != "area" else "area_id") for f in LINK_FIELDS]
        if after != before:
            changed.append(method)
    if changed:
        Method.objects.bulk_update(changed, list(LINK_FIELDS), batch_size=500)
