"""The Nye metoder status beside the LIS ranks in the drug portal (a provider registered with
:mod:`legemiddel.agreements.portal_notes`).

A drug method concerns a product when it is linked to one of the product's FEST substances or
to its ATC code, and an area when it is linked to the LIS area. Two queries for a whole page:
the methods concerned, and which of the page's brands each reaches through its substances.
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from legemiddel.agreements.models import TherapeuticArea
from legemiddel.agreements.portal_notes import PortalNote, PortalNotes
from legemiddel.catalogue.models import Package
from legemiddel.methods.models import DecisionStatus, Method, MethodSubstance, MethodType
from legemiddel.methods.selectors import current_methods, status_badge

# Beyond this many methods for one product or area the notes count per status instead, and
# link to the look-up (pembrolizumab has dozens of indications).
MAX_SINGLE_NOTES = 3
MIN_ATC_LENGTH = 5  # a chemical subgroup (L04AB) or a substance (L04AB04)


def _atc_codes(method: Method) -> list[str]:
    return [c for c in method.atc_codes.upper().split() if len(c) >= MIN_ATC_LENGTH]


def _notes(methods: list[Method], query: dict[str, str]) -> list[PortalNote]:
    methods = sorted(methods, key=lambda m: (m.method_id, " ".join(m.indication.split())))
    badges = [(method, status_badge(method)) for method in methods]
    if len(methods) <= MAX_SINGLE_NOTES:
        notes = []
        for method, badge in badges:
            label = _("Nye metoder: %(status)s") % {"status": badge.label}
            if not badge.confirmed:
                label += " (" + _("suggested") + ")"
            notes.append(
                PortalNote(
                    label=label,
                    title=f"{method.method_id}: {' '.join(method.indication.split())[:200]}",
                    url=reverse("methods:detail", args=[method.pk]),
                    tone=badge.tone,
                )
            )
        return notes
    url = reverse("methods:lookup") + "?" + urlencode(query)
    notes = []
    for status in DecisionStatus.values:  # introduced first, as the look-up reads
        same = [b for _m, b in badges if b.status == status]
        if same:
            label = _("Nye metoder: %(status)s (%(count)s)") % {
                "status": same[0].label,
                "count": len(same),
            }
            title = _("%(count)s indications: see them all in the look-up") % {"count": len(same)}
            notes.append(PortalNote(label=label, title=title, url=url, tone=same[0].tone))
    return notes


def portal_notes_for(areas: list[TherapeuticArea], packages: list[Package]) -> PortalNotes:
    """The status of the drug methods concerning each area and package shown."""
    notes = PortalNotes()
    area_ids = [a.pk for a in areas]
    brand_ids = sorted({p.brand_id for p in packages if p.brand_id})
    atc_prefixes = sorted({p.atc_id[:MIN_ATC_LENGTH] for p in packages if p.atc_id})
    if not area_ids and not packages:
        return notes
    concerns = Q(area_id__in=area_ids) | Q(
        substance_links__substance__brand_links__brand_id__in=brand_ids
    )
    for prefix in atc_prefixes:
        concerns |= Q(atc_codes__icontains=prefix)
    methods = list(
        current_methods()
        .filter(concerns, method_type=MethodType.DRUG)
        .only(
            "id", "method_id", "indication", "indication_key", "substance_text",
            "status", "suggested_status", "area_id", "atc_codes",
        )
        .distinct()
    )  # fmt: skip
    if not methods:
        return notes
    by_brand: dict[str, set[int]] = defaultdict(set)
    if brand_ids:
        pairs = MethodSubstance.objects.filter(
            method_id__in=[m.pk for m in methods],
            substance__brand_links__brand_id__in=brand_ids,
        ).values_list("method_id", "substance__brand_links__brand_id")
        for method_pk, brand_id in pairs:
            by_brand[brand_id].add(method_pk)
    for area in areas:
        found = [m for m in methods if m.area_id == area.pk]
        if found:
            notes.by_area[area.pk] = _notes(found, {"omrade": area.code})
    for package in packages:
        atc = (package.atc_id or "").upper()
        reached = by_brand.get(package.brand_id or "", set())
        found = [
            m
            for m in methods
            if m.pk in reached or (atc and any(atc.startswith(c) for c in _atc_codes(m)))
        ]
        if found:
            search = found[0].substance_text or package.name_form_strength
            notes.by_package[package.varenr] = _notes(found, {"q": search})
    return notes
