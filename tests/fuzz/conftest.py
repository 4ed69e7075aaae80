"""Hypothesis settings of the fuzz tests: a small derandomised run in the suite.

``bench/fuzz.py`` runs the same harness with ten thousand files per importer.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

FUZZ_HEALTH = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.filter_too_much,
    HealthCheck.function_scoped_fixture,
    HealthCheck.large_base_example,
]
settings.register_profile(
    "fuzz-ci",
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=FUZZ_HEALTH,
)
