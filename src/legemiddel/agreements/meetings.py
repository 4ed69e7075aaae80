"""The start-up meeting of an agreement, as the agreement's pages show it.

Start-up meetings live in governance, which sits above agreements; agreements may not import
it. Governance registers a provider here from its ``AppConfig.ready()``, and the register and
the agreement page show what it returns (as :mod:`legemiddel.agreements.impact` does for the
figures a publication would change).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class MeetingSummary:
    """An agreement's start-up meeting: where its page is, when it is due and held, and what
    the core group should act on (``overdue``, ``late``, ``unscheduled``, ``minutes_missing``)."""

    url: str
    due_by: dt.date | None
    scheduled_at: dt.datetime | None
    minutes_recorded_at: dt.datetime | None
    cancelled: bool
    warnings: tuple[str, ...]


MeetingProvider = Callable[[list[int]], dict[int, MeetingSummary]]

_PROVIDERS: list[MeetingProvider] = []


def register_meeting_provider(fn: MeetingProvider) -> None:
    """Let the layer above tell the start-up meetings of agreements (by agreement id)."""
    if fn not in _PROVIDERS:
        _PROVIDERS.append(fn)


def startup_meetings(agreement_ids: Iterable[int]) -> dict[int, MeetingSummary]:
    """The start-up meeting of each agreement that has one, by agreement id."""
    ids = list(agreement_ids)
    found: dict[int, MeetingSummary] = {}
    for provider in _PROVIDERS:
        found.update(provider(ids))
    return found
