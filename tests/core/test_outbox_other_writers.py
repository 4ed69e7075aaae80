"""On SQLite (one writer at a time) the outbox's listeners do not run inside one long write
transaction: while a refresh computes, a login or a saved form still writes at once. On
PostgreSQL the listeners keep running in savepoints of one transaction (rows are locked, not the
database), and the events are still processed once."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from legemiddel.core import outbox
from legemiddel.core.models import Lock, OutboxEvent
from legemiddel.lib.db import one_writer

pytestmark = pytest.mark.django_db(transaction=True)


def _write_quickly() -> float:
    """One write from this thread's own connection, with a short busy timeout; its duration."""
    if one_writer():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 2000")
    began = time.monotonic()
    Lock.objects.create(name="someone-else")
    return time.monotonic() - began


def test_others_write_while_a_listener_is_working(monkeypatch):
    if not one_writer():
        pytest.skip("PostgreSQL locks rows: a long transaction holds nobody's writes")
    working = threading.Event()
    release = threading.Event()
    heard: list[str] = []

    def slow_listener(events):
        working.set()
        assert release.wait(10)
        heard.extend(e.topic for e in events)

    monkeypatch.setattr(outbox, "_LISTENERS", {"slow": (frozenset({"x.changed"}), slow_listener)})
    OutboxEvent.objects.create(topic="x.changed", payload={})
    errors: list[BaseException] = []

    def run():
        try:
            outbox.process()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert working.wait(10)
        took = _write_quickly()
    finally:
        release.set()
        thread.join(timeout=30)
    assert not errors
    # Held by the listener, the write would have failed after its busy timeout (2 s).
    assert took < 1.5, f"the write waited {took:.2f} s for the listener"
    assert heard == ["x.changed"]
    assert not outbox.pending()


def test_two_processors_at_once_give_each_event_to_its_listener_once(monkeypatch):
    heard: list[int] = []

    def listener(events):
        time.sleep(0.3)
        heard.extend(e.pk for e in events)

    monkeypatch.setattr(outbox, "_LISTENERS", {"l": (frozenset({"x.changed"}), listener)})
    event = OutboxEvent.objects.create(topic="x.changed", payload={})

    def run():
        try:
            outbox.process()
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert heard == [event.pk]
