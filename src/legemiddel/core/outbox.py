"""Imports and publications announce what changed; the apps above listen.

A service announces in its own transaction (``announce``), so the event exists exactly when
the change was committed. After commit a background task processes the pending events: each
listener gets the events of its topics in order, once. Listeners register from their app's
``AppConfig.ready()``; the announcing app never imports them, so dependencies flow one way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from legemiddel.core.locks import hold
from legemiddel.core.models import OutboxEvent
from legemiddel.lib.db import one_writer, session_lock

log = logging.getLogger(__name__)

Listener = Callable[[list[OutboxEvent]], None]
_LISTENERS: dict[str, tuple[frozenset[str], Listener]] = {}
MAX_ATTEMPTS = 5


def listen(name: str, topics: Iterable[str], handler: Listener) -> None:
    """Call ``handler`` with the pending events of ``topics`` (registered once per name)."""
    _LISTENERS[name] = (frozenset(topics), handler)


def announce(*, topic: str, payload: dict[str, Any] | None = None) -> OutboxEvent:
    """Record that something changed, in the caller's transaction; the events are processed
    by a background task once that transaction has committed."""
    event = OutboxEvent.objects.create(topic=topic, payload=payload or {})
    transaction.on_commit(lambda: process_outbox.enqueue())
    return event


def pending(topics: Iterable[str] | None = None) -> bool:
    """Whether events (of these topics) wait to be processed."""
    events = OutboxEvent.objects.filter(processed_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
    if topics is not None:
        events = events.filter(topic__in=list(topics))
    return events.exists()


def process() -> int:
    """Process the pending events: each listener gets its topics' events (in a savepoint of its
    own), and the events are marked processed when every listener of their topic has run. A
    listener that fails leaves its events pending (tried again next time, at most
    ``MAX_ATTEMPTS`` times) without stopping the others. One processor runs at a time: a
    second waits for the first and then finds nothing left. Returns how many were processed.

    On SQLite (one writer at a time) the listeners do not run inside one transaction, which
    would hold every other user's writes for as long as all the refreshes take: a lock file
    keeps processors apart instead, and each listener writes in its own short transactions
    (a listener must be all-or-nothing on its own). Events are marked in a short transaction
    afterwards, so a processor that dies between the two runs the listener again next time
    (refreshes recompute, so twice is harmless)."""
    if one_writer() and not connection.in_atomic_block:
        with session_lock("outbox"):
            events = _pending_events()
            failed = _run_listeners(events, savepoint=False)
            with transaction.atomic():
                return _mark(events, failed)
    with transaction.atomic():
        hold("outbox")
        events = _pending_events()
        failed = _run_listeners(events, savepoint=True)
        return _mark(events, failed)


def _pending_events() -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(processed_at__isnull=True, attempts__lt=MAX_ATTEMPTS))


def _run_listeners(events: list[OutboxEvent], *, savepoint: bool) -> dict[int, str]:
    """Each listener with its topics' events; returns the events whose listener failed."""
    failed: dict[int, str] = {}
    for name, (topics, handler) in _LISTENERS.items():
        mine = [e for e in events if e.topic in topics]
        if not mine:
            continue
        try:
            if savepoint:
                with transaction.atomic():
                    handler(mine)
            else:
                handler(mine)
        except Exception as exc:
            log.exception("Outbox listener %s failed", name)
            failed.update({e.pk: f"{name}: {type(exc).__name__}"[:500] for e in mine})
    return failed


def _mark(events: list[OutboxEvent], failed: dict[int, str]) -> int:
    now = timezone.now()
    for event in events:
        if event.pk in failed:
            event.attempts += 1
            event.error = failed[event.pk]
            event.save(update_fields=["attempts", "error"])
    ok = [e.pk for e in events if e.pk not in failed]
    OutboxEvent.objects.filter(pk__in=ok).update(processed_at=now, error="")
    return len(ok)


@task()
def process_outbox() -> int:
    """The background task queued after each announcing transaction commits."""
    return process()
