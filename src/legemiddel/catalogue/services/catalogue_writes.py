"""Writing a FEST load into the catalogue: batched upserts and the steps after the last entry.

The FEST pipeline (:mod:`.fest_pipeline`) decides what changed; these functions write it. Rows are
written parents first (ATC codes, substances, groups, brands, packages, then what hangs off
packages) so every foreign key points at a row that exists.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import TypeVar

from django.db import connection, models

from legemiddel.catalogue.models import (
    AtcCode,
    Brand,
    BrandSubstance,
    ExchangeGroup,
    Package,
    PackageRefund,
    Price,
    RefundCode,
    RefundGroup,
    Substance,
    atc_ancestors,
    atc_level,
)
from legemiddel.lib.tabular import ImportRejected, RowError
from legemiddel.lib.text import fold

BATCH = 2000

M = TypeVar("M", bound=models.Model)
# Existing rows by key: (content hash, active).
Hashes = dict[type[models.Model], dict[str, tuple[str, bool]]]

# The Kat* catalogues whose entries are retired when a full file no longer lists them.
CATALOGUES = (
    ("KatLegemiddelpakning", Package, "packages"),
    ("KatLegemiddelMerkevare", Brand, "brands"),
    ("KatVirkestoff", Substance, "substances"),
    ("KatByttegruppe", ExchangeGroup, "exchange_groups"),
    ("KatRefusjon", RefundGroup, "refund_groups"),
)


class _Keep:
    pass


# ``retired_at`` of a row that was retired before and still is: the upsert keeps the stored date.
KEEP = _Keep()


def upsert(
    model: type[M],
    rows: Iterable[M],
    *,
    unique: list[str] | None = None,
    update: list[str] | None = None,
) -> None:
    """Insert or update ``rows`` on ``unique``; rows marked :data:`KEEP` keep their stored
    ``retired_at``."""
    rows = list(rows)
    pk = model._meta.pk
    assert pk is not None
    unique = unique or [pk.name]
    if update is None:
        update = [
            f.name
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in unique and f.name not in ("first_load",)
        ]
    keep_retired = [r for r in rows if getattr(r, "retired_at", None) is KEEP]
    plain = [r for r in rows if getattr(r, "retired_at", None) is not KEEP]
    if plain:
        model.objects.bulk_create(  # type: ignore[attr-defined]
            plain,
            update_conflicts=True,
            unique_fields=unique,
            update_fields=update,
            batch_size=BATCH,
        )
    if keep_retired:
        for r in keep_retired:
            r.retired_at = None  # type: ignore[attr-defined]
        model.objects.bulk_create(  # type: ignore[attr-defined]
            keep_retired,
            update_conflicts=True,
            unique_fields=unique,
            update_fields=[f for f in update if f != "retired_at"],
            batch_size=BATCH,
        )


def atc_codes_write(*, codes: Iterable[str], names: dict[str, tuple[str, str]]) -> None:
    """Add or rename ATC codes, shortest (highest level) first so each parent exists."""
    rows = []
    for code in sorted(codes, key=len):
        level = atc_level(code) or 0
        name = names.get(code, ("", ""))[0]
        rows.append(
            AtcCode(
                code=code,
                level=level,
                name=name,
                name_source=AtcCode.NameSource.FEST if name else "",
                parent_id=atc_ancestors(code)[-2] if level > 1 else None,
            )
        )
    upsert(AtcCode, rows, unique=["code"], update=["name", "name_source"])


def entries_write(
    *,
    rows: dict[type[models.Model], list[models.Model]],
    codes: dict[str, list[RefundCode]],
    refunds: dict[str, list[PackageRefund]],
    prices: list[Price],
) -> None:
    """Write a batch of changed entries; refund codes and package refunds replace the old ones."""
    for model in (Substance, ExchangeGroup, RefundGroup, Brand, Package):
        batch = rows.get(model)
        if batch:
            upsert(model, batch)
    if codes:
        RefundCode.objects.filter(group_id__in=list(codes)).delete()
        RefundCode.objects.bulk_create(
            [c for group in codes.values() for c in group], batch_size=BATCH
        )
    if refunds:
        PackageRefund.objects.filter(package_id__in=list(refunds)).delete()
        PackageRefund.objects.bulk_create(
            [r for refs in refunds.values() for r in refs], batch_size=BATCH
        )
    if prices:
        upsert(Price, prices, unique=["package", "type", "valid_from"])


def absent_entries_retire(
    *,
    catalogues: set[str],
    seen: dict[type[models.Model], set[str]],
    hashes: Hashes,
    force: bool,
    now: dt.datetime,
) -> Counter[str]:
    """In a full file, an active entry that is not there has left FEST: retire it."""
    counts: Counter[str] = Counter()
    for catalogue, model, name in CATALOGUES:
        if catalogue not in catalogues:
            continue
        model_seen = seen.get(model, set())
        gone = [k for k, (_h, active) in hashes[model].items() if active and k not in model_seen]
        if not gone:
            continue
        active_before = sum(1 for _h, active in hashes[model].values() if active)
        if model is Package and len(gone) > active_before / 5 and not force:
            raise ImportRejected(
                [
                    RowError(
                        0,
                        "KatLegemiddelpakning",
                        "",
                        f"Filen mangler {len(gone)} av {active_before} aktive pakninger. "
                        "Som full fil ville den satt dem som utgått; trolig er den en "
                        "endringsfil. Importer den som endringsfil (--incremental), eller "
                        "tving importen (--force) hvis pakningene virkelig er utgått.",
                    )
                ]
            )
        key = "varenr" if model is Package else "fest_id"
        for start in range(0, len(gone), BATCH):
            model.objects.filter(**{f"{key}__in": gone[start : start + BATCH]}).update(
                active=False, retired_at=now, content_hash=""
            )
        counts[f"{name}_retired"] += len(gone)
    return counts


def brand_substances_link(
    *, brand_refs: dict[str, list[str]], strength_to_substance: dict[str, str]
) -> None:
    """Link changed brands to their substances, in the file's order; a reference may name a
    substance at a strength (resolved to its substance) or the substance itself."""
    if not brand_refs:
        return
    known = set(Substance.objects.values_list("fest_id", flat=True))
    BrandSubstance.objects.filter(brand_id__in=list(brand_refs)).delete()
    links = []
    for brand_id, refs in brand_refs.items():
        substances = dict.fromkeys(
            s for ref in refs if (s := strength_to_substance.get(ref, ref)) in known
        )
        links += [
            BrandSubstance(brand_id=brand_id, substance_id=s, sort_order=i)
            for i, s in enumerate(substances)
        ]
    BrandSubstance.objects.bulk_create(links, batch_size=BATCH)


def dangling_references_clear() -> Counter[str]:
    """A reference to an entry that is neither in this file nor loaded before is dropped,
    so the catalogue never points at nothing (FEST files are not always consistent)."""
    counts: Counter[str] = Counter()
    for fk, target in (
        ("brand", Brand),
        ("exchange_group", ExchangeGroup),
    ):
        dangling = (
            Package.objects.filter(**{f"{fk}__isnull": False})
            .exclude(**{f"{fk}_id__in": target.objects.values("pk")})
            .update(**{fk: None})
        )
        if dangling:
            counts[f"packages_{fk}_unknown"] += dangling
    count, _ = PackageRefund.objects.exclude(group_id__in=RefundGroup.objects.values("pk")).delete()
    if count:
        counts["package_refunds_unknown_group"] += count
    h_groups = RefundGroup.objects.filter(is_h_resept=True, active=True).values("pk")
    Package.objects.filter(refund_links__group_id__in=h_groups, is_h_resept=False).update(
        is_h_resept=True
    )
    Package.objects.filter(is_h_resept=True).exclude(refund_links__group_id__in=h_groups).update(
        is_h_resept=False
    )
    return counts


def search_keys_refresh(
    *, changed_packages: set[str], changed_brands: Iterable[str], changed_substances: set[str]
) -> None:
    """Put substance names into the search key of every package whose name, brand or
    substances changed. Substances come after packages in the file, hence this last step."""
    brands = set(changed_brands) | set(
        BrandSubstance.objects.filter(substance_id__in=changed_substances).values_list(
            "brand_id", flat=True
        )
    )
    if not changed_packages and not brands:
        return
    names: dict[str, list[str]] = {}
    links = BrandSubstance.objects.order_by("brand_id", "sort_order").values_list(
        "brand_id", "substance__name"
    )
    for brand_id, name in links:
        names.setdefault(brand_id, []).append(name)
    packages = Package.objects.values_list(
        "varenr", "name_form_strength", "ean", "atc_id", "atc__name", "brand_id"
    )
    updates = []
    for varenr, name, ean, atc, atc_name, brand_id in packages.iterator(chunk_size=BATCH):
        if varenr not in changed_packages and brand_id not in brands:
            continue
        words = [name, varenr, ean, atc or "", atc_name or "", *names.get(brand_id, [])]
        key = fold(" ".join(dict.fromkeys(w for w in words if w)))[:1500]
        updates.append((key, varenr))
    table = Package._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET search_key = %s WHERE varenr = %s",  # noqa: S608
            updates,
        )
