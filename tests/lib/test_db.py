"""The helpers for what SQLite and PostgreSQL do differently give the same answers on both."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connection

from legemiddel.lib.db import ShortWrites, date_param, days_between_sql, enlarge_page_cache

pytestmark = pytest.mark.django_db


def test_days_between_two_dates_counts_the_days():
    sql = f"SELECT {days_between_sql('%s', '%s')}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [date_param(dt.date(2026, 3, 1)), date_param(dt.date(2026, 2, 1))])
        (days,) = cursor.fetchone()
    assert days == 28


def test_a_date_parameter_matches_a_stored_date():
    from legemiddel.usage.models import ImportBatch

    ImportBatch.objects.create(
        source="sls",
        file_name="f.csv",
        sha256="0" * 64,
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 31),
    )
    table = ImportBatch._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} WHERE period_start = %s",  # noqa: S608
            [date_param(dt.date(2026, 3, 1))],
        )
        assert cursor.fetchone() == (1,)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's page cache")
def test_the_page_cache_grows_on_sqlite():
    enlarge_page_cache(32 * 1024)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone() == (-32 * 1024,)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's one write lock")
def test_sqlite_writers_wait_for_the_write_lock_instead_of_failing():
    """WAL lets readers go on while one writes; a write transaction takes the write lock when
    it begins (BEGIN IMMEDIATE), so a second writer waits on the busy timeout instead of failing
    with "database is locked" when it upgrades from reading to writing."""
    connection.ensure_connection()
    assert connection.transaction_mode == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone() == ("wal",)
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 20_000


@pytest.mark.django_db(transaction=True)
def test_a_run_of_short_write_transactions_leaves_other_writers_a_gap_each_window():
    """A waiting SQLite writer polls about every 100 ms: once the loop has held the lock for a
    window without such a gap, it pauses longer than that before the next transaction."""
    writes = ShortWrites(window=0.2, pause=0.15)
    starts: list[float] = []
    ends: list[float] = []
    for _ in range(4):
        with writes.transaction():
            starts.append(time.monotonic())
            time.sleep(0.12)
        ends.append(time.monotonic())
    gaps = [start - end for end, start in zip(ends, starts[1:], strict=False)]
    assert gaps[0] < 0.05  # 0.12 s held: within the window, no pause
    assert gaps[1] >= 0.14  # 0.24 s held: a pause before the third
    assert writes.longest >= 0.12
