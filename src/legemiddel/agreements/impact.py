"""What a publication would change in the figures, from the layers above.

The follow-up figures are computed by analytics, which sits above agreements; agreements may
not import it. Analytics registers a provider here from its ``AppConfig.ready()``, and the
publish panel shows what the providers return, so the adviser sees which measures and months
move before the change reaches the portal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from legemiddel.agreements.models import Agreement, AgreementLine


@dataclass(frozen=True)
class ImpactRow:
    """One figure that a publication would change: a measure at a place in a month."""

    measure: str
    place: str
    month: dt.date
    before: str  # formatted for the page ("52,0 %"); empty: no value
    after: str


ImpactProvider = Callable[[Agreement, list[AgreementLine]], list[ImpactRow]]

_PROVIDERS: list[ImpactProvider] = []


def register_impact_provider(fn: ImpactProvider) -> None:
    """Let a layer above compute what publishing ``proposed_lines`` would change."""
    if fn not in _PROVIDERS:
        _PROVIDERS.append(fn)


def agreement_impact(agreement: Agreement) -> list[ImpactRow]:
    """The rows every provider returns for publishing the agreement's lines as they stand."""
    proposed = list(agreement.lines.select_related("agreement", "package"))
    rows: list[ImpactRow] = []
    for provider in _PROVIDERS:
        rows += provider(agreement, proposed)
    return rows


def published_lines(agreement: Agreement) -> list[AgreementLine]:
    """The lines as last published (from the version snapshot), unsaved, so a provider can
    compute the figures as they are today. Prices come from the stored lines of the same
    package: the snapshot never holds them, and a price is not what the ranking changes."""
    version = agreement.versions.order_by("-number").first()
    if version is None:
        return []
    prices = {line.package_id: line.lis_price for line in agreement.lines.all()}
    found = []
    for raw in version.snapshot.get("lines", []):
        line = AgreementLine(
            agreement=agreement,
            package_id=raw["package_id"],
            indication_group=raw["indication_group"],
            patient_group=raw["patient_group"],
            rank=raw["rank"],
            valid_from=_day(raw.get("valid_from")),
            valid_to=_day(raw.get("valid_to")),
            lis_price=prices.get(raw["package_id"]),
        )
        found.append(line)
    return found


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None
