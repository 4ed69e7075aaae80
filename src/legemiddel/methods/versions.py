"""Reads of the decision list's versions: each import, and what it changed against the one
before (new methods, changed decisions side by side, other changes, removed rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from legemiddel.accounts.roles import Role
from legemiddel.methods.models import MethodImport, MethodRow
from legemiddel.methods.reading import COLUMNS, DECISION_COLUMNS

# Who reads the versions and their differences. Unit leaders too: the e-mail about changed
# decisions links them to the difference.
READERS = (Role.CORE_GROUP, Role.ADMINISTRATOR, Role.DRUG_COMMITTEE, Role.UNIT_LEADER)

COLUMN_LABELS = {
    "method_id": _("ID"),
    "substance": _("Substance"),
    "trade_names": _("Trade name"),
    "indication": _("Indication"),
    "method_type": _("Method type"),
    "specialty": _("Specialty"),
    "decision_date": _("Date of latest decision"),
    "decision_short": _("Current decision, short version"),
    "decision_full": _("Current decision (full)"),
}

Key = tuple[str, str]


@dataclass(frozen=True)
class Change:
    """One method (ID + indication) in two versions; ``old`` or ``new`` is None when it was
    added or removed. ``columns`` are the columns that differ."""

    old: dict[str, Any] | None
    new: dict[str, Any] | None
    columns: tuple[str, ...] = ()

    @property
    def row(self) -> dict[str, Any]:
        return self.new if self.new is not None else (self.old or {})

    @property
    def method_id(self) -> str:
        return str(self.row.get("method_id", ""))

    @property
    def column_labels(self) -> list[str]:
        return [str(COLUMN_LABELS[c]) for c in self.columns]

    @property
    def other_columns(self) -> list[dict[str, Any]]:
        """The changed columns other than the decision, with old and new value."""
        return [
            {
                "label": COLUMN_LABELS[c],
                "old": (self.old or {}).get(c),
                "new": (self.new or {}).get(c),
            }
            for c in self.columns
            if c not in DECISION_COLUMNS
        ]


@dataclass
class VersionDiff:
    batch: MethodImport
    previous: MethodImport | None
    new: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)  # the decision changed
    updated: list[Change] = field(default_factory=list)  # other columns only
    removed: list[Change] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.new or self.changed or self.updated or self.removed)


def method_imports() -> QuerySet[MethodImport]:
    """Every version, newest first, with who imported it."""
    return MethodImport.objects.select_related("created_by").order_by("-id")


def previous_import(batch: MethodImport) -> MethodImport | None:
    return MethodImport.objects.filter(id__lt=batch.id).order_by("-id").first()


def _rows(batch: MethodImport | None) -> dict[Key, dict[str, Any]]:
    if batch is None:
        return {}
    return {
        (method_id, key): data
        for method_id, key, data in MethodRow.objects.filter(batch=batch)
        .order_by("row_number")
        .values_list("method_id", "indication_key", "data")
    }


def _sort_key(change: Change) -> tuple[str, str]:
    row = change.row
    return (str(row.get("method_id", "")), str(row.get("indication", "")).casefold())


def import_diff(batch: MethodImport) -> VersionDiff:
    """What ``batch`` changed against the version before it (all new for the first)."""
    previous = previous_import(batch)
    before, after = _rows(previous), _rows(batch)
    diff = VersionDiff(batch=batch, previous=previous)
    for key, new in after.items():
        old = before.get(key)
        if old is None:
            diff.new.append(Change(None, new))
            continue
        columns = tuple(c for c in COLUMNS if old.get(c) != new.get(c))
        if not columns:
            continue
        change = Change(old, new, columns)
        if any(c in DECISION_COLUMNS for c in columns):
            diff.changed.append(change)
        else:
            diff.updated.append(change)
    diff.removed = [Change(old, None) for key, old in before.items() if key not in after]
    for changes in (diff.new, diff.changed, diff.updated, diff.removed):
        changes.sort(key=_sort_key)
    return diff


def get_method_import_for_user(user: Any, import_id: int) -> MethodImport:
    """A version of the list, for a user who may read the versions (404 otherwise)."""
    if not (getattr(user, "is_authenticated", False) and user.has_role(*READERS)):
        raise Http404
    found = method_imports().filter(pk=import_id).first()
    if found is None:
        raise Http404
    return found
