"""Governance builds on the agreements' fixtures (an area, the adviser, an agreement)."""

from tests.agreements.conftest import (  # noqa: F401
    adviser,
    agreement,
    area,
    catalogue,
    community,
    imported,
    notice,
)
