"""The start page's work-list panel: open findings in the user's units, nearest deadline."""

from __future__ import annotations

from typing import Any

from legemiddel.findings.models import Finding
from legemiddel.findings.selectors import WorkListFilter, totals, worklist
from legemiddel.findings.views import WORKERS


def worklist_panel(user: Any) -> dict[str, Any] | None:
    if not WORKERS.allows(user):
        return None
    found = worklist(user, WorkListFilter(status=Finding.Status.OPEN))
    summed = totals(found)
    if not summed["count"]:
        return None
    return {"count": summed["count"], "amount": summed["amount"], "first": found.first()}
