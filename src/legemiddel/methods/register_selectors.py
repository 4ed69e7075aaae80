"""Reads of the core group's register: methods with filters and counts, and what the manage
page shows beside a method (the substance names and their FEST candidates, the LIS rank)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from legemiddel.catalogue.models import Substance
from legemiddel.catalogue.selectors import substance_search
from legemiddel.lib.text import fold
from legemiddel.methods.ids import method_id_or_none
from legemiddel.methods.linking import NameMatch, substance_matches, substance_names
from legemiddel.methods.models import DecisionStatus, Method, MethodSubstance, MethodType

# Not confirmed: nobody has, or the decision changed after the last confirmation.
UNCONFIRMED = (
    Q(status="") | Q(status_confirmed_at__isnull=True) | Q(status_confirmed_at__lt=F("changed_at"))
)


def effective_status_is(status: str) -> Q:
    """The confirmed status, or the suggestion while nobody has confirmed."""
    return Q(status=status) | Q(status="", suggested_status=status)


@dataclass(frozen=True)
class RegisterFilter:
    method_type: str = ""
    status: str = ""
    unconfirmed: bool = False
    changed_since: dt.date | None = None
    pick_needed: bool = False
    q: str = ""

    @property
    def active(self) -> bool:
        return bool(
            self.method_type
            or self.status
            or self.unconfirmed
            or self.changed_since
            or self.pick_needed
            or self.q.strip()
        )


def _matches_text(method: Method, terms: list[str]) -> bool:
    haystack = fold(
        " ".join([method.method_id, method.substance_text, method.trade_names, method.indication])
    )
    return all(term in haystack for term in terms)


def register_methods(chosen: RegisterFilter) -> list[Method]:
    """The methods the filter lets through, by ID and indication. The text search compares
    folded words (æøå in any case, on both databases); a method ID in any form («2019_073»,
    «ID2019_073», «id2021_110 a») finds that ID."""
    methods: QuerySet[Method] = Method.objects.select_related("area")
    if chosen.method_type in MethodType.values:
        methods = methods.filter(method_type=chosen.method_type)
    if chosen.status in DecisionStatus.values:
        methods = methods.filter(effective_status_is(chosen.status))
    if chosen.unconfirmed:
        methods = methods.filter(UNCONFIRMED)
    if chosen.changed_since:
        since = timezone.make_aware(dt.datetime.combine(chosen.changed_since, dt.time()))
        methods = methods.filter(changed_at__gte=since)
    if chosen.pick_needed:
        methods = methods.filter(method_type=MethodType.DRUG, substance_pick_needed=True)
    q = chosen.q.strip()
    method_id = method_id_or_none(q)
    if method_id:
        return list(methods.filter(method_id=method_id))
    rows = list(methods.order_by("method_id", "indication"))
    terms = fold(q).split()
    if terms:
        rows = [m for m in rows if _matches_text(m, terms)]
    return rows


@dataclass(frozen=True)
class RegisterCounts:
    total: int
    by_status: dict[str, int] = field(default_factory=dict)
    unconfirmed: int = 0
    pick_needed: int = 0


def register_counts() -> RegisterCounts:
    """How many methods there are, per (effective) status, unconfirmed and awaiting a pick."""
    rows = Method.objects.values_list("status", "suggested_status")
    by_status = Counter(status or suggested for status, suggested in rows)
    return RegisterCounts(
        total=sum(by_status.values()),
        by_status={value: by_status.get(value, 0) for value in DecisionStatus.values},
        unconfirmed=Method.objects.filter(UNCONFIRMED).count(),
        pick_needed=Method.objects.filter(
            method_type=MethodType.DRUG, substance_pick_needed=True
        ).count(),
    )


def is_unconfirmed(method: Method) -> bool:
    return bool(
        not method.status
        or method.status_confirmed_at is None
        or (method.changed_at is not None and method.status_confirmed_at < method.changed_at)
    )


def substance_links(method: Method) -> list[MethodSubstance]:
    return list(method.substance_links.select_related("substance").order_by("substance__name"))


def name_matches(method: Method) -> list[NameMatch]:
    """Each substance name in the list with the FEST substances it could mean."""
    if method.method_type != MethodType.DRUG:
        return []
    return [NameMatch(n, substance_matches(n)) for n in substance_names(method.substance_text)]


def substance_candidates(q: str, limit: int = 20) -> list[Substance]:
    """FEST substances for the pick search (active, every word must match)."""
    if not q.strip():
        return []
    return list(substance_search(q)[:limit])
