"""Named locks that work the same on SQLite and PostgreSQL.

``hold(name)`` must be called inside ``transaction.atomic``: it locks the lock's row until the
transaction ends, so a second transaction holding the same name waits for the first to commit.
On PostgreSQL that is the row lock an UPDATE takes; SQLite has one writer at a time
and our connections begin transactions as IMMEDIATE, so writing the row takes the database's
write lock at once and the second writer waits (up to the configured timeout).
"""

from __future__ import annotations

from django.db import connection

from legemiddel.core.models import Lock


def hold(name: str) -> None:
    """Take the lock ``name`` for the rest of the current transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("hold() needs a transaction: call it inside transaction.atomic")
    Lock.objects.bulk_create([Lock(name=name)], ignore_conflicts=True)
    # An UPDATE locks the row on PostgreSQL until the transaction ends (and on SQLite the
    # transaction already holds the write lock).
    Lock.objects.filter(name=name).update(name=name)
