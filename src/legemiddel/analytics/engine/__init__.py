"""Compute the measures from the monthly cube and the agreements into ``MeasureValue``.

Runs after every usage import and every publication of an agreement (announced through the
outbox, processed by a background job: see ``analytics.listeners``). It reads the cube
(month x unit x package x source), never the raw lines, so it stays small however many lines
were imported. Each measure kind is computed by its module in ``analytics/kinds/``.
"""

from legemiddel.analytics.engine import refresh
from legemiddel.analytics.engine.context import RefreshContext
from legemiddel.analytics.engine.measures import AREA_SEPARATOR, Measure, measure_by_key, measures
from legemiddel.analytics.engine.reading import ranks_by_month
from legemiddel.analytics.engine.refresh import compute, measures_refresh

__all__ = [
    "AREA_SEPARATOR",
    "Measure",
    "RefreshContext",
    "compute",
    "measure_by_key",
    "measures",
    "measures_refresh",
    "ranks_by_month",
    "refresh",
]
