"""Importing the decision list of Nye metoder: every import a version, methods upserted.

Parse and validate (:mod:`legemiddel.methods.reading`, no database) -> load (one
transaction). A file with any error stores nothing. Each method is identified by ID +
indication and is never deleted: a row missing from a new list marks its method as no longer
listed (it may have findings, questions and budgets). Methods added by hand are left alone.

When a method's decision (short or full text, or date) changes, the confirmed status is cleared
so a person in the core group confirms it again, and the suggestion is read from the new text.
Re-importing a list that changes nothing records no new version (the result says which version
it equals). The core group and the leaders of the units mapped to the affected specialties are
e-mailed once the import has committed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from legemiddel.core import outbox
from legemiddel.core.audit import audit_record
from legemiddel.core.locks import hold
from legemiddel.lib.formatting import format_datetime, format_number
from legemiddel.lib.tabular import file_sha256
from legemiddel.methods.decisions import understand
from legemiddel.methods.events import METHODS_CHANGED
from legemiddel.methods.linking import link_methods
from legemiddel.methods.models import Method, MethodImport, MethodRow, MethodType, Specialty
from legemiddel.methods.notify import methods_mail_changes
from legemiddel.methods.reading import (
    COLUMNS,
    DECISION_COLUMNS,
    PROFILE,
    ListRow,
    read_list,
    specialty_names,
)

__all__ = ["PROFILE", "MethodImportResult", "methods_import"]

BATCH = 500
# Method fields written from the list (the 9 columns; the type also as its code).
LIST_FIELDS = [
    "substance_text",
    "trade_names",
    "indication",
    "indication_key",
    "method_type",
    "method_type_text",
    "specialty",
    "decision_date",
    "decision_short",
    "decision_full",
]
# What a changed decision resets: the suggestion is read again, the confirmation cleared.
DECISION_FIELDS = [
    "changed_at",
    "suggested_status",
    "status",
    "status_confirmed_by",
    "status_confirmed_at",
    "conditions",
    "price_condition",
    "effective_from",
    "effective_note",
]


@dataclass
class MethodImportResult:
    """``batch`` is the version recorded, or the version the list equals (``unchanged``)."""

    batch: MethodImport
    unchanged: bool = False
    updated: int = 0  # methods whose other columns changed (not the decision)
    manual_kept: int = 0  # rows matching a method added by hand, left as it was

    def as_text(self) -> str:
        b = self.batch
        if self.unchanged:
            return (
                f"Beslutningslisten er lik versjonen fra {format_datetime(b.created_at)} "
                f"({b.file_name}); ingenting er endret, og ingen ny versjon er lagret."
            )
        text = (
            f"Beslutningslisten: {format_number(b.rows_read)} rader lest; "
            f"{format_number(b.methods_new)} nye metoder, "
            f"{format_number(b.methods_changed)} endrede beslutninger, "
            f"{format_number(self.updated)} med andre endringer, "
            f"{format_number(b.methods_removed)} fjernet fra listen"
        )
        if self.manual_kept:
            text += (
                f"; {format_number(self.manual_kept)} rader gjelder metoder lagt inn for hånd "
                "og er ikke endret"
            )
        return text + "."


def _method_data(method: Method) -> dict[str, Any]:
    """A method's 9 list columns in the form a version's row has them."""
    return {
        "method_id": method.method_id,
        "substance": method.substance_text,
        "trade_names": method.trade_names,
        "indication": method.indication,
        "method_type": method.method_type_text,
        "specialty": method.specialty,
        "decision_date": method.decision_date.isoformat() if method.decision_date else None,
        "decision_short": method.decision_short,
        "decision_full": method.decision_full,
    }


def _set_list_fields(method: Method, row: ListRow) -> None:
    data = row.data
    method.method_id = row.method_id
    method.substance_text = data["substance"]
    method.trade_names = data["trade_names"]
    method.indication = data["indication"]
    method.indication_key = row.key[1]
    method.method_type = row.method_type
    method.method_type_text = data["method_type"]
    method.specialty = data["specialty"]
    method.decision_date = row.decision_date
    method.decision_short = data["decision_short"]
    method.decision_full = data["decision_full"]


def _suggest(method: Method, now: dt.datetime | None) -> None:
    """Read the decision again; a changed decision must be confirmed again by a person."""
    found = understand(method.decision_short, method.decision_full)
    method.suggested_status = found.status
    method.conditions = found.conditions
    method.price_condition = found.price_condition
    method.effective_from = found.effective_from
    method.effective_note = found.effective_note[:300]
    method.status = ""
    method.status_confirmed_by = None
    method.status_confirmed_at = None
    method.changed_at = now


@dataclass
class _Plan:
    new: list[Method]
    decision_changed: list[Method]
    updated: list[Method]  # other columns only
    relisted: list[Method]
    unlisted: list[Method]
    manual_kept: int

    @property
    def empty(self) -> bool:
        return not (
            self.new or self.decision_changed or self.updated or self.relisted or self.unlisted
        )


def _plan(rows: list[ListRow], now: dt.datetime) -> _Plan:
    existing = {(m.method_id, m.indication_key): m for m in Method.objects.all()}
    plan = _Plan([], [], [], [], [], 0)
    seen: set[tuple[str, str]] = set()
    for row in rows:
        seen.add(row.key)
        method = existing.get(row.key)
        if method is None:
            method = Method(listed=True, manual=False)
            _set_list_fields(method, row)
            _suggest(method, None)
            plan.new.append(method)
            continue
        if method.manual:
            plan.manual_kept += 1
            continue
        old = _method_data(method)
        decision = any(old[c] != row.data[c] for c in DECISION_COLUMNS)
        other = any(old[c] != row.data[c] for c in COLUMNS if c not in DECISION_COLUMNS)
        if decision or other:
            _set_list_fields(method, row)
        if decision:
            _suggest(method, now)
        if not method.listed:
            method.listed = True
            plan.relisted.append(method)
        elif decision:
            plan.decision_changed.append(method)
        elif other:
            plan.updated.append(method)
    for key, method in existing.items():
        if key not in seen and method.listed and not method.manual:
            method.listed = False
            plan.unlisted.append(method)
    return plan


def _progress(progress: Callable[[int, int], None] | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def methods_import(
    *,
    path: Path,
    actor: Any = None,
    file_name: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> MethodImportResult:
    """Import a decision list (XLSX, or CSV of the same columns). All or nothing: raises
    :class:`~legemiddel.lib.tabular.ImportRejected` naming file, row and column."""
    file_name = (file_name or path.name)[:255]
    sha256 = file_sha256(path)
    rows, read = read_list(path.read_bytes(), file_name)
    total = len(rows)
    _progress(progress, 0, total)
    user = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        # Two lists imported at once would both create the same new methods: one at a time.
        hold("methods.import")
        now = timezone.now()
        plan = _plan(rows, now)
        latest = MethodImport.objects.order_by("-id").first()
        if plan.empty and latest is not None:
            result = MethodImportResult(latest, unchanged=True, manual_kept=plan.manual_kept)
            audit_record(
                user=user,
                action="import",
                detail=f"{file_name} ({sha256[:12]}): {result.as_text()}",
            )
            return result
        batch = MethodImport.objects.create(
            file_name=file_name,
            sha256=sha256,
            rows_read=read,
            methods_new=len(plan.new) + len(plan.relisted),
            methods_changed=len(plan.decision_changed),
            methods_removed=len(plan.unlisted),
            created_by=user,
        )
        MethodRow.objects.bulk_create(
            [
                MethodRow(
                    batch=batch,
                    method_id=row.method_id,
                    indication_key=row.key[1],
                    row_number=row.row,
                    data=row.data,
                )
                for row in rows
            ],
            batch_size=BATCH,
        )
        _progress(progress, total // 3, total)
        for method in plan.new:
            method.first_import = batch
            method.last_import = batch
        Method.objects.bulk_create(plan.new, batch_size=BATCH)
        touched = plan.decision_changed + plan.updated + plan.relisted
        Method.objects.bulk_update(
            touched,
            [*LIST_FIELDS, *DECISION_FIELDS, "listed"],
            batch_size=BATCH,
        )
        # Every method in this list was seen by it, changed or not.
        Method.objects.filter(manual=False, listed=True).exclude(
            pk__in=[m.pk for m in plan.unlisted]
        ).update(last_import=batch)
        if plan.unlisted:
            Method.objects.filter(pk__in=[m.pk for m in plan.unlisted]).update(listed=False)
        _specialties_ensure(rows)
        _progress(progress, 2 * total // 3, total)
        link_methods(m for m in plan.new + touched if m.method_type == MethodType.DRUG)
        changed = sorted(m.pk for m in plan.new + touched + plan.unlisted)
        if changed:
            outbox.announce(topic=METHODS_CHANGED, payload={"methods": changed})
        result = MethodImportResult(batch, updated=len(plan.updated), manual_kept=plan.manual_kept)
        audit_record(
            user=user, action="import", detail=f"{file_name} ({sha256[:12]}): {result.as_text()}"
        )
        batch_id = batch.pk
        transaction.on_commit(lambda: methods_mail_changes(batch_id=batch_id), robust=True)
    _progress(progress, total, total)
    return result


def _specialties_ensure(rows: list[ListRow]) -> None:
    """A specialty for each new ``Fagområde`` name, unmapped until a person maps it."""
    names = {name[:200] for row in rows for name in specialty_names(row.data["specialty"])}
    known = set(Specialty.objects.filter(name__in=names).values_list("name", flat=True))
    Specialty.objects.bulk_create(
        [Specialty(name=name) for name in sorted(names - known)],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
