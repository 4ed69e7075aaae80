"""The matching is redone after episodes or DIPS administrations are imported (outbox)."""

from __future__ import annotations

from legemiddel.analytics.engine import measures_refresh
from legemiddel.coding.events import EPISODES_IMPORTED
from legemiddel.coding.matching import coding_refresh
from legemiddel.coding.measure import SOURCE
from legemiddel.core.models import OutboxEvent
from legemiddel.usage.events import USAGE_IMPORTED

TOPICS = (EPISODES_IMPORTED, USAGE_IMPORTED)


def refresh_after(events: list[OutboxEvent]) -> None:
    """Match again, then the completeness measure (which reads the matches)."""
    if any(e.topic == EPISODES_IMPORTED or e.payload.get("source") == "dips" for e in events):
        coding_refresh()
        measures_refresh(sources={SOURCE})
