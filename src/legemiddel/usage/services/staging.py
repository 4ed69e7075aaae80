"""Importing on SQLite without holding the database's one write lock for the whole file.

SQLite lets one writer in at a time. An import in one transaction held its lock for all of a
large file (5 M rows take longer than the 20 s other writers wait), and a user who logged in
meanwhile got "database is locked". On SQLite
an import therefore writes its rows in short transactions, hidden from every reader until a
short final transaction shows the whole file at once (:class:`~legemiddel.usage.models.HiddenMonth`):

1. under the source's import lock, remove what a stopped import left behind (:func:`sweep`);
2. create the batch as *importing*; each chunk's rows go in with their months marked
   ``loading`` (:func:`hide_loading`), in the chunk's own transaction;
3. the final transaction writes the monthly cube, shows the batch's months and hides the rows
   they replace (:func:`reveal`), and announces the import;
4. the replaced rows are deleted in short transactions (:func:`sweep`).

A crash anywhere leaves hidden rows only; the next import of the source removes them. Each
short transaction holds the write lock for about one chunk (~100 000 rows, a few tenths of a
second), and :class:`~legemiddel.lib.db.ShortWrites` leaves room for the waiting writers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from legemiddel.lib.db import ShortWrites, date_param
from legemiddel.usage.models import HiddenMonth, ImportBatch
from legemiddel.usage.services.targets import TARGETS

DELETE_ROWS = 50_000  # rows deleted per short transaction


def lock_name(source: str) -> str:
    return f"usage-import-{source}"


def first_id(source: str) -> int:
    """The lowest id a batch starting now can give its rows (ids only grow: AUTOINCREMENT)."""
    table = TARGETS[source].model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
        return int(cursor.fetchone()[0])


def hide_loading(*, source: str, batch_id: int, first: int, months: Iterable[dt.date]) -> None:
    """Hide the batch's rows in these months until :func:`reveal` (in the chunk's transaction,
    before its rows are written)."""
    HiddenMonth.objects.bulk_create(
        HiddenMonth(
            source=source,
            month=m,
            batch_id=batch_id,
            kind=HiddenMonth.Kind.LOADING,
            first_id=first,
        )
        for m in sorted(months)
    )


def reveal(*, source: str, batch_id: int, first: int, months: Iterable[dt.date]) -> None:
    """Show the batch's months and hide every other batch's rows in them (in the final
    transaction)."""
    months = sorted(months)
    HiddenMonth.objects.filter(batch_id=batch_id, kind=HiddenMonth.Kind.LOADING).delete()
    HiddenMonth.objects.filter(
        source=source, month__in=months, kind=HiddenMonth.Kind.SUPERSEDED
    ).delete()
    HiddenMonth.objects.bulk_create(
        HiddenMonth(
            source=source,
            month=m,
            batch_id=batch_id,
            kind=HiddenMonth.Kind.SUPERSEDED,
            first_id=first,
        )
        for m in months
    )


def sweep(*, source: str, writes: ShortWrites) -> int:
    """Delete the hidden rows of the source in short transactions; returns the number of
    replaced rows deleted (rows of stopped imports are not counted).

    Call it holding the source's import lock, when no import of the source is under way.
    Batches left with no rows are marked replaced; batches of stopped imports are deleted.
    """
    table = TARGETS[source].model._meta.db_table
    replaced = 0
    months: set[dt.date] = set()
    done: list[int] = []
    for entry in list(HiddenMonth.objects.filter(source=source).order_by("month", "id")):
        params: list[Any] = [date_param(entry.month), entry.first_id, entry.batch_id]
        if entry.kind == HiddenMonth.Kind.LOADING:
            _delete_in_chunks(table, "month = %s AND id >= %s AND batch_id = %s", params, writes)
        else:
            months.add(entry.month)
            replaced += _delete_in_chunks(
                table, "month = %s AND id < %s AND batch_id <> %s", params, writes
            )
        done.append(entry.pk)
    with writes.transaction():
        # Deleting an entry whose rows are gone, or deleting its rows again, is harmless.
        HiddenMonth.objects.filter(pk__in=done).delete()
        # Stopped imports: their rows are gone now.
        _delete_batches(
            ImportBatch.objects.filter(source=source, status=ImportBatch.Status.LOADING)
        )
        if months:
            _mark_replaced(source, table, months)
    return replaced


def discard(*, source: str, batch_id: int, writes: ShortWrites) -> None:
    """Remove a refused or failed import's rows and its batch (nothing of it was visible)."""
    table = TARGETS[source].model._meta.db_table
    for entry in list(HiddenMonth.objects.filter(batch_id=batch_id).order_by("month")):
        _delete_in_chunks(
            table,
            "month = %s AND id >= %s AND batch_id = %s",
            [date_param(entry.month), entry.first_id, batch_id],
            writes,
        )
        with writes.transaction():
            HiddenMonth.objects.filter(pk=entry.pk).delete()
    with writes.transaction():
        _delete_batches(ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.LOADING))


def _delete_batches(batches: QuerySet[ImportBatch]) -> None:
    """Delete batches whose rows and hidden months are gone, without Django's cascade: it would
    read every fact table for the batches' rows (there is no batch index)."""
    batches._raw_delete(batches.db)


def _delete_in_chunks(table: str, where: str, params: list[Any], writes: ShortWrites) -> int:
    deleted = 0
    sql = (
        f"DELETE FROM {table} WHERE id IN "  # noqa: S608 (a model's table name; values are parameters)
        f"(SELECT id FROM {table} WHERE {where} LIMIT %s)"
    )
    while True:
        with writes.transaction(), connection.cursor() as cursor:
            cursor.execute(sql, [*params, DELETE_ROWS])
            count = cursor.rowcount
        deleted += count
        if count < DELETE_ROWS:
            return deleted


def _mark_replaced(source: str, table: str, months: set[dt.date]) -> None:
    """Earlier batches of these months that no month holds any more are replaced. Each month
    holds one batch's rows (a file replaces whole months), so its first row tells which."""
    candidates = ImportBatch.objects.filter(
        source=source,
        status__in=(ImportBatch.Status.LOADED, ImportBatch.Status.PARTLY),
        period_start__lte=max(months),
        period_end__gte=min(months),
    )
    for batch in candidates:
        if not _holds_a_month(table, batch):
            ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.REPLACED)


def _holds_a_month(table: str, batch: ImportBatch) -> bool:
    month = batch.period_start.replace(day=1)
    with connection.cursor() as cursor:
        while month <= batch.period_end:
            cursor.execute(
                f"SELECT batch_id FROM {table} WHERE month = %s LIMIT 1",  # noqa: S608
                [date_param(month)],
            )
            row = cursor.fetchone()
            if row is not None and row[0] == batch.pk:
                return True
            month = (month + dt.timedelta(days=32)).replace(day=1)
    return False
