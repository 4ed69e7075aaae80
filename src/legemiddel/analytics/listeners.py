"""Analytics listens to what imports and publications announce, and refreshes its tables.

Usage imports announce ``usage.imported`` (the source and months); a published agreement
announces ``agreement.published`` (its therapeutic area). The outbox job calls
:func:`refresh_after` after those transactions have committed.
"""

from __future__ import annotations

from legemiddel.agreements.events import AGREEMENT_PUBLISHED
from legemiddel.analytics.engine import measures_refresh
from legemiddel.core.models import OutboxEvent
from legemiddel.usage.events import USAGE_IMPORTED

TOPICS = (USAGE_IMPORTED, AGREEMENT_PUBLISHED)


def refresh_after(events: list[OutboxEvent]) -> None:
    """One refresh per kind of change, however many events came in since the last run."""
    sources = {e.payload.get("source", "") for e in events if e.topic == USAGE_IMPORTED}
    areas = {e.payload.get("area", "") for e in events if e.topic == AGREEMENT_PUBLISHED}
    if sources:
        measures_refresh(sources=sources - {""})
    if areas:
        measures_refresh(areas=areas - {""})
