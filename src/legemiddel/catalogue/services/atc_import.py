"""Naming ATC codes from a CSV file: names from the file win over names from FEST."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from legemiddel.catalogue.models import AtcCode, atc_ancestors, atc_level
from legemiddel.catalogue.services.catalogue_writes import BATCH
from legemiddel.core.audit import audit_record
from legemiddel.lib.profiles import load_profile
from legemiddel.lib.tabular import (
    FileFormatError,
    ImportRejected,
    RowError,
    file_errors,
    read_table,
)

PROFILE = Path(__file__).resolve().parent.parent / "profiles" / "atc.yaml"


def atc_names_import_csv(*, data: bytes, actor: Any = None, file_name: str = "") -> str:
    """Name ATC codes from a CSV file (columns code and name). All or nothing.

    Names from this file win over names from FEST, and FEST imports do not overwrite them.
    Codes not yet in the catalogue are added with the levels above them.
    """
    try:
        _columns, rows = read_table(data, load_profile(PROFILE))
        names: dict[str, str] = {}
        errors: list[RowError] = []
        first_row: dict[str, int] = {}
        for number, row in rows:
            code = row.get("code", "").upper().replace(" ", "")
            name = row.get("name", "")
            if not atc_level(code):
                errors.append(
                    RowError(
                        number, "code", row.get("code", ""), "Ikke en ATC-kode (f.eks. L04AB02)."
                    )
                )
            elif not name:
                errors.append(RowError(number, "name", "", f"ATC-kode {code} mangler navn."))
            elif code in first_row:
                errors.append(
                    RowError(
                        number,
                        "code",
                        code,
                        f"{code} står to ganger (første gang på rad {first_row[code]}).",
                    )
                )
            else:
                first_row[code] = number
                names[code] = name[:300]
    except FileFormatError as exc:
        raise ImportRejected(file_errors(exc)) from exc
    if errors:
        raise ImportRejected(rows.named(errors))
    if not names:
        raise ImportRejected([RowError(0, "", "", "Filen har ingen ATC-koder.")])
    with transaction.atomic():
        existing = set(AtcCode.objects.values_list("code", flat=True))
        rows_out: dict[str, AtcCode] = {}
        for code in sorted(names, key=len):
            for ancestor in atc_ancestors(code):
                if ancestor in existing and ancestor not in names:
                    continue
                level = atc_level(ancestor) or 0
                rows_out[ancestor] = AtcCode(
                    code=ancestor,
                    level=level,
                    name=names.get(ancestor, ""),
                    name_source=AtcCode.NameSource.FILE if ancestor in names else "",
                    parent_id=atc_ancestors(ancestor)[-2] if level > 1 else None,
                )
        created = len(set(rows_out) - existing)
        ordered = sorted(rows_out.values(), key=lambda a: a.level)
        AtcCode.objects.bulk_create(
            [a for a in ordered if a.code not in existing], batch_size=BATCH
        )
        updates = [a for a in ordered if a.code in existing]
        AtcCode.objects.bulk_update(updates, ["name", "name_source"], batch_size=BATCH)
        summary = f"{len(names)} ATC-navn lest; {created} nye koder, {len(updates)} oppdatert."
        audit_record(user=actor, action="import", detail=f"ATC {file_name}: {summary}")
    return summary
