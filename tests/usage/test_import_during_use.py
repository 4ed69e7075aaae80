"""An import while the service is in use: other users' writes wait a moment and never fail,
readers see the old data or the whole new file and nothing in between, and an import that
stops at any point leaves nothing visible and nothing that hinders the next one."""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from legemiddel.accounts.roles import Role
from legemiddel.accounts.services import user_create
from legemiddel.analytics.engine.reading import events_sql
from legemiddel.usage.models import Dispensing, HiddenMonth, ImportBatch
from legemiddel.usage.reading import open_table
from legemiddel.usage.services import importing, loading, staging, usage_import

from ..conftest import PASSWORD
from .files import ENBREL, HRESEPT_HEADER, HUMIRA, P1, P2, P3, P4, cube, write_csv

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("registers")]
SQLITE_ONLY = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL imports in one transaction"
)


def _dispensings(months: list[str], tag: int) -> list[list[str]]:
    """Eight dispensings a month; ``tag`` makes the amounts (and so the file) differ."""
    rows = [HRESEPT_HEADER]
    for month in months:
        for day in range(1, 9):
            patient = (P1, P2, P3, P4)[day % 4]
            package = HUMIRA if day % 2 else ENBREL
            rows.append([f"{month}-{day:02d}", patient, package, "1", str(1000 * tag + day)])
    return rows


def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """About three lines per chunk, so a file of a few dozen lines is written in many steps."""
    monkeypatch.setattr(
        importing, "open_table", functools.partial(open_table, chunk_bytes=120, chunk_rows=3)
    )


def _after_each_chunk(monkeypatch: pytest.MonkeyPatch, hook: Callable[[int], None]) -> None:
    count = 0

    def written(loader: Any) -> None:
        nonlocal count
        count += 1
        hook(count)

    monkeypatch.setattr(importing, "chunk_written", written)


def _seen() -> dict[str, Any]:
    """What readers see: the patient-level events the measures read, and the monthly cube."""
    sql, params = events_sql(["hresept"], [HUMIRA, ENBREL])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        events = sorted(tuple(str(v) for v in row) for row in cursor.fetchall())
    return {"events": events, "cube": cube("hresept")}


def _seen_by_another_connection() -> dict[str, Any]:
    """``_seen()`` from another connection (another thread), as a second user would."""
    result: dict[str, Any] = {}
    errors: list[BaseException] = []

    def read() -> None:
        try:
            result.update(_seen())
        except BaseException as exc:  # raised in the test's thread below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join(timeout=60)
    if errors:
        raise errors[0]
    return result


def _stored_rows() -> int:
    """Every dispensing row in the table, hidden or not."""
    return Dispensing.objects.count()


def test_readers_see_the_old_data_until_the_whole_file_is_in(tmp_path, monkeypatch):
    usage_import(
        source="hresept",
        path=write_csv(tmp_path / "old.csv", _dispensings(["2026-01", "2026-02"], 1)),
    )
    before = _seen()
    assert len(before["events"]) == 16
    seen_during: list[dict[str, Any]] = []
    _small_chunks(monkeypatch)
    _after_each_chunk(monkeypatch, lambda _: seen_during.append(_seen_by_another_connection()))

    result = usage_import(
        source="hresept",
        path=write_csv(tmp_path / "new.csv", _dispensings(["2026-02", "2026-03"], 2)),
    )

    assert len(seen_during) > 4
    assert all(seen == before for seen in seen_during)
    after = _seen()
    months = sorted({event[2] for event in after["events"]})
    assert months == ["2026-01-01", "2026-02-01", "2026-03-01"]
    amounts_feb = Dispensing.objects.filter(month=dt.date(2026, 2, 1)).values_list(
        "amount", flat=True
    )
    assert all(amount > 2000 for amount in amounts_feb)  # February is the new file's
    assert len(after["events"]) == 24 == _stored_rows()  # the replaced rows are gone
    assert result.batch.rows_replaced == 8
    assert result.batch.status == ImportBatch.Status.LOADED
    assert not HiddenMonth.objects.exists()


def test_an_import_that_fails_midway_leaves_nothing_and_the_same_file_imports_after(
    tmp_path, monkeypatch
):
    usage_import(
        source="hresept", path=write_csv(tmp_path / "old.csv", _dispensings(["2026-01"], 1))
    )
    before = _seen()
    batches = list(ImportBatch.objects.values_list("id", "status"))
    _small_chunks(monkeypatch)

    def fail(count: int) -> None:
        if count == 4:
            raise RuntimeError("the disk is full")

    _after_each_chunk(monkeypatch, fail)
    new = write_csv(tmp_path / "new.csv", _dispensings(["2026-01", "2026-02"], 2))
    with pytest.raises(RuntimeError):
        usage_import(source="hresept", path=new)

    assert _seen_by_another_connection() == before
    assert _stored_rows() == 8
    assert list(ImportBatch.objects.values_list("id", "status")) == batches
    monkeypatch.setattr(importing, "chunk_written", lambda loader: None)
    usage_import(source="hresept", path=new)
    assert len(_seen()["events"]) == 16 == _stored_rows()


@SQLITE_ONLY
def test_an_import_killed_midway_leaves_only_hidden_rows_which_the_next_import_removes(
    tmp_path, monkeypatch
):
    usage_import(
        source="hresept",
        path=write_csv(tmp_path / "old.csv", _dispensings(["2026-01", "2026-02"], 1)),
    )
    before = _seen()
    _small_chunks(monkeypatch)

    def die(count: int) -> None:
        if count == 5:
            raise SystemExit("killed")

    _after_each_chunk(monkeypatch, die)
    # Killed: the process does not get to clean up after itself.
    monkeypatch.setattr(staging, "discard", lambda **kwargs: None)
    new = write_csv(tmp_path / "new.csv", _dispensings(["2026-02", "2026-03"], 2))
    with pytest.raises(SystemExit):
        usage_import(source="hresept", path=new)

    assert _seen_by_another_connection() == before
    assert _stored_rows() > 16  # the stopped import's rows are there, hidden
    stopped = ImportBatch.objects.get(status=ImportBatch.Status.LOADING)
    assert stopped.file_name == "new.csv"

    monkeypatch.setattr(importing, "chunk_written", lambda loader: None)
    usage_import(source="hresept", path=new)  # not refused as imported already

    assert not ImportBatch.objects.filter(status=ImportBatch.Status.LOADING).exists()
    assert not HiddenMonth.objects.exists()
    assert len(_seen()["events"]) == 24 == _stored_rows()


@SQLITE_ONLY
def test_an_import_killed_while_deleting_the_replaced_rows_is_complete_and_the_next_one_tidies(
    tmp_path, monkeypatch
):
    usage_import(source="hresept", path=write_csv(tmp_path / "a.csv", _dispensings(["2026-01"], 1)))
    sweep = staging.sweep
    calls = 0

    def killed_after_the_file_is_visible(**kwargs: Any) -> int:
        nonlocal calls
        calls += 1
        if calls == 2:  # the first removes leftovers, the second the replaced rows
            raise SystemExit("killed")
        return sweep(**kwargs)

    monkeypatch.setattr(staging, "sweep", killed_after_the_file_is_visible)
    with pytest.raises(SystemExit):
        usage_import(
            source="hresept", path=write_csv(tmp_path / "b.csv", _dispensings(["2026-01"], 2))
        )

    seen = _seen_by_another_connection()
    assert len(seen["events"]) == 8  # the new file, whole; the old rows are hidden
    assert _stored_rows() == 16
    assert HiddenMonth.objects.filter(kind=HiddenMonth.Kind.SUPERSEDED).count() == 1
    monkeypatch.setattr(staging, "sweep", sweep)
    usage_import(source="hresept", path=write_csv(tmp_path / "c.csv", _dispensings(["2026-02"], 3)))
    assert _stored_rows() == 16 == len(_seen()["events"])
    assert list(ImportBatch.objects.order_by("id").values_list("file_name", "status")) == [
        ("a.csv", ImportBatch.Status.REPLACED),
        ("b.csv", ImportBatch.Status.LOADED),
        ("c.csv", ImportBatch.Status.LOADED),
    ]


# --- Another user writing during an import -------------------------------------------------

WRITER_TIMEOUT_S = 3.0  # the other user's busy timeout in the test (production: 20 s)
CHUNK_S = 0.3  # each chunk takes this long to write, as ~100 000 rows do


@SQLITE_ONLY
def test_a_user_logging_in_during_a_long_import_waits_a_moment_and_never_fails(
    tmp_path, monkeypatch
):
    """The import takes longer than the other user's busy timeout. Before, the login failed
    with "database is locked": the import held the write lock for the whole file."""
    user_create(username="ola", password=PASSWORD, roles=[Role.CORE_GROUP])
    path = write_csv(tmp_path / "h.csv", _dispensings([f"2026-{m:02d}" for m in range(1, 7)], 1))
    _small_chunks(monkeypatch)
    write = loading.write_payload

    def slow_write(*args: Any) -> None:
        write(*args)
        time.sleep(CHUNK_S)  # inside the chunk's transaction, holding the write lock

    monkeypatch.setattr(loading, "write_payload", slow_write)
    importer_errors: list[BaseException] = []

    def run_import() -> None:
        try:
            usage_import(source="hresept", path=path)
        except BaseException as exc:  # reported in the test's thread
            importer_errors.append(exc)
        finally:
            connection.close()

    importer = threading.Thread(target=run_import)
    started = time.monotonic()
    importer.start()
    waits: list[float] = []
    errors: list[str] = []
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {int(WRITER_TIMEOUT_S * 1000)}")
    while importer.is_alive():
        began = time.monotonic()
        try:
            response = Client().post(
                reverse("accounts:login"), {"username": "ola", "password": PASSWORD}
            )
            assert response.status_code == 302
        except OperationalError as exc:
            errors.append(str(exc))
        waits.append(time.monotonic() - began)
        time.sleep(0.05)
    importer.join()
    took = time.monotonic() - started

    assert not importer_errors
    assert took > WRITER_TIMEOUT_S + 1  # longer than the other user's timeout
    assert errors == []
    assert len(waits) >= 3
    assert max(waits) < 5.0  # a login writes two or three times; each waits about a second
    assert _stored_rows() == len(_seen()["events"]) == 48
