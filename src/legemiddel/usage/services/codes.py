"""Codes an import could not map: remembered for the mapping page, and mapped there."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.db import transaction

from legemiddel.catalogue.models import Package
from legemiddel.core.audit import audit_record
from legemiddel.organisation.models import OrgUnit
from legemiddel.usage.models import CodeMapping, Source, UnknownCode


def remember_unknown(source: str, frames: list[pl.DataFrame], file_name: str) -> None:
    if not frames:
        return
    summary = (
        pl.concat(frames)
        .group_by("kind", "code")
        .agg(pl.len().alias("rows"), pl.col("example").first())
        .sort("kind", "code")
    )
    with transaction.atomic():
        for kind, code, rows, example in summary.iter_rows():
            UnknownCode.objects.update_or_create(
                source=source,
                kind=kind,
                code=code[:40],
                defaults={"rows": rows, "example": (example or "")[:300], "file_name": file_name},
            )


def code_map(
    *,
    source: str,
    kind: str,
    code: str,
    actor: Any,
    package: Package | None = None,
    org_unit: OrgUnit | None = None,
) -> CodeMapping:
    """Map an unknown code (from the mapping page); the next import of the file uses it."""
    if (package is None) == (org_unit is None):
        raise ValueError("map to exactly one of package or org_unit")
    with transaction.atomic():
        mapping, _ = CodeMapping.objects.update_or_create(
            source=source,
            kind=kind,
            code=code,
            defaults={"package": package, "org_unit": org_unit, "created_by": actor},
        )
        UnknownCode.objects.filter(source=source, kind=kind, code=code).delete()
        target = package.varenr if package else (org_unit.code if org_unit else "")
        audit_record(
            user=actor,
            action="import",
            detail=f"Kobling {Source(source).label}: {kind} {code} → {target}",
        )
    return mapping
