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


def substance_matches(name: str) -> tuple[Substance, ...]:
    """The active FEST substances a name means: same name (Norwegian or English) in any case,
    else the name with a salt or ester after it."""
    wanted = _key(name)
    if len(wanted) < 3:
        return ()
    first = fold(name).split()[0]
    pool = Substance.objects.filter(active=True, search_key__contains=first[:40])
    exact: list[Substance] = []
    salted: list[Substance] = []
    for substance in pool:
        keys = [_key(substance.name)] + ([_key(substance.name_en)] if substance.name_en else [])
        if wanted in keys:
            exact.append(substance)
        elif any(k.startswith(wanted) and _SALT.fullmatch(k[len(wanted) :]) for k in keys):
            salted.append(substance)
    return tuple(exact or salted)


def _link_substances(method: Method) -> bool:
    """Link what the names say; returns whether a person must pick."""
    matches = [NameMatch(n, substance_matches(n)) for n in substance_names(method.substance_text)]
    wanted = {m.unambiguous.pk for m in matches if m.unambiguous is not None}
    pick_needed = not matches or any(m.unambiguous is None for m in matches)
    by_name = method.substance_links.filter(source=MethodSubstance.Source.NAME)
    by_name.exclude(substance_id__in=wanted).delete()
    have = set(method.substance_links.values_list("substance_id", flat=True))
    MethodSubstance.objects.bulk_create(
        MethodSubstance(method=method, substance_id=pk, source=MethodSubstance.Source.NAME)
        for pk in sorted(wanted - have)
    )
    return pick_needed


def atc_codes_for(substance_ids: set[str]) -> list[str]:
    """The ATC codes of the active brands (and their packages) made only of these substances."""
    if not substance_ids:
        return []
    containing = BrandSubstance.objects.filter(substance_id__in=substance_ids).values("brand_id")
    made_of: dict[str, set[str]] = defaultdict(set)
    for brand_id, substance_id in BrandSubstance.objects.filter(
        brand__active=True, brand_id__in=containing
    ).values_list("brand_id", "substance_id"):
        made_of[brand_id].add(substance_id)
    brands = [brand for brand, made in made_of.items() if made <= substance_ids]
    if not brands:
        return []
    codes = set(
        Brand.objects.filter(pk__in=brands).exclude(atc=None).values_list("atc_id", flat=True)
    )
    codes |= set(
        Package.objects.filter(active=True, brand_id__in=brands)
        .exclude(atc=None)
        .values_list("atc_id", flat=True)
    )
    return sorted(codes)


def _atc_filter(codes: list[str]) -> Q:
    return Q(package__atc_id__in=codes)


def area_for(codes: list[str]) -> TherapeuticArea | None:
    """The area whose agreements rank most packages with these ATC codes (then by name)."""
    if not codes:
        return None
    counts = Counter(
        AgreementLine.objects.filter(_atc_filter(codes))
        .exclude(agreement__status=Agreement.Status.WITHDRAWN)
        .values_list("agreement__area_id", flat=True)
    )
    if not counts:
        return None
    areas = {a.pk: a for a in TherapeuticArea.objects.filter(pk__in=counts)}
    return min(areas.values(), key=lambda a: (-counts[a.pk], a.name))


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


def link_method(method: Method) -> None:
    """Link a drug method whose links were not set by hand (see the module docstring). Saves
    the method's changed link fields; touches nothing a person set."""
    changed: list[str] = []

    def put(field: str, value: object) -> None:
        if getattr(method, field) != value:
            setattr(method, field, value)
            changed.append(field)

    if method.method_type == MethodType.DRUG and not method.substances_by_hand:
        put("substance_pick_needed", _link_substances(method))
    elif method.method_type != MethodType.DRUG:
        put("substance_pick_needed", False)
    if method.method_type == MethodType.DRUG and not method.links_by_hand:
        ids = set(method.substance_links.values_list("substance_id", flat=True))
        codes = atc_codes_for(ids)
        put("atc_codes", " ".join(codes)[:300])
        area = area_for(codes)
        put("area_id", area.pk if area else None)
    if not method.icd10_by_hand:
        put("icd10", load_indications().codes_for(method.method_id, method.indication) or "")
    if (
        method.status_confirmed_at is None
        and method.effective_from is None
        and tied_to_agreement(method.effective_note)
    ):
        put("effective_from", agreement_start_for(method))
    if changed:
        method.save(update_fields=changed)
