"""Linking a method to the catalogue and the agreements: FEST substances by name (a person picks
when the name is ambiguous), ATC codes, the LIS area, and the indication's ICD-10 codes."""

from __future__ import annotations

from legemiddel.methods.models import Method


def link_method(method: Method) -> None:
    """Link a drug method whose links were not set by hand. (Placeholder until linking lands.)"""
    return None
