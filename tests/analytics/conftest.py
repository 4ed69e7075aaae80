"""The shared dataset's fixtures (defined in dataset.py)."""

from tests.analytics.dataset import dataset, priced  # noqa: F401  (the fixtures)
