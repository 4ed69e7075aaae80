"""Understanding a decision text: a suggested status, the conditions and the date of use.

A person in the core group confirms or corrects the suggestion; the full text is always shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from legemiddel.methods.models import DecisionStatus


@dataclass(frozen=True)
class Understanding:
    status: str
    conditions: str = ""
    price_condition: bool = False
    effective_from: dt.date | None = None
    effective_note: str = ""


def understand(short: str, full: str = "") -> Understanding:
    """What the decision texts say. (Placeholder until the parser lands.)"""
    return Understanding(status=DecisionStatus.OTHER)
