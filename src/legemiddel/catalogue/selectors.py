"""Reads from the catalogue: search, the ATC tree, package and substance pages.

One search for the web page and the API, so both find the same packages. Search compares
folded keys (see :func:`legemiddel.lib.text.fold`) so æ, ø and å match in any case on SQLite
and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from legemiddel.catalogue.models import (
    AtcCode,
    Brand,
    BrandSubstance,
    FestLoad,
    Package,
    PackageRefund,
    Price,
    Substance,
    atc_ancestors,
    atc_level,
)
from legemiddel.lib.text import fold

MAX_TERMS = 8


def search_terms(q: str) -> list[str]:
    """The folded words of a query; at most a handful, each at least one character."""
    return [t for t in fold(q).split() if t][:MAX_TERMS]


def package_search(
    q: str = "", *, atc: str = "", include_retired: bool = False
) -> QuerySet[Package]:
    """Packages matching every word of ``q`` in name, varenr, EAN, ATC code or substance name,
    optionally under an ATC group. Active packages first."""
    packages = Package.objects.select_related("atc")
    for term in search_terms(q):
        packages = packages.filter(search_key__contains=term)
    if atc:
        packages = packages.filter(atc__code__startswith=atc.strip().upper())
    if not include_retired:
        packages = packages.filter(active=True)
    return packages.order_by("-active", "name_form_strength", "varenr")


def substance_search(q: str, *, include_retired: bool = False) -> QuerySet[Substance]:
    substances = Substance.objects.all()
    for term in search_terms(q):
        substances = substances.filter(search_key__contains=term)
    if not include_retired:
        substances = substances.filter(active=True)
    return substances.order_by("name")


def latest_load() -> FestLoad | None:
    """The FEST file the catalogue now reflects (the newest one retrieved from FEST)."""
    return FestLoad.objects.order_by("-retrieved_at", "-loaded_at").first()


@dataclass(frozen=True)
class PricePeriod:
    price: Price
    valid_to: dt.date | None  # the stated end, or the day before the next period of the type
    current: bool


def price_periods(package: Package, today: dt.date | None = None) -> list[PricePeriod]:
    """Every price of a package with its validity, newest first per type.

    FEST often leaves ``GyldigTilDato`` out; a period then ends the day before the next
    period of the same type starts.
    """
    today = today or timezone.localdate()
    by_type: dict[str, list[Price]] = {}
    for price in sorted(package.prices.all(), key=lambda p: (p.type, p.valid_from)):
        by_type.setdefault(price.type, []).append(price)
    periods: list[PricePeriod] = []
    for prices in by_type.values():
        for i, price in enumerate(prices):
            implied = (
                prices[i + 1].valid_from - dt.timedelta(days=1) if i + 1 < len(prices) else None
            )
            end = price.valid_to or implied
            if price.valid_to and implied:
                end = min(price.valid_to, implied)
            # A withdrawn package has no current price, whatever its last periods say.
            current = package.active and price.valid_from <= today and (end is None or today <= end)
            periods.append(PricePeriod(price, end, current))
    order = {t: i for i, t in enumerate(Price.Type.values)}
    periods.sort(key=lambda p: (order.get(p.price.type, 99), -p.price.valid_from.toordinal()))
    return periods


def package_detail(varenr: str) -> Package | None:
    return (
        Package.objects.select_related("atc", "brand", "exchange_group")
        .prefetch_related(
            "prices",
            Prefetch(
                "refund_links",
                queryset=PackageRefund.objects.select_related("group").prefetch_related(
                    "group__codes"
                ),
            ),
            Prefetch(
                "brand__substance_links",
                queryset=BrandSubstance.objects.select_related("substance"),
            ),
        )
        .filter(varenr=varenr)
        .first()
    )


def exchangeable_with(package: Package) -> list[Package]:
    if not package.exchange_group_id:
        return []
    return list(
        Package.objects.filter(exchange_group_id=package.exchange_group_id)
        .exclude(varenr=package.varenr)
        .order_by("-active", "name_form_strength")
    )


def substance_detail(fest_id: str) -> Substance | None:
    packages = Package.objects.select_related("atc").order_by("-active", "name_form_strength")
    return (
        Substance.objects.prefetch_related(
            Prefetch(
                "brands",
                queryset=Brand.objects.order_by("name_form_strength").prefetch_related(
                    Prefetch("packages", queryset=packages)
                ),
            )
        )
        .filter(fest_id=fest_id)
        .first()
    )


@dataclass(frozen=True)
class AtcNode:
    code: AtcCode
    packages: int  # active packages at or under this code


def atc_path(code: str) -> list[AtcCode]:
    """The code and its ancestors, top first (the breadcrumb)."""
    codes = atc_ancestors(code)
    found = {a.code: a for a in AtcCode.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


def atc_children(code: str | None) -> list[AtcNode]:
    """The groups directly under ``code`` (or the 14 main groups), with package counts."""
    children = AtcCode.objects.filter(parent_id=code) if code else AtcCode.objects.filter(level=1)
    nodes = list(children.order_by("code"))
    if not nodes:
        return []
    prefix_length = len(nodes[0].code)
    counts: Counter[str] = Counter()
    packages = Package.objects.filter(active=True, atc__isnull=False)
    if code:
        packages = packages.filter(atc__code__startswith=code)
    for atc_id in packages.values_list("atc_id", flat=True):
        counts[atc_id[:prefix_length]] += 1
    return [AtcNode(node, counts[node.code]) for node in nodes]


def atc_packages(code: str, *, include_retired: bool = False) -> QuerySet[Package]:
    """Packages coded exactly with a level-5 ATC code."""
    packages = Package.objects.filter(atc_id=code)
    if not include_retired:
        packages = packages.filter(active=True)
    return packages.order_by("-active", "name_form_strength")


def atc_lookup(code: str) -> AtcCode | None:
    code = code.strip().upper()
    if not atc_level(code):
        return None
    return AtcCode.objects.filter(code=code).first()


def current_public_prices(
    varenrs: Iterable[str], on: dt.date | None = None
) -> dict[str, dict[str, Decimal]]:
    """The public FEST price of each type valid on a day, per varenr, in one query.

    The newest period that has started wins; a stated end before the day excludes it.
    """
    day = on or timezone.localdate()
    found: dict[str, dict[str, Decimal]] = {}
    prices = (
        Price.objects.filter(package_id__in=list(varenrs), valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("package_id", "type", "valid_from")
        .values_list("package_id", "type", "amount")
    )
    for varenr, kind, amount in prices:
        found.setdefault(varenr, {})[kind] = amount
    return found
