"""Catalogue endpoints of the REST API (mounted under /api/v1/catalogue/)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from legemiddel.catalogue import selectors
from legemiddel.catalogue.models import AtcCode, Package, Substance
from legemiddel.core.api import clean_text, errors

router = Router(tags=["catalogue"])
MAX_LIMIT = 200
# SQLite and PostgreSQL take a 64-bit offset; no search has a billion results.
MAX_OFFSET = 1_000_000_000


class PackageOut(Schema):
    varenr: str = Field(description="FEST item number, six digits with leading zeros.")
    ean: str
    name: str = Field(description="Name, form and strength as FEST gives it.")
    atc: str | None = Field(description="ATC code (level 5), if any.")
    atc_name: str
    form: str
    pack_size: Decimal | None
    pack_unit: str
    ddd: Decimal | None
    ddd_unit: str
    ddd_per_pack: Decimal | None = Field(description="FEST Statistikkfaktor: DDDs per pack.")
    prescription_group: str
    is_h_resept: bool = Field(description="Financed by the health trusts (H-resept).")
    active: bool = Field(description="False when FEST has withdrawn the package.")


class PriceOut(Schema):
    type: str = Field(description="AIP, AUP, TRINN (step price), REFUSJON or ANNEN.")
    amount: Decimal
    currency: str
    valid_from: dt.date
    valid_to: dt.date | None = Field(
        description="Stated end, or the day before the next period of the same type."
    )
    current: bool


class PackageDetailOut(PackageOut):
    brand: str | None
    manufacturer: str
    substances: list[str]
    exchange_group: str | None
    marketed_from: dt.date | None
    retired_at: dt.datetime | None
    prices: list[PriceOut]


class PackagePage(Schema):
    count: int
    limit: int
    offset: int
    results: list[PackageOut]


class AtcOut(Schema):
    code: str
    level: int
    name: str
    parent: str | None
    packages: int | None = Field(None, description="Active packages at or under the code.")


class AtcDetailOut(AtcOut):
    path: list[AtcOut]
    children: list[AtcOut]


class SubstanceOut(Schema):
    id: str = Field(description="FEST id of the substance.")
    name: str
    name_en: str
    active: bool


class PackageFilter(Schema):
    q: str = Field("", description="Words to match in name, varenr, EAN, ATC or substance.")
    atc: str = Field("", description="Only packages under this ATC code (any level).")
    include_retired: bool = False
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def _package(p: Package) -> dict[str, object]:
    return {
        "varenr": p.varenr,
        "ean": p.ean,
        "name": p.name_form_strength,
        "atc": p.atc_id,
        "atc_name": p.atc.name if p.atc else "",
        "form": p.form,
        "pack_size": p.pack_size,
        "pack_unit": p.pack_unit,
        "ddd": p.ddd,
        "ddd_unit": p.ddd_unit,
        "ddd_per_pack": p.ddd_per_pack,
        "prescription_group": p.prescription_group,
        "is_h_resept": p.is_h_resept,
        "active": p.active,
    }


def _atc(a: AtcCode, packages: int | None = None) -> dict[str, object]:
    return {
        "code": a.code,
        "level": a.level,
        "name": a.name,
        "parent": a.parent_id,
        "packages": packages,
    }


@router.get("/packages", response={200: PackagePage, **errors(422)}, summary="Search packages")
def packages(request: HttpRequest, filters: Query[PackageFilter]) -> dict[str, object]:
    """Packages matching every word of `q`, active first, sorted by name."""
    found = selectors.package_search(
        clean_text(filters.q), atc=clean_text(filters.atc), include_retired=filters.include_retired
    )
    page = found[filters.offset : filters.offset + filters.limit]
    return {
        "count": found.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "results": [_package(p) for p in page],
    }


@router.get(
    "/packages/{varenr}", response={200: PackageDetailOut, **errors(404)}, summary="One package"
)
def package(request: HttpRequest, varenr: str) -> dict[str, object]:
    """A package with its public prices (all periods, with validity)."""
    found = selectors.package_detail(clean_text(varenr))
    if found is None:
        raise Http404
    prices = [
        {
            "type": period.price.type,
            "amount": period.price.amount,
            "currency": period.price.currency,
            "valid_from": period.price.valid_from,
            "valid_to": period.valid_to,
            "current": period.current,
        }
        for period in selectors.price_periods(found)
    ]
    brand = found.brand
    return {
        **_package(found),
        "brand": brand.trade_name if brand else None,
        "manufacturer": brand.manufacturer if brand else "",
        "substances": [link.substance.name for link in brand.substance_links.all()]
        if brand
        else [],
        "exchange_group": found.exchange_group.code if found.exchange_group else None,
        "marketed_from": found.marketed_from,
        "retired_at": found.retired_at,
        "prices": prices,
    }


@router.get("/atc", response={200: list[AtcOut], **errors()}, summary="ATC main groups")
def atc_root(request: HttpRequest) -> list[dict[str, object]]:
    return [_atc(n.code, n.packages) for n in selectors.atc_children(None)]


@router.get(
    "/atc/{code}",
    response={200: AtcDetailOut, **errors(404)},
    summary="One ATC code with its subgroups",
)
def atc(request: HttpRequest, code: str) -> dict[str, object]:
    node = selectors.atc_lookup(clean_text(code))
    if node is None:
        raise Http404
    return {
        **_atc(node),
        "path": [_atc(a) for a in selectors.atc_path(node.code)[:-1]],
        "children": [_atc(n.code, n.packages) for n in selectors.atc_children(node.code)],
    }


@router.get(
    "/substances", response={200: list[SubstanceOut], **errors(422)}, summary="Search substances"
)
def substances(
    request: HttpRequest, q: str = "", include_retired: bool = False, limit: int = 50
) -> list[dict[str, object]]:
    limit = max(1, min(limit, MAX_LIMIT))
    found: list[Substance] = list(
        selectors.substance_search(clean_text(q), include_retired=include_retired)[:limit]
    )
    return [
        {"id": s.fest_id, "name": s.name, "name_en": s.name_en, "active": s.active} for s in found
    ]
