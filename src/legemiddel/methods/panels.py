"""The start page's panel for the core group: decisions waiting to be confirmed."""

from __future__ import annotations

from typing import Any

from legemiddel.methods.access import can_edit_methods
from legemiddel.methods.models import Method
from legemiddel.methods.register_selectors import UNCONFIRMED


def unconfirmed_panel(user: Any) -> dict[str, Any] | None:
    """How many methods wait for a confirmation (one query), for those who confirm them."""
    if not can_edit_methods(user):
        return None
    count = Method.objects.filter(UNCONFIRMED).count()
    return {"count": count} if count else None
