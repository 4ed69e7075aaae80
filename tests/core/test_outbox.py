"""What a service announces is processed once, after its transaction commits, by the listeners
of its topic; a failing listener leaves its events pending without stopping the others."""

from __future__ import annotations

import pytest
from django.db import transaction

from legemiddel.core import outbox
from legemiddel.core.models import OutboxEvent


@pytest.fixture
def heard(monkeypatch):
    """Replace the registered listeners with two recording ones (and one that fails)."""
    got: dict[str, list[tuple[str, dict]]] = {"a": [], "b": []}

    def record(name):
        return lambda events: got[name].extend((e.topic, e.payload) for e in events)

    def fail(events):
        raise RuntimeError("no")

    monkeypatch.setattr(
        outbox,
        "_LISTENERS",
        {
            "a": (frozenset({"thing.changed"}), record("a")),
            "b": (frozenset({"thing.changed", "other.changed"}), record("b")),
            "broken": (frozenset({"other.changed"}), fail),
        },
    )
    return got


def test_events_reach_each_listener_of_their_topic_once(db, heard):
    outbox.announce(topic="thing.changed", payload={"source": "sls"})
    assert outbox.pending()
    assert outbox.process() == 1
    assert heard["a"] == [("thing.changed", {"source": "sls"})]
    assert heard["b"] == [("thing.changed", {"source": "sls"})]
    assert not outbox.pending()
    assert outbox.process() == 0
    assert len(heard["a"]) == 1


def test_a_failing_listener_leaves_its_events_pending_and_the_others_still_run(db, heard):
    event = outbox.announce(topic="other.changed", payload={})
    assert outbox.process() == 0
    assert heard["b"] == [("other.changed", {})]
    event.refresh_from_db()
    assert event.processed_at is None
    assert event.attempts == 1
    assert event.error == "broken: RuntimeError"
    assert outbox.pending(["other.changed"])
    assert not outbox.pending(["thing.changed"])


def test_an_event_tried_too_often_is_no_longer_pending(db, heard):
    event = outbox.announce(topic="other.changed", payload={})
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.process()
    event.refresh_from_db()
    assert event.attempts == outbox.MAX_ATTEMPTS
    assert not outbox.pending()


def test_the_processing_job_is_queued_only_when_the_transaction_commits(
    db, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        outbox.announce(topic="thing.changed")
    assert len(callbacks) == 1

    def announce_then_fail():
        with transaction.atomic():
            outbox.announce(topic="thing.changed")
            raise RuntimeError("rolled back")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        announce_then_fail()
    assert callbacks == []
    assert OutboxEvent.objects.count() == 1
