"""Writing findings: the bulk refresh a control runs, and the work people do on one finding.

Every change goes through here, in a transaction, with a line in the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from legemiddel.core import outbox
from legemiddel.core.audit import audit_record
from legemiddel.findings.events import FINDINGS_CHANGED
from legemiddel.findings.kinds import get_kind
from legemiddel.findings.models import NO_DEADLINE, Candidate, Finding, FindingComment
from legemiddel.lib.db import date_param, refresh_statistics

# The columns a control's candidate query returns, in this order.
CANDIDATE_COLUMNS = (
    "source_key",
    "rule",
    "category",
    "org_unit_id",
    "occurred_on",
    "reference",
    "subject",
    "patient",
    "amount",
    "deadline",
    "note",
)
_COPIED = ("rule", "category", "org_unit_id", "reference", "subject", "amount", "deadline", "note")
# Columns a control may add after those (``extra``): they are copied like the others.
OPTIONAL_COLUMNS = ("prescriber",)
AUTO_REASON = "Bekreftet av senere import: funnet er ikke lenger der."


def findings_refresh(
    *, kind: str, select_sql: str, params: list[Any], extra: tuple[str, ...] = ()
) -> dict[str, int]:
    """Bring the findings of ``kind`` up to what ``select_sql`` finds now, in SQL only.

    ``select_sql`` returns :data:`CANDIDATE_COLUMNS` in order, then the ``extra`` columns
    (some of :data:`OPTIONAL_COLUMNS`, e.g. the prescriber).
    New candidates become open findings; findings still found get the latest figures (and a
    corrected one that is found again is reopened); open and disputed findings no longer found
    are corrected, confirmed by the data. Not applicable and resolved stay as people decided."""
    if not set(extra) <= set(OPTIONAL_COLUMNS):
        raise ValueError(f"unknown extra columns: {extra}")
    finding = Finding._meta.db_table
    candidate = Candidate._meta.db_table
    now = timezone.now()
    all_columns = (*CANDIDATE_COLUMNS, *extra)
    columns = ", ".join(all_columns)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {candidate} WHERE kind = %s", [kind])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {candidate} (kind, {columns}) SELECT %s, q.* FROM ({select_sql}) q",  # noqa: S608
            [kind, *params],
        )
        refresh_statistics(candidate)
        sets = ", ".join(f"{c} = c.{c}" for c in (*_COPIED, *extra))
        cursor.execute(
            f"UPDATE {finding} SET {sets}, due = COALESCE(c.deadline, %s), present = %s, "  # noqa: S608
            f"status = CASE WHEN {finding}.status = %s THEN %s ELSE {finding}.status END, "
            f"resolved_at = CASE WHEN {finding}.status = %s THEN NULL "
            f"ELSE {finding}.resolved_at END "
            f"FROM {candidate} c WHERE c.kind = %s AND {finding}.kind = c.kind "
            f"AND {finding}.source_key = c.source_key",
            [
                date_param(NO_DEADLINE),
                True,
                Finding.Status.CORRECTED,
                Finding.Status.OPEN,
                Finding.Status.CORRECTED,
                kind,
            ],
        )
        still = cursor.rowcount
        cursor.execute(
            f"UPDATE {finding} SET present = %s, status = %s, resolved_at = %s, reason = %s "  # noqa: S608
            f"WHERE kind = %s AND status IN (%s, %s) AND NOT EXISTS (SELECT 1 FROM {candidate} c "
            f"WHERE c.kind = {finding}.kind AND c.source_key = {finding}.source_key)",
            [
                False,
                Finding.Status.CORRECTED,
                now,
                AUTO_REASON,
                kind,
                Finding.Status.OPEN,
                Finding.Status.DISPUTED,
            ],
        )
        corrected = cursor.rowcount
        cursor.execute(
            f"UPDATE {finding} SET present = %s WHERE kind = %s AND present = %s "  # noqa: S608
            f"AND NOT EXISTS (SELECT 1 FROM {candidate} c "
            f"WHERE c.kind = {finding}.kind AND c.source_key = {finding}.source_key)",
            [False, kind, True],
        )
        # What is left in the staging table is new. (Not an anti-join against the table being
        # inserted into: PostgreSQL would scan the rows this statement writes again and again.)
        cursor.execute(
            f"DELETE FROM {candidate} WHERE kind = %s AND EXISTS (SELECT 1 FROM {finding} f "  # noqa: S608
            f"WHERE f.kind = {candidate}.kind AND f.source_key = {candidate}.source_key)",
            [kind],
        )
        cursor.execute(
            f"INSERT INTO {finding} (kind, {columns}, due, status, reason, present, created_at) "  # noqa: S608
            f"SELECT c.kind, {', '.join('c.' + c for c in all_columns)}, "
            f"COALESCE(c.deadline, %s), %s, '', %s, %s FROM {candidate} c WHERE c.id IN "
            f"(SELECT MIN(id) FROM {candidate} WHERE kind = %s GROUP BY source_key)",
            [date_param(NO_DEADLINE), Finding.Status.OPEN, True, now, kind],
        )
        new = cursor.rowcount
        cursor.execute(f"DELETE FROM {candidate} WHERE kind = %s", [kind])  # noqa: S608
        audit_record(
            action="findings_refresh",
            detail=f"{kind}: {new} nye, {still} fortsatt funnet, {corrected} rettet",
        )
    return {"new": new, "still": still, "corrected": corrected}


def finding_set_status(
    *, finding: Finding, status: str, reason: str = "", actor: Any, request: Any = None
) -> Finding:
    """Change a finding's status; not applicable and disputed need a reason."""
    reason = reason.strip()
    if status not in Finding.Status.values or status == Finding.Status.RESOLVED:
        # "Resolved" is reached through one of the kind's resolutions (finding_resolve).
        raise ValidationError(_("Unknown status."))
    if status in (Finding.Status.NOT_APPLICABLE, Finding.Status.DISPUTED) and not reason:
        raise ValidationError(_("Give a reason."))
    with transaction.atomic():
        before = finding.status
        finding.status = status
        finding.reason = reason
        finding.resolution = ""
        finding.resolution_reference = ""
        finding.resolved_at = None if status == Finding.Status.OPEN else timezone.now()
        finding.save(
            update_fields=["status", "reason", "resolution", "resolution_reference", "resolved_at"]
        )
        audit_record(
            action="finding_status",
            user=actor,
            request=request,
            detail=f"funn {finding.pk} ({finding.kind} {finding.reference}): {before} -> {status}"
            + (f": {reason}" if reason else ""),
        )
        outbox.announce(topic=FINDINGS_CHANGED, payload={"kind": finding.kind})
    return finding


def finding_resolve(
    *,
    finding: Finding,
    resolution: str,
    reference: str = "",
    reason: str = "",
    actor: Any,
    request: Any = None,
) -> Finding:
    """Close a finding with one of its kind's resolutions (an empty ``resolution`` opens it
    again). A resolution that names something outside needs its ``reference``."""
    kind = get_kind(finding.kind)
    reference = reference.strip()
    reason = reason.strip()
    if resolution:
        chosen = kind.resolutions.get(resolution) if kind else None
        if chosen is None:
            raise ValidationError(_("Unknown resolution."))
        if chosen.needs_reference and not reference:
            raise ValidationError(_("Give the reference (e.g. the case number)."))
        if len(reference) > 120:
            raise ValidationError(_("The reference is at most 120 characters."))
    with transaction.atomic():
        before = finding.resolution or finding.status
        finding.status = Finding.Status.RESOLVED if resolution else Finding.Status.OPEN
        finding.resolution = resolution
        finding.resolution_reference = reference if resolution else ""
        finding.reason = reason
        finding.resolved_at = timezone.now() if resolution else None
        finding.save(
            update_fields=["status", "resolution", "resolution_reference", "reason", "resolved_at"]
        )
        audit_record(
            action="finding_resolution",
            user=actor,
            request=request,
            detail=f"funn {finding.pk} ({finding.kind} {finding.reference}): {before} -> "
            + (resolution or Finding.Status.OPEN)
            + (f" [{reference}]" if reference and resolution else "")
            + (f": {reason}" if reason else ""),
        )
        outbox.announce(topic=FINDINGS_CHANGED, payload={"kind": finding.kind})
    return finding


def finding_assign(*, finding: Finding, assignee: Any, actor: Any, request: Any = None) -> Finding:
    with transaction.atomic():
        finding.assignee = assignee
        finding.save(update_fields=["assignee"])
        audit_record(
            action="finding_assign",
            user=actor,
            request=request,
            detail=f"funn {finding.pk}: tildelt {assignee.get_username() if assignee else '-'}",
        )
    return finding


def finding_comment(
    *, finding: Finding, text: str, actor: Any, request: Any = None
) -> FindingComment:
    text = text.strip()
    if not text:
        raise ValidationError(_("Write a comment."))
    with transaction.atomic():
        comment = FindingComment.objects.create(finding=finding, author=actor, text=text)
        audit_record(
            action="finding_comment",
            user=actor,
            request=request,
            detail=f"funn {finding.pk}: kommentar {comment.pk}",
        )
    return comment
