"""The contradiction finder runs again after usage data or methods change (outbox), and the
measure of open findings is recounted after that and after people resolve findings."""

from __future__ import annotations

from legemiddel.analytics.engine import measures_refresh
from legemiddel.core.models import OutboxEvent
from legemiddel.findings.events import FINDINGS_CHANGED
from legemiddel.methods.compliance import KIND, compliance_refresh
from legemiddel.methods.events import METHODS_CHANGED
from legemiddel.methods.measure import SOURCE
from legemiddel.usage.events import USAGE_IMPORTED

TOPICS = (USAGE_IMPORTED, METHODS_CHANGED, FINDINGS_CHANGED)
PATIENT_SOURCES = {"hresept", "dips"}


def refresh_after(events: list[OutboxEvent]) -> None:
    data = any(
        e.topic == METHODS_CHANGED
        or (e.topic == USAGE_IMPORTED and e.payload.get("source") in PATIENT_SOURCES)
        for e in events
    )
    worked = any(e.topic == FINDINGS_CHANGED and e.payload.get("kind") == KIND for e in events)
    if data:
        compliance_refresh()
    if data or worked:
        measures_refresh(sources={SOURCE})
